"""Training records: sessions, their questions, participants, answers, scores and completion.

A session is for a channel (anyone there may join by answering) or for a list of people (only they may
answer). Each person's first answer to a question counts: the database's unique constraint holds that
even when two answers race. The session row keeps the topic id, the generator's seed and what made the
questions; the audit log entry of the start repeats them with the questions' citations.

A session is as confidential as the most restricted source its questions cite (`visibility`, `groups`):
its questions are shown, and answers taken, only for readers who may read that source (`audience`, as
for documents; None means the default reader, who sees public and internal documents). Scores,
closing and participants' names are not content and carry no such check.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.clock import utc_now
from core.models import TrainingAnswer, TrainingParticipant, TrainingQuestion, TrainingSession
from knowledge.access import Audience, Visibility
from tools.audit import knowledge_version, record_event
from tools.training.access import SourceAccess, require_readable
from tools.training.errors import AnswerError, SessionClosedError, SessionNotFoundError, TrainingError
from tools.training.schemas import (
    AnswerFeedback,
    Difficulty,
    GeneratedQuestion,
    ParticipantScore,
    PersonAnswer,
    PersonRecord,
    QuestionKind,
    QuestionRecord,
    QuestionView,
    SessionReport,
    SessionStatus,
    SessionSummary,
    TrainingReport,
)
from tools.training.topics import Topic

ACTION_STARTED = "training.session_started"
ACTION_CLOSED = "training.session_closed"
ACTION_COMPLETED = "training.participant_completed"
ACTION_OPEN_QUESTION = "training.open_question"
MAX_USER_CHARS = 200
# The seed column is a 32-bit integer on every database.
SEED_RANGE = (-(2**31), 2**31 - 1)


def subject_of(session_id: int) -> str:
    """The audit-log subject of a session: 'training:<id>'."""
    return f"training:{session_id}"


def _clean_user(user_id: str) -> str:
    user = user_id.strip()
    if not user:
        raise AnswerError("the user id is empty")
    if len(user) > MAX_USER_CHARS:
        raise AnswerError(f"the user id is longer than {MAX_USER_CHARS} characters")
    return user


def check_seed(seed: int) -> int:
    """The seed if it fits the 32-bit column; TrainingError otherwise."""
    low, high = SEED_RANGE
    if not low <= seed <= high:
        raise TrainingError(f"the seed must be between {low} and {high}, got {seed}")
    return seed


def create_session(
    *,
    session: Session,
    topic: Topic,
    trainer: str,
    difficulty: Difficulty,
    questions: Sequence[GeneratedQuestion],
    seed: int,
    access: SourceAccess,
    channel: str | None = None,
    participants: Sequence[str] = (),
    display_names: Mapping[str, str] | None = None,
    generator: str = "offline",
) -> SessionSummary:
    """Store a new open session with its questions and named participants; audit-logged with the seed.

    `access` is the most restricted source the questions cite (`material.questions_access`): who may be
    shown them later. A session needs a channel or at least one participant: without a channel, only
    the named people may answer.
    """
    check_seed(seed)
    trainer = trainer.strip()
    if not trainer:
        raise TrainingError("the trainer's name is empty")
    people = list(dict.fromkeys(_clean_user(p) for p in participants))
    channel = (channel or "").strip() or None
    if channel is None and not people:
        raise TrainingError("a session is for a channel or a list of participants; give one of them")
    if not questions:
        raise TrainingError("a session needs at least one question")
    now = utc_now()
    row = TrainingSession(
        topic=topic.title,
        trainer=trainer,
        channel=channel,
        difficulty=difficulty.value,
        question_count=len(questions),
        status=SessionStatus.OPEN.value,
        knowledge_version=knowledge_version(session=session),
        topic_id=topic.id,
        seed=seed,
        generator=generator,
        visibility=access.visibility.value,
        groups=list(access.groups),
        created_at=now,
    )
    for position, question in enumerate(questions, start=1):
        row.questions.append(
            TrainingQuestion(
                position=position,
                kind=question.kind.value,
                prompt=question.prompt,
                options=list(question.options),
                correct_option=question.correct_option,
                citation_id=question.citation_id,
                explanation=question.explanation,
            )
        )
    names = display_names or {}
    for user in people:
        row.participants.append(
            TrainingParticipant(user_id=user, display_name=names.get(user), joined_at=now)
        )
    session.add(row)
    session.flush()
    record_event(
        session=session,
        actor=trainer,
        action=ACTION_STARTED,
        subject=subject_of(row.id),
        details={
            "topic": topic.title,
            "topic_id": topic.id,
            "difficulty": difficulty.value,
            "questions": len(questions),
            "seed": seed,
            "generator": generator,
            "visibility": access.visibility.value,
            "groups": list(access.groups),
            "channel": channel,
            "participants": people,
            "citations": [q.citation_id for q in questions],
        },
        at=now,
    )
    return _summary(session, row)


def _session_row(session: Session, session_id: int) -> TrainingSession:
    row = session.get(TrainingSession, session_id)
    if row is None:
        raise SessionNotFoundError(f"no training session {session_id} (see 'govassist train list')")
    return row


def _access(row: TrainingSession) -> SourceAccess:
    try:
        visibility = Visibility(row.visibility)
    except ValueError:  # not a value this code wrote: show less, not more
        visibility = Visibility.RESTRICTED
    return SourceAccess(visibility=visibility, groups=tuple(row.groups or ()))


def _readable_row(session: Session, session_id: int, audience: Audience | None) -> TrainingSession:
    """The session row, if `audience` (None: the default reader) may see its questions; else
    SessionAccessError."""
    row = _session_row(session, session_id)
    require_readable(_access(row), audience or Audience(), what=f"training session {session_id}")
    return row


def _summary(session: Session, row: TrainingSession) -> SessionSummary:
    access = _access(row)
    return SessionSummary(
        id=row.id,
        topic=row.topic,
        topic_id=row.topic_id,
        trainer=row.trainer,
        channel=row.channel,
        difficulty=Difficulty(row.difficulty),
        question_count=row.question_count,
        status=SessionStatus(row.status),
        knowledge_version=row.knowledge_version,
        seed=row.seed,
        generator=row.generator,
        visibility=access.visibility,
        groups=list(access.groups),
        created_at=row.created_at,
        closed_at=row.closed_at,
        participants=scores(session=session, session_id=row.id),
    )


def get_summary(*, session: Session, session_id: int, audience: Audience | None = None) -> SessionSummary:
    """The session's record with every participant's score.

    Raises SessionNotFoundError if unknown, SessionAccessError if `audience` may not see its questions.
    """
    return _summary(session, _readable_row(session, session_id, audience))


def _session_rows(
    session: Session, person: str | None, status: SessionStatus | None
) -> list[TrainingSession]:
    stmt = select(TrainingSession).order_by(TrainingSession.id.desc())
    if status is not None:
        stmt = stmt.where(TrainingSession.status == status.value)
    if person is not None:
        stmt = stmt.join(TrainingParticipant, TrainingParticipant.session_id == TrainingSession.id).where(
            TrainingParticipant.user_id == person
        )
    return list(session.scalars(stmt))


def list_sessions(
    *,
    session: Session,
    person: str | None = None,
    status: SessionStatus | None = None,
    audience: Audience | None = None,
) -> list[SessionSummary]:
    """Sessions `audience` (None: the default reader) may see, newest first; only those `person` took
    part in, or in `status`, when given."""
    reader = audience or Audience()
    return [
        _summary(session, row)
        for row in _session_rows(session, person, status)
        if _access(row).readable_by(reader)
    ]


def add_participants(
    *,
    session: Session,
    session_id: int,
    users: Sequence[str],
    display_names: Mapping[str, str] | None = None,
) -> SessionSummary:
    """Add people to an open session (those already in it are left as they are)."""
    row = _session_row(session, session_id)
    if row.status != SessionStatus.OPEN.value:
        raise SessionClosedError(f"training session {session_id} is closed")
    for user in users:
        _join(session, row, _clean_user(user), (display_names or {}).get(user))
    return _summary(session, row)


def _join(session: Session, row: TrainingSession, user: str, display_name: str | None) -> TrainingParticipant:
    """The participant row for `user`, created if needed (a race with another join is harmless)."""
    stmt = select(TrainingParticipant).where(
        TrainingParticipant.session_id == row.id, TrainingParticipant.user_id == user
    )
    found = session.scalar(stmt)
    if found is not None:
        if display_name and not found.display_name:
            found.display_name = display_name
        return found
    try:
        with session.begin_nested():
            participant = TrainingParticipant(
                session_id=row.id, user_id=user, display_name=display_name, joined_at=utc_now()
            )
            session.add(participant)
    except IntegrityError:
        participant = session.scalars(stmt).one()
    return participant


def _question(session: Session, row: TrainingSession, position: int) -> TrainingQuestion:
    question = session.scalar(
        select(TrainingQuestion).where(
            TrainingQuestion.session_id == row.id, TrainingQuestion.position == position
        )
    )
    if question is None:
        raise AnswerError(
            f"training session {row.id} has no question {position} (questions 1 to {row.question_count})"
        )
    return question


def _view(row: TrainingSession, question: TrainingQuestion) -> QuestionView:
    return QuestionView(
        session_id=row.id,
        question_id=question.id,
        position=question.position,
        total=row.question_count,
        kind=QuestionKind(question.kind),
        prompt=question.prompt,
        options=list(question.options),
    )


def question_view(
    *, session: Session, session_id: int, position: int, audience: Audience | None = None
) -> QuestionView:
    """Question `position` (1-based) as participants see it; SessionAccessError if `audience` may not."""
    row = _readable_row(session, session_id, audience)
    return _view(row, _question(session, row, position))


def next_question(
    *, session: Session, session_id: int, user_id: str, audience: Audience | None = None
) -> QuestionView | None:
    """The first question `user_id` has not answered yet, or None when they answered them all;
    SessionAccessError if `audience` (where and who `user_id` is) may not see the questions."""
    row = _readable_row(session, session_id, audience)
    answered = set(
        session.scalars(
            select(TrainingAnswer.question_id).where(
                TrainingAnswer.session_id == session_id, TrainingAnswer.user_id == user_id.strip()
            )
        )
    )
    for question in row.questions:
        if question.id not in answered:
            return _view(row, question)
    return None


def parse_option(view: QuestionView, raw: str) -> int:
    """The 0-based option a person means by `raw`: '2', 'B', or for true/false also 'true'/'t'/'false'/'f'.

    Raises AnswerError with the valid choices when `raw` names none of the options.
    """
    text = raw.strip().lower()
    count = len(view.options)
    if view.kind is QuestionKind.TRUE_FALSE and text in {"true", "t", "false", "f"}:
        return 0 if text.startswith("t") else 1
    if text.isdigit():
        index = int(text) - 1
    elif len(text) == 1 and text.isalpha():
        index = ord(text) - ord("a")
    else:
        index = -1
    if not 0 <= index < count:
        letters = f"A-{chr(ord('A') + count - 1)}"
        extra = ", true or false" if view.kind is QuestionKind.TRUE_FALSE else ""
        raise AnswerError(
            f"option {raw.strip()!r} is out of range: question {view.position} has options 1-{count} "
            f"({letters}{extra})"
        )
    return index


def record_answer(
    *,
    session: Session,
    session_id: int,
    user_id: str,
    position: int,
    option: int,
    display_name: str | None = None,
    audience: Audience | None = None,
) -> AnswerFeedback:
    """Record `user_id`'s answer (0-based `option`) to question `position` and return the feedback.

    The first answer counts: answering again returns the first answer's feedback with
    `already_answered`. Raises SessionNotFoundError, SessionAccessError (`audience`, where and who
    `user_id` is, may not see the questions), SessionClosedError, or AnswerError (unknown question,
    option out of range, not a participant of a session for named people).
    """
    user = _clean_user(user_id)
    row = _readable_row(session, session_id, audience)
    if row.status != SessionStatus.OPEN.value:
        raise SessionClosedError(f"training session {session_id} is closed: answers are no longer recorded")
    question = _question(session, row, position)
    if not 0 <= option < len(question.options):
        raise AnswerError(
            f"option {option + 1} is out of range: question {position} has options 1-{len(question.options)}"
        )
    if row.channel is None and user not in {p.user_id for p in row.participants}:
        raise AnswerError(f"{user} is not a participant of training session {session_id}")
    participant = _join(session, row, user, display_name)
    already = _answer_of(session, question.id, user)
    if already is None:
        try:
            with session.begin_nested():
                session.add(
                    TrainingAnswer(
                        session_id=row.id,
                        question_id=question.id,
                        user_id=user,
                        chosen_option=option,
                        correct=option == question.correct_option,
                        answered_at=utc_now(),
                    )
                )
        except IntegrityError:
            already = _answer_of(session, question.id, user)  # a concurrent first answer won
    chosen = already.chosen_option if already is not None else option
    answered, correct = _tally(session, row.id, user)
    if answered >= row.question_count and participant.completed_at is None:
        participant.completed_at = utc_now()
        record_event(
            session=session,
            actor=user,
            action=ACTION_COMPLETED,
            subject=subject_of(row.id),
            details={"user": user, "correct": correct, "total": row.question_count},
        )
    return AnswerFeedback(
        session_id=row.id,
        question_id=question.id,
        position=position,
        user_id=user,
        chosen_option=chosen,
        chosen_text=question.options[chosen],
        correct=chosen == question.correct_option,
        correct_option=question.correct_option,
        correct_text=question.options[question.correct_option],
        explanation=question.explanation,
        citation_id=question.citation_id,
        already_answered=already is not None,
        answered=answered,
        correct_so_far=correct,
        total=row.question_count,
        completed=participant.completed_at is not None,
    )


def _answer_of(session: Session, question_id: int, user: str) -> TrainingAnswer | None:
    return session.scalar(
        select(TrainingAnswer).where(
            TrainingAnswer.question_id == question_id, TrainingAnswer.user_id == user
        )
    )


def _tally(session: Session, session_id: int, user: str) -> tuple[int, int]:
    """(answered, correct) for one person in one session."""
    right = func.coalesce(func.sum(case((TrainingAnswer.correct.is_(True), 1), else_=0)), 0)
    answered, correct = session.execute(
        select(func.count(TrainingAnswer.id), right).where(
            TrainingAnswer.session_id == session_id, TrainingAnswer.user_id == user
        )
    ).one()
    return int(answered), int(correct)


def close_session(*, session: Session, session_id: int, actor: str) -> SessionSummary:
    """Close an open session: no more answers. Closing a closed session is an error."""
    row = _session_row(session, session_id)
    if row.status != SessionStatus.OPEN.value:
        raise SessionClosedError(f"training session {session_id} is already closed")
    row.status = SessionStatus.CLOSED.value
    row.closed_at = utc_now()
    summary = _summary(session, row)
    record_event(
        session=session,
        actor=actor,
        action=ACTION_CLOSED,
        subject=subject_of(session_id),
        details={
            "participants": len(summary.participants),
            "completed": sum(1 for p in summary.participants if p.completed),
        },
    )
    return summary


def record_open_question(
    *,
    session: Session,
    session_id: int,
    user_id: str,
    question: str,
    citations: Sequence[str],
    grounded: bool,
) -> None:
    """Log an open question asked during a session (what was asked and what the answer cited)."""
    _session_row(session, session_id)
    record_event(
        session=session,
        actor=_clean_user(user_id),
        action=ACTION_OPEN_QUESTION,
        subject=subject_of(session_id),
        details={"question": question, "citations": list(citations), "grounded": grounded},
    )


def scores(*, session: Session, session_id: int) -> list[ParticipantScore]:
    """Every participant's attendance and score, in the order they joined."""
    row = _session_row(session, session_id)
    out = []
    for participant in sorted(row.participants, key=lambda p: (p.joined_at, p.id)):
        answered, correct = _tally(session, session_id, participant.user_id)
        out.append(
            ParticipantScore(
                user_id=participant.user_id,
                display_name=participant.display_name,
                joined_at=participant.joined_at,
                answered=answered,
                correct=correct,
                total=row.question_count,
                score_percent=round(100.0 * correct / row.question_count, 1) if row.question_count else 0.0,
                completed_at=participant.completed_at,
            )
        )
    return out


