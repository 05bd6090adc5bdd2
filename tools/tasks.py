"""Review tasks: filing the reviews an assessment's tier requires, their status workflow, listing, and
turning closed reviews into past reviews in the knowledge index.

Workflow: open -> in_review -> approved | rejected | changes_requested (the last three close the task).
Filing is idempotent, also across processes: one task per review type and assessment, and while a review
of a type is open for a system, filing again (for the same or a newer assessment) adds none. Both rules
are unique constraints that the insert respects (`INSERT ... ON CONFLICT DO NOTHING`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from core.clock import utc_now
from core.db import insert_or_ignore
from core.models import AISystem, Assessment, ReviewTask
from knowledge.access import Visibility
from knowledge.sections import DocumentKind, ParsedDocument, Section, SectionLevel
from tools.audit import SYSTEM_ACTOR, record_event
from tools.inventory import AssessmentPublic, SystemPublic, get_assessment_by_id, get_system
from tools.triage.schemas import RequiredReview

if TYPE_CHECKING:
    from core.db import Database
    from knowledge.index import IngestOutcome, KnowledgeIndex

REVIEWS_SOURCE_ID = "reviews"
REVIEW_DOCUMENT_KEY_PREFIX = "inventory-reviews:"
REVIEW_ORIGIN = "inventory"


class TaskStatus(StrEnum):
    """Where a review task stands."""

    OPEN = "open"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    CHANGES_REQUESTED = "changes_requested"


TRANSITIONS: dict[TaskStatus, frozenset[TaskStatus]] = {
    TaskStatus.OPEN: frozenset({TaskStatus.IN_REVIEW}),
    TaskStatus.IN_REVIEW: frozenset({TaskStatus.APPROVED, TaskStatus.REJECTED, TaskStatus.CHANGES_REQUESTED}),
    TaskStatus.APPROVED: frozenset(),
    TaskStatus.REJECTED: frozenset(),
    TaskStatus.CHANGES_REQUESTED: frozenset(),
}
CLOSED_STATUSES = frozenset({TaskStatus.APPROVED, TaskStatus.REJECTED, TaskStatus.CHANGES_REQUESTED})
# A refusal or a request for changes must say why: it becomes precedent for later reviews.
NOTE_REQUIRED = frozenset({TaskStatus.REJECTED, TaskStatus.CHANGES_REQUESTED})


class TaskError(ValueError):
    """A task change that cannot be made; the message says why and what is allowed."""


class TaskNotFoundError(LookupError):
    """No task has the id asked for."""


class TaskPublic(BaseModel):
    """A review task as callers see it."""

    id: int
    system_id: str
    system_name: str
    assessment_id: int
    assessment_version: int
    review_type: str = Field(description="Review id from the tiering standard, e.g. 'privacy-dpia'.")
    cycle: int = Field(default=1, description="1: the review triage asked for; 2, 3, ...: re-reviews.")
    title: str
    owner_queue: str
    assignee: str | None
    due_date: date
    status: TaskStatus
    resolution_note: str | None
    conditions: list[str]
    external_ref: str | None = Field(description="Jira key or GitHub 'owner/repo#number' once exported.")
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None

    @property
    def is_closed(self) -> bool:
        """Whether the review has been decided."""
        return self.status in CLOSED_STATUSES


class TaskFilters(BaseModel):
    """Which tasks to list; every field narrows, None means any."""

    status: TaskStatus | None = None
    queue: str | None = None
    system: str | None = Field(default=None, description="System id or name.")
    assessment_id: int | None = None
    open_only: bool = Field(default=False, description="Only tasks not yet decided.")
    not_exported: bool = Field(default=False, description="Only tasks without an external reference.")


class ClosedReview(BaseModel):
    """A decided review with the assessment it was filed for."""

    assessment: AssessmentPublic
    task: TaskPublic


# --- filing ------------------------------------------------------------------------------------------


class FilingReport(BaseModel):
    """What a filing did: the tasks covering the reviews, and which of them this call created."""

    tasks: list[TaskPublic]
    new_ids: list[int] = Field(default_factory=list, description="Ids of the tasks this call created.")

    @property
    def new(self) -> int:
        """How many tasks this call created."""
        return len(self.new_ids)

    @property
    def existing(self) -> int:
        """How many were there already (filed before, or by a concurrent caller)."""
        return len(self.tasks) - self.new

    def summary(self) -> str:
        """'Filed 1 new review task(s); 3 already existed.'"""
        text = f"Filed {self.new} new review task(s)"
        return text + (f"; {self.existing} already existed." if self.existing else ".")


def file_review_tasks(
    *,
    session: Session,
    assessment: AssessmentPublic,
    today: date,
    required_reviews: Sequence[RequiredReview] | None = None,
    actor: str = SYSTEM_ACTOR,
) -> list[TaskPublic]:
    """Tasks for the reviews an assessment requires, due `today + due_days`, in the reviews' order.

    `required_reviews` defaults to those of the assessment's triage result. Reviews already filed for
    this assessment, or still open for the system from an earlier one, are returned as they are instead
    of being filed again; concurrent callers cannot create duplicates either. `file_reviews` also says
    which tasks were new.
    """
    return file_reviews(
        session=session, assessment=assessment, today=today, required_reviews=required_reviews, actor=actor
    ).tasks


def file_reviews(
    *,
    session: Session,
    assessment: AssessmentPublic,
    today: date,
    required_reviews: Sequence[RequiredReview] | None = None,
    actor: str = SYSTEM_ACTOR,
    cycle: int = 1,
    due_dates: dict[str, date] | None = None,
    assignees: dict[str, str] | None = None,
) -> FilingReport:
    """`file_review_tasks`, reporting which tasks this call created and which already existed.

    `cycle` 1 files the reviews triage asked for; a higher cycle files a scheduled re-review of the same
    assessment (`tools.gate.file_due_rereviews`). `due_dates` overrides the due date per review id, and
    `assignees` assigns a new task from the start (a re-review goes to who decided the review before).
    """
    reviews = list(assessment.result.required_reviews if required_reviews is None else required_reviews)
    now = utc_now()
    new_ids: list[int] = []
    for review in reviews:
        due = (due_dates or {}).get(review.id) or today + timedelta(days=review.due_days)
        label = review.name if cycle == 1 else f"Re-review ({review.name})"
        task_id = insert_or_ignore(
            session,
            ReviewTask,
            {
                "system_id": assessment.system_id,
                "assessment_id": assessment.id,
                "review_type": review.id,
                "cycle": cycle,
                "title": f"{label}: {assessment.system_name}"[:300],
                "owner_queue": review.owner_queue,
                "assignee": (assignees or {}).get(review.id),
                "due_date": due,
                "status": TaskStatus.OPEN.value,
                "resolution_note": None,
                "conditions": [],
                "external_ref": None,
                "created_at": now,
                "updated_at": now,
                "closed_at": None,
            },
        )
        if task_id is not None:
            new_ids.append(task_id)
            record_event(
                session=session,
                actor=actor,
                action="task.filed",
                subject=f"task:{task_id}",
                details={
                    "system_id": assessment.system_id,
                    "assessment_version": assessment.version,
                    "review_type": review.id,
                    "owner_queue": review.owner_queue,
                    "due_date": due.isoformat(),
                    "cycle": cycle,
                    "assignee": (assignees or {}).get(review.id),
                },
                at=now,
            )
    return FilingReport(tasks=_tasks_for(session, assessment, [r.id for r in reviews]), new_ids=new_ids)


def _tasks_for(session: Session, assessment: AssessmentPublic, review_types: list[str]) -> list[TaskPublic]:
    """Per review type, this assessment's task, else the system's open one."""
    if not review_types:
        return []
    stmt = _task_query().where(
        ReviewTask.system_id == assessment.system_id,
        ReviewTask.review_type.in_(review_types),
        or_(ReviewTask.assessment_id == assessment.id, ReviewTask.closed_at.is_(None)),
    )
    chosen: dict[str, TaskPublic] = {}
    for task in _run(session, stmt):
        current = chosen.get(task.review_type)
        if (
            current is None
            or (task.assessment_id == assessment.id and current.assessment_id != assessment.id)
            or (task.assessment_id == current.assessment_id and task.cycle > current.cycle)
        ):
            chosen[task.review_type] = task
    return [chosen[t] for t in review_types if t in chosen]


# --- reading -----------------------------------------------------------------------------------------


def get_task(*, session: Session, task_id: int) -> TaskPublic | None:
    """The task with this id."""
    found = _run(session, _task_query().where(ReviewTask.id == task_id))
    return found[0] if found else None


def list_tasks(*, session: Session, filters: TaskFilters | None = None) -> list[TaskPublic]:
    """Tasks matching `filters`, soonest due first."""
    wanted = filters or TaskFilters()
    stmt = _task_query()
    if wanted.status is not None:
        stmt = stmt.where(ReviewTask.status == wanted.status.value)
    if wanted.queue is not None:
        stmt = stmt.where(ReviewTask.owner_queue == wanted.queue)
    if wanted.system is not None:
        system = get_system(session=session, name_or_id=wanted.system)
        if system is None:
            return []
        stmt = stmt.where(ReviewTask.system_id == system.id)
    if wanted.assessment_id is not None:
        stmt = stmt.where(ReviewTask.assessment_id == wanted.assessment_id)
    if wanted.open_only:
        stmt = stmt.where(ReviewTask.closed_at.is_(None))
    if wanted.not_exported:
        stmt = stmt.where(ReviewTask.external_ref.is_(None))
    return _run(session, stmt.order_by(ReviewTask.due_date, ReviewTask.id))


def closed_reviews(*, session: Session, system_id: str | None = None) -> list[ClosedReview]:
    """Decided reviews with their assessments, oldest decision first (optionally of one system)."""
    stmt = _task_query().where(ReviewTask.closed_at.is_not(None))
    if system_id is not None:
        stmt = stmt.where(ReviewTask.system_id == system_id)
    reviews = []
    for task in _run(session, stmt.order_by(ReviewTask.closed_at, ReviewTask.id)):
        assessment = get_assessment_by_id(session=session, assessment_id=task.assessment_id)
        assert assessment is not None  # a foreign key guarantees it
        reviews.append(ClosedReview(assessment=assessment, task=task))
    return reviews


# --- workflow ----------------------------------------------------------------------------------------


def update_task_status(
    *,
    session: Session,
    task_id: int,
    actor: str,
    status: TaskStatus | str | None = None,
    assignee: str | None = None,
    note: str | None = None,
    conditions: Sequence[str] = (),
    now: datetime | None = None,
) -> TaskPublic:
    """Move a task along the workflow and/or assign it, and record the change in the audit log.

    Raises TaskNotFoundError for an unknown id and TaskError for a transition the workflow does not
    allow (the message lists the allowed ones), a closing decision without the note it needs, or a
    change another user made to the same task at the same moment.
    """
    row = session.get(ReviewTask, task_id)
    if row is None:
        raise TaskNotFoundError(f"no review task {task_id}")
    current = TaskStatus(row.status)
    target = _parse_status(status) if status is not None else None
    if target is None and assignee is None:
        raise TaskError("nothing to change: give a status and/or an assignee")
    if target is not None and target is not current and target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none: the review is decided"
        raise TaskError(
            f"task {task_id} cannot move from {current.value} to {target.value}; "
            f"allowed from {current.value}: {allowed}"
        )
    if current in CLOSED_STATUSES:
        raise TaskError(f"task {task_id} is {current.value}: a decided review cannot be changed")
    if target is current and assignee is None:
        raise TaskError(f"task {task_id} is already {current.value}")
    target = target or current
    closing = target is not current and target in CLOSED_STATUSES
    text = (note or "").strip() or None
    if closing and target in NOTE_REQUIRED and not text:
        raise TaskError(f"closing task {task_id} as {target.value} needs a note saying why")
    cleaned = [c.strip() for c in conditions if c.strip()]
    if cleaned and not closing:
        raise TaskError("conditions are recorded with a decision: give them with the closing status")

    stamp = now or utc_now()
    values: dict[str, Any] = {"status": target.value, "updated_at": stamp}
    if assignee is not None:
        values["assignee"] = assignee.strip() or None
    if closing:
        values |= {"closed_at": stamp, "resolution_note": text, "conditions": cleaned}
    # Compare-and-set on the status read above: a concurrent change makes this update match no row.
    changed = session.execute(
        update(ReviewTask)
        .where(ReviewTask.id == task_id, ReviewTask.status == current.value)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise TaskError(f"task {task_id} was changed by someone else meanwhile; look at it again")
    session.expire(row)
    record_event(
        session=session,
        actor=actor,
        action="task.status_changed" if target is not current else "task.assigned",
        subject=f"task:{task_id}",
        details={
            "from": current.value,
            "to": target.value,
            "assignee": values.get("assignee", row.assignee),
            "note": text,
            "conditions": cleaned,
        },
        at=stamp,
    )
    task = get_task(session=session, task_id=task_id)
    assert task is not None
    return task


def set_external_ref(*, session: Session, task_id: int, external_ref: str, actor: str) -> TaskPublic:
    """Remember where a task was exported (a Jira key, a GitHub issue); a task is exported once only."""
    changed = session.execute(
        update(ReviewTask)
        .where(ReviewTask.id == task_id, ReviewTask.external_ref.is_(None))
        .values(external_ref=external_ref, updated_at=utc_now())
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        task = get_task(session=session, task_id=task_id)
        if task is None:
            raise TaskNotFoundError(f"no review task {task_id}")
        raise TaskError(f"task {task_id} is already exported as {task.external_ref}")
    record_event(
        session=session,
        actor=actor,
        action="task.exported",
        subject=f"task:{task_id}",
        details={"external_ref": external_ref},
    )
    task = get_task(session=session, task_id=task_id)
    assert task is not None
    return task


def change_task_status(
    db: Database,
    *,
    task_id: int,
    actor: str,
    index: KnowledgeIndex | None = None,
    status: TaskStatus | str | None = None,
    assignee: str | None = None,
    note: str | None = None,
    conditions: Sequence[str] = (),
) -> TaskPublic:
    """`update_task_status` committed in its own transaction; when it closes the review and an index is
    given, the system's past reviews in the index are refreshed right after, so later questions and
    triages find the decision as precedent."""
    with db.session() as session:
        task = update_task_status(
            session=session,
            task_id=task_id,
            actor=actor,
            status=status,
            assignee=assignee,
            note=note,
            conditions=conditions,
        )
    # A decided task cannot change again, so a closed task here is one this call closed.
    if index is not None and task.is_closed:
        with db.session() as session:
            sync_past_reviews(index, session, system_id=task.system_id)
    return task


# --- closed reviews as knowledge ---------------------------------------------------------------------


def review_document(system: SystemPublic, reviews: Sequence[ClosedReview]) -> ParsedDocument:
    """A system's decided reviews as a REVIEW document: one section per review, cited
    `reviews:<system>-v<version>-<review>`, written like the past-review records of the sample."""
    # Imported here: the parsing package is heavy and only syncing needs its record renderer.
    from knowledge.parsing.records import record_text

    sections = []
    for review in reviews:
        task, assessment = review.task, review.assessment
        decided = task.closed_at.date() if task.closed_at else task.updated_at.date()
        record: dict[str, Any] = {
            "id": f"{system.id}-v{assessment.version}-{task.review_type}",
            "system": system.name,
            "review": task.title,
            "date": decided,
            "owner_team": system.owner,
            "owner_queue": task.owner_queue,
            "description": assessment.profile.description,
            "internal_tier": assessment.internal_tier,
            "eu_tier": assessment.eu_tier,
            "eu_grounds": [g.citation for g in assessment.result.eu_ai_act.grounds],
            "decision": (
                "approved_with_conditions"
                if task.status is TaskStatus.APPROVED and task.conditions
                else task.status.value
            ),
            "conditions": task.conditions,
            "rationale": task.resolution_note,
            "reviewers": [task.assignee] if task.assignee else [],
            "assessment": f"version {assessment.version} of {assessment.created_at.date().isoformat()}",
        }
        slug = f"{system.id}-v{assessment.version}-{task.review_type}"
        review_name = task.title.removesuffix(f": {task.system_name}")  # titles are "<review>: <system>"
        title = f"{system.name}: {review_name} ({task.status.value})"
        sections.append(
            Section(
                citation_id=f"{REVIEWS_SOURCE_ID}:{slug}",
                locator=title,
                title=title,
                level=SectionLevel.RECORD,
                text=record_text(record),
            )
        )
    dates = [r.task.closed_at.date() for r in reviews if r.task.closed_at]
    return ParsedDocument(
        source_id=REVIEWS_SOURCE_ID,
        title=f"Reviews of {system.name}",
        kind=DocumentKind.REVIEW,
        sections=sections,
        as_of=max(dates) if dates else None,
    )


def sync_past_reviews(
    index: KnowledgeIndex, session: Session, *, system_id: str | None = None
) -> list[IngestOutcome]:
    """(Re)index the decided reviews of one system, or of every system, as past reviews.

    One document per system (key `inventory-reviews:<system-id>`), skipped when its content is
    unchanged. Call it after the status change is committed: the index writes in its own transaction.
    """
    by_system: dict[str, list[ClosedReview]] = {}
    for review in closed_reviews(session=session, system_id=system_id):
        by_system.setdefault(review.task.system_id, []).append(review)
    outcomes = []
    for sid, reviews in sorted(by_system.items()):
        system = get_system(session=session, name_or_id=sid)
        assert system is not None
        document = review_document(system, reviews)
        digest = hashlib.sha256(document.model_dump_json().encode("utf-8")).hexdigest()
        outcomes.append(
            index.ingest(
                document,
                key=REVIEW_DOCUMENT_KEY_PREFIX + sid,
                digest=digest,
                origin=REVIEW_ORIGIN,
                visibility=Visibility.INTERNAL,
            )
        )
    return outcomes


# --- helpers -----------------------------------------------------------------------------------------


def _parse_status(value: TaskStatus | str) -> TaskStatus:
    try:
        return TaskStatus(value)
    except ValueError:
        allowed = ", ".join(s.value for s in TaskStatus)
        raise TaskError(f"unknown status {value!r}; expected one of: {allowed}") from None


def _task_query() -> Any:
    # Flat rows (the task's columns, its system's name, its assessment's version) that TaskPublic reads
    # by attribute.
    return (
        select(
            *ReviewTask.__table__.c,
            AISystem.name.label("system_name"),
            Assessment.version.label("assessment_version"),
        )
        .join(AISystem, AISystem.id == ReviewTask.system_id)
        .join(Assessment, Assessment.id == ReviewTask.assessment_id)
    )


def _run(session: Session, stmt: Any) -> list[TaskPublic]:
    return [TaskPublic.model_validate(row, from_attributes=True) for row in session.execute(stmt)]
