"""Per-thread memory in the database: the turns of a conversation, what the agent carries between them
(an unfinished triage, a quiz question waiting for an answer, the last question for follow-ups, the last
system discussed), and a summary of the older turns once a thread grows long.

Rows stay in this module; callers get pydantic models. Summaries are made offline and deterministically:
one line per older turn (who said it, what it was, what it cited), so the same thread always gives the
same summary and nothing is sent anywhere to make it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, field_serializer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.clock import utc_now
from core.db import insert_or_ignore
from core.models import ConversationMessage, ConversationThread
from core.text import clip
from tools.triage.schemas import SystemProfile

MAX_THREAD_ID = 200
# A thread is summarised when more than SUMMARISE_AFTER messages are not yet in its summary; the newest
# KEEP_RECENT stay verbatim (the window a follow-up or a model sees in full).
SUMMARISE_AFTER = 24
KEEP_RECENT = 8
# The summary keeps its newest lines: a very long thread's beginning matters least.
MAX_SUMMARY_LINES = 60
LINE_CHARS = 160

Role = Literal["user", "assistant"]


class PendingTriage(BaseModel):
    """A triage in progress: the profile so far and the question waiting for an answer."""

    profile: SystemProfile | None = Field(default=None, description="None while waiting for a description.")
    name: str | None = None
    uncertain: list[str] = Field(default_factory=list, description="Extraction fields still to settle.")
    open_field: str | None = Field(default=None, description="The field the pending question asks about.")
    open_question: str | None = None
    skipped: list[str] = Field(
        default_factory=list, description="Fields answered 'not sure': not asked again in this triage."
    )
    asked: int = Field(default=0, description="Questions asked so far.")

    @field_serializer("profile")
    def _declared_only(self, profile: SystemProfile | None) -> dict[str, Any] | None:
        # Only the declared fields: triage tells a declared value from an unknown one by the fields set.
        return profile.model_dump(mode="json", exclude_unset=True) if profile else None


class PendingQuiz(BaseModel):
    """A training quiz in progress in the thread: the session and the question shown last."""

    session_id: int
    position: int = Field(description="1-based position of the question waiting for an answer.")
    total: int | None = Field(default=None, description="The session's number of questions.")


class ThreadState(BaseModel):
    """What the agent carries from one turn of a thread to the next."""

    triage: PendingTriage | None = None
    quiz: PendingQuiz | None = Field(default=None, description="A quiz question waiting for an answer.")
    topic: str | None = Field(default=None, description="The last question answered, for follow-ups.")
    last_system: str | None = Field(default=None, description="Id of the system last triaged or named.")


class Turn(BaseModel):
    """One message of a thread."""

    id: int
    role: Role
    user_id: str | None
    content: str
    payload: dict[str, Any] = Field(default_factory=dict, description="For replies: the reply's JSON.")
    created_at: datetime


class ThreadMemory(BaseModel):
    """A thread as the agent sees it at the start of a turn."""

    thread_id: str
    user_id: str
    channel: str | None
    summary: str | None = Field(description="The older turns, summarised.")
    summarised_through: int = Field(description="Id of the last message folded into the summary.")
    state: ThreadState
    recent: list[Turn] = Field(description="The messages after the summary, oldest first.")


def check_thread_id(thread_id: str) -> str:
    """The thread id, stripped; ValueError with a one-line reason if unusable."""
    text = thread_id.strip()
    if not text:
        raise ValueError("thread id: empty")
    if len(text) > MAX_THREAD_ID:
        raise ValueError(f"thread id: longer than {MAX_THREAD_ID} characters")
    return text


def load_thread(
    *, session: Session, thread_id: str, user_id: str, channel: str | None = None
) -> ThreadMemory:
    """The thread, created for `user_id` on first use (also safely when two processes start it at once)."""
    thread_id = check_thread_id(thread_id)
    now = utc_now()
    insert_or_ignore(
        session,
        ConversationThread,
        {
            "id": thread_id,
            "user_id": user_id,
            "channel": channel,
            "summary": None,
            "summarised_through": 0,
            "state": {},
            "created_at": now,
            "updated_at": now,
        },
    )
    row = session.get_one(ConversationThread, thread_id)
    session.refresh(row)
    return ThreadMemory(
        thread_id=row.id,
        user_id=row.user_id,
        channel=row.channel,
        summary=row.summary,
        summarised_through=row.summarised_through,
        state=ThreadState.model_validate(row.state or {}),
        recent=_turns(session, thread_id, after=row.summarised_through),
    )


def append_turn(
    *,
    session: Session,
    thread_id: str,
    role: Role,
    content: str,
    user_id: str | None = None,
    payload: dict[str, Any] | None = None,
) -> Turn:
    """Add one message to the thread (which must exist: `load_thread` creates it)."""
    message = ConversationMessage(
        thread_id=thread_id,
        role=role,
        user_id=user_id,
        content=content,
        payload=payload or {},
        created_at=utc_now(),
    )
    session.add(message)
    session.flush()
    return _turn(message)


def save_state(*, session: Session, thread_id: str, state: ThreadState) -> None:
    """Store what the agent carries to the next turn."""
    row = session.get_one(ConversationThread, thread_id)
    row.state = state.model_dump(mode="json")
    row.updated_at = utc_now()


def history(*, session: Session, thread_id: str) -> list[Turn]:
    """Every message of the thread, oldest first (also those already summarised)."""
    return _turns(session, thread_id, after=0)


def summarise(
    *, session: Session, thread_id: str, after: int = SUMMARISE_AFTER, keep_recent: int = KEEP_RECENT
) -> bool:
    """Fold the older messages into the summary when more than `after` are unsummarised, keeping the
    newest `keep_recent` verbatim. Returns whether it summarised."""
    row = session.get_one(ConversationThread, thread_id)
    pending = session.scalar(
        select(func.count())
        .select_from(ConversationMessage)
        .where(ConversationMessage.thread_id == thread_id, ConversationMessage.id > row.summarised_through)
    )
    if not pending or pending <= after:
        return False
    turns = _turns(session, thread_id, after=row.summarised_through)
    folding = turns[: len(turns) - keep_recent] if keep_recent else turns
    if not folding:
        return False
    lines = [line for line in (row.summary or "").splitlines() if line.startswith("- ")]
    omitted = _omitted(row.summary)
    lines += [summary_line(turn) for turn in folding]
    if len(lines) > MAX_SUMMARY_LINES:
        omitted += len(lines) - MAX_SUMMARY_LINES
        lines = lines[-MAX_SUMMARY_LINES:]
    head = "Earlier in this thread" + (f" ({omitted} older lines omitted)" if omitted else "") + ":"
    row.summary = "\n".join([head, *lines])
    row.summarised_through = folding[-1].id
    row.updated_at = utc_now()
    return True


def summary_line(turn: Turn) -> str:
    """One line for a message: the user's words, or what the reply was and what it cited or decided."""
    if turn.role == "user":
        who = f"user {turn.user_id}" if turn.user_id else "user"
        return f"- {who}: {clip(turn.content, LINE_CHARS, flatten=True)}"
    payload = turn.payload
    intent = payload.get("intent") or "reply"
    parts = [clip(_first_line(turn.content), 100, flatten=True)]
    triage = payload.get("triage") or {}
    tier = (triage.get("eu_ai_act") or {}).get("tier") if isinstance(triage, dict) else None
    if tier:
        system = (triage.get("system") or {}).get("name", "the system")
        parts.append(f"{system}: EU tier {tier}, status {triage.get('status')}")
    cited = [c.get("id") for c in payload.get("citations") or [] if isinstance(c, dict)][:3]
    if cited:
        parts.append("cites " + ", ".join(str(c) for c in cited))
    return f"- govassist ({intent}): " + "; ".join(parts)


def _omitted(summary: str | None) -> int:
    head = (summary or "").split("\n", 1)[0]
    if "older lines omitted" not in head:
        return 0
    digits = head.split("(", 1)[1].split(" ", 1)[0]
    return int(digits) if digits.isdigit() else 0


def _first_line(text: str) -> str:
    return next((line for line in text.splitlines() if line.strip()), "")


def _turns(session: Session, thread_id: str, *, after: int) -> list[Turn]:
    stmt = (
        select(ConversationMessage)
        .where(ConversationMessage.thread_id == thread_id, ConversationMessage.id > after)
        .order_by(ConversationMessage.id)
    )
    return [_turn(m) for m in session.scalars(stmt)]


def _turn(message: ConversationMessage) -> Turn:
    role: Role = "assistant" if message.role == "assistant" else "user"
    return Turn(
        id=message.id,
        role=role,
        user_id=message.user_id,
        content=message.content,
        payload=dict(message.payload or {}),
        created_at=message.created_at,
    )
