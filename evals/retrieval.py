"""Retrieval quality: is the right citation in the top k?

A retrieved id counts for an expected id when it is the same provision, a part of it (expected
`art-50`, retrieved `art-50-1`), or the paragraph that holds it (expected `art-2-1-c`, retrieved
`art-2-1`): "at paragraph level". An article alone never counts for a paragraph or point.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pydantic import BaseModel

from evals.datasets import RetrievalQuestion


def _depth(citation_id: str) -> int:
    return len(citation_id.split(":", 1)[-1].split("-"))


def is_hit(retrieved: str, expected: str) -> bool:
    """Whether `retrieved` answers for `expected` at paragraph level."""
    if retrieved == expected or retrieved.startswith(expected + "-"):
        return True
    # An ancestor counts only if it is at least a paragraph ("art-2-1"), never the bare article.
    return expected.startswith(retrieved + "-") and _depth(retrieved) >= 3


class RetrievalMiss(BaseModel):
    """A question whose expected citation was not in the top k."""

    id: str
    question: str
    expected: list[str]
    retrieved: list[str]


class RetrievalScore(BaseModel):
    """Recall@k over a question set, at paragraph level and exact-id level."""

    k: int
    questions: int
    recall: float
    exact_recall: float
    misses: list[RetrievalMiss]


def score_retrieval(
    questions: Sequence[RetrievalQuestion], retrieve: Callable[[str], list[str]], *, k: int = 5
) -> RetrievalScore:
    """Run `retrieve(question) -> citation ids, best first` over `questions` and score the top k."""
    hits = exact = 0
    misses: list[RetrievalMiss] = []
    for q in questions:
        got = retrieve(q.question)[:k]
        if any(is_hit(r, e) for r in got for e in q.expected):
            hits += 1
        else:
            misses.append(RetrievalMiss(id=q.id, question=q.question, expected=q.expected, retrieved=got))
        exact += any(r in q.expected for r in got)
    n = len(questions) or 1
    return RetrievalScore(
        k=k, questions=len(questions), recall=hits / n, exact_recall=exact / n, misses=misses
    )
