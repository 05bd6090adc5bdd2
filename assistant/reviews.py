"""Triage, review tasks and the inventory for chat integrations, one call per job.

The Slack app (and any other front end that is not the CLI) goes through `ReviewService`: it never opens a
database session itself. Each method commits its own transaction and returns pydantic models.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from pydantic import BaseModel, Field

from assistant.triage import Precedent, TriageOutcome, describe, find_precedents, run_triage, tiering_standard
from core.clock import utc_now
from core.config import Settings
from knowledge import store
from knowledge.access import Audience
from knowledge.index import KnowledgeIndex
from knowledge.retrieval import search
from knowledge.tiering import TieringStandard, TieringStandardError
from tools import inventory, outbox
from tools.gate import DueRereview, due_rereviews
from tools.inventory import AssessmentPublic, SystemPublic
from tools.outbox import Notification, OutboxStatus
from tools.tasks import (
    FilingReport,
    TaskFilters,
    TaskPublic,
    change_task_status,
    file_reviews,
    get_task,
    list_tasks,
)
from tools.triage.extract import ExtractedProfile
from tools.triage.schemas import SystemProfile

# How far ahead the home page looks for re-reviews coming due.
HOME_DUE_WITHIN_DAYS = 30


class HomeSummary(BaseModel):
    """What a person sees on their home page: the systems they triaged or own, and open reviews."""

    systems: list[SystemPublic]
    assigned: list[TaskPublic] = Field(description="Open tasks assigned to the person.")
    of_systems: list[TaskPublic] = Field(description="Other open tasks of the person's systems.")
    due: list[DueRereview] = Field(
        default_factory=list, description="Re-reviews of the person's systems due within 30 days or overdue."
    )


class ReviewService:
    """The triage and review-task jobs over one knowledge index (its database holds the inventory)."""

    def __init__(self, settings: Settings, index: KnowledgeIndex) -> None:
        self.settings = settings
        self.index = index

    @property
    def db(self):  # type: ignore[no-untyped-def]
        """The database (`core.db.Database`)."""
        return self.index.db

    def warm_up(self, text: str) -> None:
        """Load the embedder and build the lexical index with one search that records nothing, so the
        first real request does not pay for it."""
        search(self.index, text, audience=Audience(public_only=True), k=1)

    # --- triage ---------------------------------------------------------------------------------------

    def describe(self, text: str, *, name: str | None = None) -> ExtractedProfile:
        """A profile from a plain description (offline extractor). ValueError for an empty text."""
        return describe(text, name=name, index=self.index)

    def triage(
        self,
        profile: SystemProfile,
        *,
        actor: str,
        audience: Audience,
        extracted: ExtractedProfile | None = None,
    ) -> TriageOutcome:
        """Classify `profile` with the rules, record the assessment, find precedent `audience` may read."""
        return run_triage(
            self.index,
            self.settings,
            profile,
            actor=actor,
            record=True,
            audience=audience,
            extracted=extracted,
        )

    def assessment(self, system_id: str, version: int | None = None) -> AssessmentPublic | None:
        """One recorded assessment (the latest when `version` is None)."""
        with self.db.session() as session:
            return inventory.get_assessment(session=session, system_id=system_id, version=version)

    def precedents(self, profile: SystemProfile, *, audience: Audience) -> list[Precedent]:
        """Past reviews of systems like this one that `audience` may read."""
        return find_precedents(self.index, profile, audience=audience)

    def citation_titles(self, citation_ids: Sequence[str]) -> dict[str, str]:
        """'Title, Locator' per citation id the index knows (for footnotes)."""
        if not citation_ids:
            return {}
        with self.db.session() as session:
            found = store.citation_titles(session=session, citation_ids=citation_ids)
        return {
            citation_id: title if not locator or locator == title else f"{title}, {locator}"
            for citation_id, (title, locator) in found.items()
        }

    # --- review tasks ---------------------------------------------------------------------------------

    def file_tasks(
        self, system_id: str, version: int, *, actor: str, today: date | None = None
    ) -> list[TaskPublic]:
        """File the reviews assessment `version` of `system_id` requires (idempotent). LookupError if the
        assessment does not exist."""
        return self.file_reviews(system_id, version, actor=actor, today=today).tasks

    def file_reviews(
        self, system_id: str, version: int, *, actor: str, today: date | None = None
    ) -> FilingReport:
        """`file_tasks`, saying how many tasks were new and how many existed already."""
        with self.db.session() as session:
            assessment = inventory.get_assessment(session=session, system_id=system_id, version=version)
            if assessment is None:
                raise LookupError(f"no assessment v{version} of system {system_id}")
            return file_reviews(
                session=session, assessment=assessment, today=today or date.today(), actor=actor
            )

    def tasks_for_assessment(self, system_id: str, version: int) -> list[TaskPublic]:
        """The tasks covering the reviews assessment `version` requires, in the reviews' order: per review,
        the task filed for this assessment, else the system's task of that type that was open when the
        assessment was made (filing adds none while one is open), else nothing (not filed yet)."""
        assessment = self.assessment(system_id, version)
        if assessment is None:
            return []
        with self.db.session() as session:
            tasks = list_tasks(session=session, filters=TaskFilters(system=system_id))
        chosen: dict[str, TaskPublic] = {}
        for review in assessment.result.required_reviews:
            same_type = [t for t in tasks if t.review_type == review.id]
            own = [t for t in same_type if t.assessment_id == assessment.id]
            covering = [
                t
                for t in same_type
                if t.assessment_version < assessment.version
                and (t.closed_at is None or t.closed_at >= assessment.created_at)
            ]
            pick = own or sorted(covering, key=lambda t: t.id, reverse=True)
            if pick:
                chosen[review.id] = pick[0]
        return list(chosen.values())

    def task(self, task_id: int) -> TaskPublic | None:
        """One task."""
        with self.db.session() as session:
            return get_task(session=session, task_id=task_id)

    def tasks(self, filters: TaskFilters | None = None) -> list[TaskPublic]:
        """Tasks matching `filters`, soonest due first."""
        with self.db.session() as session:
            return list_tasks(session=session, filters=filters)

    def change_task(
        self,
        task_id: int,
        *,
        actor: str,
        status: str | None = None,
        assignee: str | None = None,
        note: str | None = None,
        conditions: Sequence[str] = (),
    ) -> TaskPublic:
        """Move a task along its workflow and/or assign it; a decided review becomes a past review in the
        index. Raises tools.tasks.TaskError / TaskNotFoundError with a one-line reason."""
        return change_task_status(
            self.db,
            task_id=task_id,
            actor=actor,
            index=self.index,
            status=status,
            assignee=assignee,
            note=note,
            conditions=conditions,
        )

    # --- notifications (the outbox) and incoming events ------------------------------------------------

    def claim_notifications(self, *, worker: str, limit: int = 50) -> list[Notification]:
        """Claim the due notifications for app instance `worker` (no other instance gets them)."""
        with self.db.session() as session:
            return outbox.claim_due(session, worker=worker, limit=limit)

    def notification_sent(self, notification: Notification) -> bool:
        """Slack accepted the notification; False when this instance's claim had run out meanwhile."""
        with self.db.session() as session:
            return outbox.mark_sent(session, notification)

    def notification_skipped(self, notification: Notification, *, reason: str) -> bool:
        """There is nothing to deliver any more (the task was reassigned again, say)."""
        with self.db.session() as session:
            return outbox.mark_skipped(session, notification, reason=reason)

    def notification_failed(
        self, notification: Notification, *, error: str, retry_after: timedelta, permanent: bool = False
    ) -> OutboxStatus:
        """Delivery failed: retried later with back-off (PENDING), or given up (FAILED)."""
        with self.db.session() as session:
            return outbox.mark_failed(
                session, notification, error=error, retry_after=retry_after, permanent=permanent
            )

    def first_delivery(self, event_id: str, *, worker: str) -> bool:
        """Record that `worker` handles incoming event `event_id`; False when an instance already did."""
        with self.db.session() as session:
            return outbox.first_delivery(session, event_id=event_id, worker=worker)

    def prune_deliveries(self, *, keep_events: timedelta, keep_sent: timedelta) -> tuple[int, int]:
        """Forget old handled event ids and finished notifications: (events, notifications) removed."""
        now = utc_now()
        with self.db.session() as session:
            return outbox.prune(session, handled_before=now - keep_events, finished_before=now - keep_sent)

    # --- a person's view ------------------------------------------------------------------------------

    def home(self, *, actors: Sequence[str], assignee_names: Sequence[str] = ()) -> HomeSummary:
        """The systems any of `actors` (one person's names in the audit log) triaged or owns, the open
        tasks assigned to any of `assignee_names`, the other open tasks of those systems, and their
        re-reviews due within `HOME_DUE_WITHIN_DAYS` days (or overdue) by the tiering standard's cycle."""
        try:
            standard: TieringStandard | None = tiering_standard(self.settings)
        except TieringStandardError:
            standard = None  # a broken standard is reported by triage; the home page still shows the rest
        with self.db.session() as session:
            ids = inventory.system_ids_of(session=session, people=actors)
            systems = [s for s in inventory.list_systems(session=session) if s.id in ids]
            open_tasks = list_tasks(session=session, filters=TaskFilters(open_only=True))
            due = [
                d
                for d in due_rereviews(session=session, standard=standard, within_days=HOME_DUE_WITHIN_DAYS)
                if d.system_id in ids
            ]
        names = {n for n in assignee_names if n}
        assigned = [t for t in open_tasks if t.assignee in names]
        seen = {t.id for t in assigned}
        of_systems = [t for t in open_tasks if t.system_id in ids and t.id not in seen]
        return HomeSummary(systems=systems, assigned=assigned, of_systems=of_systems, due=due)
