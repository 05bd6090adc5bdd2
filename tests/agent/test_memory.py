"""Thread memory on SQLite and PostgreSQL: turns and state survive a new agent (another process, a
restart), long threads are summarised deterministically, and the state keeps a profile's declared fields."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.agent.memory import (
    PendingTriage,
    ThreadState,
    append_turn,
    check_thread_id,
    history,
    load_thread,
    save_state,
    summarise,
    summary_line,
)
from core.config import Settings
from core.db import Database
from tests.agent.offline import CV_RANKER, answer_until_done, open_agent, pending_field, user
from tools.triage.schemas import SystemProfile


@pytest.fixture
def db(database_url: str, tmp_path: Path) -> Iterator[Database]:
    database = Database.open(Settings(home=tmp_path / "home", database_url=database_url))
    yield database
    database.close()


def test_a_thread_continues_in_a_new_agent(make_settings, database_url: str) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(load_builtin_knowledge=True, database_url=database_url)
    ana = user("ana")
    first = open_agent(settings)
    try:
        first.respond(
            thread_id="t-restart", message="What must providers of high-risk AI systems do?", user=ana
        )
        start = first.respond(thread_id="t-restart", message=CV_RANKER, user=ana)
        asked = start.pending_question
        field = pending_field(start)
    finally:
        first.close()

    second = open_agent(settings)
    try:
        # The pending triage question survived: a plain answer continues it.
        reply = second.respond(thread_id="t-restart", message="no", user=ana)
        assert reply.intent == "triage_answer" and reply.pending_question != asked
        assert reply.triage is None or field not in {m.field for m in reply.triage.missing_information}
        done = answer_until_done(second, "t-restart", ana, reply)[-1]
        assert done.triage is not None and done.triage.status == "complete"
        # And so did the topic: a follow-up still resolves against the first question.
        follow = second.respond(thread_id="t-restart", message="and for deployers?", user=ana)
        assert follow.question == "What must deployers of high-risk AI systems do?"
        turns = second.history("t-restart")
        assert [t.role for t in turns[:2]] == ["user", "assistant"]
        assert turns[0].content == "What must providers of high-risk AI systems do?"
        assert turns[-1].payload["question"] == follow.question
    finally:
        second.close()


def test_state_keeps_only_declared_profile_fields(db: Database) -> None:
    profile = SystemProfile(name="Bot", description="A chatbot", use_cases=["customer_chatbot"])
    state = ThreadState(
        triage=PendingTriage(profile=profile, open_field="profiling", open_question="Does it profile?"),
        topic="What is Article 50?",
        last_system="bot",
    )
    with db.session() as session:
        load_thread(session=session, thread_id="t-state", user_id="ana")
        save_state(session=session, thread_id="t-state", state=state)
    with db.session() as session:
        loaded = load_thread(session=session, thread_id="t-state", user_id="someone-else")
    assert loaded.user_id == "ana"  # the thread keeps who started it
    assert loaded.state == state
    assert loaded.state.triage is not None and loaded.state.triage.profile is not None
    # Triage tells declared from unknown by the fields set: defaults must not become declarations.
    assert loaded.state.triage.profile.model_fields_set == {"name", "description", "use_cases"}


def test_long_threads_are_summarised_deterministically(db: Database) -> None:
    def fill(thread_id: str) -> None:
        with db.session() as session:
            load_thread(session=session, thread_id=thread_id, user_id="ana")
            for n in range(6):
                append_turn(
                    session=session, thread_id=thread_id, role="user", content=f"Question {n}?", user_id="ana"
                )
                append_turn(
                    session=session,
                    thread_id=thread_id,
                    role="assistant",
                    content=f"Answer {n}.\nSources: ...",
                    payload={"intent": "ask", "citations": [{"id": f"eu-ai-act:art-{n}"}]},
                )

    fill("t-long")
    fill("t-long-copy")
    with db.session() as session:
        assert not summarise(session=session, thread_id="t-long", after=12, keep_recent=4)  # 12 is not > 12
        assert summarise(session=session, thread_id="t-long", after=10, keep_recent=4)
        assert summarise(session=session, thread_id="t-long-copy", after=10, keep_recent=4)
    with db.session() as session:
        memory = load_thread(session=session, thread_id="t-long", user_id="ana")
        copy = load_thread(session=session, thread_id="t-long-copy", user_id="ana")
        everything = history(session=session, thread_id="t-long")
    assert memory.summary == copy.summary  # the same turns give the same summary
    assert memory.summary is not None
    lines = memory.summary.splitlines()
    assert lines[0] == "Earlier in this thread:"
    assert lines[1:] == [
        "- user ana: Question 0?",
        "- govassist (ask): Answer 0.; cites eu-ai-act:art-0",
        "- user ana: Question 1?",
        "- govassist (ask): Answer 1.; cites eu-ai-act:art-1",
        "- user ana: Question 2?",
        "- govassist (ask): Answer 2.; cites eu-ai-act:art-2",
        "- user ana: Question 3?",
        "- govassist (ask): Answer 3.; cites eu-ai-act:art-3",
    ]
    assert [t.content for t in memory.recent] == [
        "Question 4?",
        "Answer 4.\nSources: ...",
        "Question 5?",
        "Answer 5.\nSources: ...",
    ]
    assert memory.summarised_through == everything[7].id
    assert len(everything) == 12  # summarising keeps every message


def test_the_agent_summarises_a_long_thread(tmp_path: Path) -> None:
    from tests.agent.offline import packed_settings

    agent = open_agent(packed_settings(tmp_path))
    try:
        ana = user("ana")
        for _ in range(13):  # 26 messages: more than the 24 a thread keeps unsummarised
            agent.respond(thread_id="t-chatty", message="help", user=ana)
        with agent.assistant.index.db.session() as session:
            memory = load_thread(session=session, thread_id="t-chatty", user_id="ana")
        assert memory.summary is not None and memory.summary.count("- user ana: help") == 9
        assert len(memory.recent) == 8
        assert len(agent.history("t-chatty")) == 26
    finally:
        agent.close()


def test_summary_lines_name_the_triage_decision() -> None:
    from datetime import UTC, datetime

    from assistant.agent.memory import Turn

    turn = Turn(
        id=1,
        role="assistant",
        user_id=None,
        content="CV Ranker (cv-ranker): EU AI Act tier high.\nWhy: ...",
        payload={
            "intent": "triage_answer",
            "triage": {"system": {"name": "CV Ranker"}, "eu_ai_act": {"tier": "high"}, "status": "complete"},
            "citations": [{"id": "eu-ai-act:annex-iii-4-a"}],
        },
        created_at=datetime.now(UTC),
    )
    assert summary_line(turn) == (
        "- govassist (triage_answer): CV Ranker (cv-ranker): EU AI Act tier high.; "
        "CV Ranker: EU tier high, status complete; cites eu-ai-act:annex-iii-4-a"
    )


def test_thread_ids_are_checked(db: Database) -> None:
    with pytest.raises(ValueError, match="thread id: empty"):
        check_thread_id("  ")
    with pytest.raises(ValueError, match="longer than 200"):
        check_thread_id("x" * 201)
    with db.session() as session:
        load_thread(session=session, thread_id="t-twice", user_id="ana")
        load_thread(session=session, thread_id="t-twice", user_id="ana")  # no duplicate, no error
        assert history(session=session, thread_id="t-twice") == []
