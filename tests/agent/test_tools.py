"""The agent's tools: validated inputs, structured outputs, and failures (malformed arguments, domain errors,
a broken database) that come back as one-line errors instead of exceptions, also through LangChain."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import ToolMessage
from sqlalchemy import text

from assistant.agent.schemas import UserContext
from assistant.agent.toolkit import (
    TOOLS,
    AnswerQuestionOutput,
    ListSystemsOutput,
    SearchKnowledgeOutput,
    ToolContext,
    TriageSystemOutput,
    langchain_tools,
    run_tool,
    tool_schemas,
)
from assistant.service import Assistant
from tests.agent.offline import packed_settings
from tools.triage.schemas import EuTier, SystemProfile


@pytest.fixture
def assistant(tmp_path: Path) -> Iterator[Assistant]:
    opened = Assistant.open(packed_settings(tmp_path))
    yield opened
    opened.close()


def context(assistant: Assistant, **user: object) -> ToolContext:
    who = UserContext(user_id="ana", **user)  # type: ignore[arg-type]
    return ToolContext(settings=assistant.settings, assistant=assistant, user=who, actor="ana")


def test_answer_question_is_the_assistants_answer_and_keeps_what_it_retrieved(assistant: Assistant) -> None:
    ctx = context(assistant)
    question = "What must deployers of high-risk AI systems do?"
    result = run_tool(ctx, "answer_question", {"question": question})
    assert result.ok and isinstance(result.output, AnswerQuestionOutput)
    assert result.output.answer == assistant.ask(question)
    cited = {c.id for c in result.output.answer.citations}
    assert cited and cited <= set(ctx.retrieved)
    for cid in cited:
        assert ctx.retrieved[cid].text and ctx.passages[cid].citation_id == cid
    assert ctx.calls[-1].name == "answer_question" and ctx.calls[-1].ok


def test_search_filters_by_source_and_kind(assistant: Assistant) -> None:
    ctx = context(assistant)
    result = run_tool(
        ctx, "search_knowledge", {"query": "data protection impact assessment", "sources": ["gdpr"]}
    )
    assert result.ok and isinstance(result.output, SearchKnowledgeOutput)
    assert result.output.passages and {p.source_id for p in result.output.passages} == {"gdpr"}
    nothing = run_tool(ctx, "search_knowledge", {"query": "anything", "kinds": ["review"]})
    assert nothing.ok and isinstance(nothing.output, SearchKnowledgeOutput) and nothing.output.passages == []


@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("answer_question", {}, "answer_question: invalid arguments: question: Field required"),
        ("answer_question", {"question": ""}, "question: String should have at least 1 character"),
        (
            "answer_question",
            {"question": "x", "audience": "everyone"},
            "audience: Extra inputs are not permitted",
        ),
        ("search_knowledge", {"query": "x", "k": "many"}, "k: Input should be a valid integer"),
        ("search_knowledge", {"query": "x", "kinds": ["memo"]}, "kinds.0: Input should be 'regulation'"),
        ("list_tasks", {"status": "closed"}, "status: Input should be 'open'"),
        ("triage_system", {}, "give a description of the system, or a profile to refine"),
        (
            "triage_system",
            {"description": "a chatbot", "tier": "minimal"},
            "tier: Extra inputs are not permitted",
        ),
        ("find_past_reviews", {}, "give a query, a system, or both"),
        ("nonexistent", {"x": 1}, "unknown tool 'nonexistent'; the tools are: search_knowledge"),
    ],
)
def test_malformed_arguments_come_back_as_errors(
    assistant: Assistant, name: str, args: dict, message: str
) -> None:  # type: ignore[type-arg]
    ctx = context(assistant)
    result = run_tool(ctx, name, args)
    assert not result.ok and result.output is None
    assert result.error is not None and message in result.error
    assert "\n" not in result.error
    assert ctx.calls[-1].ok is False and ctx.calls[-1].error == result.error
    assert result.text() == f"error: {result.error}"


def test_arguments_that_are_not_an_object(assistant: Assistant) -> None:
    ctx = context(assistant)
    result = run_tool(ctx, "answer_question", ["What is Article 5?"])  # type: ignore[arg-type]
    assert not result.ok and "arguments must be an object" in (result.error or "")


def test_domain_errors_name_the_problem(assistant: Assistant) -> None:
    ctx = context(assistant)
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("file_review_tasks", {"system": "ghost"}, "no system called 'ghost' in the inventory"),
        ("list_tasks", {"system": "ghost"}, "no system called 'ghost'"),
        ("find_past_reviews", {"system": "ghost"}, "no system called 'ghost'"),
        ("answer_question", {"question": "   "}, "the question is empty"),
        (
            "triage_system",
            {"description": "A chatbot", "answers": [{"field": "profiling", "answer": "purple"}]},
            "profiling: could not understand 'purple'",
        ),
        (
            "triage_system",
            {"description": "A chatbot", "answers": [{"field": "colour", "answer": "yes"}]},
            "colour: not a field a follow-up question can set",
        ),
    ]
    for name, args, message in cases:
        result = run_tool(ctx, name, args)
        assert not result.ok and message in (result.error or ""), (name, result.error)


def test_an_unexpected_failure_is_a_message_not_a_traceback(assistant: Assistant) -> None:
    ctx = context(assistant)
    with assistant.index.db.engine.begin() as conn:
        conn.execute(text("DROP TABLE review_tasks"))
    result = run_tool(ctx, "list_tasks", {})
    assert not result.ok
    assert result.error is not None and result.error.startswith("list_tasks failed: OperationalError:")
    assert "\n" not in result.error
    # The turn goes on: other tools still work.
    assert run_tool(ctx, "list_systems", {}).ok


def test_triage_tier_comes_from_the_rules_and_profiles_round_trip(assistant: Assistant) -> None:
    ctx = context(assistant)
    first = run_tool(
        ctx,
        "triage_system",
        {
            "description": "A tool that ranks job applicants' CVs for recruiters. It is used in the EU.",
            "name": "R",
        },
    )
    assert first.ok and isinstance(first.output, TriageSystemOutput)
    assert first.output.tier is EuTier.HIGH and first.output.status == "needs_information"
    assert first.output.recorded is False and first.output.system_id is None
    payload = json.loads(first.text())
    # Only what was declared travels: defaults must not turn into declarations on the way back.
    assert "annex_i_product" not in payload["profile"] and payload["profile"]["use_cases"] == ["recruitment"]

    answers = [{"field": m.field, "answer": "no"} for m in first.output.missing]
    second = run_tool(
        ctx,
        "triage_system",
        {"profile": payload["profile"], "uncertain": payload["uncertain"], "answers": answers},
    )
    assert second.ok and isinstance(second.output, TriageSystemOutput)
    assert second.output.status == "complete" and second.output.recorded
    assert second.output.tier is EuTier.HIGH and second.output.system_id == "r"
    assert second.output.outcome.assessment_version == 1

    us_only = run_tool(
        ctx,
        "triage_system",
        {"profile": payload["profile"], "answers": [{"field": "in_eu_scope", "answer": "only in the US"}]},
    )
    assert us_only.ok and isinstance(us_only.output, TriageSystemOutput)
    assert us_only.output.tier is EuTier.OUT_OF_SCOPE
    assert us_only.output.profile.jurisdictions == ["US"]


def test_a_profile_given_by_a_caller_is_validated(assistant: Assistant) -> None:
    ctx = context(assistant)
    result = run_tool(
        ctx, "triage_system", {"profile": {"name": "X", "description": "d", "use_cases": ["mind_reading"]}}
    )
    assert not result.ok and "unknown use case code(s) ['mind_reading']" in (result.error or "")
    ok = run_tool(
        ctx, "triage_system", {"profile": SystemProfile(name="X", description="d", use_cases=["recruitment"])}
    )
    assert ok.ok and isinstance(ok.output, TriageSystemOutput) and ok.output.tier is EuTier.HIGH


def test_the_inventory_is_not_for_public_channels(assistant: Assistant) -> None:
    ctx = context(assistant, public_only=True)
    for name, args in [
        ("list_systems", {}),
        ("list_tasks", {}),
        ("file_review_tasks", {"system": "x"}),
        ("find_past_reviews", {"query": "chatbot"}),
    ]:
        result = run_tool(ctx, name, args)
        assert not result.ok and "the inventory is internal" in (result.error or ""), name
    assert run_tool(ctx, "answer_question", {"question": "What is AI literacy?"}).ok


def test_langchain_tools_validate_and_never_raise(assistant: Assistant) -> None:
    ctx = context(assistant)
    built = {t.name: t for t in langchain_tools(ctx)}
    assert set(built) == set(TOOLS)
    assert built["triage_system"].args_schema is TOOLS["triage_system"].input_model

    listed = built["list_systems"].invoke({})
    assert ListSystemsOutput.model_validate_json(listed).systems == []

    call = {"type": "tool_call", "id": "c1", "name": "search_knowledge", "args": {"query": 7, "k": "lots"}}
    message = built["search_knowledge"].invoke(call)
    assert isinstance(message, ToolMessage) and message.tool_call_id == "c1"
    assert str(message.content).startswith("error: search_knowledge: invalid arguments:")
    assert "query: Input should be a valid string" in str(message.content)

    failing = built["file_review_tasks"].invoke(
        {"type": "tool_call", "id": "c2", "name": "file_review_tasks", "args": {"system": "ghost"}}
    )
    assert isinstance(failing, ToolMessage) and "no system called 'ghost'" in str(failing.content)

    answered = built["answer_question"].invoke(
        {"question": "What must deployers of high-risk AI systems do?"}
    )
    answer = AnswerQuestionOutput.model_validate_json(answered).answer
    assert {c.id for c in answer.citations} <= set(ctx.retrieved)
    assert [c.name for c in ctx.calls] == [
        "list_systems",
        "search_knowledge",
        "file_review_tasks",
        "answer_question",
    ]
    assert [c.ok for c in ctx.calls] == [True, False, False, True]


def test_tool_schemas_describe_every_tool() -> None:
    schemas = tool_schemas()
    assert [s["name"] for s in schemas] == list(TOOLS)
    for schema in schemas:
        assert schema["description"] and schema["parameters"]["type"] == "object"
    names = {s["name"] for s in schemas}
    # No tool closes, approves or deletes anything, and none takes a tier.
    assert not any(word in name for name in names for word in ("close", "approve", "delete", "update"))
    for schema in schemas:
        fields = schema["parameters"].get("properties", {})
        if schema["name"] == "list_systems":
            assert list(fields) == ["eu_tier"]  # a filter on what the rules decided, nothing more
        else:
            assert not any("tier" in field for field in fields), schema["name"]
