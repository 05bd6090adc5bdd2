"""SQLAlchemy 2.0 ORM rows. Rows stay here; pydantic schemas for the API live beside their users."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Mapper, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


class Base(DeclarativeBase):
    """Declarative base for every table."""


class Document(Base):
    """One ingested file or built-in pack. Its chunks of `active_generation` are the searchable ones."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(512), unique=True)
    source_id: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    origin: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(500))
    path: Mapped[str | None] = mapped_column(Text, nullable=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    visibility: Mapped[str] = mapped_column(String(32))
    groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    active_generation: Mapped[int] = mapped_column(Integer, default=0)
    chunk_count: Mapped[int] = mapped_column(Integer, default=0)
    as_of: Mapped[date | None] = mapped_column(Date, nullable=True)
    ingested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    chunks: Mapped[list[Chunk]] = relationship(back_populates="document", cascade="all, delete-orphan")


class Chunk(Base):
    """One indexed piece of text. Several chunks may share a citation id (long sections, or a pack
    record and the official text of the same provision)."""

    __tablename__ = "chunks"
    __table_args__ = (
        UniqueConstraint("chunk_key", name="uq_chunks_chunk_key"),
        Index("ix_chunks_document_generation", "document_id", "generation"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    generation: Mapped[int] = mapped_column(Integer)
    chunk_key: Mapped[str] = mapped_column(String(128))
    ordinal: Mapped[int] = mapped_column(Integer)
    # Which window of its section this chunk is (0: the first, or the whole section when it fits in one).
    window_index: Mapped[int] = mapped_column(Integer)
    citation_id: Mapped[str] = mapped_column(String(300), index=True)
    # The part after "<source-id>:", for finding "Article 50(4)" in every source that has it.
    anchor: Mapped[str] = mapped_column(String(300), index=True)
    source_id: Mapped[str] = mapped_column(String(200))
    locator: Mapped[str] = mapped_column(String(300))
    title: Mapped[str] = mapped_column(String(500))
    parents: Mapped[list[str]] = mapped_column(JSON, default=list)
    parent_id: Mapped[str | None] = mapped_column(String(300), nullable=True)
    level: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    visibility: Mapped[str] = mapped_column(String(32))
    groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    text: Mapped[str] = mapped_column(Text)

    document: Mapped[Document] = relationship(back_populates="chunks")


class SentenceVector(Base):
    """The vector of one text an answer compares with a question (a sentence of a chunk; see
    `knowledge.statements.compared_texts`), embedded at ingestion by `embedder` and found by the sha256 of
    the text. A text's vector depends on the text alone, so any row with that hash and embedder serves;
    rows belong to their document's generation and go with its chunks."""

    __tablename__ = "sentence_vectors"
    __table_args__ = (
        Index("ix_sentence_vectors_lookup", "embedder", "text_hash"),
        Index("ix_sentence_vectors_document_generation", "document_id", "generation"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    generation: Mapped[int] = mapped_column(Integer)
    embedder: Mapped[str] = mapped_column(String(64))
    text_hash: Mapped[str] = mapped_column(String(64))
    # float32, little-endian, the embedder's dimension.
    vector: Mapped[bytes] = mapped_column(LargeBinary)


class FlaggedPassage(Base):
    """A passage held back at ingest because it reads as an instruction to an AI (prompt injection): it is
    kept here, outside `chunks` and the vector store, so no search, answer or training question sees it.
    `chunk` holds the chunk row it would have been and `index_text` what would have been embedded, so a
    release can index it without re-reading the file. Rows of older generations go with their chunks."""

    __tablename__ = "flagged_passages"
    __table_args__ = (Index("ix_flagged_passages_document_generation", "document_id", "generation"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    generation: Mapped[int] = mapped_column(Integer)
    chunk_key: Mapped[str] = mapped_column(String(128), unique=True)
    citation_id: Mapped[str] = mapped_column(String(300), index=True)
    text_hash: Mapped[str] = mapped_column(String(64))
    rules: Mapped[list[str]] = mapped_column(JSON, default=list)
    excerpt: Mapped[str] = mapped_column(Text)
    chunk: Mapped[dict[str, Any]] = mapped_column(JSON)
    index_text: Mapped[str] = mapped_column(Text)
    flagged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PassageRelease(Base):
    """An administrator's decision that a flagged passage may be indexed after all. It holds for that
    citation id with that exact text (`text_hash`): re-ingesting the same text keeps it released, an
    edited passage is screened again."""

    __tablename__ = "passage_releases"
    __table_args__ = (UniqueConstraint("citation_id", "text_hash", name="uq_passage_releases_passage"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    citation_id: Mapped[str] = mapped_column(String(300))
    text_hash: Mapped[str] = mapped_column(String(64))
    released_by: Mapped[str] = mapped_column(String(200))
    released_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class MetaValue(Base):
    """Small key/value facts about the installation (knowledge revision, packs fingerprint)."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


# --- AI system inventory, assessments, review tasks, audit log ---------------------------------------


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp stored and read back in UTC. SQLite keeps no offset, so values read
    back naive are UTC and get their zone back here; naive values are refused on the way in."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()} given; use an aware one")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class AISystem(Base):
    """One AI system or feature in the inventory. `id` is a slug of its first name, stable afterwards."""

    __tablename__ = "ai_systems"

    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Assessment(Base):
    """One triage of a system, never changed afterwards: re-triage adds the next version."""

    __tablename__ = "assessments"
    __table_args__ = (UniqueConstraint("system_id", "version", name="uq_assessments_system_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    system_id: Mapped[str] = mapped_column(ForeignKey("ai_systems.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    profile: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    eu_tier: Mapped[str] = mapped_column(String(32))
    internal_tier: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32))
    knowledge_as_of: Mapped[date] = mapped_column(Date)
    knowledge_revision: Mapped[str | None] = mapped_column(String(64), nullable=True)
    packs_fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # Citation id -> hash of the pack record it resolved to (None: no pack record), for retriage.
    cited_records: Mapped[dict[str, str | None]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(200))

    system: Mapped[AISystem] = relationship()


class DraftRow(Base):
    """A review document (system card, model card, FRIA, technical documentation) drafted from what
    govassist knew at the time, kept as an attachment of the assessment version it was drafted from."""

    __tablename__ = "document_drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"), index=True)
    system_id: Mapped[str] = mapped_column(ForeignKey("ai_systems.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    format: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str] = mapped_column(String(300))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    # The view model the file was rendered from (sections, statements, sources, questions), as JSON.
    draft: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(200))


class ReviewTask(Base):
    """A review an assessment's tier requires, routed to a queue, moving through a status workflow.

    One task per review type, assessment and cycle (re-reviews on schedule add cycles); and while a
    review of a type is open for a system, filing again (also for a newer assessment) adds no second
    one: both are unique constraints, so concurrent filings cannot duplicate either.
    """

    __tablename__ = "review_tasks"
    __table_args__ = (
        UniqueConstraint(
            "assessment_id", "review_type", "cycle", name="uq_review_tasks_assessment_review_cycle"
        ),
        Index(
            "uq_review_tasks_open_cycle",
            "system_id",
            "review_type",
            unique=True,
            sqlite_where=text("closed_at IS NULL"),
            postgresql_where=text("closed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    system_id: Mapped[str] = mapped_column(ForeignKey("ai_systems.id"), index=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"))
    review_type: Mapped[str] = mapped_column(String(100))
    # 1 for the review the triage asked for; 2, 3, ... for the scheduled re-reviews of the same assessment.
    cycle: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    title: Mapped[str] = mapped_column(String(300))
    owner_queue: Mapped[str] = mapped_column(String(100), index=True)
    assignee: Mapped[str | None] = mapped_column(String(200), nullable=True)
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(32), index=True)
    resolution_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    conditions: Mapped[list[str]] = mapped_column(JSON, default=list)
    external_ref: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)

    system: Mapped[AISystem] = relationship()
    assessment: Mapped[Assessment] = relationship()


class AuditEvent(Base):
    """Who did what to which subject, when, on which knowledge version. Append-only: the ORM refuses
    updates and deletes (below) and the database refuses them too (triggers in migration 0002)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100))
    subject: Mapped[str] = mapped_column(String(300), index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    knowledge_version: Mapped[str | None] = mapped_column(String(200), nullable=True)


class GateWaiver(Base):
    """A time-boxed exception, granted by the RAI team with a reason, for one item the launch gate would
    otherwise block on (e.g. `review:privacy-dpia`). The gate passes with a warning until `expires_at`."""

    __tablename__ = "gate_waivers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    system_id: Mapped[str] = mapped_column(ForeignKey("ai_systems.id"), index=True)
    # The assessment it was granted on: a retriage that changes the tier or the reviews ends it.
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"))
    item: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    granted_by: Mapped[str] = mapped_column(String(200))
    granted_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # Set once, by whichever gate run first sees the waiver expired, so its expiry is logged once.
    expiry_recorded_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class GateRun(Base):
    """One launch-gate check: what it was asked about, its outcome and every blocking or waived item."""

    __tablename__ = "gate_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    system_id: Mapped[str | None] = mapped_column(ForeignKey("ai_systems.id"), nullable=True, index=True)
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessments.id"), nullable=True)
    target: Mapped[str] = mapped_column(String(500))
    profile_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
    outcome: Mapped[str] = mapped_column(String(32))
    report: Mapped[dict[str, Any]] = mapped_column(JSON)
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UtcDateTime())


# --- Conversations (the agent's per-thread memory) -------------------------------------------------


class ConversationThread(Base):
    """One conversation: a CLI thread id or a Slack thread. `state` holds what the agent carries between
    turns (an unfinished triage profile and its open question, the last topic for follow-ups)."""

    __tablename__ = "threads"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str | None] = mapped_column(String(100), nullable=True)
    summary: Mapped[str | None] = mapped_column(Text, nullable=True)
    summarised_through: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())

    messages: Mapped[list[ConversationMessage]] = relationship(
        back_populates="thread", cascade="all, delete-orphan", order_by="ConversationMessage.id"
    )


class ConversationMessage(Base):
    """One turn of a thread: what a user said, or the reply (`payload` is the reply's JSON)."""

    __tablename__ = "thread_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    thread_id: Mapped[str] = mapped_column(ForeignKey("threads.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    content: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())

    thread: Mapped[ConversationThread] = relationship(back_populates="messages")


# --- Feedback, escalations and approved answers (Slack) ---------------------------------------------


class Feedback(Base):
    """A reader's verdict on one answer."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    thread_id: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("thread_messages.id"), nullable=True)
    user_id: Mapped[str] = mapped_column(String(200))
    helpful: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    citations: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Escalation(Base):
    """A question handed to the RAI team, with the thread's context; answered or still open."""

    __tablename__ = "escalations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    thread_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    question: Mapped[str] = mapped_column(Text)
    context: Mapped[str] = mapped_column(Text, default="")
    asked_by: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str | None] = mapped_column(String(100), nullable=True)
    message_ts: Mapped[str | None] = mapped_column(String(50), nullable=True)
    status: Mapped[str] = mapped_column(String(32), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class ApprovedAnswer(Base):
    """An answer the RAI team approved; indexed as knowledge so later questions find and cite it."""

    __tablename__ = "approved_answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    approved_by: Mapped[str] = mapped_column(String(200))
    escalation_id: Mapped[int | None] = mapped_column(ForeignKey("escalations.id"), nullable=True)
    visibility: Mapped[str] = mapped_column(String(32), default="public")
    groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class PostedMessage(Base):
    """Where a message about a subject ('task:12', 'triage:<system>:v2') was posted, so it can be
    updated when the subject changes."""

    __tablename__ = "posted_messages"
    __table_args__ = (UniqueConstraint("platform", "channel", "ts", name="uq_posted_messages_where"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject: Mapped[str] = mapped_column(String(300), index=True)
    platform: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(100))
    ts: Mapped[str] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class OutboxMessage(Base):
    """A notification to deliver (a DM to a task's new assignee, a refresh of the messages about a task),
    written in the same transaction as the change that causes it. One app instance claims it (until
    `claimed_until`), delivers it and marks it sent; a failed delivery is retried from `next_attempt_at`."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(300), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class HandledEvent(Base):
    """An incoming event (a Slack event id) some app instance has taken on: a retry of it, reaching any
    instance, is dropped."""

    __tablename__ = "handled_events"

    platform: Mapped[str] = mapped_column(String(32), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    handled_by: Mapped[str] = mapped_column(String(100))
    handled_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)


# --- Training (AI-literacy evidence) -----------------------------------------------------------------


class TrainingSession(Base):
    """A quiz session a trainer ran on a topic, for a channel or a list of people."""

    __tablename__ = "training_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    topic: Mapped[str] = mapped_column(String(300))
    trainer: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str | None] = mapped_column(String(100), nullable=True)
    difficulty: Mapped[str] = mapped_column(String(16))
    question_count: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), index=True)
    knowledge_version: Mapped[str | None] = mapped_column(String(200), nullable=True)
    topic_id: Mapped[str] = mapped_column(String(100))
    seed: Mapped[int] = mapped_column(Integer)
    generator: Mapped[str] = mapped_column(String(100))
    # The most restricted source its questions came from: who may be shown them (as for documents).
    visibility: Mapped[str] = mapped_column(String(32), default="public")
    groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)

    questions: Mapped[list[TrainingQuestion]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="TrainingQuestion.position"
    )
    participants: Mapped[list[TrainingParticipant]] = relationship(
        back_populates="session", cascade="all, delete-orphan"
    )


class TrainingQuestion(Base):
    """One question of a session, with its options, the right one, its citation and explanation."""

    __tablename__ = "training_questions"
    __table_args__ = (UniqueConstraint("session_id", "position", name="uq_training_questions_position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    prompt: Mapped[str] = mapped_column(Text)
    options: Mapped[list[str]] = mapped_column(JSON)
    correct_option: Mapped[int] = mapped_column(Integer)
    citation_id: Mapped[str] = mapped_column(String(300))
    explanation: Mapped[str] = mapped_column(Text)

    session: Mapped[TrainingSession] = relationship(back_populates="questions")


class TrainingParticipant(Base):
    """Someone taking part in a session; `completed_at` is set when they answered every question."""

    __tablename__ = "training_participants"
    __table_args__ = (UniqueConstraint("session_id", "user_id", name="uq_training_participants_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id"), index=True)
    user_id: Mapped[str] = mapped_column(String(200))
    display_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    joined_at: Mapped[datetime] = mapped_column(UtcDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)

    session: Mapped[TrainingSession] = relationship(back_populates="participants")


class TrainingAnswer(Base):
    """A participant's answer to one question: one per person and question (the first one counts)."""

    __tablename__ = "training_answers"
    __table_args__ = (UniqueConstraint("question_id", "user_id", name="uq_training_answers_once"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("training_questions.id"))
    user_id: Mapped[str] = mapped_column(String(200))
    chosen_option: Mapped[int] = mapped_column(Integer)
    correct: Mapped[bool] = mapped_column(Boolean)
    answered_at: Mapped[datetime] = mapped_column(UtcDateTime())


# --- Evaluation runs ----------------------------------------------------------------------------------


class EvalRun(Base):
    """One run of the eval suite: when, on which commit and knowledge, its metrics and per-case results."""

    __tablename__ = "eval_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    suite: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    git_commit: Mapped[str | None] = mapped_column(String(64), nullable=True)
    knowledge_version: Mapped[str | None] = mapped_column(String(200), nullable=True)
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    results: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class ImmutableRowError(RuntimeError):
    """An attempt to change or delete a row that is written once (audit events, assessments)."""


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _audit_is_append_only(_mapper: Mapper[Any], _connection: Connection, target: AuditEvent) -> None:
    raise ImmutableRowError(
        f"audit event {target.id} cannot be changed or deleted: the audit log is append-only"
    )


@event.listens_for(Assessment, "before_update")
def _assessment_is_immutable(_mapper: Mapper[Any], _connection: Connection, target: Assessment) -> None:
    raise ImmutableRowError(
        f"assessment {target.system_id} v{target.version} cannot be changed: re-triage adds a new version"
    )
