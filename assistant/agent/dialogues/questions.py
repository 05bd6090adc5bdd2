"""Questions: answered offline by the `answer_question` tool, or by the configured chat model through the
knowledge tools, guarded (falling back to the offline answer with a notice saying why); and the help text."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.agent import replies
from assistant.agent.router import Intent
from assistant.agent.toolkit import ANSWER_QUESTION, AnswerQuestionInput, filter_kinds
from assistant.agent.turn import TurnContext, TurnOutcome
from knowledge.retrieval import SearchFilters

if TYPE_CHECKING:
    from assistant.agent.memory import Turn


def ask(
    turn: TurnContext, *, question: str | None, follow_up: bool, filters: SearchFilters | None
) -> TurnOutcome:
    """The cited answer to `question` (the message itself when the router resolved none), or abstention."""
    question = question or turn.text
    result = ANSWER_QUESTION.call(
        turn.tools,
        lambda: (
            AnswerQuestionInput(question=question)
            if filters is None
            else AnswerQuestionInput(question=question, sources=filters.sources, kinds=filter_kinds(filters))
        ),
    )
    if result.output is None:
        return TurnOutcome(
            intent=Intent.ASK,
            question=question,
            answer=f"Sorry, I could not answer that: {result.error}",
            state=turn.state,
            grounded=False,
        )
    answer = result.output.answer
    turn.state.topic = answer.question
    return TurnOutcome(
        intent=Intent.ASK,
        question=answer.question,
        answer=answer.answer,
        state=turn.state,
        grounded=answer.grounded,
        citations=answer.citations,
        decisions={"follow_up": follow_up} if follow_up else {},
    )


def ask_model(
    turn: TurnContext,
    recent: list[Turn],
    *,
    question: str | None,
    follow_up: bool,
    filters: SearchFilters | None,
) -> tuple[TurnOutcome | None, str | None]:
    """A question answered by the configured model through the knowledge tools, guarded; or no outcome
    and a notice saying why the offline path answers instead: the model was unavailable, or nothing it
    wrote survived the guard."""
    from assistant.agent.llm import ModelUnavailable
    from assistant.agent.model_turn import answer_with_model, history_messages

    ctx = turn.tools
    assert ctx.model is not None
    question = question or turn.text
    try:
        answer = answer_with_model(
            ctx.model,
            ctx,
            question,
            history=history_messages(recent, user_id=ctx.user.user_id),
            filters=filters,
        )
    except ModelUnavailable as exc:
        return None, f"The language model could not be used ({exc.reason}); answered offline."
    if not answer.guarded.grounded:
        return (
            None,
            f"{answer.model} wrote nothing the retrieved passages support; this is the offline answer.",
        )
    if answer.plan_check is not None and not answer.plan_check.ok:
        reason = answer.plan_check.reason
        return (
            None,
            f"{answer.model} disagreed with the structured facts ({reason}); this is the offline answer.",
        )
    turn.state.topic = question
    decisions = {"guard_dropped_sentences": answer.dropped} | ({"follow_up": follow_up} if follow_up else {})
    return TurnOutcome(
        intent=Intent.ASK,
        question=question,
        answer=answer.guarded.text,
        state=turn.state,
        grounded=True,
        citations=answer.guarded.citations,
        decisions=decisions,
        mode="llm",
        model=answer.model,
    ), None


def help_text(turn: TurnContext) -> TurnOutcome:
    """What the agent can do, with examples."""
    return TurnOutcome(intent=Intent.HELP, question=turn.text, answer=replies.HELP_TEXT, state=turn.state)
