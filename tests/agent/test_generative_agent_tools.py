"""The tool-calling loop over the agent's real tools (`assistant.agent.toolkit.langchain_tools`), the built-in
knowledge packs and a real database, driven by a scripted fake chat model; the reply is then guarded
against what the tools retrieved."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from langchain_core.messages import AIMessage

from assistant.agent.generative import run_llm_turn
from assistant.agent.guard import guard_answer
from assistant.agent.prompts import agent_system_prompt
from assistant.agent.schemas import UserContext
from assistant.agent.toolkit import ToolContext, langchain_tools
from assistant.service import Assistant
from tests.agent.llm_fakes import scripted, tool_call


@pytest.fixture
def ctx(make_settings) -> Iterator[ToolContext]:  # type: ignore[no-untyped-def]
    settings = make_settings(load_builtin_knowledge=True)
    assistant = Assistant.open(settings)
    yield ToolContext(settings=settings, assistant=assistant, user=UserContext(user_id="ana"), actor="ana")
    assistant.close()


def test_the_loop_drives_the_agents_tools_and_the_guard_keeps_only_retrieved_citations(
    ctx: ToolContext,
) -> None:
    tools = langchain_tools(ctx)
    model = scripted(
        tool_call(
            "search_knowledge", {"query": "chatbot must tell people they are talking to an AI", "k": 3}, "s1"
        ),
        # Malformed: a triage without a description or profile, and a field that does not exist.
        tool_call("triage_system", {"tier": "minimal"}, "t1"),
        AIMessage(
            content="People must be told when they are interacting with an AI system [1]. "
            "Every chatbot is minimal risk [eu-ai-act:art-99-9]."
        ),
    )
    as_of = ctx.index.knowledge_as_of()
    turn = run_llm_turn(
        model,
        tools,
        [],
        "Must our chatbot say it is an AI?",
        system_prompt=agent_system_prompt(knowledge_as_of=as_of),
    )

    assert turn.stop_reason == "answer"
    assert set(model.bound_tools) >= {
        "search_knowledge",
        "answer_question",
        "triage_system",
        "file_review_tasks",
    }
    searched, triaged = turn.tool_calls
    assert (searched.name, searched.ok) == ("search_knowledge", True)
    assert (triaged.name, triaged.ok) == ("triage_system", False)
    assert triaged.error is not None and "tier" in triaged.error
    # The agent's tools keep their own record of the same calls.
    assert [(c.name, c.ok) for c in ctx.calls] == [("search_knowledge", True), ("triage_system", False)]
    assert ctx.retrieved, "the search retrieved passages for the turn"

    retrieved = list(ctx.retrieved.values())
    guarded = guard_answer(turn.text, retrieved, as_of=as_of)
    assert {c.id for c in guarded.citations} <= set(ctx.retrieved)
    assert "[eu-ai-act:art-99-9]" in guarded.invalid_citations
    assert "minimal risk" not in guarded.text
    if as_of:
        assert f"Knowledge as of {as_of.isoformat()}." in guarded.text
