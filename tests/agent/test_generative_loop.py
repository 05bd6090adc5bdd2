"""The tool-calling loop (`run_llm_turn`) with LangChain's fake chat model scripted with tool calls, and
real StructuredTools with pydantic arguments."""

from __future__ import annotations

import json

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import StructuredTool
from pydantic import BaseModel, Field

from assistant.agent.generative import LLMTurn, passages_in, run_llm_turn
from assistant.agent.llm import ModelUnavailable
from knowledge.retrieval import Passage
from tests.agent.llm_fakes import ScriptedToolModel, scripted, tool_call

SYSTEM = "You are a test agent."


def make_passage(citation_id: str, text: str) -> Passage:
    source, _, anchor = citation_id.partition(":")
    return Passage(
        citation_id=citation_id,
        source_id=source,
        title=f"Title of {anchor}",
        locator=anchor,
        parents=[],
        kind="regulation",
        level="paragraph",
        visibility="public",
        text=text,
        score=1.0,
        similarity=0.6,
    )


LIBRARY = {
    "chatbot": make_passage(
        "eu-ai-act:art-50-1",
        "Providers shall ensure that AI systems that interact directly with people tell them they are "
        "interacting with an AI system.",
    ),
    "fines": make_passage(
        "eu-ai-act:art-99-3",
        "Breaches of the prohibited practices are fined up to 35 000 000 EUR or 7 % of worldwide turnover.",
    ),
}


class SearchArgs(BaseModel):
    query: str = Field(min_length=1, description="What to look for.")
    k: int = Field(default=3, ge=1, le=10, description="How many passages.")


class SearchResult(BaseModel):
    passages: list[Passage]


def _search(query: str, k: int = 3) -> SearchResult:
    words = set(query.lower().split())
    found = [p for key, p in LIBRARY.items() if key in words]
    return SearchResult(passages=found[:k])


class TaskArgs(BaseModel):
    task_id: int = Field(ge=1)
    status: str


def _close_task(task_id: int, status: str) -> str:
    raise RuntimeError(f"task {task_id} is locked by another review")


search_tool = StructuredTool.from_function(
    func=_search, name="search_knowledge", description="Search the knowledge.", args_schema=SearchArgs
)
failing_tool = StructuredTool.from_function(
    func=_close_task, name="update_task", description="Change a task's status.", args_schema=TaskArgs
)
TOOLS = [search_tool, failing_tool]


def _tool_messages(model: ScriptedToolModel, call_no: int) -> list[ToolMessage]:
    """The ToolMessages in what the model was sent on its `call_no`-th call (0-based)."""
    return [m for m in model.seen[call_no] if isinstance(m, ToolMessage)]


def test_a_tool_call_then_an_answer() -> None:
    model = scripted(
        tool_call("search_knowledge", {"query": "chatbot disclosure", "k": 2}, "c1"),
        AIMessage(content="Tell people they talk to an AI [eu-ai-act:art-50-1]."),
    )
    history = [HumanMessage(content="hi"), AIMessage(content="Hello, how can I help?")]
    turn = run_llm_turn(model, TOOLS, history, "Must our chatbot disclose it is AI?", system_prompt=SYSTEM)

    assert isinstance(turn, LLMTurn)
    assert turn.stop_reason == "answer"
    assert turn.steps == 2
    assert turn.text == "Tell people they talk to an AI [eu-ai-act:art-50-1]."
    assert [(c.name, c.arguments, c.ok) for c in turn.tool_calls] == [
        ("search_knowledge", {"query": "chatbot disclosure", "k": 2}, True)
    ]
    assert [p.citation_id for p in turn.passages] == ["eu-ai-act:art-50-1"]
    assert model.bound_tools == ["search_knowledge", "update_task"]
    # The first call saw the system prompt, the history and the new message, in that order.
    first = model.seen[0]
    assert first[0].content == SYSTEM
    assert [m.content for m in first[1:]] == [
        "hi",
        "Hello, how can I help?",
        "Must our chatbot disclose it is AI?",
    ]
    # The second call got the tool result as JSON, answering the call id.
    (result,) = _tool_messages(model, 1)
    assert result.tool_call_id == "c1"
    assert result.status == "success"
    assert json.loads(result.text)["passages"][0]["citation_id"] == "eu-ai-act:art-50-1"


@pytest.mark.parametrize(
    ("bad_args", "expected"),
    [
        ({"query": "chatbot", "k": "many"}, "k:"),  # wrong type
        ({"k": 2}, "query:"),  # missing field
        ({"query": "chatbot", "k": 99}, "k:"),  # out of range
    ],
)
def test_malformed_arguments_are_fed_back_and_the_model_recovers(bad_args: dict, expected: str) -> None:
    model = scripted(
        tool_call("search_knowledge", bad_args, "bad"),
        tool_call("search_knowledge", {"query": "chatbot"}, "good"),
        AIMessage(content="Recovered."),
    )
    turn = run_llm_turn(model, TOOLS, [], "Chatbot rules?", system_prompt=SYSTEM)

    assert turn.stop_reason == "answer"
    assert turn.text == "Recovered."
    failed, succeeded = turn.tool_calls
    assert not failed.ok
    assert failed.arguments == bad_args
    assert failed.error is not None and expected in failed.error
    assert succeeded.ok
    (error_message,) = _tool_messages(model, 1)
    assert error_message.status == "error"
    assert error_message.tool_call_id == "bad"
    error = json.loads(error_message.text)["error"]
    assert error["type"] == "invalid_arguments"
    assert error["tool"] == "search_knowledge"
    assert any(detail.startswith(expected) for detail in error["details"])


