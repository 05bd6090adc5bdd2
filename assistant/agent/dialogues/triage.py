"""The triage dialogue: start a triage from a description (or ask for one), take the answer to each
follow-up question, report (and record) the result when no question is left to ask, name or cancel the
triage in progress, and refuse to set a tier by hand.

A tier comes only from the triage rules applied to the profile's facts (the `triage_system` tool); this
dialogue only decides what to ask next and how to say it."""

from __future__ import annotations

from typing import Any

from assistant.agent import replies
from assistant.agent.dialogues import questions, quiz
from assistant.agent.memory import PendingTriage
from assistant.agent.router import Intent
from assistant.agent.toolkit import (
    TRIAGE_SYSTEM,
    FieldAnswer,
    TriageSystemInput,
    TriageSystemOutput,
    cite_records,
    present,
)
from assistant.agent.turn import DESCRIBE_PROMPT, TurnContext, TurnOutcome, failed
from assistant.triage_view import TriageView
from knowledge.retrieval import SearchFilters
from tools.triage.schemas import SystemProfile

SET_TIER_REFUSAL = (
    "I can't set or change a tier: the tier comes only from the triage rules applied to the facts "
    "of the system, with the provisions they rest on. If a fact is wrong, tell me the fact (for "
    "example in a new triage, or as the answer to my question), and the rules will decide again."
)


def start(turn: TurnContext, *, name: str | None, description: str | None) -> TurnOutcome:
    """Triage the described system, asking its first open question; without a description, ask for one."""
    state = turn.state
    name = name or (state.triage.name if state.triage else None)
    if not description:
        state.triage = PendingTriage(profile=None, name=name)
        return TurnOutcome(
            intent=Intent.TRIAGE,
            question=turn.text,
            answer=DESCRIBE_PROMPT,
            state=state,
            pending_question=DESCRIBE_PROMPT,
        )
    result = TRIAGE_SYSTEM.call(
        turn.tools,
        lambda: TriageSystemInput(description=description, record="complete", **present(name=name or None)),
    )
    if result.output is None:
        state.triage = None
        return TurnOutcome(
            intent=Intent.TRIAGE,
            question=turn.text,
            answer=f"I could not triage that: {result.error}",
            state=state,
            grounded=False,
        )
    state.triage = PendingTriage(profile=result.output.profile, name=name)
    return _continue(turn, result.output, intent=Intent.TRIAGE)


def answer(
    turn: TurnContext, *, question: str | None, follow_up: bool, filters: SearchFilters | None
) -> TurnOutcome:
    """The user's answer to the pending question, applied to the profile; then the next question or the
    report. With no question pending, the message is a question and is answered as one."""
    pending = turn.state.triage
    if pending is None or pending.profile is None or pending.open_field is None:
        return questions.ask(turn, question=question, follow_up=follow_up, filters=filters)
    profile, open_field = pending.profile, pending.open_field
    result = TRIAGE_SYSTEM.call(
        turn.tools,
        lambda: TriageSystemInput(
            profile=profile,
            uncertain=pending.uncertain,
            answers=[FieldAnswer(field=open_field, answer=turn.text)],
            record="complete",
        ),
    )
    if result.output is None:
        # Not an answer we could read: ask the same question again, saying why.
        reason = (result.error or "").split(": ", 1)[-1]
        asked = pending.open_question or ""
        return TurnOutcome(
            intent=Intent.TRIAGE_ANSWER,
            question=turn.text,
            answer=replies.triage_question(
                name=profile.name,
                question=asked,
                number=pending.asked,
                first=False,
                profile=profile,
                retry_reason=reason,
            ),
            state=turn.state,
            grounded=False,
            pending_question=asked,
        )
    out = result.output
    if open_field in {m.field for m in out.missing}:
        # 'Not sure' leaves the field unknown; asking it again would loop, so it stays open in the report.
        pending.skipped.append(open_field)
    return _continue(turn, out, intent=Intent.TRIAGE_ANSWER)


def _continue(turn: TurnContext, out: TriageSystemOutput, *, intent: Intent) -> TurnOutcome:
    """Ask the next open question, or, when none is left to ask, report (and record) the result."""
    state = turn.state
    pending = state.triage
    assert pending is not None
    following = next((m for m in out.missing if m.field not in pending.skipped), None)
    if following is not None:
        first = pending.asked == 0
        state.triage = pending.model_copy(
            update={
                "profile": out.profile,
                "uncertain": out.uncertain,
                "open_field": following.field,
                "open_question": following.question,
                "asked": pending.asked + 1,
            }
        )
        return TurnOutcome(
            intent=intent,
            question=turn.text,
            answer=replies.triage_question(
                name=out.profile.name,
                question=following.question,
                number=pending.asked + 1,
                first=first,
                profile=out.profile,
                retry_reason=None,
            ),
            state=state,
            triage=out.outcome.report(),
            pending_question=following.question,
            decisions=_decisions(out),
        )
    if not out.recorded:
        # Only questions the user could not answer are left: record the result as it stands.
        final = TRIAGE_SYSTEM.call(
            turn.tools, TriageSystemInput(profile=out.profile, uncertain=out.uncertain, record="always")
        )
        if final.output is not None:
            out = final.output
    state.triage = None
    if out.system_id:
        state.last_system = out.system_id
    view = TriageView.of_outcome(out.outcome)
    cite_records(turn.tools, view.cited_ids())
    notes = replies.Footnotes(turn.tools.retrieved)
    return TurnOutcome(
        intent=intent,
        question=turn.text,
        answer=replies.triage_report(view, notes, skipped=pending.skipped),
        state=state,
        citations=notes.citations(),
        triage=out.outcome.report(),
        decisions=_decisions(out),
    )


def rename(turn: TurnContext, *, name: str | None) -> TurnOutcome:
    """Name the system of the triage in progress."""
    state = turn.state
    pending = state.triage
    name = (name or "").strip()
    if pending is None or not name:
        return failed(turn, Intent.RENAME, "There is no triage in progress to name.")
    profile = pending.profile
    if profile is not None:
        declared = profile.model_dump(mode="json", exclude_unset=True)
        profile = SystemProfile.model_validate({**declared, "name": name[:200]})
    state.triage = pending.model_copy(update={"name": name[:200], "profile": profile})
    said = f"I'll record the system as {name[:200]!r}."
    return TurnOutcome(intent=Intent.RENAME, question=turn.text, answer=said, state=state)


def cancel(turn: TurnContext) -> TurnOutcome:
    """Stop the triage in progress (nothing is recorded); with none but a quiz, stop the quiz."""
    state = turn.state
    pending = state.triage
    if pending is None and state.quiz is not None:
        return quiz.stop(turn)
    if pending is None:
        message = "There is no triage in progress to cancel."
    else:
        subject = pending.name or (pending.profile.name if pending.profile else "the new system")
        message = f"Stopped the triage of {subject}; nothing was recorded."
        state.triage = None
    return TurnOutcome(intent=Intent.CANCEL, question=turn.text, answer=message, state=state)


def refuse_set_tier(turn: TurnContext) -> TurnOutcome:
    """A tier is never set by hand: say so, and how a fact can change it."""
    return TurnOutcome(
        intent=Intent.SET_TIER, question=turn.text, answer=SET_TIER_REFUSAL, state=turn.state, grounded=False
    )


def _decisions(out: TriageSystemOutput) -> dict[str, Any]:
    return {
        "system_id": out.system_id,
        "eu_tier": out.tier.value,
        "internal_tier": out.internal_tier,
        "status": out.status,
        "recorded": out.recorded,
        "assessment_version": out.outcome.assessment_version,
    }
