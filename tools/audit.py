"""The append-only audit log: who did what to which subject, when, on which knowledge version.

There is deliberately no function here that changes or deletes an event, and the rows refuse it too
(`core.models.AuditEvent`): the ORM raises `ImmutableRowError`, the database raises on UPDATE/DELETE.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, TextIO

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import utc_now
from core.models import AuditEvent
from knowledge import store
from tools.outbox import notify_for_event

# Actor of what govassist does by itself (filing tasks, retriage runs without a named person).
SYSTEM_ACTOR = "govassist"
# The same meta key as `knowledge.builtin.PACKS_FINGERPRINT_KEY`, not imported from there because that
# module pulls in Chroma, and the audit log must stay cheap to import (a test checks they agree).
PACKS_FINGERPRINT_META_KEY = "packs_fingerprint"


class AuditEventPublic(BaseModel):
    """One audit event as the outside world sees it (and as `audit export` writes it)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor: str
    action: str = Field(description="What happened, e.g. 'task.status_changed'.")
    subject: str = Field(description="What it happened to, e.g. 'task:12' or 'system:cv-screener'.")
    details: dict[str, Any]
    knowledge_version: str | None = Field(description="Knowledge revision and packs fingerprint in use.")


def knowledge_version(*, session: Session) -> str:
    """The knowledge version in force: the index revision and the indexed packs' fingerprint."""
    revision = store.get_meta(session=session, key=store.REVISION_KEY) or "0"
    fingerprint = store.get_meta(session=session, key=PACKS_FINGERPRINT_META_KEY)
    return f"revision {revision}" + (f", packs {fingerprint[:12]}" if fingerprint else "")


def record_event(
    *,
    session: Session,
    actor: str,
    action: str,
    subject: str,
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEventPublic:
    """Append one event, stamped with the current knowledge version, with the notifications it calls for
    (`tools.outbox.notify_for_event`: an event about a review task) in the same transaction."""
    event = AuditEvent(
        at=at or utc_now(),
        actor=actor,
        action=action,
        subject=subject,
        details=details or {},
        knowledge_version=knowledge_version(session=session),
    )
    session.add(event)
    session.flush()
    notify_for_event(
        session, event_id=event.id, action=action, subject=subject, details=event.details, at=event.at
    )
    return AuditEventPublic.model_validate(event)


def list_events(
    *,
    session: Session,
    subject: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    limit: int | None = None,
) -> list[AuditEventPublic]:
    """Events in the order they happened, optionally only for one subject or action, or since a time."""
    stmt = select(AuditEvent).order_by(AuditEvent.id)
    if subject is not None:
        stmt = stmt.where(AuditEvent.subject == subject)
    if action is not None:
        stmt = stmt.where(AuditEvent.action == action)
    if since is not None:
        stmt = stmt.where(AuditEvent.at >= since)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [AuditEventPublic.model_validate(event) for event in session.scalars(stmt)]


def export_jsonl(*, session: Session, out: TextIO, since: datetime | None = None) -> int:
    """Write every event (or those since `since`) to `out` as JSON Lines, oldest first; returns the count."""
    count = 0
    stmt = select(AuditEvent).order_by(AuditEvent.id)
    if since is not None:
        stmt = stmt.where(AuditEvent.at >= since)
    for event in session.scalars(stmt.execution_options(yield_per=500)):
        out.write(
            json.dumps(AuditEventPublic.model_validate(event).model_dump(mode="json"), ensure_ascii=False)
            + "\n"
        )
        count += 1
    return count
