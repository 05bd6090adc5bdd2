"""Scores for single cases: ragas (through `evals.ragas_compat`) where ragas has the metric, our own where
it has none.

From ragas: IDBasedContextPrecision and IDBasedContextRecall on citation ids, ToolCallAccuracy and
ToolCallF1 on tool calls, SemanticSimilarity on answers (with the local embedder wrapped for ragas;
ragas' NonLLMStringSimilarity needs rapidfuzz, which we do not install).

Two adaptations happen before ragas compares, both documented where they happen:
- citation ids are resolved at paragraph level: a retrieved id that `evals.retrieval.is_hit` accepts for
  an expected id (`art-50-1-a` for `art-50-1`, `art-2-1` for `art-2-1-c`) is replaced by that expected id,
  because ragas compares ids exactly;
- tool-call arguments are projected onto the reference's keys (defaults such as `k=5` are not the
  reference's business), and free-text arguments with a loose expectation (`contains_all`, `any_of`)
  are replaced by the reference value when they satisfy it.

Ours: key-fact recall, the lead (verdict, figure or decision before the first blank line, first citation
from the right source), abstention precision/recall, tier severity and dangerous downgrades.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import math
import re
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
from pydantic import BaseModel

from evals.datasets.schema import TIER_SEVERITY, ArgMatch, LeadExpectation, RefToolCall, Verdict
from evals.ragas_compat import ragas_ready
from evals.retrieval import is_hit
from knowledge.embedder import Embedder
from tools.triage.schemas import EuTier

ragas_ready()

with warnings.catch_warnings():
    # ragas 0.4 warns that its legacy namespace moves in 1.0; the id-based metrics live only there.
    warnings.simplefilter("ignore")
    from ragas.dataset_schema import SingleTurnSample
    from ragas.embeddings.base import BaseRagasEmbedding
    from ragas.messages import AIMessage, HumanMessage, ToolCall, ToolMessage
    from ragas.metrics._context_precision import IDBasedContextPrecision
    from ragas.metrics._context_recall import IDBasedContextRecall
    from ragas.metrics.collections import SemanticSimilarity, ToolCallAccuracy, ToolCallF1

_PRECISION = IDBasedContextPrecision()
_RECALL = IDBasedContextRecall()
_TOOL_ACCURACY = ToolCallAccuracy(strict_order=True)
_TOOL_F1 = ToolCallF1()


def _number(value: Any) -> float | None:
    """A finite float, or None for ragas' NaN ('not defined for this case')."""
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _run(coro: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ragas warns on length mismatches: the score already says so
        return asyncio.run(coro)


# --- citation ids ----------------------------------------------------------------------------------------


def resolve_ids(retrieved: Sequence[str], expected: Sequence[str]) -> list[str]:
    """`retrieved` with each id that hits an expected id at paragraph level replaced by that expected id
    (first match wins), order kept, repeats dropped."""
    out: list[str] = []
    for rid in retrieved:
        target = next((e for e in expected if is_hit(rid, e)), rid)
        if target not in out:
            out.append(target)
    return out


def context_scores(retrieved: Sequence[str], expected: Sequence[str]) -> tuple[float | None, float | None]:
    """(precision, recall) of `retrieved` against `expected` with ragas' id-based metrics, after
    paragraph-level resolution. Precision is None when nothing was retrieved."""
    if not expected:
        return None, None
    resolved = resolve_ids(retrieved, expected)
    if not resolved:
        return None, 0.0
    retrieved_ids: list[str | int] = list(resolved)
    reference_ids: list[str | int] = list(expected)
    sample = SingleTurnSample(retrieved_context_ids=retrieved_ids, reference_context_ids=reference_ids)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        precision = _PRECISION.single_turn_score(sample)
        recall = _RECALL.single_turn_score(sample)
    return _number(precision), _number(recall)


def any_hit(retrieved: Sequence[str], expected: Sequence[str]) -> bool:
    """Whether any retrieved id answers for any expected id at paragraph level."""
    return any(is_hit(r, e) for r in retrieved for e in expected)


# --- answers -------------------------------------------------------------------------------------------


def key_fact_recall(answer: str, facts: Sequence[Sequence[str]]) -> float | None:
    """Share of key facts the answer states (a fact counts in any of its spellings, case-insensitive)."""
    if not facts:
        return None
    text = " ".join(answer.split()).lower()
    return sum(1 for spellings in facts if any(s.lower() in text for s in spellings)) / len(facts)


# --- the lead ------------------------------------------------------------------------------------------

_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DOLLARS = re.compile(r"^\$\d[\d,]*$")
# A verdict word opening the lead or one of its sentences and standing as a word of its own ("Yes, ...",
# "No. ...", "**No** -"), not the "no" of "No rule may ..." or "no later than".
_VERDICT = re.compile(r"(?:^|[.!?:]\s+|\n)[\W_]*(yes|no)\b(?=[\s*_]*[.,;:!\u2014-])", re.IGNORECASE)


class LeadScore(BaseModel):
    """How the lead of one answer fares against its expectation."""

    verdict: bool | None  # None: not a yes/no question
    content: float | None  # share of must-contain facts stated in the lead; None: nothing required
    source: bool  # the first citation comes from an expected source
    correct: bool  # all of the above


def lead_of(answer: str) -> str:
    """The lead: the answer's text before the first blank line."""
    return _BLANK_LINE.split(answer.strip(), maxsplit=1)[0]


def verdict_of(lead: str) -> Verdict | None:
    """The verdict the lead gives first (a sentence opening with yes or no), or None."""
    found = _VERDICT.search(lead)
    return Verdict(found.group(1).lower()) if found else None


def date_spellings(spelling: str) -> list[str]:
    """An ISO date with its written forms ("2026-08-02", "2 August 2026", "August 2, 2026"), a dollar
    amount with its currency-code form ("$1,500", "USD 1,500"); any other text as it is."""
    if _DOLLARS.match(spelling):
        return [spelling, f"USD {spelling[1:]}"]
    if not _ISO_DATE.match(spelling):
        return [spelling]
    try:
        day = dt.date.fromisoformat(spelling)
    except ValueError:
        return [spelling]
    month = day.strftime("%B")
    return [spelling, f"{day.day} {month} {day.year}", f"{month} {day.day}, {day.year}"]


def first_citation_ok(cited: Sequence[str], accepted: Sequence[str]) -> bool:
    """Whether the first cited id is one of `accepted` (at paragraph level), or lies in an accepted
    source (an entry ending in ':')."""
    if not cited:
        return False
    first = cited[0]
    return any(first.startswith(a) if a.endswith(":") else is_hit(first, a) for a in accepted)


def lead_score(answer: str, cited: Sequence[str], expected: LeadExpectation) -> LeadScore:
    """Score the lead of `answer` (and its first citation) against `expected`."""
    lead = lead_of(answer)
    verdict = None if expected.verdict is None else verdict_of(lead) == expected.verdict
    content = None
    if expected.must_contain:
        facts = [[form for s in fact for form in date_spellings(s)] for fact in expected.must_contain]
        content = key_fact_recall(lead, facts)
    source = first_citation_ok(cited, expected.first_citation)
    correct = verdict is not False and (content is None or content == 1.0) and source
    return LeadScore(verdict=verdict, content=content, source=source, correct=correct)


class LocalRagasEmbedding(BaseRagasEmbedding):
    """govassist's own embedder (MiniLM or hashing) for ragas' modern metrics: offline, no API."""

    def __init__(self, embedder: Embedder) -> None:
        super().__init__()
        self.embedder = embedder

    def embed_text(self, text: str, **kwargs: Any) -> list[float]:
        """One text's vector."""
        return [float(x) for x in self.embedder.embed([text])[0]]

    async def aembed_text(self, text: str, **kwargs: Any) -> list[float]:
        """Same as embed_text (the embedder is local and synchronous)."""
        return self.embed_text(text)

    def embed_texts(self, texts: list[str], **kwargs: Any) -> list[list[float]]:
        """Vectors of several texts in one batch."""
        return [[float(x) for x in row] for row in np.asarray(self.embedder.embed(list(texts)))]


class AnswerSimilarity:
    """ragas SemanticSimilarity between a reference answer and the given answer."""

    def __init__(self, embedder: Embedder) -> None:
        self.metric = SemanticSimilarity(embeddings=LocalRagasEmbedding(embedder))

    def score(self, reference: str, response: str) -> float | None:
        """Cosine similarity of the two answers (None without a reference)."""
        if not reference.strip():
            return None
        result = _run(self.metric.ascore(reference=reference, response=response or " "))
        return _number(result.value)


# --- tool calls ------------------------------------------------------------------------------------------


def _satisfies(value: Any, match: ArgMatch) -> bool:
    if match.contains_all:
        text = str(value).lower()
        return all(word.lower() in text for word in match.contains_all)
    return any(str(value) == str(option) for option in match.any_of)


def _reference_value(match: ArgMatch) -> str:
    # A stable stand-in for a loose expectation, compared as a string by ragas.
    if match.contains_all:
        return "contains:" + "|".join(match.contains_all)
    return str(match.any_of[0])


def resolve_tool_calls(
    predicted: Sequence[tuple[str, dict[str, Any]]], reference: Sequence[RefToolCall]
) -> tuple[list[ToolCall], list[ToolCall]]:
    """(predicted, reference) as ragas ToolCalls, predicted arguments projected onto the reference keys
    of the first unused reference call with the same name, loose expectations resolved."""
    refs = [
        ToolCall(
            name=r.name,
            args={k: _reference_value(v) if isinstance(v, ArgMatch) else v for k, v in r.args.items()},
        )
        for r in reference
    ]
    used: set[int] = set()
    preds: list[ToolCall] = []
    for name, args in predicted:
        match = next((i for i, r in enumerate(reference) if r.name == name and i not in used), None)
        if match is None:
            preds.append(ToolCall(name=name, args={k: str(v) for k, v in sorted(args.items())}))
            continue
        used.add(match)
        projected: dict[str, Any] = {}
        for key, expected in reference[match].args.items():
            if key not in args:
                continue
            value = args[key]
            if isinstance(expected, ArgMatch):
                projected[key] = _reference_value(expected) if _satisfies(value, expected) else value
            else:
                projected[key] = value
        preds.append(ToolCall(name=name, args=projected))
    return preds, refs


def tool_call_scores(
    message: str, predicted: Sequence[tuple[str, dict[str, Any]]], reference: Sequence[RefToolCall]
) -> tuple[float, float]:
    """(ToolCallAccuracy, ToolCallF1) of one turn; both 1.0 when neither side calls a tool."""
    preds, refs = resolve_tool_calls(predicted, reference)
    conversation: list[HumanMessage | AIMessage | ToolMessage] = [
        HumanMessage(content=message),
        AIMessage(content="", tool_calls=preds or None),
    ]
    accuracy = _run(_TOOL_ACCURACY.ascore(user_input=conversation, reference_tool_calls=refs))
    if not preds and not refs:
        return float(accuracy.value), 1.0  # ragas' F1 is 0 for an empty pair; nothing expected, nothing done
    f1 = _run(_TOOL_F1.ascore(user_input=conversation, reference_tool_calls=refs))
    return float(accuracy.value), float(f1.value)


# --- decisions -----------------------------------------------------------------------------------------


def severity(tier: EuTier | str) -> int:
    """0 (out of scope) to 4 (prohibited)."""
    return TIER_SEVERITY[EuTier(tier)]


def abstention_metrics(should_answer: Sequence[bool], answered: Sequence[bool]) -> dict[str, float | None]:
    """Precision and recall of abstaining (declining), and the in-scope answer rate.

    precision: of the questions it declined, the share that should have been declined;
    recall: of the questions that should have been declined, the share it declined.
    """
    declined = [not a for a in answered]
    true_declines = sum(1 for s, d in zip(should_answer, declined, strict=True) if d and not s)
    n_declined = sum(declined)
    n_should_decline = sum(1 for s in should_answer if not s)
    in_scope = [a for s, a in zip(should_answer, answered, strict=True) if s]
    return {
        "abstention_precision": true_declines / n_declined if n_declined else None,
        "abstention_recall": true_declines / n_should_decline if n_should_decline else None,
        "answer_rate_in_scope": sum(in_scope) / len(in_scope) if in_scope else None,
    }


def mean(values: Sequence[float | None]) -> float | None:
    """Mean of the defined values, None when none is."""
    defined = [v for v in values if v is not None]
    return sum(defined) / len(defined) if defined else None
