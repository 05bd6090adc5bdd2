"""The launch gate, its waivers, and re-reviews on schedule.

`evaluate_gate` decides whether a system may launch: its latest assessment was made from the profile the
caller has in hand, its EU tier is not prohibited, its triage needs no more information, and every review
its internal tier requires is approved and not past its re-review date. Each thing that is not so becomes
a `GateItem` saying what is missing, who owns it and how to resolve it.

Approvals carry over from earlier assessments while the tier and the required reviews stay the same (the
"review basis"): a retriage on new knowledge that changes neither keeps them; one that changes the tier or
the reviews resets what the gate asks for. A tier whose standard lists `rereview_on: [profile_change]`
also resets on any change of the profile.

A tier that lists `rereview_on: [retraining]` keeps its approvals across a new `model_version` in the
profile but makes each one given for an earlier model version due for re-review at once: the gate blocks
on `rereview:<review>` and `systems due` lists it ("retrained: model_version v1 -> v2") until the
re-review is approved. A changed model version is first a changed profile (the gate asks for a new
triage); once triaged, on a tier with both triggers a change of the model version alone is left to the
retraining trigger (re-reviews of the same reviews, assigned to who decided them) while any other change
still resets the reviews as `profile_change` does.

The RAI team (the people who may decide reviews) can waive one blocking item for a limited time with a
reason; the gate then passes with a warning until the waiver expires. Every gate run, waiver and expiry
is in the audit log.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, computed_field
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.clock import utc_now
from core.models import GateRun, GateWaiver
from knowledge.tiering import InternalTier, RereviewTrigger, TieringStandard
from tools.audit import SYSTEM_ACTOR, record_event
from tools.inventory import AssessmentPublic, SystemPublic, assessment_history, get_system, profile_digest
from tools.tasks import FilingReport, TaskFilters, TaskPublic, TaskStatus, file_reviews, list_tasks
from tools.triage.schemas import EuTier, RequiredReview, SystemProfile, TriageStatus

# A waiver is an exception, not a second approval path: it is always short.
MAX_WAIVER_DAYS = 90
TRIAGE_OWNER = "the system owner"


class GateOutcome(StrEnum):
    """What the gate decided."""

    PASSED = "passed"
    PASSED_WITH_WAIVERS = "passed_with_waivers"
    BLOCKED = "blocked"


class ItemKind(StrEnum):
    """Why the gate blocks."""

    NOT_TRIAGED = "not_triaged"
    PROFILE_CHANGED = "profile_changed"
    PROHIBITED = "prohibited"
    NEEDS_INFORMATION = "needs_information"
    REVIEW_NOT_FILED = "review_not_filed"
    REVIEW_PENDING = "review_pending"
    REVIEW_REFUSED = "review_refused"
    REREVIEW_DUE = "rereview_due"


# Only these can be waived: a prohibited practice or an untriaged profile never can.
WAIVABLE = frozenset(
    {
        ItemKind.NEEDS_INFORMATION,
        ItemKind.REVIEW_NOT_FILED,
        ItemKind.REVIEW_PENDING,
        ItemKind.REVIEW_REFUSED,
        ItemKind.REREVIEW_DUE,
    }
)


class GateItem(BaseModel):
    """One thing that stops the launch: what, who owns it, how to resolve it."""

    key: str = Field(description="Stable id a waiver names, e.g. 'review:privacy-dpia' or 'rereview:legal'.")
    kind: ItemKind
    message: str
    owner: str = Field(description="Who must act: a review queue, an assignee, the system owner.")
    resolution: str = Field(description="What to do, with the command when there is one.")
    review_type: str | None = None
    task_id: int | None = None
    waivable: bool


class WaiverPublic(BaseModel):
    """A waiver as callers see it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    system_id: str
    assessment_id: int
    item: str
    reason: str
    granted_by: str
    granted_at: datetime
    expires_at: datetime


class WaivedItem(BaseModel):
    """A blocking item the gate let through because a waiver covers it."""

    item: GateItem
    waiver: WaiverPublic


