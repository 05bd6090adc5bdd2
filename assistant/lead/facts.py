"""Structured facts the plans read: pack records by citation, dates and periods in words, ranking texts by
meaning, and where a record sits among the retrieved passages."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from functools import cache

import numpy as np

from knowledge.embedder import Embedder
from knowledge.packs.loader import load_packs
from knowledge.packs.schema import Pack, PackRecord, TimeLimit
from knowledge.retrieval import Passage


@cache
def _packs() -> dict[str, Pack]:
    return {pack.regime_id: pack for pack in load_packs()}


def pack_record(citation_id: str) -> tuple[Pack, PackRecord] | None:
    """The pack record behind a citation id, if a built-in pack has one."""
    pack = _packs().get(citation_id.partition(":")[0])
    if pack is None or not pack.has_record(citation_id):
        return None
    return pack, pack.record(citation_id)


def _long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _period(limit: TimeLimit) -> str:
    unit = limit.unit.value.replace("_", " ")
    if unit == "days" and re.search(r"\bcalendar days\b", limit.text, re.IGNORECASE):
        unit = "calendar days"  # the limit's own words: not business days
    return f"{limit.value} {unit[:-1] if limit.value == 1 else unit}"


# "What are the penalties?" (every tier) rather than "What is the maximum fine?" (the one that applies).
_ALL_TIERS = re.compile(
    r"^(?!.*\b(?:maximum|max|top|highest|biggest|largest)\b).*\b(?:penalties|fines|caps|amounts)\b",
    re.IGNORECASE,
)


def _containers(pack: Pack, record: PackRecord) -> list[PackRecord]:
    """The record and the records it is a part of, nearest first (`x:art-83-5-a`, `x:art-83-5`, ...)."""
    found = [r for r in pack.records if record.citation_id.startswith(r.citation_id + "-")]
    return [record, *sorted(found, key=lambda r: -len(r.citation_id))]


def _rank(question_vector: np.ndarray | None, embedder: Embedder | None, texts: list[str]) -> list[int]:
    """Indexes of `texts`, closest in meaning to the question first (given order without an embedder)."""
    if embedder is None or question_vector is None or len(texts) < 2:
        return list(range(len(texts)))
    scores = embedder.embed(texts) @ question_vector
    return sorted(range(len(texts)), key=lambda i: -float(scores[i]))


def _rank_scores(
    question_vector: np.ndarray | None, embedder: Embedder | None, texts: list[str]
) -> list[float]:
    """Each text's closeness in meaning to the question (zeros without an embedder)."""
    if embedder is None or question_vector is None:
        return [0.0] * len(texts)
    return [float(x) for x in embedder.embed(texts) @ question_vector]


def joined(items: Sequence[str]) -> str:
    """Items as prose: "SEV1", "SEV1 and SEV2", "Blocked, T1 Critical and T2 High"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _sentence_case(text: str) -> str:
    text = text.strip().rstrip(".")
    return text[:1].upper() + text[1:]


def _passage_index(passages: Sequence[Passage], citation_id: str) -> int:
    """Where the passage of `citation_id` stands among `passages` (the first, when none is its own)."""
    return next((n for n, p in enumerate(passages) if p.citation_id == citation_id), 0)
