"""Loaders for the labelled datasets in this folder (schemas in `evals.datasets.schema`)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from evals.datasets.schema import (
    HELD_OUT_ORGANISATION,
    TUNING_ORGANISATION,
    AgentCase,
    QACase,
    RedTeamCase,
    TriageCase,
)

DATASETS_DIR = Path(__file__).resolve().parent
FIXTURES_DIR = DATASETS_DIR / "fixtures"
# Fixture documents the eval workspace indexes besides the packs and the sample organisation: an
# internal page with a planted prompt injection, and a restricted page only these groups may read.
INTERNAL_FIXTURES = FIXTURES_DIR / "internal"
RESTRICTED_FIXTURES = FIXTURES_DIR / "restricted"
RESTRICTED_GROUPS = ("legal", "board")


class FixtureOrganisation(BaseModel):
    """A fictional organisation besides the sample one, with its own policies and past reviews, which the
    QA suite indexes in a workspace of its own (the packs and its documents, no sample organisation), so
    questions about "us" can only be answered from its documents."""

    model_config = ConfigDict(frozen=True)

    name: str  # the `regime` of its QA cases
    title: str
    held_out: bool  # never tuned on: measured only

    @property
    def directory(self) -> Path:
        """Its fixture folder."""
        return FIXTURES_DIR / self.name

    @property
    def policies(self) -> Path:
        """Its policies, ingested with `--kind policy`."""
        return self.directory / "policies"

    @property
    def reviews(self) -> Path:
        """Its past decisions, ingested with `--kind review`."""
        return self.directory / "reviews"


# Halyard Freight Group is held out (never used for tuning); Kestrel Health Analytics is a second
# organisation to tune on, written in other words than the sample's, so a rule that only fits the sample's
# wording shows before it reaches the held-out figures.
FIXTURE_ORGANISATIONS: dict[str, FixtureOrganisation] = {
    HELD_OUT_ORGANISATION: FixtureOrganisation(
        name=HELD_OUT_ORGANISATION, title="Halyard Freight Group", held_out=True
    ),
    TUNING_ORGANISATION: FixtureOrganisation(
        name=TUNING_ORGANISATION, title="Kestrel Health Analytics", held_out=False
    ),
}

ModelT = TypeVar("ModelT", bound=BaseModel)


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


class DatasetError(ValueError):
    """A dataset line that does not parse or validate; the message names the file and line."""


def _lines(name: str) -> list[dict[str, object]]:
    path = DATASETS_DIR / name
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_jsonl(path: Path, model: type[ModelT]) -> list[ModelT]:
    """Validate each non-empty line of `path` as `model`; DatasetError names the first bad line."""
    rows: list[ModelT] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rows.append(model.model_validate_json(line))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "line"
            raise DatasetError(f"{path.name}:{number}: {where}: {first['msg']}") from None
    return rows


def retrieval_questions() -> list[RetrievalQuestion]:
    """The questions over the official EU AI Act and GDPR texts."""
    return [RetrievalQuestion.model_validate(row) for row in _lines("retrieval_official.jsonl")]


def scope_questions() -> list[ScopeQuestion]:
    """The in-scope / out-of-scope calibration set."""
    return [ScopeQuestion.model_validate(row) for row in _lines("scope_calibration.jsonl")]


@cache
def qa_cases() -> tuple[QACase, ...]:
    """Questions with reference citations and key facts, follow-ups, and questions to decline."""
    return tuple(load_jsonl(DATASETS_DIR / "qa.jsonl", QACase))


@cache
def triage_cases() -> tuple[TriageCase, ...]:
    """Profiles and descriptions with the expected tier, grounds and obligations."""
    return tuple(load_jsonl(DATASETS_DIR / "triage_cases.jsonl", TriageCase))


@cache
def agent_cases() -> tuple[AgentCase, ...]:
    """Conversations with reference tool calls."""
    return tuple(load_jsonl(DATASETS_DIR / "agent_conversations.jsonl", AgentCase))


@cache
def redteam_cases() -> tuple[RedTeamCase, ...]:
    """Attacks: injections, tier talk-downs, restricted reads, invitations to invent citations."""
    return tuple(load_jsonl(DATASETS_DIR / "redteam.jsonl", RedTeamCase))
