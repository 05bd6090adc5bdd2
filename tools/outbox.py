"""The notification outbox, and the record of incoming events already handled.

A change people must hear about (a review task filed, assigned, moved along, exported) writes its
notifications into the outbox in the same transaction as the change: `tools.audit.record_event` calls
`notify_for_event` for every task event, so a notification exists exactly when its change was committed,
whichever process or code path made it, and none is lost to a crash between the two.

Delivery (the Slack app, any number of instances on one database) works in rounds: `claim_due` takes the
due rows for one instance (PostgreSQL: `SELECT ... FOR UPDATE SKIP LOCKED`, so two instances never take
the same row; SQLite: the claim is a compare-and-set UPDATE, which its single writer serialises), then the
instance delivers each and calls `mark_sent`, `mark_skipped` or `mark_failed` (exponential back-off; given
up after `MAX_ATTEMPTS` or on a permanent error). A claim is a lease: if its instance dies, the row becomes
due again when the lease ends. Delivery is therefore at least once; a second delivery happens only when an
instance dies between Slack accepting a message and the row being marked.

Incoming events: `first_delivery` records an event id (Slack's `event_id`, the same on every retry) under
a primary key, so of all the instances a retry may reach, only the first to record it handles it.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from core.clock import utc_now
from core.db import insert_or_ignore
from core.models import AuditEvent, HandledEvent, OutboxMessage, ReviewTask

TASK_SUBJECT_PREFIX = "task:"
TASK_ACTION_PREFIX = "task."
# A delivery round is short (a few Web API calls); a claim older than this belongs to a dead instance.
CLAIM_LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 8
MAX_BACKOFF = timedelta(hours=1)
SLACK_PLATFORM = "slack"


class NotificationKind(StrEnum):
    """What a notification asks the delivering app to do."""

    TASK_ASSIGNED = "task_assigned"  # a direct message to the task's new assignee
    TASK_CHANGED = "task_changed"  # re-render the messages about the task and its system's triage


class OutboxStatus(StrEnum):
    """Where a notification stands."""

    PENDING = "pending"
    SENT = "sent"
    SKIPPED = "skipped"  # nothing to deliver any more (the task was reassigned again, or is gone)
    FAILED = "failed"  # given up: a permanent error, or too many attempts


class Notification(BaseModel):
    """A claimed notification, as the delivering app sees it."""

    id: int
    kind: NotificationKind
    subject: str
    task_id: int | None = Field(default=None, description="The review task it is about.")
    assignee: str | None = Field(default=None, description="For an assignment: whom it was assigned to.")
    attempts: int = Field(description="Delivery attempts, this one included.")
    claim: str = Field(description="The claim token; marking the row needs it.")
    created_at: datetime


# --- writing, with the change ------------------------------------------------------------------------


def notify_for_event(
    session: Session, *, event_id: int, action: str, subject: str, details: dict[str, Any], at: datetime
) -> list[int]:
    """The notifications an audit event about a review task calls for, added to the event's transaction:
    always a refresh of the messages about the task, and a DM when the task's assignee differs from the
    one the previous event about it recorded (an assignment, a reassignment, or a filing that names an
    assignee, as re-review filing may). Other events call for none. Returns the new rows' ids."""
    task_text = subject.removeprefix(TASK_SUBJECT_PREFIX)
    if not subject.startswith(TASK_SUBJECT_PREFIX) or not task_text.isdigit():
        return []
    if not action.startswith(TASK_ACTION_PREFIX):
        return []
    task_id = int(task_text)
    rows = [_row(NotificationKind.TASK_CHANGED, subject, {"task_id": task_id, "event_id": event_id}, at)]
    # The event says whom the task is assigned to now; an event that does not (a filing path that sets
    # the assignee on the row, an export) is read against the row as this transaction left it.
    if "assignee" in details:
        assignee = details["assignee"]
    else:
        row = session.get(ReviewTask, task_id)
        assignee = row.assignee if row is not None else None
    newly_assigned = (
        isinstance(assignee, str)
        and bool(assignee.strip())
        and assignee != _previous_assignee(session, subject=subject, before=event_id)
    )
    if newly_assigned:
        payload = {"task_id": task_id, "event_id": event_id, "assignee": assignee}
        rows.append(_row(NotificationKind.TASK_ASSIGNED, subject, payload, at))
    session.add_all(rows)
    session.flush()
    return [row.id for row in rows]


def _row(kind: NotificationKind, subject: str, payload: dict[str, Any], at: datetime) -> OutboxMessage:
    return OutboxMessage(
        kind=kind.value,
        subject=subject,
        payload=payload,
        status=OutboxStatus.PENDING.value,
        attempts=0,
        next_attempt_at=at,
        created_at=at,
    )


def _previous_assignee(session: Session, *, subject: str, before: int) -> str | None:
    """Whom the task was last announced to: the newest assignment notification about it (these rows are
    never pruned), else, for a task assigned before the outbox existed, the assignee the last earlier
    audit event recorded (None: never assigned)."""
    announced = session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.subject == subject,
            OutboxMessage.kind == NotificationKind.TASK_ASSIGNED.value,
        )
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    ).first()
    if announced is not None:
        value = (announced.payload or {}).get("assignee")
        return value if isinstance(value, str) else None
    earlier = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.subject == subject, AuditEvent.id < before)
        .order_by(AuditEvent.id.desc())
    )
    for event in earlier:
        if "assignee" in (event.details or {}):
            value = event.details["assignee"]
            return value if isinstance(value, str) else None
    return None


# --- delivering --------------------------------------------------------------------------------------


