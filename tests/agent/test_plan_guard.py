"""The model path gets the answer plan, and the guard holds the model's verdict and figures to the
structured ones: a draft that answers the opposite, or leaves out the structured date or amount, falls
back to the offline answer and says why."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from assistant.agent.agent import Agent
from assistant.agent.guard import check_plan, guard_answer
from assistant.lead import AnswerPlan, FactBasis, Verdict
from assistant.service import Assistant
from knowledge.retrieval import Passage
from tests.agent.llm_fakes import ScriptedToolModel, tool_call
from tests.agent.offline import packed_settings, user

RETENTION = Passage(
    citation_id="eu-ai-act:art-18-1",
    source_id="eu-ai-act",
    title="Documentation keeping",
    locator="Article 18(1)",
    parents=[],
    kind="regulation",
    level="paragraph",
    visibility="public",
    text="The provider keeps the technical documentation at the authorities' disposal for 10 years after "
    "the system is placed on the market.",
    score=0.05,
    similarity=0.7,
)
YES_TEN_YEARS = AnswerPlan(
    verdict=Verdict.YES, fact="10 years: the provider keeps the documentation", basis=FactBasis.TIME_LIMIT
)


def test_a_draft_with_the_opposite_verdict_fails_the_plan_check() -> None:
    draft = "No. The provider keeps the technical documentation for 10 years after placing on the market [1]."
    check = check_plan(guard_answer(draft, [RETENTION]), YES_TEN_YEARS)
    assert check.verdict_found == "No" and not check.ok
    assert "structured facts say Yes" in check.reason


def test_a_draft_that_agrees_passes_and_one_without_the_figure_fails() -> None:
    agrees = (
        "Yes. The provider keeps the technical documentation for 10 years after placing on the market [1]."
    )
    assert check_plan(guard_answer(agrees, [RETENTION]), YES_TEN_YEARS).ok
    vague = "Yes. The provider keeps the technical documentation at the authorities' disposal [1]."
    check = check_plan(guard_answer(vague, [RETENTION]), YES_TEN_YEARS)
    assert not check.ok and check.figures_expected == ["10"]


class ContraryModel(ScriptedToolModel):
    """Searches once, then answers 'No.' and quotes the first passage: a fluent draft whose every
    sentence is supported, but whose verdict contradicts the triage rules."""

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> ChatResult:
        self.seen.append(list(messages))
        results = [m for m in messages if isinstance(m, ToolMessage)]
        if not results:
            reply = tool_call("search_knowledge", {"query": str(messages[-1].content)}, "call-1")
        else:
            passage = json.loads(str(results[-1].content))["passages"][0]
            sentence = re.split(r"(?<=[.;])\s", passage["text"].strip())[0].rstrip(".;")
            reply = AIMessage(content=f"No. {sentence} [{passage['citation_id']}].")
        return ChatResult(generations=[ChatGeneration(message=reply)])


@pytest.fixture
def assistant(tmp_path: Path) -> Iterator[Assistant]:
    opened = Assistant.open(packed_settings(tmp_path))
    yield opened
    opened.close()


def test_the_model_is_told_the_plan_and_a_contrary_verdict_falls_back_offline(assistant: Assistant) -> None:
    model = ContraryModel(responses=[AIMessage(content="unused")])
    agent = Agent(assistant.settings, assistant, model=model)
    reply = agent.respond(thread_id="plan-1", message="Is a CV screening tool high-risk?", user=user("ana"))
    system = str(model.seen[0][0].content)
    assert "the answer is Yes" in system
    assert reply.mode == "offline", reply.answer
    assert reply.notice and "disagreed with the structured facts" in reply.notice
    assert reply.answer.startswith("Yes.")
