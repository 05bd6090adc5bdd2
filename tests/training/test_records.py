"""Training records on SQLite and PostgreSQL: sessions, participants, first answers, scores, completion,
closing, the audit trail, and the CSV and HTML exports read back."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import select

from core.config import Settings
from core.db import Database
from core.models import TrainingAnswer, TrainingSession
from knowledge.access import Audience, Visibility
from tests.training import full_material
from tools.audit import list_events
from tools.training import sessions
from tools.training.access import PUBLIC, SourceAccess
from tools.training.errors import (
    AnswerError,
    SessionAccessError,
    SessionClosedError,
    SessionNotFoundError,
    TrainingError,
)
from tools.training.questions import generate_questions
from tools.training.report import CSV_COLUMNS, render_csv, render_html
from tools.training.schemas import (
    AnswerFeedback,
    Difficulty,
    GeneratedQuestion,
    QuestionKind,
    QuestionView,
    SessionStatus,
)
from tools.training.topics import find_topic

TOPIC = find_topic("GDPR basics")


@pytest.fixture(scope="module")
def questions() -> list[GeneratedQuestion]:
    return generate_questions(TOPIC, full_material(), count=4, difficulty=Difficulty.MEDIUM, seed=11)


@pytest.fixture
def db(make_settings: Callable[..., Settings], database_url: str) -> Iterator[Database]:
    database = Database.open(make_settings(database_url=database_url))
    try:
        yield database
    finally:
        database.close()


def _start(db: Database, questions: list[GeneratedQuestion], **kwargs: object) -> int:
    options: dict[str, object] = {"participants": ["ana", "ben"], "access": PUBLIC, "seed": 11, **kwargs}
    with db.session() as session:
        summary = sessions.create_session(
            session=session,
            topic=TOPIC,
            trainer="Priya",
            difficulty=Difficulty.MEDIUM,
            questions=questions,
            display_names={"ana": "Ana Lima"},
            **options,  # type: ignore[arg-type]
        )
    return summary.id


def _answer(db: Database, session_id: int, user: str, position: int, option: int) -> AnswerFeedback:
    with db.session() as session:
        return sessions.record_answer(
            session=session, session_id=session_id, user_id=user, position=position, option=option
        )


def test_a_session_records_answers_scores_and_completion(
    db: Database, questions: list[GeneratedQuestion]
) -> None:
    session_id = _start(db, questions)
    with db.session() as session:
        summary = sessions.get_summary(session=session, session_id=session_id)
    assert (summary.topic, summary.trainer, summary.seed, summary.status) == (
        "GDPR basics",
        "Priya",
        11,
        SessionStatus.OPEN,
    )
    assert summary.knowledge_version and summary.generator == "offline" and summary.topic_id == "gdpr-basics"
    assert summary.visibility is Visibility.PUBLIC and summary.groups == []
    with db.session() as session:
        row = session.get_one(TrainingSession, session_id)
        # Stored in the session's own columns, not only in the audit log.
        assert (row.topic_id, row.seed, row.generator, row.visibility, row.groups) == (
            "gdpr-basics",
            11,
            "offline",
            "public",
            [],
        )
    assert [(p.user_id, p.display_name) for p in summary.participants] == [("ana", "Ana Lima"), ("ben", None)]

    # Ana answers everything right; Ben answers the first question wrong and stops.
    for position, question in enumerate(questions, start=1):
        feedback = _answer(db, session_id, "ana", position, question.correct_option)
        assert feedback.correct and feedback.correct_text == question.options[question.correct_option]
        assert feedback.citation_id == question.citation_id and feedback.explanation == question.explanation
    assert feedback.completed and feedback.answered == feedback.total == len(questions)
    wrong = (questions[0].correct_option + 1) % len(questions[0].options)
    ben = _answer(db, session_id, "ben", 1, wrong)
    assert not ben.correct and ben.correct_option == questions[0].correct_option and not ben.completed

    with db.session() as session:
        scores = {s.user_id: s for s in sessions.scores(session=session, session_id=session_id)}
        events = list_events(session=session, subject=sessions.subject_of(session_id))
    assert (scores["ana"].correct, scores["ana"].score_percent, scores["ana"].completed) == (4, 100.0, True)
    assert (scores["ben"].answered, scores["ben"].correct, scores["ben"].completed) == (1, 0, False)
    assert [e.action for e in events] == [sessions.ACTION_STARTED, sessions.ACTION_COMPLETED]
    assert events[0].details["seed"] == 11 and events[0].details["citations"] == [
        q.citation_id for q in questions
    ]


def test_the_first_answer_counts(db: Database, questions: list[GeneratedQuestion]) -> None:
    session_id = _start(db, questions)
    right = questions[0].correct_option
    first = _answer(db, session_id, "ana", 1, right)
    again = _answer(db, session_id, "ana", 1, (right + 1) % len(questions[0].options))
    assert first.correct and not first.already_answered
    assert again.already_answered and again.correct and again.chosen_option == right
    with db.session() as session:
        rows = session.scalars(select(TrainingAnswer).where(TrainingAnswer.session_id == session_id)).all()
    assert len(rows) == 1


def test_a_racing_second_answer_hits_the_unique_constraint_and_the_first_stands(
    db: Database, questions: list[GeneratedQuestion], monkeypatch: pytest.MonkeyPatch
) -> None:
    session_id = _start(db, questions)
    right = questions[0].correct_option
    _answer(db, session_id, "ben", 1, right)
    # The second request looked before the first one committed: it saw no answer and inserts anyway.
    real = sessions._answer_of
    looks: list[bool] = []

    def stale_first_look(*args: object) -> TrainingAnswer | None:
        looks.append(True)
        return None if len(looks) == 1 else real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(sessions, "_answer_of", stale_first_look)
    raced = _answer(db, session_id, "ben", 1, (right + 1) % len(questions[0].options))
    assert len(looks) == 2  # it tried to insert, hit the constraint, then read the first answer
    assert raced.already_answered and raced.chosen_option == right and raced.correct


def test_closed_sessions_and_bad_answers_are_refused(
    db: Database, questions: list[GeneratedQuestion]
) -> None:
    session_id = _start(db, questions)
    with pytest.raises(AnswerError, match="out of range"):
        _answer(db, session_id, "ana", 1, 9)
    with pytest.raises(AnswerError, match="has no question 99"):
        _answer(db, session_id, "ana", 99, 0)
    with pytest.raises(AnswerError, match="carla is not a participant"):
        _answer(db, session_id, "carla", 1, 0)
    with pytest.raises(SessionNotFoundError, match="no training session 424242"):
        _answer(db, 424242, "ana", 1, 0)
    with db.session() as session:
        closed = sessions.close_session(session=session, session_id=session_id, actor="Priya")
    assert closed.status is SessionStatus.CLOSED and closed.closed_at is not None
    with pytest.raises(SessionClosedError, match="is closed"):
        _answer(db, session_id, "ana", 1, 0)
    with db.session() as session, pytest.raises(SessionClosedError, match="already closed"):
        sessions.close_session(session=session, session_id=session_id, actor="Priya")
    with db.session() as session, pytest.raises(TrainingError, match="channel or a list"):
        sessions.create_session(
            session=session,
            topic=TOPIC,
            trainer="P",
            difficulty=Difficulty.EASY,
            questions=questions,
            seed=1,
            access=PUBLIC,
        )


def test_channel_sessions_let_anyone_join_by_answering(
    db: Database, questions: list[GeneratedQuestion]
) -> None:
    session_id = _start(db, questions, participants=[], channel="C-onboarding")
    feedback = _answer(db, session_id, "dora", 2, questions[1].correct_option)
    assert feedback.correct
    with db.session() as session:
        summary = sessions.get_summary(session=session, session_id=session_id)
        view = sessions.next_question(session=session, session_id=session_id, user_id="dora")
        listed = sessions.list_sessions(session=session, person="dora")
    assert summary.channel == "C-onboarding" and [p.user_id for p in summary.participants] == ["dora"]
    assert view is not None and view.position == 1  # the first one she has not answered
    assert [s.id for s in listed] == [session_id]


def test_options_people_type_are_understood() -> None:
    multiple = QuestionView(
        session_id=1,
        question_id=1,
        position=1,
        total=1,
        kind=QuestionKind.MULTIPLE_CHOICE,
        prompt="?",
        options=["a", "b", "c"],
    )
    binary = multiple.model_copy(update={"kind": QuestionKind.TRUE_FALSE, "options": ["True", "False"]})
    assert [sessions.parse_option(multiple, raw) for raw in ("1", "B", " c ")] == [0, 1, 2]
    assert [sessions.parse_option(binary, raw) for raw in ("true", "F", "2", "a")] == [0, 1, 1, 0]
    for raw in ("4", "D", "0", "maybe", ""):
        with pytest.raises(AnswerError, match="out of range: question 1 has options 1-3"):
            sessions.parse_option(multiple, raw)


def test_csv_and_html_exports(db: Database, questions: list[GeneratedQuestion]) -> None:
    session_id = _start(db, questions)
    for position, question in enumerate(questions, start=1):
        _answer(db, session_id, "ana", position, question.correct_option)
    _answer(db, session_id, "ben", 1, (questions[0].correct_option + 1) % len(questions[0].options))
    other = _start(db, questions, participants=["carla"])
    with db.session() as session:
        everything = sessions.build_report(session=session)
        one = sessions.build_report(session=session, session_id=session_id)
        ana = sessions.build_report(session=session, person="ana")
        with pytest.raises(SessionNotFoundError):
            sessions.build_report(session=session, session_id=987654)

    rows = list(csv.DictReader(io.StringIO(render_csv(everything))))
    assert tuple(rows[0]) == CSV_COLUMNS
    mine = {(r["session_id"], r["user_id"]): r for r in rows}
    assert mine[(str(session_id), "ana")]["score_percent"] == "100.0"
    assert mine[(str(session_id), "ana")]["completed"] == "yes"
    assert (
        mine[(str(session_id), "ben")]["answered"] == "1" and mine[(str(session_id), "ben")]["correct"] == "0"
    )
    assert mine[(str(other), "carla")]["answered"] == "0" and mine[(str(other), "carla")]["seed"] == "11"
    assert {r["topic"] for r in rows} == {"GDPR basics"}
    assert {r["trainer"] for r in rows} == {"Priya"}

    html = render_html(one)
    assert "Article 4" in html and "AI literacy" in html and "@media print" in html
    assert html.count('<section class="session"') == 1
    assert "Ana Lima" in html and "ben" in html and "Priya" in html and "GDPR basics" in html
    for question in questions:
        assert question.citation_id in html
    assert re.search(r"<td>Ana Lima \(ana\)</td><td>[^<]+</td><td>4/4</td><td>4</td><td>100\.0%</td>", html)
    assert one.sessions[0].session.knowledge_version in html  # type: ignore[operator]

    person = render_html(ana)
    assert "Training record of ana" in person and f"Session {session_id}" in person
    assert "carla" not in person
    person_rows = list(csv.DictReader(io.StringIO(render_csv(ana))))
    assert {r["user_id"] for r in person_rows} == {"ana"}


def test_a_restricted_session_is_shown_and_answered_only_for_its_readers(
    db: Database, questions: list[GeneratedQuestion]
) -> None:
    access = SourceAccess(visibility=Visibility.RESTRICTED, groups=("legal",))
    session_id = _start(db, questions, participants=[], channel="C-legal", access=access)
    lena = Audience(groups=frozenset({"legal"}))
    outsiders = [
        Audience(),
        Audience(groups=frozenset({"hr"})),
        Audience(groups=frozenset({"legal"}), public_only=True),
    ]
    with db.session() as session:
        summary = sessions.get_summary(session=session, session_id=session_id, audience=lena)
        assert (summary.visibility, summary.groups) == (Visibility.RESTRICTED, ["legal"])
        view = sessions.question_view(session=session, session_id=session_id, position=1, audience=lena)
    assert view.position == 1
    assert _answer_as(db, session_id, "lena", lena).citation_id == questions[0].citation_id
    for reader in outsiders:
        with db.session() as session:
            common: dict[str, Any] = {"session": session, "session_id": session_id, "audience": reader}
            calls: list[tuple[Callable[..., object], dict[str, Any]]] = [
                (sessions.get_summary, {}),
                (sessions.question_view, {"position": 1}),
                (sessions.next_question, {"user_id": "x"}),
                (sessions.build_report, {}),
            ]
            for call, extra in calls:
                with pytest.raises(SessionAccessError) as caught:
                    call(**common, **extra)
                assert "\n" not in str(caught.value) and "legal" not in str(caught.value)
            # Listing and the all-sessions report leave it out and say how many were left out.
            assert session_id not in {s.id for s in sessions.list_sessions(session=session, audience=reader)}
            report = sessions.build_report(session=session, audience=reader)
            assert session_id not in {r.session.id for r in report.sessions} and report.withheld >= 1
        with pytest.raises(
            SessionAccessError, match="public channel" if reader.public_only else "may not read"
        ):
            _answer_as(db, session_id, "otto", reader)
    with db.session() as session:
        answers = session.scalars(
            select(TrainingAnswer.user_id).where(TrainingAnswer.session_id == session_id)
        )
        assert list(answers) == ["lena"]  # the refused answers left no trace
        assert "visibility" in render_csv(sessions.build_report(session=session, audience=lena))


def test_an_internal_session_is_refused_in_public_channels(
    db: Database, questions: list[GeneratedQuestion]
) -> None:
    session_id = _start(db, questions, access=SourceAccess(visibility=Visibility.INTERNAL))
    with db.session() as session:
        assert sessions.next_question(session=session, session_id=session_id, user_id="ana") is not None
        with pytest.raises(
            SessionAccessError, match="internal documents and cannot be used in a public channel"
        ):
            sessions.next_question(
                session=session, session_id=session_id, user_id="ana", audience=Audience(public_only=True)
            )
    assert _answer_as(db, session_id, "ana", Audience(groups=frozenset({"hr"}))).position == 1


def test_seeds_must_fit_the_column(db: Database, questions: list[GeneratedQuestion]) -> None:
    with pytest.raises(TrainingError, match="seed must be between"):
        _start(db, questions, seed=2**40)
    assert _start(db, questions, seed=2**31 - 1) > 0


def _answer_as(db: Database, session_id: int, user: str, reader: Audience) -> AnswerFeedback:
    with db.session() as session:
        return sessions.record_answer(
            session=session, session_id=session_id, user_id=user, position=1, option=0, audience=reader
        )