def claim_due(
    session: Session,
    *,
    worker: str,
    limit: int = 50,
    now: datetime | None = None,
    lease: timedelta = CLAIM_LEASE,
) -> list[Notification]:
    """Claim up to `limit` due notifications for `worker` (an instance name), oldest first.

    A row is due when it is pending, its next attempt time has come and no live claim holds it. Commit
    right after, so other instances see the claim; then deliver and mark each row with its claim token.
    """
    stamp = now or utc_now()
    claimable = (
        OutboxMessage.status == OutboxStatus.PENDING.value,
        OutboxMessage.next_attempt_at <= stamp,
        or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < stamp),
    )
    candidates = select(OutboxMessage.id).where(*claimable).order_by(OutboxMessage.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        # Rows another instance is claiming right now are skipped, not waited for.
        candidates = candidates.with_for_update(skip_locked=True)
    ids = list(session.scalars(candidates))
    if not ids:
        return []
    token = f"{worker[:60]}/{uuid.uuid4().hex[:16]}"
    # Compare-and-set on the same conditions: on SQLite the SELECT above takes no lock, and a row
    # another instance claimed meanwhile no longer matches.
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), *claimable)
        .values(claimed_by=token, claimed_until=stamp + lease, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    rows = session.scalars(
        select(OutboxMessage).where(OutboxMessage.claimed_by == token).order_by(OutboxMessage.id)
    )
    return [_notification(row) for row in rows]


def _notification(row: OutboxMessage) -> Notification:
    payload = row.payload or {}
    task_id = payload.get("task_id")
    assignee = payload.get("assignee")
    return Notification(
        id=row.id,
        kind=NotificationKind(row.kind),
        subject=row.subject,
        task_id=task_id if isinstance(task_id, int) else None,
        assignee=assignee if isinstance(assignee, str) else None,
        attempts=row.attempts,
        claim=row.claimed_by or "",
        created_at=row.created_at,
    )


def _finish(
    session: Session, notification: Notification, *, status: OutboxStatus, error: str | None, now: datetime
) -> bool:
    done = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == notification.id, OutboxMessage.claimed_by == notification.claim)
        .values(
            status=status.value,
            sent_at=now if status is OutboxStatus.SENT else None,
            claimed_until=None,
            last_error=error,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(done.rowcount)  # type: ignore[attr-defined]


def mark_sent(session: Session, notification: Notification, *, now: datetime | None = None) -> bool:
    """Slack accepted it. False when the claim was lost meanwhile (the lease ran out)."""
    return _finish(session, notification, status=OutboxStatus.SENT, error=None, now=now or utc_now())


def mark_skipped(
    session: Session, notification: Notification, *, reason: str, now: datetime | None = None
) -> bool:
    """Nothing to deliver any more (the reason is kept)."""
    return _finish(session, notification, status=OutboxStatus.SKIPPED, error=reason, now=now or utc_now())


def mark_failed(
    session: Session,
    notification: Notification,
    *,
    error: str,
    retry_after: timedelta,
    permanent: bool = False,
    now: datetime | None = None,
) -> OutboxStatus:
    """Delivery failed: due again after `retry_after` doubled per earlier attempt (at most an hour), or
    given up (FAILED) on a permanent error or after MAX_ATTEMPTS attempts."""
    stamp = now or utc_now()
    if permanent or notification.attempts >= MAX_ATTEMPTS:
        _finish(session, notification, status=OutboxStatus.FAILED, error=error, now=stamp)
        return OutboxStatus.FAILED
    delay = min(retry_after * (2 ** (notification.attempts - 1)), MAX_BACKOFF)
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == notification.id, OutboxMessage.claimed_by == notification.claim)
        .values(claimed_until=None, next_attempt_at=stamp + delay, last_error=error)
        .execution_options(synchronize_session=False)
    )
    return OutboxStatus.PENDING


def outbox_counts(session: Session) -> dict[OutboxStatus, int]:
    """How many notifications are in each status (for health checks and tests)."""
    found = session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
    counts = dict.fromkeys(OutboxStatus, 0)
    for status, count in found.tuples():
        counts[OutboxStatus(status)] = int(count)
    return counts


# --- incoming events ---------------------------------------------------------------------------------


def first_delivery(
    session: Session,
    *,
    event_id: str,
    worker: str,
    platform: str = SLACK_PLATFORM,
    now: datetime | None = None,
) -> bool:
    """Record that `worker` handles incoming event `event_id`; False when some instance already did (a
    retry). The primary key decides, so two instances racing for one event get one True."""
    values = {
        "platform": platform,
        "event_id": event_id[:200],
        "handled_by": worker[:100],
        "handled_at": now or utc_now(),
    }
    return insert_or_ignore(session, HandledEvent, values) is not None


def prune(session: Session, *, handled_before: datetime, finished_before: datetime) -> tuple[int, int]:
    """Forget event ids handled before `handled_before` (Slack retries within minutes) and refreshes
    finished (sent, skipped) before `finished_before`. Failed rows stay for inspection, and assignment
    rows stay: they say whom each task was announced to. (events, rows) removed."""
    events = session.execute(delete(HandledEvent).where(HandledEvent.handled_at < handled_before))
    rows = session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.kind == NotificationKind.TASK_CHANGED.value,
            OutboxMessage.status.in_((OutboxStatus.SENT.value, OutboxStatus.SKIPPED.value)),
            OutboxMessage.created_at < finished_before,
        )
    )
    return int(events.rowcount), int(rows.rowcount)  # type: ignore[attr-defined]