class RereviewCause(StrEnum):
    """Why an approved review falls due again."""

    CYCLE = "cycle"
    RETRAINED = "retrained"


class Approval(BaseModel):
    """A required review that counts, with its conditions and when it must be done again."""

    review_type: str
    name: str
    task_id: int
    assessment_version: int
    approved_at: datetime
    note: str | None
    conditions: list[str]
    rereview_due: date | None = Field(
        description="Approval date plus the tier's review cycle, if it has one; the retraining date when "
        "the system was retrained since (see `retrained_from`)."
    )
    retrained_from: str | None = Field(
        default=None,
        description="The model version this approval was given for, when the tier is re-reviewed on "
        "retraining and the latest profile names another one: the re-review is due now.",
    )
    retrained_to: str | None = Field(default=None, description="The latest profile's model version then.")

    @property
    def rereview_cause(self) -> RereviewCause | None:
        """Why the approval falls due (retraining wins over the cycle), None if it never does."""
        if self.retrained_from is not None:
            return RereviewCause.RETRAINED
        return RereviewCause.CYCLE if self.rereview_due is not None else None

    def rereview_reason(self) -> str:
        """The cause in words, e.g. 'retrained: model_version v1 -> v2' or 'review cycle'."""
        if self.retrained_from is not None:
            return f"retrained: model_version {self.retrained_from} -> {self.retrained_to}"
        return "review cycle"

    def rereview_due_by(self, day: date) -> bool:
        """Whether the re-review is due on `day`: after the cycle's end, or at once after a retraining."""
        if self.rereview_due is None:
            return False
        return self.retrained_from is not None or self.rereview_due < day


class GateReport(BaseModel):
    """The gate's verdict on one system (or one profile), for people and for CI."""

    target: str = Field(description="What was checked: the profile file or the system id as given.")
    system_id: str | None
    system_name: str | None
    assessment_version: int | None
    eu_tier: EuTier | None
    internal_tier: str | None
    profile_digest: str | None = Field(description="SHA-256 of the checked profile's canonical JSON.")
    checked_at: datetime
    outcome: GateOutcome
    blocking: list[GateItem] = Field(default_factory=list)
    waived: list[WaivedItem] = Field(default_factory=list)
    approvals: list[Approval] = Field(default_factory=list)
    expired_waivers: list[WaiverPublic] = Field(default_factory=list)
    run_id: int | None = Field(default=None, description="The recorded gate run.")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def passed(self) -> bool:
        """Whether the launch may go ahead (possibly on waivers)."""
        return self.outcome is not GateOutcome.BLOCKED


class DueRereview(BaseModel):
    """A required review whose approval reaches the end of the tier's review cycle."""

    system_id: str
    system_name: str
    owner: str | None
    assessment_version: int
    review_type: str
    name: str
    owner_queue: str
    last_approved_at: datetime
    last_task_id: int = Field(description="The task whose approval falls due.")
    last_assignee: str | None = Field(description="Who decided it: the re-review is assigned to them.")
    due_on: date
    overdue: bool
    cause: RereviewCause = RereviewCause.CYCLE
    reason: str = Field(
        default="review cycle", description="Why, e.g. 'review cycle' or 'retrained: model_version v1 -> v2'."
    )
    task_id: int | None = Field(description="The re-review task already filed, if any.")


class RereviewFiling(BaseModel):
    """What filing the due re-reviews did."""

    due: list[DueRereview]
    new_task_ids: list[int]
    existing_task_ids: list[int]


class GateError(ValueError):
    """A gate request that cannot be served (unknown system); the message says why."""


class WaiverError(ValueError):
    """A waiver that may not be granted: who asked, for what, for how long."""


# --- the review basis ---------------------------------------------------------------------------------


def tier_of(standard: TieringStandard | None, tier_id: str) -> InternalTier | None:
    """The internal tier of this id in the standard in force, None if it has none (a replaced standard)."""
    if standard is None:
        return None
    try:
        return standard.get_tier(tier_id)
    except KeyError:
        return None


