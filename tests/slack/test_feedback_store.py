"""assistant.feedback and assistant.reviews on SQLite and PostgreSQL: feedback, escalations, approved
answers indexed as knowledge, posted-message references, and task changes from the audit log."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.feedback import (
    EscalationStatus,
    FeedbackError,
    approve_answer,
    find_escalation_by_message,
    find_open_escalation,
    get_approved_answer,
    get_escalation,
    list_feedback,
    open_escalation,
    posts_about,
    record_feedback,
    remember_post,
    set_escalation_message,
    set_feedback_reason,
    sync_approved_answers,
)
from assistant.reviews import ReviewService
from knowledge.access import Audience, Visibility
from knowledge.factory import open_index
from knowledge.retrieval import search
from tools.outbox import NotificationKind


@pytest.fixture
def index(make_settings: Any, database_url: str) -> Any:
    idx = open_index(make_settings(database_url=database_url))
    yield idx
    idx.db.close()


def test_feedback_and_escalations(index: Any) -> None:
    db = index.db
    stored = record_feedback(
        db,
        user_id="U1",
        helpful=False,
        question="Q?",
        answer="A.",
        citations=["a:b", "a:b", "c:d"],
        thread_id="t1",
    )
    assert stored.citations == ["a:b", "c:d"] and stored.reason is None
    set_feedback_reason(db, feedback_id=stored.id, reason="It is wrong: date")
    assert list_feedback(db, thread_id="t1")[0].reason == "It is wrong: date"
    with pytest.raises(FeedbackError):
        record_feedback(db, user_id="U1", helpful=True, question="  ", answer="A")
    escalation = open_escalation(db, question="Q?", asked_by="U1", context="• U1: Q?", thread_id="t1")
    assert escalation.status is EscalationStatus.OPEN
    assert find_open_escalation(db, thread_id="t1", question="Q?") == escalation
    set_escalation_message(db, escalation_id=escalation.id, channel="CRAI", ts="1.5")
    found = find_escalation_by_message(db, channel="CRAI", ts="1.5")
    assert found is not None and found.id == escalation.id
    assert find_escalation_by_message(db, channel="CRAI", ts="9.9") is None


def test_an_approved_answer_is_indexed_cited_and_replaced_on_reapproval(index: Any) -> None:
    db = index.db
    escalation = open_escalation(db, question="May interns use the zorblat model?", asked_by="U1")
    first = approve_answer(
        index,
        question=escalation.question,
        answer="Interns may use the zorblat model only with a mentor's sign-off.",
        approved_by="URAI",
        escalation_id=escalation.id,
        visibility=Visibility.RESTRICTED,
        groups=["hr"],
    )
    assert first.citation_id == f"approved-answer:{first.id}"
    answered = get_escalation(db, escalation.id)
    assert answered is not None and answered.status is EscalationStatus.ANSWERED and answered.answered_at
    hr = search(index, "zorblat model interns", audience=Audience(groups=frozenset({"hr"})), k=3)
    assert hr[0].citation_id == first.citation_id and hr[0].kind == "policy"
    others = search(index, "zorblat model interns", audience=Audience(), k=3)
    assert first.citation_id not in [p.citation_id for p in others]
    # Approving the same escalation again replaces the answer under the same citation id.
    second = approve_answer(
        index,
        question=escalation.question,
        answer="Interns may not use the zorblat model.",
        approved_by="URAI",
        escalation_id=escalation.id,
        visibility=Visibility.PUBLIC,
    )
    assert second.id == first.id
    stored = get_approved_answer(db, first.id)
    assert stored is not None and stored.answer == "Interns may not use the zorblat model."
    public = search(index, "zorblat model interns", audience=Audience(public_only=True), k=3)
    assert public[0].citation_id == first.citation_id and "may not" in public[0].text
    assert [o.status for o in sync_approved_answers(index)] == ["unchanged"]
    with pytest.raises(FeedbackError):
        approve_answer(index, question="q", answer="a", approved_by="U", visibility=Visibility.RESTRICTED)


def test_posted_message_references(index: Any) -> None:
    db = index.db
    remember_post(db, subject="task:1", channel="D1", ts="1.0")
    remember_post(db, subject="task:1", channel="D1", ts="1.0")  # the same message again: no second row
    remember_post(db, subject="triage:cv_x:v2", channel="C1", ts="2.0")
    assert [(r.channel, r.ts) for r in posts_about(db, subject="task:1")] == [("D1", "1.0")]
    assert [r.subject for r in posts_about(db, prefix="triage:cv_x:v")] == ["triage:cv_x:v2"]
    assert posts_about(db, prefix="triage:cv%") == []  # the prefix is literal


def test_task_changes_write_their_notifications_to_the_outbox(make_settings: Any, index: Any) -> None:
    reviews = ReviewService(make_settings(), index)
    extracted = reviews.describe("We screen job applicants' CVs and rank candidates for recruiters.")
    outcome = reviews.triage(extracted.profile, actor="U1", audience=Audience())
    system_id, version = outcome.result.system.id, outcome.assessment_version
    assert system_id and version
    assert reviews.tasks_for_assessment(system_id, version) == []
    tasks = reviews.file_tasks(system_id, version, actor="U1")
    assert [t.id for t in reviews.tasks_for_assessment(system_id, version)] == [t.id for t in tasks]
    reviews.change_task(tasks[0].id, actor="U2", assignee="<@U3>")
    reviews.change_task(tasks[0].id, actor="U3", status="in_review")  # same assignee: no second DM
    claimed = reviews.claim_notifications(worker="instance-1")
    first = [(n.kind, n.assignee) for n in claimed if n.task_id == tasks[0].id]
    assert first == [
        (NotificationKind.TASK_CHANGED, None),  # filed
        (NotificationKind.TASK_CHANGED, None),  # assigned
        (NotificationKind.TASK_ASSIGNED, "<@U3>"),
        (NotificationKind.TASK_CHANGED, None),  # in review
    ]
    assert {n.task_id for n in claimed} == {t.id for t in tasks}
    assert reviews.claim_notifications(worker="instance-2") == []  # claimed by the first instance
    home = reviews.home(actors=["U1"], assignee_names=["<@U3>"])
    assert [s.id for s in home.systems] == [system_id]
    assert [t.id for t in home.assigned] == [tasks[0].id]
    assert {t.id for t in home.of_systems} == {t.id for t in tasks[1:]}
