"""Training quizzes in a thread: list the topics, start a session, show the next question, record an
answer with its cited feedback, and stop. A session is shown and answered only for readers who may read
the documents its questions cite (the training tools check)."""

from __future__ import annotations

from typing import Any

from assistant.agent import replies
from assistant.agent.dialogues import questions
from assistant.agent.memory import PendingQuiz
from assistant.agent.router import Intent, TrainingRequest
from assistant.agent.toolkit import (
    ANSWER_TRAINING_QUESTION,
    NEXT_TRAINING_QUESTION,
    START_TRAINING,
    TRAINING_TOPICS,
    AnswerTrainingQuestionInput,
    NextTrainingQuestionInput,
    StartTrainingInput,
    TrainingTopicsInput,
    present,
)
from assistant.agent.turn import TurnContext, TurnOutcome, failed
from knowledge.retrieval import SearchFilters


def topics(turn: TurnContext) -> TurnOutcome:
    """The training topics, with how many questions each offers the reader here."""
    result = TRAINING_TOPICS.call(turn.tools, TrainingTopicsInput())
    if result.output is None:
        return failed(turn, Intent.TRAINING_TOPICS, f"I could not list the topics: {result.error}")
    return TurnOutcome(
        intent=Intent.TRAINING_TOPICS,
        question=turn.text,
        answer=replies.training_topics_text(result.output.topics),
        state=turn.state,
    )


def start(turn: TurnContext, *, request: TrainingRequest | None) -> TurnOutcome:
    """Start the session asked for and show its first question to the requester (when they take part);
    without a topic, ask for one with the list of topics."""
    if request is None or not request.topic:
        listed = topics(turn)
        listed.intent = Intent.START_TRAINING
        listed.answer = "On which topic? " + listed.answer
        listed.grounded = False
        return listed
    topic = request.topic
    result = START_TRAINING.call(
        turn.tools,
        lambda: StartTrainingInput(
            topic=topic,
            participants=request.participants,
            for_channel=request.for_channel,
            **present(questions=request.questions, difficulty=request.difficulty),
        ),
    )
    if result.output is None:
        return failed(turn, Intent.START_TRAINING, f"I could not start the training session: {result.error}")
    out = result.output
    decisions: dict[str, Any] = {
        "training_session": out.session.id,
        "visibility": out.session.visibility.value,
    }
    intro = replies.quiz_started(out)
    if not out.for_requester:
        return TurnOutcome(
            intent=Intent.START_TRAINING,
            question=turn.text,
            answer=intro,
            state=turn.state,
            decisions=decisions,
        )
    return _show_next(turn, out.session.id, [intro], Intent.START_TRAINING, decisions)


def answer(
    turn: TurnContext,
    *,
    option: str | None,
    question: str | None,
    follow_up: bool,
    filters: SearchFilters | None,
) -> TurnOutcome:
    """Record the option as the answer to the pending quiz question, with its cited feedback, then the
    next question. With no quiz question pending, the message is a question and is answered as one."""
    pending = turn.state.quiz
    if pending is None or option is None:
        return questions.ask(turn, question=question, follow_up=follow_up, filters=filters)
    result = ANSWER_TRAINING_QUESTION.call(
        turn.tools,
        lambda: AnswerTrainingQuestionInput(
            session_id=pending.session_id, position=pending.position, answer=option
        ),
    )
    if result.output is None:
        # Not an answer that could be recorded: say why and show the question again; when the session
        # itself is the reason (closed, not readable here), showing it fails the same way: say that once.
        reason = (result.error or "").split(": ", 1)[-1]
        intro = [f"I couldn't record that answer: {reason}."]
        return _show_next(turn, pending.session_id, intro, Intent.QUIZ_ANSWER, {}, intro_on_failure=False)
    out = result.output
    notes = replies.Footnotes(turn.tools.retrieved)
    feedback = [replies.quiz_feedback(out, notes), *notes.lines(), ""]
    decisions = {
        "training_session": pending.session_id,
        "position": out.feedback.position,
        "correct": out.feedback.correct,
        "already_answered": out.feedback.already_answered,
    }
    outcome = _show_next(turn, pending.session_id, feedback, Intent.QUIZ_ANSWER, decisions)
    outcome.citations = notes.citations()
    outcome.grounded = True
    return outcome


def next_question(turn: TurnContext, *, session_id: int | None) -> TurnOutcome:
    """Show the next question of the named session, or of the thread's quiz."""
    session_id = session_id or (turn.state.quiz.session_id if turn.state.quiz else None)
    if session_id is None:
        return failed(
            turn,
            Intent.QUIZ_NEXT,
            "There is no quiz in progress in this thread. Say 'quiz me on <topic>' to start one, or "
            "'take quiz <number>' to join a training session.",
        )
    return _show_next(turn, session_id, [], Intent.QUIZ_NEXT, {})


def stop(turn: TurnContext) -> TurnOutcome:
    """Leave the thread's quiz (answers given stay recorded)."""
    pending = turn.state.quiz
    if pending is None:
        return failed(turn, Intent.QUIZ_STOP, "There is no quiz in progress to stop.")
    turn.state.quiz = None
    return TurnOutcome(
        intent=Intent.QUIZ_STOP,
        question=turn.text,
        answer=replies.quiz_stopped(pending.session_id),
        state=turn.state,
        decisions={"training_session": pending.session_id},
    )


def _show_next(
    turn: TurnContext,
    session_id: int,
    intro: list[str],
    intent: Intent,
    decisions: dict[str, Any],
    *,
    intro_on_failure: bool = True,
) -> TurnOutcome:
    """After `intro`, the user's next question of the session (now pending in the thread), or the end
    of the quiz; a session the user cannot take (closed, not theirs, not readable here) ends it."""
    state = turn.state
    result = NEXT_TRAINING_QUESTION.call(turn.tools, lambda: NextTrainingQuestionInput(session_id=session_id))
    if result.output is None:
        if state.quiz is not None and state.quiz.session_id == session_id:
            state.quiz = None
        lines = intro if intro_on_failure else []
        message = "\n".join([*lines, f"I can't go on with that quiz: {result.error}"])
        return TurnOutcome(
            intent=intent,
            question=turn.text,
            answer=message,
            state=state,
            grounded=False,
            decisions=decisions,
        )
    out = result.output
    if out.question is None:
        state.quiz = None
        body, pending = replies.quiz_done(out), None
    else:
        state.quiz = PendingQuiz(session_id=session_id, position=out.question.position, total=out.total)
        body, pending = replies.quiz_question(out.question), out.question.prompt
    return TurnOutcome(
        intent=intent,
        question=turn.text,
        answer="\n".join([*intro, body]),
        state=state,
        pending_question=pending,
        decisions=decisions,
    )