def review_basis(
    history: Sequence[AssessmentPublic], standard: TieringStandard | None
) -> list[AssessmentPublic]:
    """The latest assessment and the earlier ones whose approvals still count for it (newest first): the
    run of versions with the same EU tier, internal tier and required reviews, and the same profile when
    the tier is re-reviewed on every profile change."""
    if not history:
        return []
    latest = history[-1]
    tier = tier_of(standard, latest.internal_tier)
    on_profile = tier is not None and RereviewTrigger.PROFILE_CHANGE in tier.rereview_on
    # With the retraining trigger too, a new model version alone keeps the approvals: they fall due for
    # re-review instead (`_apply_retraining`), which says why and goes to who decided them.
    on_retraining = tier is not None and RereviewTrigger.RETRAINING in tier.rereview_on
    reviews = [r.id for r in latest.result.required_reviews]

    def facts(assessment: AssessmentPublic) -> str:
        model = assessment.profile
        return profile_digest(model.model_copy(update={"model_version": None}) if on_retraining else model)

    digest = facts(latest)
    basis = [latest]
    for earlier in reversed(history[:-1]):
        if (earlier.eu_tier, earlier.internal_tier) != (latest.eu_tier, latest.internal_tier):
            break
        if [r.id for r in earlier.result.required_reviews] != reviews:
            break
        if on_profile and facts(earlier) != digest:
            break
        basis.append(earlier)
    return basis


