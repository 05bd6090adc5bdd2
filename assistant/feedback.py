"""What readers tell the RAI team, and what the team answers: feedback on answers, escalated questions,
approved answers (indexed as knowledge, cited `approved-answer:<id>`), and where messages about a
subject were posted so they can be updated later.

Integrations (the Slack app) call these functions; they never open database sessions themselves.
Every approval and escalation also goes to the audit log.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select, update

from core.clock import utc_now
from core.db import Database, insert_or_ignore
from core.models import ApprovedAnswer, Escalation, Feedback, PostedMessage
from core.text import clip
from knowledge.access import Visibility
from knowledge.index import IngestOutcome, KnowledgeIndex
from knowledge.sections import DocumentKind, ParsedDocument, Section, SectionLevel
from tools.audit import record_event

APPROVED_SOURCE_ID = "approved-answer"
APPROVED_DOCUMENT_KEY_PREFIX = "approved-answers:"
APPROVED_ORIGIN = "approved-answer"
MAX_TEXT_CHARS = 20_000


class EscalationStatus(StrEnum):
    """Where an escalated question stands."""

    OPEN = "open"
    ANSWERED = "answered"


class FeedbackError(ValueError):
    """Feedback, an escalation or an approval that cannot be recorded; the message says why."""


class FeedbackPublic(BaseModel):
    """One reader's verdict on one answer."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    thread_id: str | None
    message_id: int | None = None
    user_id: str
    helpful: bool
    reason: str | None
    question: str
    answer: str
    citations: list[str]
    created_at: datetime


class EscalationPublic(BaseModel):
    """A question handed to the RAI team."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    thread_id: str | None = Field(description="The conversation it came from, e.g. 'slack:T1:C1:1700.1'.")
    question: str
    context: str
    asked_by: str
    channel: str | None = Field(description="Where the escalation message was posted.")
    message_ts: str | None
    status: EscalationStatus
    created_at: datetime
    answered_at: datetime | None


class ApprovedAnswerPublic(BaseModel):
    """An answer the RAI team approved, and the citation id later answers cite it by."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    question: str
    answer: str
    approved_by: str
    escalation_id: int | None
    visibility: Visibility
    groups: list[str]
    created_at: datetime

    @property
    def citation_id(self) -> str:
        """Stable citation id: `approved-answer:<id>`."""
        return approved_citation_id(self.id)


class PostRef(BaseModel):
    """Where a message about `subject` was posted."""

    subject: str
    platform: str
    channel: str
    ts: str


def approved_citation_id(answer_id: int) -> str:
    """The citation id of approved answer `answer_id`."""
    return f"{APPROVED_SOURCE_ID}:{answer_id}"


def _clean(text: str, what: str) -> str:
    cleaned = (text or "").strip()
    if not cleaned:
        raise FeedbackError(f"{what} is empty")
    return cleaned[:MAX_TEXT_CHARS]


# --- feedback ------------------------------------------------------------------------------------------


def record_feedback(
    db: Database,
    *,
    user_id: str,
    helpful: bool,
    question: str,
    answer: str,
    citations: Sequence[str] = (),
    reason: str | None = None,
    thread_id: str | None = None,
    message_id: int | None = None,
) -> FeedbackPublic:
    """Store one verdict on an answer (a "not helpful" should say why, but may not)."""
    row = Feedback(
        thread_id=thread_id,
        message_id=message_id,
        user_id=_clean(user_id, "user id"),
        helpful=helpful,
        reason=(reason or "").strip()[:MAX_TEXT_CHARS] or None,
        question=_clean(question, "the question"),
        answer=(answer or "").strip()[:MAX_TEXT_CHARS],
        citations=list(dict.fromkeys(citations)),
        created_at=utc_now(),
    )
    with db.session() as session:
        session.add(row)
        session.flush()
        return FeedbackPublic.model_validate(row)


def set_feedback_reason(db: Database, *, feedback_id: int, reason: str) -> FeedbackPublic:
    """Add (or replace) the reason of a stored verdict: "not helpful" is stored on the click, the reason
    when the reader gives it."""
    with db.session() as session:
        row = session.get(Feedback, feedback_id)
        if row is None:
            raise FeedbackError(f"no feedback {feedback_id}")
        row.reason = (reason or "").strip()[:MAX_TEXT_CHARS] or None
        session.flush()
        return FeedbackPublic.model_validate(row)


