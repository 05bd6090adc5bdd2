"""Richer questions from a language model, each checked against the passage it cites.

The model gets a handful of cited passages and returns multiple-choice drafts as structured output. A
draft is kept only if it cites one of those passages, quotes the passage for its evidence, its right
option is supported by the passage (every number and date in it appears there, and most of its words),
and no wrong option is supported as well. Everything else is rejected with a reason.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, ValidationError

from tools.training.evidence import DateClaim, content_words, normalise
from tools.training.schemas import Difficulty, GeneratedQuestion, QuestionKind, SourcePassage

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

SUPPORT_SHARE = 0.6  # share of an option's meaningful words the passage must contain
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_PROSE_DATE = re.compile(rf"\b(\d{{1,2}}) ({_MONTHS}) (\d{{4}})\b")


class DraftQuestion(BaseModel):
    """A multiple-choice question a model proposes."""

    prompt: str = Field(description="The question, self-contained, in plain English.")
    options: list[str] = Field(description="Three or four short options; exactly one is right.")
    correct_option: int = Field(description="0-based index of the right option.")
    citation_id: str = Field(description="The id of the passage the question is built from.")
    evidence: str = Field(description="A short exact quote from that passage that proves the right option.")
    explanation: str = Field(
        description="Why the right option is right, in your own words, one or two sentences."
    )


class DraftBatch(BaseModel):
    """The model's answer: a list of draft questions."""

    questions: list[DraftQuestion]


class Rejection(BaseModel):
    """A draft that failed a check, and why."""

    prompt: str
    citation_id: str
    reason: str


class LlmOutcome(BaseModel):
    """What the model produced: accepted questions and rejected drafts."""

    accepted: list[GeneratedQuestion] = Field(default_factory=list)
    rejected: list[Rejection] = Field(default_factory=list)
    error: str | None = Field(default=None, description="Set when the model could not be used at all.")


_INSTRUCTIONS = """You write quiz questions for staff training on AI governance.
Use ONLY the passages below. Write {count} multiple-choice questions ({difficulty} difficulty), each about
one passage. Each question has 3 or 4 options, exactly one right; wrong options must be plausible but
clearly wrong according to the passage. Cite the passage id in citation_id, and copy a short exact
quote from it into evidence. Write explanations in your own words.

Passages:
{passages}
"""


def _numbers(text: str) -> list[str]:
    return re.findall(r"\d+(?:[.,]\d+)*", text)


def _supported(option: str, passage: str) -> bool:
    """The passage states the option: its dates and numbers appear, and most of its meaningful words."""
    flat = normalise(passage)
    for day, month, year in _PROSE_DATE.findall(normalise(option)):
        parsed = datetime.strptime(f"{day} {month} {year}", "%d %B %Y").date()
        if not DateClaim(day=parsed).found_in(passage):
            return False
    passage_numbers = {n.replace(",", "") for n in _numbers(flat)}
    if any(n.replace(",", "") not in passage_numbers for n in _numbers(normalise(option))):
        return False
    words = content_words(option)
    if not words:
        return bool(_numbers(option))
    return len(words & content_words(passage)) / len(words) >= SUPPORT_SHARE


def _fully_supported(option: str, passage: str) -> bool:
    """Stricter: every meaningful word and number is in the passage (a wrong option that is also true)."""
    words = content_words(option)
    if not words and not _numbers(option):
        return False
    return _supported(option, passage) and words <= content_words(passage)


def check_draft(draft: DraftQuestion, passages: dict[str, SourcePassage]) -> str | None:
    """Why `draft` must be rejected, or None when it passes every check."""
    passage = passages.get(draft.citation_id)
    if passage is None:
        return f"cites {draft.citation_id!r}, which is not one of the passages given"
    options = [o.strip() for o in draft.options]
    if not 3 <= len(options) <= 5 or any(not o for o in options):
        return "needs three to five non-empty options"
    if len({o.lower() for o in options}) != len(options):
        return "has duplicate options"
    if not 0 <= draft.correct_option < len(options):
        return f"correct_option {draft.correct_option} is out of range"
    if not draft.evidence.strip() or normalise(draft.evidence) not in normalise(passage.text):
        return "its evidence is not a quote from the cited passage"
    right = options[draft.correct_option]
    if not _supported(right, passage.text):
        return f"the right option {right!r} is not supported by {draft.citation_id}"
    for index, option in enumerate(options):
        if index != draft.correct_option and _fully_supported(option, passage.text):
            return f"the wrong option {option!r} is also supported by {draft.citation_id}"
    return None


def _structured(model: BaseChatModel) -> Any:
    """The model with structured output; models without tool calling answer in JSON instead."""
    try:
        return model.with_structured_output(DraftBatch)
    except NotImplementedError:
        return None


def _parse_json(content: Any) -> DraftBatch:
    text = content if isinstance(content, str) else json.dumps(content)
    match = re.search(r"\{.*\}", text, flags=re.DOTALL)
    if match is None:
        raise ValueError("the model's reply holds no JSON object")
    return DraftBatch.model_validate_json(match.group(0))


def draft_questions(
    model: BaseChatModel, passages: Sequence[SourcePassage], *, count: int, difficulty: Difficulty
) -> LlmOutcome:
    """Ask `model` for `count` questions on `passages` and keep the drafts that pass `check_draft`."""
    if count <= 0 or not passages:
        return LlmOutcome()
    listing = "\n\n".join(f"[{p.citation_id}] {p.document_title}, {p.title}\n{p.text}" for p in passages)
    prompt = _INSTRUCTIONS.format(count=count, difficulty=difficulty.value, passages=listing)
    try:
        runnable = _structured(model)
        if runnable is not None:
            reply = runnable.invoke(prompt)
            batch = reply if isinstance(reply, DraftBatch) else DraftBatch.model_validate(reply)
        else:
            schema = json.dumps(DraftBatch.model_json_schema())
            message = model.invoke(f"{prompt}\nAnswer with one JSON object matching this schema:\n{schema}")
            batch = _parse_json(message.content)
    except (ValidationError, ValueError) as exc:
        return LlmOutcome(error=f"the model's questions could not be read: {str(exc).splitlines()[0]}")
    except Exception as exc:  # a provider error (network, quota, timeout) must not stop a session
        return LlmOutcome(error=f"the model could not be used: {type(exc).__name__}: {str(exc)[:200]}")
    by_id = {p.citation_id: p for p in passages}
    outcome = LlmOutcome()
    for draft in batch.questions:
        reason = check_draft(draft, by_id)
        if reason is not None:
            outcome.rejected.append(
                Rejection(prompt=draft.prompt, citation_id=draft.citation_id, reason=reason)
            )
            continue
        options = [o.strip() for o in draft.options]
        outcome.accepted.append(
            GeneratedQuestion(
                kind=QuestionKind.MULTIPLE_CHOICE,
                prompt=draft.prompt.strip(),
                options=options,
                correct_option=draft.correct_option,
                citation_id=draft.citation_id,
                explanation=draft.explanation.strip() or f"See {draft.citation_id}.",
                family="llm",
                fact_key=f"llm:{draft.citation_id}:{normalise(draft.prompt)[:80]}",
                origin="llm",
            )
        )
        if len(outcome.accepted) >= count:
            break
    return outcome
