"""The record shape of past AI system reviews, and a loader for a file of them.

The shape is general (an organisation's own past reviews use it too); it lives beside the sample
because the sample is its first user.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator
from pydantic_core import ErrorDetails

from knowledge.tiering import EuTier

CITATION_ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*:[a-z0-9]+(-[a-z0-9]+)*$"
CitationId = Annotated[str, StringConstraints(pattern=CITATION_ID_PATTERN)]


class ReviewDecision(StrEnum):
    """Outcome of a review."""

    APPROVED = "approved"
    APPROVED_WITH_CONDITIONS = "approved_with_conditions"
    REJECTED = "rejected"
    CHANGES_REQUESTED = "changes_requested"


class PastReview(BaseModel):
    """One closed review of an AI system: what it was, how it was tiered, what was decided and why."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^rev-\d{4}-\d{3}$", description="'rev-<year>-<number>'.")
    system: str = Field(min_length=1)
    date: dt.date
    owner_team: str = Field(min_length=1)
    description: str = Field(min_length=1)
    internal_tier: str = Field(pattern=r"^(T[1-4]|blocked)$")
    eu_tier: EuTier
    eu_grounds: list[CitationId] = Field(
        default_factory=list, description="Citation ids of the deciding provisions."
    )
    decision: ReviewDecision
    conditions: list[str] = Field(default_factory=list)
    rationale: str = Field(min_length=1)
    reviewers: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> PastReview:
        if self.id[4:8] != str(self.date.year):
            raise ValueError(f"id {self.id!r} does not carry the review year {self.date.year}")
        if self.decision is ReviewDecision.APPROVED_WITH_CONDITIONS and not self.conditions:
            raise ValueError("conditions: approved_with_conditions needs at least one condition")
        return self


class PastReviewSet(BaseModel):
    """A document of past reviews (`doc_id` is the citation prefix of its records)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field(min_length=1)
    doc_id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    as_of: dt.date
    records: list[PastReview] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> PastReviewSet:
        seen: set[str] = set()
        for index, record in enumerate(self.records):
            if record.id in seen:
                raise ValueError(f"records[{index}].id: duplicate review id {record.id!r}")
            seen.add(record.id)
        return self


class PastReviewsError(ValueError):
    """A past-reviews file is missing or invalid; the message names the file and the field."""


def load_past_reviews(path: Path) -> PastReviewSet:
    """Load and validate a YAML (or JSON) file of past reviews; raises PastReviewsError on bad input."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PastReviewsError(f"{path}: cannot read past reviews: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise PastReviewsError(f"{path}: not valid YAML: {exc}") from exc
    try:
        return PastReviewSet.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(_describe_error(error) for error in exc.errors())
        raise PastReviewsError(f"{path}: invalid past reviews: {problems}") from exc


def _describe_error(error: ErrorDetails) -> str:
    """One pydantic error as 'records[2].eu_grounds[0]: message'."""
    path = ""
    for part in error["loc"]:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{path}: {message}" if path else message
