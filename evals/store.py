"""Eval runs in the database (`eval_runs`), and comparing two of them.

A row keeps the run's time, git commit, knowledge version and configuration; `metrics` holds the suite
metrics plus the threshold checks, notes and per-category metrics (under `suites`, `checks`, `notes`,
`categories`); `results` holds every case result.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy import select

from core.db import Database
from core.models import EvalRun
from evals.results import CaseResult, RunSummary, ThresholdCheck


class RunNotFound(LookupError):
    """No eval run with that id."""


def save_run(db: Database, summary: RunSummary) -> int:
    """Store a finished run; returns its id."""
    with db.session() as session:
        row = EvalRun(
            suite=",".join(summary.suites)[:32],
            started_at=datetime.fromisoformat(summary.started_at),
            finished_at=datetime.fromisoformat(summary.finished_at) if summary.finished_at else None,
            git_commit=summary.git_commit,
            knowledge_version=(summary.knowledge_version or "")[:200] or None,
            config=summary.config,
            metrics={
                "suites": summary.metrics,
                "checks": [c.model_dump(mode="json") for c in summary.checks],
                "notes": summary.notes,
                "categories": summary.categories,
            },
            results=[r.model_dump(mode="json") for r in summary.results],
        )
        session.add(row)
        session.flush()
        return int(row.id)


def _summary(row: EvalRun) -> RunSummary:
    metrics = row.metrics or {}
    return RunSummary(
        id=row.id,
        suites=[s for s in row.suite.split(",") if s],
        started_at=row.started_at.isoformat(),
        finished_at=row.finished_at.isoformat() if row.finished_at else None,
        git_commit=row.git_commit,
        knowledge_version=row.knowledge_version,
        config=row.config or {},
        metrics=metrics.get("suites", {}),
        checks=[ThresholdCheck.model_validate(c) for c in metrics.get("checks", [])],
        notes=metrics.get("notes", {}),
        categories=metrics.get("categories", {}),
        results=[CaseResult.model_validate(r) for r in row.results or []],
    )


def get_run(db: Database, run_id: int) -> RunSummary:
    """One stored run; RunNotFound if there is none with that id."""
    with db.session() as session:
        row = session.get(EvalRun, run_id)
        if row is None:
            raise RunNotFound(f"no eval run {run_id} (govassist eval list shows them)")
        return _summary(row)


def list_runs(db: Database, *, limit: int = 20) -> list[RunSummary]:
    """The latest runs, newest first."""
    with db.session() as session:
        rows = session.scalars(select(EvalRun).order_by(EvalRun.id.desc()).limit(limit)).all()
        return [_summary(row) for row in rows]


class MetricDelta(BaseModel):
    """One metric in two runs."""

    suite: str
    metric: str
    before: float | None
    after: float | None

    @property
    def change(self) -> float | None:
        """after - before, when both exist."""
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


class FlippedCase(BaseModel):
    """A case whose status differs between the runs."""

    suite: str
    case_id: str
    before: str
    after: str


class Comparison(BaseModel):
    """What changed from run A to run B."""

    before: int
    after: int
    deltas: list[MetricDelta]
    flipped: list[FlippedCase] = Field(description="Cases that passed in one run and failed in the other.")
    only_before: list[str] = Field(default_factory=list)
    only_after: list[str] = Field(default_factory=list)


def compare_runs(a: RunSummary, b: RunSummary) -> Comparison:
    """Metric differences and flipped cases between run `a` (before) and run `b` (after)."""
    deltas = []
    for suite in sorted(set(a.metrics) | set(b.metrics)):
        names = sorted(set(a.metrics.get(suite, {})) | set(b.metrics.get(suite, {})))
        for name in names:
            deltas.append(
                MetricDelta(
                    suite=suite,
                    metric=name,
                    before=a.metrics.get(suite, {}).get(name),
                    after=b.metrics.get(suite, {}).get(name),
                )
            )
    before = {(r.suite, r.case_id): r.status for r in a.results}
    after = {(r.suite, r.case_id): r.status for r in b.results}
    flipped = [
        FlippedCase(suite=suite, case_id=case, before=before[(suite, case)], after=after[(suite, case)])
        for suite, case in sorted(before.keys() & after.keys())
        if before[(suite, case)] != after[(suite, case)]
        and {before[(suite, case)], after[(suite, case)]} == {"passed", "failed"}
    ]
    return Comparison(
        before=a.id or 0,
        after=b.id or 0,
        deltas=deltas,
        flipped=flipped,
        only_before=[f"{s}:{c}" for s, c in sorted(before.keys() - after.keys())],
        only_after=[f"{s}:{c}" for s, c in sorted(after.keys() - before.keys())],
    )
