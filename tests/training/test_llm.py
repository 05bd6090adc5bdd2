"""Model-written questions are kept only when their cited passage supports them. The model is a LangChain
fake chat model (the real model is an unreachable service in tests) answering through the same
structured-output path a real one uses."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from langchain_core.language_models.fake_chat_models import FakeListChatModel, GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatResult

from tests.training import full_material
from tools.training.llm import DraftQuestion, check_draft, draft_questions
from tools.training.questions import compose_questions
from tools.training.schemas import Difficulty, SourcePassage
from tools.training.topics import find_topic

ART_4 = "eu-ai-act:art-4"
ART_99_3 = "eu-ai-act:art-99-3"


class ToolCallingFake(GenericFakeChatModel):
    """A fake chat model that accepts tools, so `with_structured_output` works as with a real model."""

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> ToolCallingFake:  # type: ignore[override]
        return self


class PassageReadingFake(ToolCallingFake):
    """Writes one supported and one unsupported question about the first passage it is shown, the way a
    model would: it reads the passages out of the prompt."""

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> ChatResult:
        prompt = str(messages[-1].content)
        match = re.search(r"^\[([a-z0-9-]+:[a-z0-9-]+)\] [^\n]*\n([^\n]+)", prompt, flags=re.MULTILINE)
        assert match, "the prompt lists no passage"
        citation_id, heading = match.group(1), match.group(2).strip()
        good = {
            "prompt": f"Which provision does {citation_id} summarise?",
            "options": [
                heading,
                "Nothing binding: a voluntary code of conduct",
                "A repealed rule on tachographs",
            ],
            "correct_option": 0,
            "citation_id": citation_id,
            "evidence": heading,
            "explanation": "Its heading says so.",
        }
        bad = {**good, "options": ["Applies from 1 January 1990", heading, "Nothing"], "prompt": "When?"}
        self.messages = iter([_tool_reply(good, bad)])
        return super()._generate(messages, *args, **kwargs)


def _passages() -> list[SourcePassage]:
    material = full_material()
    out = []
    for citation_id in (ART_4, ART_99_3):
        text = material.passage_text(citation_id)
        assert text is not None
        out.append(
            SourcePassage(
                citation_id=citation_id,
                source_id="eu-ai-act",
                title=text.splitlines()[0],
                document_title="EU AI Act",
                text=text,
            )
        )
    return out


GOOD = {
    "prompt": "Under Article 99(3), what is the most a company can be fined for a prohibited AI practice?",
    "options": [
        "EUR 35,000,000 or 7% of worldwide annual turnover",
        "EUR 10,000,000 or 2% of worldwide annual turnover",
        "EUR 5,000,000 or 1% of worldwide annual turnover",
    ],
    "correct_option": 0,
    "citation_id": ART_99_3,
    "evidence": "up to EUR 35,000,000 or, for a company, 7% of its worldwide annual turnover",
    "explanation": "The highest tier of fines applies to the Article 5 prohibitions.",
}
UNSUPPORTED = {
    "prompt": "From when must providers and deployers ensure AI literacy?",
    "options": ["1 January 2024", "2 February 2025", "2 August 2027"],
    "correct_option": 0,  # wrong: the passage says 2 February 2025, never 1 January 2024
    "citation_id": ART_4,
    "evidence": "Providers and deployers take measures that support the AI literacy",
    "explanation": "Made up.",
}


def _tool_reply(*questions: dict[str, Any]) -> AIMessage:
    return AIMessage(
        content="",
        tool_calls=[{"name": "DraftBatch", "args": {"questions": list(questions)}, "id": "call-1"}],
    )


def test_structured_output_keeps_the_supported_question_and_rejects_the_other() -> None:
    model = ToolCallingFake(messages=iter([_tool_reply(GOOD, UNSUPPORTED)]))
    outcome = draft_questions(model, _passages(), count=2, difficulty=Difficulty.MEDIUM)
    assert outcome.error is None
    assert [q.prompt for q in outcome.accepted] == [GOOD["prompt"]]
    accepted = outcome.accepted[0]
    assert accepted.origin == "llm" and accepted.citation_id == ART_99_3 and accepted.correct_option == 0
    assert len(outcome.rejected) == 1
    rejected = outcome.rejected[0]
    assert rejected.citation_id == ART_4
    assert "1 January 2024" in rejected.reason and "not supported" in rejected.reason


def test_json_replies_from_models_without_tools_are_checked_the_same_way() -> None:
    import json

    reply = json.dumps({"questions": [UNSUPPORTED, GOOD]})
    model = FakeListChatModel(responses=[f"Here you are:\n{reply}"])
    outcome = draft_questions(model, _passages(), count=2, difficulty=Difficulty.EASY)
    assert [q.citation_id for q in outcome.accepted] == [ART_99_3]
    assert [r.citation_id for r in outcome.rejected] == [ART_4]


def test_each_check_names_what_is_wrong() -> None:
    passages = {p.citation_id: p for p in _passages()}

    def reason(**changes: Any) -> str | None:
        return check_draft(DraftQuestion.model_validate({**GOOD, **changes}), passages)

    assert reason() is None
    assert "not one of the passages" in (reason(citation_id="gdpr:art-5") or "")
    assert "not a quote" in (reason(evidence="a sentence the passage never says") or "")
    assert "out of range" in (reason(correct_option=5) or "")
    assert "duplicate" in (reason(options=["A", "A", "B"]) or "")
    also_true = [
        "EUR 35,000,000 or 7% of worldwide annual turnover",
        "7% of worldwide annual turnover",
        "None",
    ]
    assert "also supported" in (reason(options=also_true) or "")


def test_a_broken_model_leaves_the_session_offline() -> None:
    model = FakeListChatModel(responses=["I cannot help with that."])
    material = full_material()
    made = compose_questions(
        find_topic("EU AI Act basics"),
        material,
        count=4,
        difficulty=Difficulty.EASY,
        seed=3,
        chat_model=model,
    )
    assert made.generator == "offline" and len(made.questions) == 4
    assert made.notice is not None and "could not be read" in made.notice


def test_sessions_mix_model_and_offline_questions() -> None:
    model = PassageReadingFake(messages=iter([]))
    material = full_material()
    made = compose_questions(
        find_topic("EU AI Act basics"),
        material,
        count=4,
        difficulty=Difficulty.HARD,
        seed=5,
        chat_model=model,
    )
    assert made.generator == "llm+offline"
    assert len(made.questions) == 4
    from_model = [q for q in made.questions if q.origin == "llm"]
    assert len(from_model) == 1
    assert material.passage_text(from_model[0].citation_id) is not None
    assert [r.reason for r in made.rejected] == [
        f"the right option 'Applies from 1 January 1990' is not supported by {from_model[0].citation_id}"
    ]