def list_feedback(db: Database, *, thread_id: str | None = None) -> list[FeedbackPublic]:
    """Stored feedback, oldest first (optionally of one conversation)."""
    stmt = select(Feedback).order_by(Feedback.id)
    if thread_id is not None:
        stmt = stmt.where(Feedback.thread_id == thread_id)
    with db.session() as session:
        return [FeedbackPublic.model_validate(row) for row in session.scalars(stmt)]


# --- escalations -----------------------------------------------------------------------------------------


def open_escalation(
    db: Database, *, question: str, asked_by: str, context: str = "", thread_id: str | None = None
) -> EscalationPublic:
    """Hand a question to the RAI team (the caller posts it and then calls `set_escalation_message`)."""
    row = Escalation(
        thread_id=thread_id,
        question=_clean(question, "the question"),
        context=(context or "")[:MAX_TEXT_CHARS],
        asked_by=_clean(asked_by, "asked_by"),
        channel=None,
        message_ts=None,
        status=EscalationStatus.OPEN.value,
        created_at=utc_now(),
        answered_at=None,
    )
    with db.session() as session:
        session.add(row)
        session.flush()
        record_event(
            session=session,
            actor=row.asked_by,
            action="question.escalated",
            subject=f"escalation:{row.id}",
            details={"thread_id": thread_id, "question": row.question[:500]},
        )
        return EscalationPublic.model_validate(row)


def set_escalation_message(db: Database, *, escalation_id: int, channel: str, ts: str) -> EscalationPublic:
    """Remember where the escalation was posted, so replies to that message find it."""
    with db.session() as session:
        row = session.get(Escalation, escalation_id)
        if row is None:
            raise FeedbackError(f"no escalation {escalation_id}")
        row.channel, row.message_ts = channel, ts
        session.flush()
        return EscalationPublic.model_validate(row)


def get_escalation(db: Database, escalation_id: int) -> EscalationPublic | None:
    """The escalation with this id."""
    with db.session() as session:
        row = session.get(Escalation, escalation_id)
        return EscalationPublic.model_validate(row) if row else None


def find_escalation_by_message(db: Database, *, channel: str, ts: str) -> EscalationPublic | None:
    """The escalation posted as message `ts` in `channel` (a reply's thread_ts names it)."""
    stmt = select(Escalation).where(Escalation.channel == channel, Escalation.message_ts == ts)
    with db.session() as session:
        row = session.scalars(stmt).first()
        return EscalationPublic.model_validate(row) if row else None


def find_open_escalation(db: Database, *, thread_id: str, question: str) -> EscalationPublic | None:
    """An escalation of the same question from the same conversation that is still open."""
    stmt = select(Escalation).where(
        Escalation.thread_id == thread_id,
        Escalation.question == question.strip(),
        Escalation.status == EscalationStatus.OPEN.value,
    )
    with db.session() as session:
        row = session.scalars(stmt.order_by(Escalation.id.desc())).first()
        return EscalationPublic.model_validate(row) if row else None


def list_escalations(db: Database, *, status: EscalationStatus | None = None) -> list[EscalationPublic]:
    """Escalations, oldest first."""
    stmt = select(Escalation).order_by(Escalation.id)
    if status is not None:
        stmt = stmt.where(Escalation.status == status.value)
    with db.session() as session:
        return [EscalationPublic.model_validate(row) for row in session.scalars(stmt)]


# --- approved answers --------------------------------------------------------------------------------------


def approve_answer(
    index: KnowledgeIndex,
    *,
    question: str,
    answer: str,
    approved_by: str,
    escalation_id: int | None = None,
    visibility: Visibility = Visibility.INTERNAL,
    groups: Sequence[str] = (),
) -> ApprovedAnswerPublic:
    """Store an answer the RAI team approved and index it, so later questions find and cite it as
    `approved-answer:<id>`.

    Approving an escalation again replaces its earlier approved answer (same id and citation), and the
    escalation is marked answered. A restricted answer needs the groups that may read it.
    """
    text_q, text_a = _clean(question, "the question"), _clean(answer, "the answer")
    wanted = sorted({g.strip() for g in groups if g.strip()})
    if visibility is Visibility.RESTRICTED and not wanted:
        raise FeedbackError("a restricted approved answer needs the groups that may read it")
    now = utc_now()
    with index.db.session() as session:
        row: ApprovedAnswer | None = None
        if escalation_id is not None:
            escalation = session.get(Escalation, escalation_id)
            if escalation is None:
                raise FeedbackError(f"no escalation {escalation_id}")
            row = session.scalars(
                select(ApprovedAnswer).where(ApprovedAnswer.escalation_id == escalation_id)
            ).first()
            session.execute(
                update(Escalation)
                .where(Escalation.id == escalation_id)
                .values(status=EscalationStatus.ANSWERED.value, answered_at=now)
                .execution_options(synchronize_session=False)
            )
        if row is None:
            row = ApprovedAnswer(escalation_id=escalation_id, created_at=now)
            session.add(row)
        row.question, row.answer, row.approved_by = text_q, text_a, approved_by
        row.visibility, row.groups = visibility.value, wanted
        session.flush()
        record_event(
            session=session,
            actor=approved_by,
            action="answer.approved",
            subject=approved_citation_id(row.id),
            details={"escalation_id": escalation_id, "visibility": visibility.value, "groups": wanted},
            at=now,
        )
        approved = ApprovedAnswerPublic.model_validate(row)
    # The index writes in its own transactions: after the row is committed.
    index_approved_answer(index, approved)
    return approved