def add_months(day: date, months: int) -> date:
    """`day` plus whole months, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _latest_approvals(
    tasks: Sequence[TaskPublic],
    basis: Sequence[AssessmentPublic],
    reviews: Sequence[RequiredReview],
    cycle: int | None,
) -> dict[str, Approval]:
    """Per required review, the latest approval that counts for the basis: a task filed for one of its
    assessments, or one that was still open when the basis began and was decided after (filing adds no
    second task while one is open, so that task is the review of the newer assessment too)."""
    found: dict[str, Approval] = {}
    names = {r.id: r.name for r in reviews}
    basis_ids = {a.id for a in basis}
    since = min(a.created_at for a in basis)
    for task in tasks:
        if task.status is not TaskStatus.APPROVED or task.review_type not in names or task.closed_at is None:
            continue
        if task.assessment_id not in basis_ids and not task.created_at <= since < task.closed_at:
            continue
        current = found.get(task.review_type)
        if current is not None and current.approved_at >= task.closed_at:
            continue
        found[task.review_type] = Approval(
            review_type=task.review_type,
            name=names[task.review_type],
            task_id=task.id,
            assessment_version=task.assessment_version,
            approved_at=task.closed_at,
            note=task.resolution_note,
            conditions=task.conditions,
            rereview_due=add_months(task.closed_at.date(), cycle) if cycle else None,
        )
    return found


def _apply_retraining(
    approvals: dict[str, Approval],
    history: Sequence[AssessmentPublic],
    tier: InternalTier | None,
) -> dict[str, Approval]:
    """Mark the approvals given for an earlier model version due at once, when the tier is re-reviewed
    on retraining. An approval is for the model version of its task's assessment, or of a later one
    triaged before the approval (a review open across a retraining and decided after it covers the new
    model, as it covers the new assessment); it falls due on the day the new version was triaged. Only a
    change between two recorded versions is a retraining: a profile that gains its first `model_version`
    (or drops it) is not."""
    if tier is None or RereviewTrigger.RETRAINING not in tier.rereview_on or not history:
        return approvals
    current = history[-1].profile.model_version
    if current is None:
        return approvals
    marked: dict[str, Approval] = {}
    for review_type, approval in approvals.items():
        seen = [
            a
            for a in history
            if a.version <= approval.assessment_version or a.created_at < approval.approved_at
        ]
        reviewed = next(
            (a.profile.model_version for a in reversed(seen) if a.profile.model_version is not None), None
        )
        if reviewed is None or reviewed == current:
            marked[review_type] = approval
            continue
        # The latest assessment is not in `seen` (it would have made `reviewed` current), so one is found.
        retrained = next(a for a in history if a not in seen and a.profile.model_version == current)
        marked[review_type] = approval.model_copy(
            update={
                "rereview_due": retrained.created_at.date(),
                "retrained_from": reviewed,
                "retrained_to": current,
            }
        )
    return marked


# --- the gate ------------------------------------------------------------------------------------------


def evaluate_gate(
    *,
    session: Session,
    target: str,
    standard: TieringStandard | None,
    profile: SystemProfile | None = None,
    system: str | None = None,
    now: datetime | None = None,
) -> GateReport:
    """The gate's verdict for a profile (found in the inventory by name) or a system id/name. Reads only.

    Raises GateError when `system` names no system; an unknown profile is blocked as not triaged.
    """
    stamp = now or utc_now()
    today = stamp.date()
    digest = profile_digest(profile) if profile is not None else None
    found: SystemPublic | None
    if profile is not None:
        found = get_system(session=session, name_or_id=profile.name)
    elif system is not None:
        found = get_system(session=session, name_or_id=system)
        if found is None:
            raise GateError(f"no system called {system!r} in the inventory (see 'govassist systems list')")
    else:
        raise GateError("give a profile file or a system id")
    report = GateReport(
        target=target,
        system_id=found.id if found else None,
        system_name=found.name if found else (profile.name if profile else None),
        assessment_version=None,
        eu_tier=None,
        internal_tier=None,
        profile_digest=digest,
        checked_at=stamp,
        outcome=GateOutcome.BLOCKED,
    )
    history = assessment_history(session=session, system_id=found.id) if found else []
    if not history:
        report.blocking.append(
            GateItem(
                key="triage",
                kind=ItemKind.NOT_TRIAGED,
                message="the system has not been triaged: there is no assessment in the inventory",
                owner=TRIAGE_OWNER,
                resolution=f"govassist triage --input {_profile_hint(target, profile)} --file-tasks",
                waivable=False,
            )
        )
        return report
    latest = history[-1]
    report.assessment_version = latest.version
    report.eu_tier, report.internal_tier = latest.eu_tier, latest.internal_tier
    if digest is None:
        report.profile_digest = profile_digest(latest.profile)
    elif digest != profile_digest(latest.profile):
        changed = sorted(
            k
            for k, v in profile.model_dump(mode="json").items()  # type: ignore[union-attr]
            if latest.profile.model_dump(mode="json").get(k) != v
        )
        report.blocking.append(
            GateItem(
                key="triage",
                kind=ItemKind.PROFILE_CHANGED,
                message=f"the profile changed since assessment v{latest.version} "
                f"(fields: {', '.join(changed) or 'formatting only'}): it needs a new triage first",
                owner=found.owner or TRIAGE_OWNER if found else TRIAGE_OWNER,
                resolution=f"govassist triage --input {_profile_hint(target, profile)} --file-tasks",
                waivable=False,
            )
        )
        return _settle(session, report, latest, [latest], now=stamp)
    owner = (found.owner if found else None) or TRIAGE_OWNER
    if latest.eu_tier == "prohibited":
        report.blocking.append(
            GateItem(
                key="prohibited",
                kind=ItemKind.PROHIBITED,
                message="the EU AI Act tier is prohibited (Article 5): the system may not be placed on the "
                "market or used",
                owner="legal",
                resolution="stop the launch; only a changed system, triaged again, can pass",
                waivable=False,
            )
        )
    if latest.status is TriageStatus.NEEDS_INFORMATION:
        questions = "; ".join(m.question for m in latest.result.missing_information) or "see the assessment"
        report.blocking.append(
            GateItem(
                key="needs-information",
                kind=ItemKind.NEEDS_INFORMATION,
                message=f"the triage needs information that could change the tier: {questions}",
                owner=owner,
                resolution="answer the questions in the profile and triage again: "
                f"govassist triage --input {_profile_hint(target, profile)} --file-tasks",
                waivable=True,
            )
        )
    basis = review_basis(history, standard)
    tier = tier_of(standard, latest.internal_tier)
    cycle = tier.review_cycle_months if tier else None
    tasks = list_tasks(session=session, filters=TaskFilters(system=latest.system_id))
    reviews = latest.result.required_reviews
    approvals = _apply_retraining(_latest_approvals(tasks, basis, reviews, cycle), history, tier)
    for review in reviews:
        approval = approvals.get(review.id)
        open_task = next((t for t in tasks if t.review_type == review.id and not t.is_closed), None)
        if approval is not None:
            report.approvals.append(approval)
            if approval.rereview_due_by(today):
                report.blocking.append(_rereview_item(review, approval, open_task))
            continue
        report.blocking.append(
            _review_item(review, tasks, {a.id for a in basis}, open_task, target, profile, owner=owner)
        )
    return _settle(session, report, latest, basis, now=stamp)


def _profile_hint(target: str, profile: SystemProfile | None) -> str:
    return target if profile is not None else "ai-system.yaml"


def _rereview_item(review: RequiredReview, approval: Approval, open_task: TaskPublic | None) -> GateItem:
    if open_task is not None:
        how = (
            f"decide re-review task #{open_task.id} ({open_task.status.value}): "
            f"govassist tasks update {open_task.id} --status approved --note ..."
        )
        owner = open_task.assignee or f"{review.owner_queue} queue"
    else:
        how = "file it with 'govassist systems due --file', then approve it"
        owner = f"{review.owner_queue} queue"
    return GateItem(
        key=f"rereview:{review.id}",
        kind=ItemKind.REREVIEW_DUE,
        message=f"{review.name}: approved on {approval.approved_at.date().isoformat()} "
        f"(task #{approval.task_id}); "
        f"its re-review was due on {approval.rereview_due.isoformat() if approval.rereview_due else '-'} "
        f"({approval.rereview_reason()})",
        owner=owner,
        resolution=how,
        review_type=review.id,
        task_id=open_task.id if open_task else None,
        waivable=True,
    )


def _review_item(
    review: RequiredReview,
    tasks: Sequence[TaskPublic],
    basis_ids: set[int],
    open_task: TaskPublic | None,
    target: str,
    profile: SystemProfile | None,
    *,
    owner: str,
) -> GateItem:
    if open_task is not None:
        step = "--status in_review, then " if open_task.status is TaskStatus.OPEN else ""
        return GateItem(
            key=f"review:{review.id}",
            kind=ItemKind.REVIEW_PENDING,
            message=f"{review.name}: task #{open_task.id} is {open_task.status.value}, due "
            f"{open_task.due_date.isoformat()}",
            owner=open_task.assignee or f"{review.owner_queue} queue",
            resolution=f"the reviewer decides it: govassist tasks update {open_task.id} {step}"
            "--status approved --note ... [--condition ...]",
            review_type=review.id,
            task_id=open_task.id,
            waivable=True,
        )
    refused = [
        t for t in tasks if t.review_type == review.id and t.is_closed and t.assessment_id in basis_ids
    ]
    if refused:
        last = max(refused, key=lambda t: (t.closed_at or t.updated_at, t.id))
        return GateItem(
            key=f"review:{review.id}",
            kind=ItemKind.REVIEW_REFUSED,
            message=f"{review.name}: task #{last.id} was {last.status.value}"
            + (f" ({last.resolution_note})" if last.resolution_note else ""),
            owner=owner,
            resolution="change the system as the review asks, update its profile and triage again with "
            "--file-tasks: the review is filed anew for the new assessment",
            review_type=review.id,
            task_id=last.id,
            waivable=True,
        )
    return GateItem(
        key=f"review:{review.id}",
        kind=ItemKind.REVIEW_NOT_FILED,
        message=f"{review.name}: no review task filed for this assessment",
        owner=f"{review.owner_queue} queue",
        resolution="file the reviews: govassist triage --input "
        f"{_profile_hint(target, profile)} --file-tasks",
        review_type=review.id,
        waivable=True,
    )


def _settle(
    session: Session,
    report: GateReport,
    latest: AssessmentPublic,
    basis: Sequence[AssessmentPublic],
    *,
    now: datetime,
) -> GateReport:
    """Apply the active waivers of the review basis to the blocking items and decide the outcome."""
    basis_ids = {a.id for a in basis}
    rows = session.scalars(
        select(GateWaiver).where(GateWaiver.system_id == latest.system_id).order_by(GateWaiver.id)
    ).all()
    active = {r.item: r for r in rows if r.assessment_id in basis_ids and r.granted_at <= now < r.expires_at}
    report.expired_waivers = [WaiverPublic.model_validate(r) for r in rows if r.expires_at <= now]
    still: list[GateItem] = []
    for item in report.blocking:
        waiver = active.get(item.key) if item.waivable else None
        if waiver is not None:
            report.waived.append(WaivedItem(item=item, waiver=WaiverPublic.model_validate(waiver)))
        else:
            still.append(item)
    report.blocking = still
    if still:
        report.outcome = GateOutcome.BLOCKED
    else:
        report.outcome = GateOutcome.PASSED_WITH_WAIVERS if report.waived else GateOutcome.PASSED
    return report


def record_gate_run(*, session: Session, report: GateReport, actor: str) -> GateReport:
    """Store the run and its audit event, and log each waiver's expiry the first time a run sees it."""
    assessment_id = None
    if report.system_id and report.assessment_version:
        history = assessment_history(session=session, system_id=report.system_id)
        assessment_id = next((a.id for a in history if a.version == report.assessment_version), None)
    row = GateRun(
        system_id=report.system_id,
        assessment_id=assessment_id,
        target=report.target[:500],
        profile_digest=report.profile_digest,
        outcome=report.outcome.value,
        report=report.model_dump(mode="json", exclude={"run_id"}),
        actor=actor,
        at=report.checked_at,
    )
    session.add(row)
    session.flush()
    subject = f"system:{report.system_id}" if report.system_id else f"gate:{report.target[:200]}"
    for waiver in report.expired_waivers:
        marked = session.execute(
            update(GateWaiver)
            .where(GateWaiver.id == waiver.id, GateWaiver.expiry_recorded_at.is_(None))
            .values(expiry_recorded_at=report.checked_at)
            .execution_options(synchronize_session=False)
        )
        if marked.rowcount == 1:  # type: ignore[attr-defined]
            record_event(
                session=session,
                actor=SYSTEM_ACTOR,
                action="gate.waiver_expired",
                subject=subject,
                details={
                    "waiver_id": waiver.id,
                    "item": waiver.item,
                    "expired_at": waiver.expires_at.isoformat(),
                },
                at=report.checked_at,
            )
    record_event(
        session=session,
        actor=actor,
        action="gate.checked",
        subject=subject,
        details={
            "run_id": row.id,
            "target": report.target,
            "outcome": report.outcome.value,
            "assessment_version": report.assessment_version,
            "profile_digest": report.profile_digest,
            "blocking": [i.key for i in report.blocking],
            "waived": [{"item": w.item.key, "waiver_id": w.waiver.id} for w in report.waived],
        },
        at=report.checked_at,
    )
    return report.model_copy(update={"run_id": row.id})


