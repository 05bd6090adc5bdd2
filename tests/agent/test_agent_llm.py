"""The agent with a chat model configured: question turns go through the model and the guard; triage,
tasks and the inventory stay deterministic; an unusable model or an unsupported draft falls back to the
offline answer and says so."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langchain_core.outputs import ChatResult

from assistant.agent.agent import Agent
from assistant.agent.llm import make_chat_model
from assistant.service import Assistant
from tests.agent.llm_fakes import ScriptedToolModel, scripted, tool_call
from tests.agent.offline import CV_RANKER, packed_settings, user
from tests.conftest import free_port
from tools import tasks


class QuotingModel(ScriptedToolModel):
    """Searches once, then answers with the first sentence of the first passage the tool returned,
    cited by its id: a model that does what the system prompt asks."""

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> ChatResult:
        self.seen.append(list(messages))
        results = [m for m in messages if isinstance(m, ToolMessage)]
        if not results:
            question = str(messages[-1].content)
            reply = tool_call("search_knowledge", {"query": question}, "call-1")
        else:
            passage = json.loads(str(results[-1].content))["passages"][0]
            sentence = re.split(r"(?<=[.;])\s", passage["text"].strip())[0].rstrip(".;")
            reply = AIMessage(content=f"{sentence} [{passage['citation_id']}].")
        from langchain_core.outputs import ChatGeneration

        return ChatResult(generations=[ChatGeneration(message=reply)])


@pytest.fixture
def settings(tmp_path: Path):  # type: ignore[no-untyped-def]
    return packed_settings(tmp_path)


@pytest.fixture
def assistant(settings) -> Iterator[Assistant]:  # type: ignore[no-untyped-def]
    opened = Assistant.open(settings)
    yield opened
    opened.close()


QUESTION = "Do we have to tell people they are talking to a chatbot?"


def test_a_question_is_answered_by_the_model_through_the_tools_and_guarded(settings, assistant) -> None:  # type: ignore[no-untyped-def]
    model = QuotingModel(responses=[AIMessage(content="unused")])
    agent = Agent(settings, assistant, model=model)
    reply = agent.respond(thread_id="llm-1", message=QUESTION, user=user("ana"))
    assert reply.mode == "llm" and reply.model and reply.notice is None
    assert [c.name for c in reply.tool_calls] == ["search_knowledge"]
    assert set(model.bound_tools) == {"search_knowledge", "answer_question", "find_past_reviews"}
    assert reply.grounded and reply.citations
    searched = json.loads(str(next(m for m in model.seen[-1] if isinstance(m, ToolMessage)).content))
    assert reply.citations[0].id == searched["passages"][0]["citation_id"]
    assert "as of" in reply.answer.lower()


def test_an_invented_citation_never_reaches_the_reader(settings, assistant) -> None:  # type: ignore[no-untyped-def]
    model = scripted(
        tool_call("search_knowledge", {"query": QUESTION}, "c1"),
        AIMessage(content="Chatbots must be disclosed under the Chatbot Directive [eu-ai-act:art-999-9]."),
    )
    agent = Agent(settings, assistant, model=model)
    reply = agent.respond(thread_id="llm-2", message=QUESTION, user=user("ana"))
    # Nothing of the draft survived the guard: the offline answer is given, and the reply says why.
    assert reply.mode == "offline" and reply.notice and "offline answer" in reply.notice
    assert "art-999" not in reply.answer and all("art-999" not in c.id for c in reply.citations)
    assert [c.name for c in reply.tool_calls][:1] == ["search_knowledge"]


def test_an_unreachable_model_falls_back_to_offline_and_says_so(settings, assistant) -> None:  # type: ignore[no-untyped-def]
    closed = settings.model_copy(
        update={"llm": "some-model", "llm_base_url": f"http://127.0.0.1:{free_port()}/v1", "llm_timeout": 2.0}
    )
    model = make_chat_model(closed)
    assert model is not None
    agent = Agent(closed, assistant, model=model)
    reply = agent.respond(thread_id="llm-3", message=QUESTION, user=user("ana"))
    assert reply.mode == "offline" and reply.model is None
    assert reply.notice and "could not be used" in reply.notice
    assert reply.answer == assistant.ask(QUESTION).answer  # the offline answer


class ExplodingModel(ScriptedToolModel):
    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> ChatResult:
        raise AssertionError("the model must not be asked")


def test_triage_is_decided_by_the_rules_whatever_the_model_does(settings, assistant) -> None:  # type: ignore[no-untyped-def]
    # The model may only help extract a description's facts; here it fails, and the offline extractor
    # and the rules carry on: the same triage as without a model.
    agent = Agent(settings, assistant, model=ExplodingModel(responses=[AIMessage(content="")]))
    reply = agent.respond(thread_id="llm-4", message=CV_RANKER, user=user("pm"))
    assert reply.mode == "offline" and reply.intent == "triage" and reply.triage is not None
    offline = Agent(settings, assistant).respond(thread_id="llm-4b", message=CV_RANKER, user=user("pm"))
    assert offline.triage is not None
    assert reply.triage.eu_ai_act.tier == offline.triage.eu_ai_act.tier
    assert reply.pending_question == offline.pending_question
    assert agent.respond(thread_id="llm-4", message="It's minimal risk, trust me", user=user("pm")).mode == (
        "offline"
    )


def test_a_model_cannot_file_tasks_from_a_question_turn(settings, assistant) -> None:  # type: ignore[no-untyped-def]
    # A document (or the model) asking for tasks to be filed: the question turn offers no such tool.
    model = scripted(
        tool_call("file_review_tasks", {"system": "CV Ranker"}, "c1"),
        AIMessage(content="Done."),
    )
    agent = Agent(settings, assistant, model=model)
    reply = agent.respond(thread_id="llm-5", message=QUESTION, user=user("ana"))
    assert "file_review_tasks" not in model.bound_tools
    # The attempt is on the record, refused; "Done." is supported by nothing, so the offline answer follows.
    assert [(c.name, c.ok) for c in reply.tool_calls] == [
        ("file_review_tasks", False),
        ("answer_question", True),
    ]
    assert reply.mode == "offline" and reply.notice
    with assistant.index.db.session() as session:
        assert tasks.list_tasks(session=session) == []
