"""The lexical half of the index: BM25 (bm25s) over the active chunks, with an access mask."""

from __future__ import annotations

import re
from collections.abc import Sequence

import bm25s
import numpy as np
from pydantic import BaseModel

from knowledge.access import Audience, Visibility

_TOKEN = re.compile(r"[a-z0-9]+(?:[.'][a-z0-9]+)*")
# Small and generic on purpose: legal words like "shall", "not" or "any" carry meaning here.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "do",
        "does",
        "for",
        "from",
        "has",
        "have",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "our",
        "that",
        "the",
        "their",
        "them",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "we",
        "what",
        "when",
        "where",
        "which",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "you",
        "your",
    ]
)


def _stem(token: str) -> str:
    # A light plural/verb-ending fold so "obligations" meets "obligation"; no stemmer package needed.
    for suffix, min_len in (("ies", 5), ("sses", 6), ("s", 4)):
        if token.endswith(suffix) and len(token) >= min_len and not token.endswith("ss"):
            return token[: -len(suffix)] + ("y" if suffix == "ies" else "ss" if suffix == "sses" else "")
    return token


def tokenize(text: str) -> list[str]:
    """Lowercase word tokens without stopwords, lightly stemmed."""
    return [_stem(t) for t in _TOKEN.findall(text.lower()) if t not in STOPWORDS]


class LexicalRow(BaseModel):
    """What the lexical index needs to know of one chunk."""

    key: str
    text: str
    source_id: str
    kind: str
    visibility: str
    groups: list[str]


class LexicalIndex:
    """BM25 over a fixed list of chunks; rebuilt whenever the knowledge revision changes."""

    def __init__(self, rows: Sequence[LexicalRow]) -> None:
        self.keys = [r.key for r in rows]
        self._source = np.array([r.source_id for r in rows], dtype=object)
        self._kind = np.array([r.kind for r in rows], dtype=object)
        visibility = np.array([r.visibility for r in rows], dtype=object)
        self._public = visibility == Visibility.PUBLIC.value
        self._internal = visibility == Visibility.INTERNAL.value
        self._by_group: dict[str, np.ndarray] = {}
        for i, row in enumerate(rows):
            if row.visibility == Visibility.RESTRICTED.value:
                for group in row.groups:
                    self._by_group.setdefault(group, np.zeros(len(rows), dtype=bool))[i] = True
        self._bm25 = bm25s.BM25()
        if rows:
            self._bm25.index([tokenize(r.text) or ["_"] for r in rows], show_progress=False)

    def __len__(self) -> int:
        return len(self.keys)

    def _mask(
        self, audience: Audience, sources: Sequence[str] | None, kinds: Sequence[str] | None
    ) -> np.ndarray:
        if audience.public_only:
            mask = self._public.copy()
        else:
            mask = self._public | self._internal
            for group in audience.groups:
                if group in self._by_group:
                    mask |= self._by_group[group]
        if sources:
            mask &= np.isin(self._source, list(sources))
        if kinds:
            mask &= np.isin(self._kind, list(kinds))
        return mask

    def search(
        self,
        query: str,
        *,
        n: int,
        audience: Audience,
        sources: Sequence[str] | None = None,
        kinds: Sequence[str] | None = None,
        expansion: str = "",
        expansion_weight: float = 0.5,
    ) -> list[tuple[str, float]]:
        """The `n` best chunk keys for `query` that `audience` may read, with BM25 scores, best first.

        `expansion` (the law's words for what the question says in everyday words) counts at
        `expansion_weight`, so it can bring in the right passage without outvoting the question.
        """
        tokens = tokenize(query)
        if not self.keys or not tokens:
            return []
        scores = np.asarray(self._bm25.get_scores(tokens), dtype=np.float64)
        extra = [t for t in dict.fromkeys(tokenize(expansion)) if t not in tokens]
        if extra and expansion_weight:
            scores += expansion_weight * np.asarray(self._bm25.get_scores(extra), dtype=np.float64)
        scores[~self._mask(audience, sources, kinds)] = 0.0
        top = np.argpartition(-scores, min(n, len(scores) - 1))[:n]
        top = top[np.argsort(-scores[top])]
        return [(self.keys[i], float(scores[i])) for i in top if scores[i] > 0]