def test_arguments_that_are_not_json_come_back_as_an_error() -> None:
    broken = AIMessage(
        content="",
        invalid_tool_calls=[
            {
                "name": "search_knowledge",
                "args": '{"query": "chat',
                "id": "x1",
                "error": "Unterminated string",
            }
        ],
    )
    model = scripted(broken, AIMessage(content="Sorry, let me answer without it."))
    turn = run_llm_turn(model, TOOLS, [], "Chatbot rules?", system_prompt=SYSTEM)

    assert turn.stop_reason == "answer"
    (record,) = turn.tool_calls
    assert not record.ok and record.error is not None and "not valid JSON" in record.error
    (message,) = _tool_messages(model, 1)
    assert message.tool_call_id == "x1"
    assert json.loads(message.text)["error"]["type"] == "invalid_arguments"


def test_a_tool_that_raises_returns_a_structured_error() -> None:
    model = scripted(
        tool_call("update_task", {"task_id": 4, "status": "approved"}, "t1"),
        AIMessage(content="I could not update task 4: it is locked."),
    )
    turn = run_llm_turn(model, TOOLS, [], "Approve task 4", system_prompt=SYSTEM)

    (record,) = turn.tool_calls
    assert record.name == "update_task"
    assert record.arguments == {"task_id": 4, "status": "approved"}
    assert not record.ok
    assert record.error == "RuntimeError: task 4 is locked by another review"
    (message,) = _tool_messages(model, 1)
    assert message.status == "error"
    assert json.loads(message.text)["error"] == {
        "type": "tool_error",
        "tool": "update_task",
        "message": "RuntimeError: task 4 is locked by another review",
        "details": [],
    }
    assert turn.text.startswith("I could not update task 4")


def test_an_unknown_tool_is_reported_with_the_tools_that_exist() -> None:
    model = scripted(
        tool_call("classify_as_minimal", {"system": "cv screener"}, "u1"),
        AIMessage(content="I cannot do that."),
    )
    turn = run_llm_turn(model, TOOLS, [], "Make it minimal risk", system_prompt=SYSTEM)

    (record,) = turn.tool_calls
    assert (record.name, record.ok) == ("classify_as_minimal", False)
    assert record.error is not None and "search_knowledge" in record.error and "update_task" in record.error
    (message,) = _tool_messages(model, 1)
    assert json.loads(message.text)["error"]["type"] == "unknown_tool"


def test_tool_errors_returned_as_text_count_as_failures() -> None:
    def handled(query: str, k: int = 3) -> str:
        return "error: search_knowledge: the index is being rebuilt"

    tool = StructuredTool.from_function(
        func=handled, name="search_knowledge", description="Search.", args_schema=SearchArgs
    )
    model = scripted(tool_call("search_knowledge", {"query": "x"}, "h1"), AIMessage(content="Try later."))
    turn = run_llm_turn(model, [tool], [], "x?", system_prompt=SYSTEM)

    (record,) = turn.tool_calls
    assert not record.ok
    assert record.error == "search_knowledge: the index is being rebuilt"


def test_max_steps_bounds_the_loop() -> None:
    # The fake model repeats its only reply: a tool call, forever.
    model = scripted(tool_call("search_knowledge", {"query": "fines"}, "loop", text="Searching again."))
    turn = run_llm_turn(model, TOOLS, [], "Fines?", system_prompt=SYSTEM, max_steps=3)

    assert turn.stop_reason == "max_steps"
    assert turn.steps == 3
    assert len(model.seen) == 3
    assert len(turn.tool_calls) == 3 and all(c.ok for c in turn.tool_calls)
    assert turn.text == "Searching again."
    assert [p.citation_id for p in turn.passages] == ["eu-ai-act:art-99-3"]

    with pytest.raises(ValueError, match="max_steps"):
        run_llm_turn(model, TOOLS, [], "Fines?", system_prompt=SYSTEM, max_steps=0)


def test_several_calls_in_one_message_are_each_answered() -> None:
    both = AIMessage(
        content="",
        tool_calls=[
            {"name": "search_knowledge", "args": {"query": "chatbot"}, "id": "a"},
            {"name": "search_knowledge", "args": {"query": "fines"}, "id": None},  # the loop gives one
        ],
    )
    model = scripted(both, AIMessage(content="Done."))
    turn = run_llm_turn(model, TOOLS, [], "Both?", system_prompt=SYSTEM)

    messages = _tool_messages(model, 1)
    assert [m.tool_call_id for m in messages] == ["a", "call_1_1"]
    sent_ai = next(m for m in model.seen[1] if isinstance(m, AIMessage))
    assert [c["id"] for c in sent_ai.tool_calls] == ["a", "call_1_1"]
    assert {p.citation_id for p in turn.passages} == {"eu-ai-act:art-50-1", "eu-ai-act:art-99-3"}


def test_a_failing_model_raises_model_unavailable() -> None:
    class Refused(ScriptedToolModel):
        def _generate(self, *args: object, **kwargs: object):  # type: ignore[no-untyped-def,override]
            raise ConnectionRefusedError(111, "Connection refused")

    with pytest.raises(ModelUnavailable) as caught:
        run_llm_turn(Refused(responses=[]), TOOLS, [], "Hi", system_prompt=SYSTEM)
    assert caught.value.kind == "connection"


def test_passages_are_found_in_tool_outputs() -> None:
    chatbot, fines = LIBRARY["chatbot"], LIBRARY["fines"]
    assert passages_in(chatbot) == [chatbot]
    assert passages_in([chatbot, fines]) == [chatbot, fines]
    assert passages_in(SearchResult(passages=[fines])) == [fines]
    assert passages_in("text") == []
    assert passages_in({"passages": "not models"}) == []
