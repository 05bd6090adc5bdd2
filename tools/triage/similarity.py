"""Similarity scoring for free-text extraction: how close each sentence of a description comes to each
use case in the catalogue (its description and our extra examples), embedded with an offline embedder."""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from knowledge.embedder import Embedder
from tools.triage.catalogue import CATALOGUE, UseCaseCategory, use_case
from tools.triage.phrases import PhraseBook, load_phrasebook

# Article 5 and Annex III: the categories a suspicion about is worth a question.
RISKY = frozenset({UseCaseCategory.ART5, UseCaseCategory.ANNEX_III})
_SIMILARITY_CODES = tuple(entry.code for entry in CATALOGUE if entry.code != "other")


@dataclass(frozen=True)
class _Reference:
    codes: list[str]
    vectors: np.ndarray


# Per embedder object (weakly held, so a new embedder never sees another's vectors), per phrase book.
_references: weakref.WeakKeyDictionary[Embedder, dict[int, _Reference]] = weakref.WeakKeyDictionary()


def _reference_vectors(embedder: Embedder, book: PhraseBook) -> _Reference:
    """Embedded catalogue descriptions and our examples, one row per sentence, cached per embedder."""
    cached = _references.setdefault(embedder, {})
    if id(book) not in cached:
        codes: list[str] = []
        texts: list[str] = []
        for code in _SIMILARITY_CODES:
            for sentence in [use_case(code).description, *book.examples.get(code, [])]:
                codes.append(code)
                texts.append(sentence)
        cached[id(book)] = _Reference(codes, embedder.embed(texts))
    return cached[id(book)]


@dataclass(frozen=True)
class Similarity:
    """A code's best similarity to the description, and how it stands against the other codes."""

    score: float
    probe: int  # index of the best-matching probe (a sentence, or the whole text)
    margin: float  # its score minus the best score of any other code
    top_risky: bool  # the closest Article 5 or Annex III description
    z: float  # standard score among the Article 5 and Annex III codes


def similarity_scores(
    probes: Sequence[str], embedder: Embedder, book: PhraseBook | None = None
) -> dict[str, Similarity]:
    """For each catalogue code (but 'other'), its best cosine similarity to any of `probes`."""
    if not probes:
        return {}
    book = book or load_phrasebook()
    reference = _reference_vectors(embedder, book)
    matrix = embedder.embed(list(probes)) @ reference.vectors.T
    best: dict[str, tuple[float, int]] = {}
    for column, code in enumerate(reference.codes):
        row = int(np.argmax(matrix[:, column]))
        score = float(matrix[row, column])
        if code not in best or score > best[code][0]:
            best[code] = (score, row)
    risky = {code: score for code, (score, _) in best.items() if use_case(code).category in RISKY}
    values = np.array(list(risky.values()) or [0.0])
    mean, spread = float(values.mean()), float(values.std()) or 1.0
    top = max(risky, key=risky.__getitem__) if risky else None
    found = {}
    for code, (score, row) in best.items():
        best_other = max((other[0] for other_code, other in best.items() if other_code != code), default=0.0)
        found[code] = Similarity(
            score=score,
            probe=row,
            margin=score - best_other,
            top_risky=code == top,
            z=(score - mean) / spread,
        )
    return found