def gate_runs(*, session: Session, system_id: str) -> list[dict[str, object]]:
    """A system's recorded gate runs, oldest first, as stored."""
    rows = session.scalars(select(GateRun).where(GateRun.system_id == system_id).order_by(GateRun.id))
    return [
        {"id": r.id, "at": r.at.isoformat(), "actor": r.actor, "outcome": r.outcome, "report": r.report}
        for r in rows
    ]


# --- waivers -------------------------------------------------------------------------------------------


def may_decide(actor: str, rai_team: Sequence[str]) -> bool:
    """Whether `actor` is on the RAI team, the people who may decide reviews (`slack_rai_team`: Slack ids,
    '@handles' or names). Waivers need a configured team: with none, nobody may grant one."""
    return bool(actor.strip()) and actor.strip() in {m.strip() for m in rai_team if m.strip()}


def grant_waiver(
    *,
    session: Session,
    standard: TieringStandard | None,
    system: str,
    item: str,
    reason: str,
    days: int,
    actor: str,
    rai_team: Sequence[str],
    now: datetime | None = None,
) -> WaiverPublic:
    """Waive one item the gate blocks `system` on, for `days` days, with a reason; audit-logged.

    Raises WaiverError when the actor is not on the RAI team, the item is not currently blocking (or
    cannot be waived), the reason is empty, or the time box is outside 1..MAX_WAIVER_DAYS days.
    """
    if not rai_team:
        raise WaiverError("no RAI team is configured (slack_rai_team): nobody may grant waivers")
    if not may_decide(actor, rai_team):
        raise WaiverError(
            f"{actor!r} is not on the RAI team: only those who may decide reviews grant waivers"
        )
    text = reason.strip()
    if not text:
        raise WaiverError("a waiver needs a reason")
    if not 1 <= days <= MAX_WAIVER_DAYS:
        raise WaiverError(f"a waiver lasts 1 to {MAX_WAIVER_DAYS} days, not {days}")
    stamp = now or utc_now()
    try:
        report = evaluate_gate(session=session, target=system, standard=standard, system=system, now=stamp)
    except GateError as exc:
        raise WaiverError(str(exc)) from exc
    blocking = {i.key: i for i in report.blocking}
    if item not in blocking:
        keys = ", ".join(k for k, i in blocking.items() if i.waivable) or "none"
        raise WaiverError(
            f"the gate does not block {report.system_id} on {item!r}; waivable items now: {keys}"
        )
    if not blocking[item].waivable:
        raise WaiverError(f"{item!r} cannot be waived: {blocking[item].message}")
    assert report.system_id is not None and report.assessment_version is not None
    history = assessment_history(session=session, system_id=report.system_id)
    latest = history[-1]
    row = GateWaiver(
        system_id=report.system_id,
        assessment_id=latest.id,
        item=item,
        reason=text,
        granted_by=actor,
        granted_at=stamp,
        expires_at=stamp + timedelta(days=days),
        expiry_recorded_at=None,
    )
    session.add(row)
    session.flush()
    record_event(
        session=session,
        actor=actor,
        action="gate.waiver_granted",
        subject=f"system:{report.system_id}",
        details={
            "waiver_id": row.id,
            "item": item,
            "reason": text,
            "assessment_version": latest.version,
            "expires_at": row.expires_at.isoformat(),
        },
        at=stamp,
    )
    return WaiverPublic.model_validate(row)