def get_approved_answer(db: Database, answer_id: int) -> ApprovedAnswerPublic | None:
    """The approved answer with this id."""
    with db.session() as session:
        row = session.get(ApprovedAnswer, answer_id)
        return ApprovedAnswerPublic.model_validate(row) if row else None


def list_approved_answers(db: Database) -> list[ApprovedAnswerPublic]:
    """Every approved answer, oldest first."""
    with db.session() as session:
        return [
            ApprovedAnswerPublic.model_validate(r)
            for r in session.scalars(select(ApprovedAnswer).order_by(ApprovedAnswer.id))
        ]


def approved_answer_document(answer: ApprovedAnswerPublic) -> ParsedDocument:
    """One approved answer as a policy document with a single section, cited `approved-answer:<id>`."""
    title = f"Approved answer: {clip(answer.question, 150, flatten=True)}"
    text = (
        f"Question: {answer.question}\n\n"
        f"Answer approved by the Responsible AI team: {answer.answer}\n\n"
        f"Approved by {answer.approved_by} on {answer.created_at.date().isoformat()}."
    )
    section = Section(
        citation_id=answer.citation_id,
        locator=f"Approved answer {answer.id}",
        title=title,
        level=SectionLevel.RECORD,
        text=text,
    )
    return ParsedDocument(
        source_id=APPROVED_SOURCE_ID,
        title=title,
        kind=DocumentKind.POLICY,
        sections=[section],
        as_of=answer.created_at.date(),
    )


def index_approved_answer(index: KnowledgeIndex, answer: ApprovedAnswerPublic) -> IngestOutcome:
    """(Re)index one approved answer under key `approved-answers:<id>`; unchanged content is skipped."""
    document = approved_answer_document(answer)
    digest = hashlib.sha256(
        (document.model_dump_json() + answer.visibility.value + ",".join(answer.groups)).encode("utf-8")
    ).hexdigest()
    return index.ingest(
        document,
        key=f"{APPROVED_DOCUMENT_KEY_PREFIX}{answer.id}",
        digest=digest,
        origin=APPROVED_ORIGIN,
        visibility=answer.visibility,
        groups=answer.groups,
    )


def sync_approved_answers(index: KnowledgeIndex) -> list[IngestOutcome]:
    """Index every approved answer (after a fresh index was built over an existing database)."""
    return [index_approved_answer(index, answer) for answer in list_approved_answers(index.db)]


# --- posted messages -----------------------------------------------------------------------------------


def remember_post(db: Database, *, subject: str, channel: str, ts: str, platform: str = "slack") -> None:
    """Remember that a message about `subject` ('task:12', 'triage:<system>:v2') was posted at channel/ts.

    A message has one subject; remembering the same message again changes nothing.
    """
    values = {
        "subject": subject[:300],
        "platform": platform,
        "channel": channel,
        "ts": ts,
        "created_at": utc_now(),
    }
    with db.session() as session:
        insert_or_ignore(session, PostedMessage, values)


def posts_about(db: Database, *, subject: str | None = None, prefix: str | None = None) -> list[PostRef]:
    """Messages posted about exactly `subject`, or about any subject starting with `prefix`."""
    stmt = select(PostedMessage).order_by(PostedMessage.id)
    if subject is not None:
        stmt = stmt.where(PostedMessage.subject == subject)
    if prefix is not None:
        stmt = stmt.where(PostedMessage.subject.startswith(prefix, autoescape=True))
    with db.session() as session:
        return [
            PostRef(subject=r.subject, platform=r.platform, channel=r.channel, ts=r.ts)
            for r in session.scalars(stmt)
        ]


# --- helpers -----------------------------------------------------------------------------------------