def session_report(
    *, session: Session, session_id: int, person: str | None = None, audience: Audience | None = None
) -> SessionReport:
    """A session with its questions (and how they were answered) and each person's answers;
    SessionAccessError if `audience` may not see the questions."""
    row = _readable_row(session, session_id, audience)
    summary = _summary(session, row)
    answers = list(
        session.scalars(
            select(TrainingAnswer).where(TrainingAnswer.session_id == session_id).order_by(TrainingAnswer.id)
        )
    )
    by_question = {q.id: q for q in row.questions}
    questions = [
        QuestionRecord(
            question_id=q.id,
            position=q.position,
            kind=QuestionKind(q.kind),
            prompt=q.prompt,
            options=list(q.options),
            correct_option=q.correct_option,
            citation_id=q.citation_id,
            explanation=q.explanation,
            answers=sum(1 for a in answers if a.question_id == q.id),
            correct_answers=sum(1 for a in answers if a.question_id == q.id and a.correct),
        )
        for q in row.questions
    ]
    people = []
    for score in summary.participants:
        if person is not None and score.user_id != person:
            continue
        mine = sorted(
            (a for a in answers if a.user_id == score.user_id),
            key=lambda a: by_question[a.question_id].position,
        )
        people.append(
            PersonRecord(
                score=score,
                answers=[
                    PersonAnswer(
                        position=by_question[a.question_id].position,
                        prompt=by_question[a.question_id].prompt,
                        chosen_text=by_question[a.question_id].options[a.chosen_option],
                        correct_text=by_question[a.question_id].options[
                            by_question[a.question_id].correct_option
                        ],
                        correct=a.correct,
                        citation_id=by_question[a.question_id].citation_id,
                        answered_at=a.answered_at,
                    )
                    for a in mine
                ],
            )
        )
    return SessionReport(session=summary, questions=questions, people=people)


def build_report(
    *,
    session: Session,
    session_id: int | None = None,
    person: str | None = None,
    now: datetime | None = None,
    audience: Audience | None = None,
) -> TrainingReport:
    """The report `train report` exports: one session, one person's sessions, or every session.

    Only sessions `audience` (None: the default reader) may see are included: asking for one it may
    not see raises SessionAccessError; otherwise the others are left out and counted in `withheld`.
    """
    withheld = 0
    if session_id is not None:
        ids = [_readable_row(session, session_id, audience).id]
    else:
        reader = audience or Audience()
        rows = _session_rows(session, person, None)
        ids = [row.id for row in reversed(rows) if _access(row).readable_by(reader)]
        withheld = len(rows) - len(ids)
    reports = [
        session_report(session=session, session_id=sid, person=person, audience=audience) for sid in ids
    ]
    if person is not None:
        reports = [r for r in reports if r.people]
    return TrainingReport(generated_at=now or utc_now(), person=person, sessions=reports, withheld=withheld)
