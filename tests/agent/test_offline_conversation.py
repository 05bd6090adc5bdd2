"""The offline agent end to end over multi-turn threads: follow-ups resolve against the thread, a triage
asks its questions one at a time and takes plain-word answers, the reviews are filed, tasks and systems
listed, past reviews found, and every turn lands in the audit log."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.agent.agent import Agent
from assistant.agent.dialogues.inventory import mentioned_system
from tests.agent.offline import CV_RANKER, answer_until_done, open_agent, packed_settings, pending_field, user
from tools import audit, inventory, tasks
from tools.tasks import TaskStatus
from tools.triage.schemas import EuTier


@pytest.fixture
def agent(make_settings, database_url: str) -> Iterator[Agent]:  # type: ignore[no-untyped-def]
    opened = open_agent(make_settings(load_builtin_knowledge=True, database_url=database_url))
    yield opened
    opened.close()


@pytest.fixture
def sqlite_agent(tmp_path: Path) -> Iterator[Agent]:
    opened = open_agent(packed_settings(tmp_path))
    yield opened
    opened.close()


def test_follow_ups_resolve_against_the_thread(sqlite_agent: Agent) -> None:
    ana = user("ana")
    first = sqlite_agent.respond(
        thread_id="t-follow", message="What must providers of high-risk AI systems do?", user=ana
    )
    assert first.intent == "ask" and first.grounded and first.citations

    second = sqlite_agent.respond(thread_id="t-follow", message="and for deployers?", user=ana)
    assert second.intent == "ask"
    assert second.question == "What must deployers of high-risk AI systems do?"
    # The deployer obligations of the AI Act are Article 26.
    assert any(c.id.startswith("eu-ai-act:art-26") for c in second.citations), second.citations
    assert second.tool_calls[0].name == "answer_question"
    assert second.tool_calls[0].arguments["question"] == second.question

    third = sqlite_agent.respond(thread_id="t-follow", message="what about importers?", user=ana)
    assert third.question == "What must importers of high-risk AI systems do?"

    # The same words in a thread without a previous question are not a follow-up.
    fresh = sqlite_agent.respond(thread_id="t-other", message="and for deployers?", user=ana)
    assert fresh.question == "and for deployers?"


def test_a_follow_up_asking_its_own_question_is_answered_as_asked(sqlite_agent: Agent) -> None:
    ana = user("ana")
    sqlite_agent.respond(
        thread_id="t-ban",
        message="Is emotion recognition of employees at work prohibited under the AI Act?",
        user=ana,
    )
    fine = sqlite_agent.respond(
        thread_id="t-ban", message="And what is the fine if we break that ban?", user=ana
    )
    # The new question leads, the earlier one says what "that ban" is; it had been the earlier yes/no
    # question again ("... prohibited under the AI Act, regarding what is the fine ...") and got "Yes."
    assert fine.intent == "ask" and fine.tool_calls[0].arguments["question"] == fine.question
    assert fine.question == (
        "What is the fine if we break that ban? (Is emotion recognition of employees at work prohibited "
        "under the AI Act)"
    )
    assert not fine.answer.startswith(("Yes", "No"))
    # A third turn refers to the second, whose own brackets are not carried along.
    third = sqlite_agent.respond(thread_id="t-ban", message="Who enforces that fine?", user=ana)
    assert third.question == "Who enforces that fine? (What is the fine if we break that ban)"


def test_a_follow_up_after_past_reviews_refers_to_them(sqlite_agent: Agent) -> None:
    ana = user("ana")
    first = sqlite_agent.respond(
        thread_id="t-rev", message="What did we decide about the Nora customer-service chatbot?", user=ana
    )
    assert first.intent == "past_reviews"
    second = sqlite_agent.respond(
        thread_id="t-rev", message="What conditions came with that approval?", user=ana
    )
    assert second.intent == "ask" and second.tool_calls[0].arguments["question"] == second.question
    assert second.question == (
        "What conditions came with that approval? "
        "(What did we decide about the Nora customer-service chatbot)"
    )


def test_triage_over_several_turns_then_file_list_and_look_back(agent: Agent) -> None:
    ana = user("ana")
    start = agent.respond(thread_id="t-triage", message=CV_RANKER, user=ana)
    assert start.intent == "triage"
    assert start.pending_question is not None and "Question 1:" in start.answer
    assert start.triage is not None and start.triage.status == "needs_information"
    assert "CV Ranker" in start.answer

    replies = answer_until_done(agent, "t-triage", ana, start)
    asked = [r.pending_question for r in replies if r.pending_question]
    assert len(asked) == len(set(asked)), "a question was asked twice"
    for number, reply in enumerate(replies[:-1], start=1):
        # One question per turn, numbered.
        assert f"Question {number}:" in reply.answer and reply.answer.count("Question ") == 1

    done = replies[-1]
    assert done.intent == "triage_answer" and done.pending_question is None
    assert done.triage is not None and done.triage.status == "complete"
    assert done.triage.eu_ai_act.tier == EuTier.HIGH.value
    ids = [c.id for c in done.citations]
    assert "eu-ai-act:annex-iii-4-a" in ids  # recruitment, Annex III point 4(a)
    assert "EU AI Act tier high" in done.answer
    assert "from 2027-12-02" in done.answer  # obligations carry the dates they apply from
    first_ref = done.answer.index("[1]")
    assert "Sources:" in done.answer[first_ref:] and "Knowledge as of" in done.answer
    system_id = done.triage.system.id
    assert system_id == "cv-ranker"
    with agent.assistant.index.db.session() as session:
        history = inventory.assessment_history(session=session, system_id=system_id)
    assert [a.version for a in history] == [1], "only the finished triage is recorded"

    filed = agent.respond(thread_id="t-triage", message="Great, please file the reviews", user=ana)
    assert filed.intent == "file_tasks" and filed.tool_calls[0].arguments == {"system": "cv-ranker"}
    required = [r.name for r in done.triage.required_reviews]
    assert len(required) >= 1
    for name in required:
        assert name in filed.answer
    again = agent.respond(thread_id="t-triage", message="file the reviews", user=ana)
    assert "already filed" in again.answer
    with agent.assistant.index.db.session() as session:
        open_tasks = tasks.list_tasks(session=session, filters=tasks.TaskFilters(system="cv-ranker"))
    assert len(open_tasks) == len(required)

    listed = agent.respond(thread_id="t-triage", message="Which tasks are open?", user=ana)
    assert listed.intent == "list_tasks" and listed.tool_calls[0].arguments["open_only"] is True
    assert all(f"#{t.id} " in listed.answer for t in open_tasks)

    systems = agent.respond(thread_id="t-triage", message="list systems", user=ana)
    assert "CV Ranker (cv-ranker): EU tier high" in systems.answer

    # A reviewer decides one review outside the conversation; the thread can ask what happened.
    decided = open_tasks[0]
    tasks.change_task_status(
        agent.assistant.index.db, task_id=decided.id, actor="lee", status=TaskStatus.IN_REVIEW
    )
    tasks.change_task_status(
        agent.assistant.index.db,
        task_id=decided.id,
        actor="lee",
        status=TaskStatus.APPROVED,
        note="Bias audit plan agreed",
        index=agent.assistant.index,
    )
    past = agent.respond(
        thread_id="t-triage", message="What happened to the reviews of the CV ranker?", user=ana
    )
    assert past.intent == "past_reviews"
    assert past.tool_calls[0].arguments["system"] == "cv-ranker"
    assert f"{decided.title}: approved on" in past.answer and "Bias audit plan agreed" in past.answer
    # The decided review is indexed as a past review: it is found and cited too.
    assert any(c.id.startswith("reviews:cv-ranker-v1-") for c in past.citations), past.citations


def test_plain_place_answer_settles_the_scope(sqlite_agent: Agent) -> None:
    bob = user("bob")
    start = sqlite_agent.respond(
        thread_id="t-scope",
        message="triage a new feature called US Ranker: a tool that ranks job applicants' CVs for "
        "recruiters. It is offered only in the US, by our European team.",
        user=bob,
    )

    def answer(field: str) -> str:
        return "only in the US" if field == "in_eu_scope" else "no"

    replies = answer_until_done(sqlite_agent, "t-scope", bob, start, answer)
    assert any(r.pending_question and "EU market" in r.pending_question for r in replies)
    final = replies[-1].triage
    assert final is not None
    assert final.eu_ai_act.tier == EuTier.OUT_OF_SCOPE.value


def test_not_sure_is_not_asked_again_and_stays_open(sqlite_agent: Agent) -> None:
    ana = user("ana")
    start = sqlite_agent.respond(thread_id="t-unsure", message=CV_RANKER, user=ana)
    unsure_field = pending_field(start)
    replies = answer_until_done(
        sqlite_agent, "t-unsure", ana, start, lambda f: "not sure" if f == unsure_field else "no"
    )
    final = replies[-1]
    assert final.triage is not None and final.triage.status == "needs_information"
    assert final.triage.assessment_version == 1  # recorded as it stands, the unknown kept open
    assert "(you were not sure)" in final.answer
    assert sum(1 for r in replies if r.pending_question == start.pending_question) == 1


def test_unreadable_answer_asks_the_same_question_again(sqlite_agent: Agent) -> None:
    ana = user("ana")
    start = sqlite_agent.respond(thread_id="t-retry", message=CV_RANKER, user=ana)
    retry = sqlite_agent.respond(thread_id="t-retry", message="purple elephants", user=ana)
    assert retry.intent == "triage_answer"
    assert retry.pending_question == start.pending_question
    assert retry.answer.startswith("I couldn't use that answer:")
    assert retry.tool_calls[0].ok is False and retry.tool_calls[0].error
    assert "could not understand 'purple elephants'" in retry.answer


def test_a_question_in_the_middle_keeps_the_triage_waiting(sqlite_agent: Agent) -> None:
    ana = user("ana")
    start = sqlite_agent.respond(thread_id="t-aside", message=CV_RANKER, user=ana)
    aside = sqlite_agent.respond(
        thread_id="t-aside", message="What must deployers of high-risk AI systems do?", user=ana
    )
    assert aside.intent == "ask" and aside.grounded
    assert aside.pending_question == start.pending_question
    assert "is waiting for your answer" in aside.answer
    after = sqlite_agent.respond(thread_id="t-aside", message="no", user=ana)
    assert after.intent == "triage_answer"


def test_cancel_rename_and_a_triage_without_description(sqlite_agent: Agent) -> None:
    ana = user("ana")
    ask_for_it = sqlite_agent.respond(thread_id="t-name", message="I'd like to triage a new system", user=ana)
    assert ask_for_it.intent == "triage" and ask_for_it.pending_question
    described = sqlite_agent.respond(
        thread_id="t-name",
        message="A chatbot that answers customers' questions about their insurance claims.",
        user=ana,
    )
    assert described.intent == "triage" and described.tool_calls[0].name == "triage_system"
    renamed = sqlite_agent.respond(thread_id="t-name", message="call it Claims Buddy", user=ana)
    assert renamed.intent == "rename" and "Claims Buddy" in renamed.answer
    cancelled = sqlite_agent.respond(thread_id="t-name", message="cancel", user=ana)
    assert cancelled.intent == "cancel" and "Claims Buddy" in cancelled.answer
    assert cancelled.pending_question is None
    with sqlite_agent.assistant.index.db.session() as session:
        assert inventory.list_systems(session=session) == []  # nothing was recorded
    nothing = sqlite_agent.respond(thread_id="t-name", message="cancel", user=ana)
    assert "no triage in progress" in nothing.answer


def test_filing_needs_a_system(sqlite_agent: Agent) -> None:
    reply = sqlite_agent.respond(thread_id="t-none", message="file the reviews", user=user("ana"))
    assert reply.intent == "file_tasks" and not reply.tool_calls
    assert "Which system" in reply.answer


def test_every_turn_is_audited(agent: Agent) -> None:
    ana = user("ana", "legal")
    agent.respond(thread_id="t-audit", message="What must deployers of high-risk AI systems do?", user=ana)
    start = agent.respond(thread_id="t-audit", message=CV_RANKER, user=ana)
    replies = answer_until_done(agent, "t-audit", ana, start)
    out = io.StringIO()
    with agent.assistant.index.db.session() as session:
        audit.export_jsonl(session=session, out=out)
    events = [json.loads(line) for line in out.getvalue().splitlines()]
    turns = [e for e in events if e["action"] == "agent.turn"]
    assert len(turns) == 2 + len(replies) - 1
    first = turns[0]
    assert first["subject"] == "thread:t-audit" and first["actor"] == "ana"
    details = first["details"]
    assert details["message"] == "What must deployers of high-risk AI systems do?"
    assert details["groups"] == ["legal"] and details["intent"] == "ask"
    assert details["tool_calls"][0]["name"] == "answer_question"
    assert details["tool_calls"][0]["arguments"]["question"] == details["message"]
    assert details["citations"] and details["model"] is None and details["mode"] == "offline"
    assert first["knowledge_version"].startswith("revision ")
    last = turns[-1]["details"]
    assert last["decisions"]["eu_tier"] == "high" and last["decisions"]["recorded"] is True
    # The inventory's own events sit beside the turns: the assessment the last turn recorded.
    assert any(e["action"] == "assessment.recorded" and e["subject"] == "system:cv-ranker" for e in events)


def test_mentioned_system_by_name_words() -> None:
    from datetime import UTC, datetime

    from tools.inventory import SystemPublic

    now = datetime.now(UTC)

    def system(sid: str, name: str) -> SystemPublic:
        return SystemPublic(id=sid, name=name, description="", owner=None, created_at=now, updated_at=now)

    systems = [system("cv-screening-assistant", "CV screening assistant"), system("nora", "Nora claims bot")]
    assert mentioned_system("what happened to the CV screener?", systems) == systems[0]
    assert mentioned_system("tasks for nora", systems) == systems[1]
    assert mentioned_system("list the tasks", systems) is None


def test_replies_are_stored_with_the_thread(sqlite_agent: Agent, tmp_path: Path) -> None:
    ana = user("ana")
    reply = sqlite_agent.respond(thread_id="t-store", message="help", user=ana)
    turns = sqlite_agent.history("t-store")
    assert [t.role for t in turns] == ["user", "assistant"]
    assert turns[0].content == "help" and turns[0].user_id == "ana"
    assert turns[1].payload["intent"] == "help" and turns[1].content == reply.answer