def list_waivers(*, session: Session, system_id: str) -> list[WaiverPublic]:
    """Every waiver granted for a system, oldest first."""
    rows = session.scalars(
        select(GateWaiver).where(GateWaiver.system_id == system_id).order_by(GateWaiver.id)
    )
    return [WaiverPublic.model_validate(r) for r in rows]


# --- re-reviews on schedule -----------------------------------------------------------------------------


def due_rereviews(
    *, session: Session, standard: TieringStandard | None, within_days: int = 0, today: date | None = None
) -> list[DueRereview]:
    """Approved reviews whose re-review date (approval + the tier's `review_cycle_months`) falls within
    `within_days` of `today` or has passed, and those given for a model version the system has been
    retrained from (on a tier re-reviewed on retraining), for every system, soonest first."""
    from tools.inventory import list_systems

    day = today or utc_now().date()
    horizon = day + timedelta(days=within_days)
    due: list[DueRereview] = []
    for system in list_systems(session=session):
        history = assessment_history(session=session, system_id=system.id)
        if not history:
            continue
        latest = history[-1]
        tier = tier_of(standard, latest.internal_tier)
        if tier is None or (
            tier.review_cycle_months is None and RereviewTrigger.RETRAINING not in tier.rereview_on
        ):
            continue
        basis = review_basis(history, standard)
        tasks = list_tasks(session=session, filters=TaskFilters(system=system.id))
        approvals = _apply_retraining(
            _latest_approvals(tasks, basis, latest.result.required_reviews, tier.review_cycle_months),
            history,
            tier,
        )
        for review in latest.result.required_reviews:
            approval = approvals.get(review.id)
            if approval is None or approval.rereview_due is None:
                continue
            if approval.retrained_from is None and approval.rereview_due > horizon:
                continue
            open_task = next((t for t in tasks if t.review_type == review.id and not t.is_closed), None)
            due.append(
                DueRereview(
                    system_id=system.id,
                    system_name=system.name,
                    owner=system.owner,
                    assessment_version=latest.version,
                    review_type=review.id,
                    name=review.name,
                    owner_queue=review.owner_queue,
                    last_approved_at=approval.approved_at,
                    last_task_id=approval.task_id,
                    last_assignee=next((t.assignee for t in tasks if t.id == approval.task_id), None),
                    due_on=approval.rereview_due,
                    overdue=approval.rereview_due < day,
                    cause=approval.rereview_cause or RereviewCause.CYCLE,
                    reason=approval.rereview_reason(),
                    task_id=open_task.id if open_task else None,
                )
            )
    return sorted(due, key=lambda d: (d.due_on, d.system_id, d.review_type))


