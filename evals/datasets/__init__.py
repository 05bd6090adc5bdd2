"""Loaders for the labelled datasets in this folder."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

DATASETS_DIR = Path(__file__).resolve().parent


class RetrievalQuestion(BaseModel):
    """A question with the citation ids that answer it."""

    id: str
    question: str
    expected: list[str]
    regime: str
    level: str


class ScopeQuestion(BaseModel):
    """A question labelled as answerable from our knowledge (in scope) or not."""

    id: str
    question: str
    in_scope: bool
    note: str = ""


def _lines(name: str) -> list[dict[str, object]]:
    path = DATASETS_DIR / name
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def retrieval_questions() -> list[RetrievalQuestion]:
    """The questions over the official EU AI Act and GDPR texts."""
    return [RetrievalQuestion.model_validate(row) for row in _lines("retrieval_official.jsonl")]


def scope_questions() -> list[ScopeQuestion]:
    """The in-scope / out-of-scope calibration set."""
    return [ScopeQuestion.model_validate(row) for row in _lines("scope_calibration.jsonl")]
