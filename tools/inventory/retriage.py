"""Retriage: find the systems whose latest assessment rests on knowledge that has changed since, triage
them again from their latest profile, record the new versions and report the difference."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from tools.inventory.diff import diff_assessments
from tools.inventory.fingerprints import STANDARD_PREFIX, KnowledgeBasis, current_knowledge
from tools.inventory.models import AssessmentDiff, AssessmentPublic
from tools.inventory.store import get_assessment, get_system, latest_cited_records, record_assessment
from tools.triage.schemas import SystemProfile, TriageResult

TriageFn = Callable[[SystemProfile], TriageResult]


class StaleAssessment(BaseModel):
    """A system whose latest assessment cites pack records that have changed since."""

    system_id: str
    name: str
    version: int
    changed_citations: list[str]


class RetriageOutcome(BaseModel):
    """What re-triaging one system produced."""

    system_id: str
    name: str
    changed_citations: list[str] = Field(description="Cited records that changed (empty if not asked).")
    previous_version: int
    new_version: int | None = None
    diff: AssessmentDiff | None = None
    error: str | None = Field(default=None, description="Why triage failed for this system, if it did.")


def stale_assessments(*, session: Session, knowledge: KnowledgeBasis | None = None) -> list[StaleAssessment]:
    """Systems whose latest assessment cites pack records whose content changed since it was made, or
    was tiered under a tiering standard that has changed (or been replaced) since; assessments recorded
    without a standard fingerprint are judged on their pack records only."""
    basis = knowledge or current_knowledge()
    stale = []
    for assessment in latest_cited_records(session=session):
        changed = sorted(
            citation
            for citation, recorded in assessment.cited_records.items()
            # Without a standard in hand there is nothing to compare the recorded one with.
            if not (citation.startswith(STANDARD_PREFIX) and basis.standard is None)
            and basis.record_hash(citation) != recorded
        )
        if changed:
            stale.append(
                StaleAssessment(
                    system_id=assessment.system_id,
                    name=assessment.name,
                    version=assessment.version,
                    changed_citations=changed,
                )
            )
    return stale


def retriage(
    *,
    session: Session,
    triage_fn: TriageFn,
    actor: str,
    systems: Iterable[str] | None = None,
    knowledge: KnowledgeBasis | None = None,
    dry_run: bool = False,
) -> list[RetriageOutcome]:
    """Triage systems again from their latest profile and record the new versions, with their diffs.

    `systems` names systems (ids or names) to re-triage; None takes those whose cited records changed
    (`stale_assessments`). A triage that fails is reported on its system and the others go on. With
    `dry_run` nothing is triaged or recorded: the outcomes list what would be.
    """
    basis = knowledge or current_knowledge()
    targets: list[tuple[str, list[str]]]
    if systems is None:
        targets = [
            (s.system_id, s.changed_citations) for s in stale_assessments(session=session, knowledge=basis)
        ]
    else:
        targets = []
        for name_or_id in systems:
            found = get_system(session=session, name_or_id=name_or_id)
            if found is None:
                raise LookupError(f"no system called {name_or_id!r} in the inventory")
            targets.append((found.id, []))
    outcomes = []
    for system_id, changed in targets:
        previous = get_assessment(session=session, system_id=system_id)
        if previous is None:
            raise LookupError(f"system {system_id!r} has no assessment to re-triage")
        outcome = RetriageOutcome(
            system_id=system_id,
            name=previous.system_name,
            changed_citations=changed,
            previous_version=previous.version,
        )
        if not dry_run:
            outcome = _retriage_one(session, previous, outcome, triage_fn=triage_fn, actor=actor, basis=basis)
        outcomes.append(outcome)
    return outcomes


def _retriage_one(
    session: Session,
    previous: AssessmentPublic,
    outcome: RetriageOutcome,
    *,
    triage_fn: TriageFn,
    actor: str,
    basis: KnowledgeBasis,
) -> RetriageOutcome:
    try:
        result = triage_fn(previous.profile)
    except Exception as exc:  # one system's failure must not stop the others
        return outcome.model_copy(update={"error": f"{type(exc).__name__}: {exc}"})
    new = record_assessment(
        session=session, profile=previous.profile, result=result, actor=actor, knowledge=basis
    )
    return outcome.model_copy(update={"new_version": new.version, "diff": diff_assessments(previous, new)})