def file_due_rereviews(
    *,
    session: Session,
    standard: TieringStandard | None,
    within_days: int = 0,
    today: date | None = None,
    actor: str = SYSTEM_ACTOR,
) -> RereviewFiling:
    """File each due re-review once, as a task of the owning queue on the system's latest assessment, due
    on its re-review date (or in the review's due days when that has passed), assigned to whoever the
    last approved task was assigned to (its `task.filed` audit event names them, for the notification).
    Idempotent, also across processes: a re-review already open is reported as existing, and concurrent
    filers share one task."""
    day = today or utc_now().date()
    due = due_rereviews(session=session, standard=standard, within_days=within_days, today=day)
    new_ids: list[int] = []
    existing: list[int] = []
    for item in due:
        if item.task_id is not None:
            existing.append(item.task_id)
            continue
        history = assessment_history(session=session, system_id=item.system_id)
        latest = history[-1]
        review = next(r for r in latest.result.required_reviews if r.id == item.review_type)
        cycles = [
            t.cycle
            for t in list_tasks(session=session, filters=TaskFilters(assessment_id=latest.id))
            if t.review_type == review.id
        ]
        # A retraining is due from the day it was triaged: the reviewers get the review's usual time.
        late = item.cause is RereviewCause.RETRAINED or item.due_on < day
        due_on = day + timedelta(days=review.due_days) if late else item.due_on
        filing: FilingReport = file_reviews(
            session=session,
            assessment=latest,
            today=day,
            required_reviews=[review],
            actor=actor,
            cycle=max(cycles, default=0) + 1,
            due_dates={review.id: due_on},
            assignees={review.id: item.last_assignee} if item.last_assignee else None,
        )
        new_ids += filing.new_ids
        existing += [t.id for t in filing.tasks if t.id not in filing.new_ids]
    refreshed = due_rereviews(session=session, standard=standard, within_days=within_days, today=day)
    return RereviewFiling(due=refreshed, new_task_ids=new_ids, existing_task_ids=existing)


__all__ = [
    "MAX_WAIVER_DAYS",
    "Approval",
    "DueRereview",
    "GateError",
    "GateItem",
    "GateOutcome",
    "GateReport",
    "ItemKind",
    "RereviewCause",
    "RereviewFiling",
    "WaivedItem",
    "WaiverError",
    "WaiverPublic",
    "add_months",
    "due_rereviews",
    "evaluate_gate",
    "file_due_rereviews",
    "gate_runs",
    "grant_waiver",
    "list_waivers",
    "may_decide",
    "record_gate_run",
    "review_basis",
]
