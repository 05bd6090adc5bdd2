"""One turn of a thread: what a dialogue is given (`TurnContext`), what it comes to (`TurnOutcome`), and
the recorder that turns an outcome into the reply, stores both messages and the thread's next state, and
audits the turn.

Every turn, offline or answered by a model, ends in `TurnRecorder.record`: the audit log holds the
message, who sent it and what they may read, the intent and how it was routed, the tools called with
their arguments, the citations, the decisions, the model (none offline) and the notice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistant.agent.memory import ThreadMemory, ThreadState, append_turn, save_state, summarise
from assistant.agent.router import Intent
from assistant.agent.schemas import AgentReply
from assistant.agent.toolkit import ToolContext
from assistant.schemas import Citation
from assistant.triage import TriageReport
from knowledge.index import KnowledgeIndex
from tools.audit import record_event

AUDIT_ACTION = "agent.turn"
DESCRIBE_PROMPT = (
    "Tell me about the system: what it does, for whom, where it is used, and what decisions it makes or "
    "supports."
)


@dataclass
class TurnContext:
    """What every dialogue step is given: the tools' context (who asks, where, what was retrieved and
    called), the thread's state to update (a copy: stored only when the turn is recorded) and the user's
    message as written."""

    tools: ToolContext
    state: ThreadState
    text: str


@dataclass
class TurnOutcome:
    """What a turn came to, before it is stored: the reply's content and the thread's next state.

    The offline dialogues fill it from tools and `replies`; the LLM path fills the same fields (with
    `mode`, `model` and `notice`), so storing and auditing are the same for both."""

    intent: Intent
    question: str
    answer: str
    state: ThreadState
    grounded: bool = True
    citations: list[Citation] = field(default_factory=list)
    triage: TriageReport | None = None
    pending_question: str | None = None
    decisions: dict[str, Any] = field(default_factory=dict)
    matched_by: str | None = None
    mode: str = "offline"
    model: str | None = None
    notice: str | None = None


def failed(turn: TurnContext, intent: Intent, message: str) -> TurnOutcome:
    """An outcome that only says what could not be done (nothing it says rests on a source)."""
    return TurnOutcome(intent=intent, question=turn.text, answer=message, state=turn.state, grounded=False)


def remind_pending(outcome: TurnOutcome) -> TurnOutcome:
    """A triage question left waiting by a turn about something else is repeated at the end; a quiz
    question waiting is pointed to."""
    quiz = outcome.state.quiz
    if quiz is not None and outcome.pending_question is None:
        of = f" of {quiz.total}" if quiz.total else ""
        outcome.answer += (
            f"\n\n(Quiz question {quiz.position}{of} is waiting for your answer: 'next question' shows "
            "it again, 'stop the quiz' ends the quiz.)"
        )
    pending = outcome.state.triage
    if pending is None or outcome.pending_question is not None:
        return outcome
    waiting = pending.open_question or (DESCRIBE_PROMPT if pending.profile is None else None)
    if waiting:
        subject = pending.name or (pending.profile.name if pending.profile else "the new system")
        outcome.answer += f"\n\n(The triage of {subject} is waiting for your answer: {waiting})"
        outcome.pending_question = waiting
    return outcome


class TurnRecorder:
    """Stores and audits every turn: the user's message, the reply, the thread's next state, a summary
    of older messages when the thread grows long, and one `agent.turn` audit event."""

    def __init__(self, index: KnowledgeIndex) -> None:
        self.index = index

    def record(self, ctx: ToolContext, memory: ThreadMemory, text: str, outcome: TurnOutcome) -> AgentReply:
        """Build the reply, store both messages and the new state, summarise if long, audit the turn."""
        reply = AgentReply(
            question=outcome.question,
            answer=outcome.answer,
            grounded=outcome.grounded,
            citations=outcome.citations,
            knowledge_as_of=self.index.knowledge_as_of(),
            thread_id=memory.thread_id,
            intent=str(outcome.intent),
            mode="llm" if outcome.mode == "llm" else "offline",
            model=outcome.model,
            notice=outcome.notice,
            tool_calls=list(ctx.calls),
            triage=outcome.triage,
            pending_question=outcome.pending_question,
        )
        user = ctx.user
        with self.index.db.session() as session:
            append_turn(
                session=session, thread_id=memory.thread_id, role="user", content=text, user_id=user.user_id
            )
            stored = append_turn(
                session=session,
                thread_id=memory.thread_id,
                role="assistant",
                content=reply.answer,
                payload=reply.model_dump(mode="json"),
            )
            reply.message_id = stored.id
            save_state(session=session, thread_id=memory.thread_id, state=outcome.state)
            summarise(session=session, thread_id=memory.thread_id)
            record_event(
                session=session,
                actor=user.user_id,
                action=AUDIT_ACTION,
                subject=f"thread:{memory.thread_id}",
                details={
                    "message": text,
                    "user": user.user_id,
                    "groups": sorted(user.groups),
                    "public_only": user.public_only,
                    "intent": str(outcome.intent),
                    "routed_by": outcome.matched_by,
                    "question": outcome.question,
                    "tool_calls": [call.model_dump(mode="json") for call in ctx.calls],
                    "citations": [c.id for c in reply.citations],
                    "grounded": reply.grounded,
                    "decisions": outcome.decisions,
                    "mode": reply.mode,
                    "model": reply.model,
                    "notice": reply.notice,
                },
            )
        return reply
