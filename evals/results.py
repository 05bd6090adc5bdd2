"""What an eval run produces: per-case results, per-suite metrics, threshold checks (stored in EvalRun)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

Status = Literal["passed", "failed", "skipped"]


class CaseResult(BaseModel):
    """One case: whether it passed, its scores, and what is needed to see why."""

    suite: str
    case_id: str
    category: str
    status: Status
    scores: dict[str, float | None] = Field(default_factory=dict)
    detail: dict[str, Any] = Field(default_factory=dict, description="Question, answer excerpt, ids...")
    note: str | None = None


class ThresholdCheck(BaseModel):
    """One metric against its bound."""

    suite: str
    metric: str
    bound: str
    value: float | None
    passed: bool | None = Field(description="None when the metric was not produced (skipped).")


class SuiteResult(BaseModel):
    """A suite's cases, its metrics, and the notes a reader needs (what was skipped and why)."""

    suite: str
    cases: list[CaseResult]
    metrics: dict[str, float | None]
    notes: list[str] = Field(default_factory=list)
    categories: dict[str, dict[str, float | None]] = Field(
        default_factory=dict, description="Per-category metrics for the report's tables."
    )


class RunSummary(BaseModel):
    """A finished run, as stored and as `eval list` / `eval compare` read it back."""

    id: int | None = None
    suites: list[str]
    started_at: str
    finished_at: str | None
    git_commit: str | None
    knowledge_version: str | None
    config: dict[str, Any]
    metrics: dict[str, dict[str, float | None]]
    checks: list[ThresholdCheck]
    notes: dict[str, list[str]] = Field(default_factory=dict)
    categories: dict[str, dict[str, dict[str, float | None]]] = Field(default_factory=dict)
    results: list[CaseResult]

    @property
    def passed(self) -> bool:
        """True when no threshold failed."""
        return not any(check.passed is False for check in self.checks)
