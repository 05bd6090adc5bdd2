"""The lexical half of the index: BM25 (bm25s) over the active chunks, with an access mask.

bm25s builds the index (it precomputes every token's score in every chunk, as a sparse column per token);
searching needs only those arrays, so the index keeps them and scores a query itself, exactly as
bm25s does. A cold `govassist ask` then never imports bm25s, whose import of SciPy's sparse matrices
(and, through SciPy's array API layer, half of NumPy's optional submodules) cost ~0.1 to 0.2 s."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel

from knowledge.access import Audience, Visibility

# In the cache file's name (`lexical2-<revision>.pickle`, knowledge/index.py): bumped whenever
# LexicalIndex's attributes change, so an index pickled in an older layout is never loaded without the
# attributes a search reads. (A first-layout file of the current revision, `lexical-<revision>.pickle`,
# is left alone: an older checkout sharing the home keeps its cache instead of rebuilding it each time.)
CACHE_FORMAT = 2

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
        self._vocab: dict[str, int] = {}
        self._data: np.ndarray = np.zeros(0, dtype=np.float32)
        self._indices: np.ndarray = np.zeros(0, dtype=np.int64)
        self._indptr: np.ndarray = np.zeros(1, dtype=np.int64)
        self._dtype, self._int_dtype = np.dtype(np.float32), np.dtype(np.int32)
        self._nonoccurrence: np.ndarray | None = None
        if rows:
            import bm25s  # only to build: searching reads the arrays below

            bm25 = bm25s.BM25()
            bm25.index([tokenize(r.text) or ["_"] for r in rows], show_progress=False)
            self._vocab = dict(bm25.vocab_dict)
            self._data = bm25.scores["data"]
            self._indices = bm25.scores["indices"]
            self._indptr = bm25.scores["indptr"]
            self._dtype = np.dtype(bm25.dtype)
            self._int_dtype = np.dtype(bm25.int_dtype)
            self._nonoccurrence = bm25.nonoccurrence_array

    def __len__(self) -> int:
        return len(self.keys)

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """BM25 scores of every chunk for `tokens`, as bm25s's `BM25.get_scores` computes them (the same
        additions in the same order, so the same floats): each known token's precomputed column added
        to the chunks it occurs in, plus the non-occurrence scores of the BM25 variants that have them."""
        ids = np.asarray([self._vocab[t] for t in tokens if t in self._vocab], dtype=self._int_dtype)
        scores = np.zeros(len(self.keys), dtype=self._dtype)
        for start, end in zip(self._indptr[ids], self._indptr[ids + 1], strict=True):
            np.add.at(scores, self._indices[start:end], self._data[start:end])
        if self._nonoccurrence is not None:
            scores += self._nonoccurrence[ids].sum()
        return scores

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
        scores = np.asarray(self.scores(tokens), dtype=np.float64)
        extra = [t for t in dict.fromkeys(tokenize(expansion)) if t not in tokens]
        if extra and expansion_weight:
            scores += expansion_weight * np.asarray(self.scores(extra), dtype=np.float64)
        scores[~self._mask(audience, sources, kinds)] = 0.0
        top = np.argpartition(-scores, min(n, len(scores) - 1))[:n]
        top = top[np.argsort(-scores[top])]
        return [(self.keys[i], float(scores[i])) for i in top if scores[i] > 0]
