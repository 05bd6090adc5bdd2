"""The notification outbox on SQLite and PostgreSQL: notifications are written with the task change that
causes them (and vanish with it when it rolls back), each is claimed by one instance only, also by
concurrent instances, failures come back with back-off, a dead instance's claim runs out, and an
incoming event id is taken once."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from core.clock import utc_now
from core.config import Settings
from core.db import Database, create_db_engine
from core.models import OutboxMessage, ReviewTask
from tests.tools import FAIRNESS, LEGAL, PRIVACY, TODAY, high_risk_result, profile
from tools import inventory, outbox, tasks
from tools.audit import record_event
from tools.inventory import AssessmentPublic, KnowledgeBasis, current_knowledge
from tools.outbox import CLAIM_LEASE, MAX_ATTEMPTS, NotificationKind, OutboxStatus


def filed(db: Database, knowledge: KnowledgeBasis, name: str = "CV Screener") -> list[tasks.TaskPublic]:
    result = high_risk_result(name, reviews=[LEGAL, PRIVACY, FAIRNESS])
    with db.session() as session:
        assessment: AssessmentPublic = inventory.record_assessment(
            session=session, profile=profile(name), result=result, actor="priya", knowledge=knowledge
        )
        return tasks.file_review_tasks(session=session, assessment=assessment, today=TODAY)


def pending(db: Database) -> list[tuple[str, int | None, str | None]]:
    with db.session() as session:
        rows = session.scalars(
            select(OutboxMessage).where(OutboxMessage.status == "pending").order_by(OutboxMessage.id)
        )
        return [(r.kind, r.payload.get("task_id"), r.payload.get("assignee")) for r in rows]


def test_task_changes_write_their_notifications_in_the_same_transaction(
    db: Database, knowledge: KnowledgeBasis
) -> None:
    legal, privacy, _fairness = filed(db, knowledge)
    assert pending(db) == [("task_changed", t, None) for t in (legal.id, privacy.id, _fairness.id)]
    with db.session() as session:
        tasks.update_task_status(session=session, task_id=legal.id, actor="priya", assignee="<@U1>")
        tasks.update_task_status(session=session, task_id=legal.id, actor="u1", status="in_review")
        tasks.update_task_status(
            session=session, task_id=privacy.id, actor="priya", assignee="dana@example.com"
        )
        tasks.update_task_status(session=session, task_id=privacy.id, actor="priya", assignee="<@U2>")
    assert pending(db)[3:] == [
        ("task_changed", legal.id, None),
        ("task_assigned", legal.id, "<@U1>"),
        ("task_changed", legal.id, None),  # moved along by the same assignee: no second DM
        ("task_changed", privacy.id, None),
        ("task_assigned", privacy.id, "dana@example.com"),
        ("task_changed", privacy.id, None),
        ("task_assigned", privacy.id, "<@U2>"),  # reassigned: the new assignee hears of it
    ]
    before = len(pending(db))
    # A change that rolls back leaves no notification behind.
    with pytest.raises(RuntimeError), db.session() as session:
        tasks.update_task_status(session=session, task_id=legal.id, actor="u1", assignee="<@U3>")
        raise RuntimeError("the request failed after the change")
    assert len(pending(db)) == before
    # Events that are not about a task call for nothing.
    with db.session() as session:
        record_event(session=session, actor="a", action="system.renamed", subject="system:cv-screener")
    assert len(pending(db)) == before


def test_a_filing_path_that_sets_the_assignee_on_the_row_announces_it_once(
    db: Database, knowledge: KnowledgeBasis
) -> None:
    # Re-review filing (or any other path) may give a task its assignee without saying so in the event.
    legal, *_others = filed(db, knowledge)
    with db.session() as session:
        row = session.get(ReviewTask, legal.id)
        assert row is not None
        row.assignee = "<@U7>"
        session.flush()
        record_event(
            session=session, actor="govassist", action="task.rereview_filed", subject=f"task:{legal.id}"
        )
    with db.session() as session:
        tasks.update_task_status(session=session, task_id=legal.id, actor="u7", status="in_review")
    assert [p for p in pending(db) if p[0] == "task_assigned"] == [("task_assigned", legal.id, "<@U7>")]
    # Refreshes are forgotten once delivered; assignments stay, so the next change still knows who was told.
    with db.session() as session:
        for notification in outbox.claim_due(session, worker="app-1"):
            outbox.mark_sent(session, notification)
    later = utc_now() + timedelta(days=30)
    with db.session() as session:
        assert outbox.prune(session, handled_before=later, finished_before=later) == (0, 5)
    with db.session() as session:
        tasks.update_task_status(session=session, task_id=legal.id, actor="u7", status="approved", note="ok")
    assert [p[0] for p in pending(db)] == ["task_changed"]


def test_a_claimed_notification_is_not_claimed_again_and_is_marked_once(
    db: Database, knowledge: KnowledgeBasis
) -> None:
    filed(db, knowledge)
    with db.session() as session:
        first = outbox.claim_due(session, worker="app-1")
    assert [n.kind for n in first] == [NotificationKind.TASK_CHANGED] * 3
    assert all(n.attempts == 1 and n.claim.startswith("app-1/") for n in first)
    with db.session() as session:
        assert outbox.claim_due(session, worker="app-2") == []
    with db.session() as session:
        assert outbox.mark_sent(session, first[0])
        assert outbox.mark_skipped(session, first[1], reason="no such task")
    with db.session() as session:
        counts = outbox.outbox_counts(session)
    assert counts[OutboxStatus.SENT] == 1 and counts[OutboxStatus.SKIPPED] == 1
    assert counts[OutboxStatus.PENDING] == 1  # still claimed by app-1


def test_a_failed_delivery_comes_back_with_back_off_and_is_given_up_in_the_end(
    db: Database, knowledge: KnowledgeBasis
) -> None:
    filed(db, knowledge)
    now = utc_now()
    retry = timedelta(seconds=10)
    with db.session() as session:
        claimed = outbox.claim_due(session, worker="app-1", now=now, limit=1)
    [notification] = claimed
    with db.session() as session:
        status = outbox.mark_failed(session, notification, error="ratelimited", retry_after=retry, now=now)
    assert status is OutboxStatus.PENDING
    with db.session() as session:  # not due before the back-off has passed (other rows are)
        assert notification.id not in [
            n.id for n in outbox.claim_due(session, worker="x", now=now + retry / 2)
        ]
    waits = []
    for _attempt in range(2, MAX_ATTEMPTS + 1):
        with db.session() as session:
            row = session.get(OutboxMessage, notification.id)
            assert row is not None and row.last_error == "ratelimited"
            due = row.next_attempt_at
        waits.append(due - now)
        now = due
        with db.session() as session:
            [again] = [
                n for n in outbox.claim_due(session, worker="app-2", now=now) if n.id == notification.id
            ]
            outbox.mark_failed(session, again, error="ratelimited", retry_after=retry, now=now)
    assert waits[:3] == [retry, retry * 2, retry * 4]  # doubling
    with db.session() as session:
        row = session.get(OutboxMessage, notification.id)
        assert row is not None
        assert (row.status, row.attempts) == (OutboxStatus.FAILED.value, MAX_ATTEMPTS)


def test_a_permanent_error_is_given_up_at_once(db: Database, knowledge: KnowledgeBasis) -> None:
    filed(db, knowledge)
    with db.session() as session:
        [notification] = outbox.claim_due(session, worker="app-1", limit=1)
        status = outbox.mark_failed(
            session, notification, error="user_not_found", retry_after=timedelta(seconds=1), permanent=True
        )
    assert status is OutboxStatus.FAILED


def test_the_claim_of_a_dead_instance_runs_out(db: Database, knowledge: KnowledgeBasis) -> None:
    filed(db, knowledge)
    now = utc_now()
    with db.session() as session:
        dead = outbox.claim_due(session, worker="app-dead", now=now)
    with db.session() as session:
        assert outbox.claim_due(session, worker="app-2", now=now + CLAIM_LEASE / 2) == []
    with db.session() as session:
        taken = outbox.claim_due(session, worker="app-2", now=now + CLAIM_LEASE + timedelta(seconds=1))
    assert [n.id for n in taken] == [n.id for n in dead] and all(n.attempts == 2 for n in taken)
    with db.session() as session:
        assert not outbox.mark_sent(session, dead[0])  # its claim is gone: it cannot mark the row
        assert outbox.mark_sent(session, taken[0])


def test_concurrent_instances_claim_every_notification_exactly_once(
    db: Database, database_url: str, knowledge: KnowledgeBasis
) -> None:
    for n in range(8):
        filed(db, knowledge, f"System {n}")
    with db.session() as session:
        total = int(session.scalar(select(func.count()).select_from(OutboxMessage)) or 0)
    assert total == 24
    # Each instance has its own engine and connections, as a separate process would.
    instances = [Database(create_db_engine(database_url)) for _ in range(4)]
    claimed: dict[int, list[int]] = {w: [] for w in range(len(instances))}
    errors: list[BaseException] = []
    start = threading.Barrier(len(instances))

    def work(w: int) -> None:
        try:
            start.wait()
            while True:
                with instances[w].session() as session:
                    got = outbox.claim_due(session, worker=f"app-{w}", limit=3)
                if not got:
                    return
                with instances[w].session() as session:
                    for notification in got:
                        assert outbox.mark_sent(session, notification)
                claimed[w] += [n.id for n in got]
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(len(instances))]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        for instance in instances:
            instance.close()
    assert not errors, errors
    every = [i for ids in claimed.values() for i in ids]
    assert len(every) == total and len(set(every)) == total
    with db.session() as session:
        assert outbox.outbox_counts(session)[OutboxStatus.SENT] == total


def test_postgresql_skips_rows_another_instance_is_claiming(postgres_url: str, tmp_path: Path) -> None:
    db = Database.open(Settings(home=tmp_path / "home", database_url=postgres_url))
    other = Database(create_db_engine(postgres_url))
    try:
        filed(db, current_knowledge())
        with db.sessions() as holding:
            mine = outbox.claim_due(holding, worker="app-1", limit=2)  # locked, not yet committed
            with other.session() as session:
                # Waiting for app-1's locks would fail here instead of hanging (app-1 commits below).
                session.execute(text("SET LOCAL lock_timeout = '5s'"))
                theirs = outbox.claim_due(session, worker="app-2")
            holding.commit()
        assert len(mine) == 2 and len(theirs) == 1
        assert not {n.id for n in mine} & {n.id for n in theirs}
    finally:
        other.close()
        db.close()


def test_an_incoming_event_is_taken_by_one_instance(db: Database, database_url: str) -> None:
    other = Database(create_db_engine(database_url))
    try:
        with db.session() as session:
            assert outbox.first_delivery(session, event_id="Ev0001", worker="app-1")
        with other.session() as session:
            assert not outbox.first_delivery(session, event_id="Ev0001", worker="app-2")  # the retry
            assert outbox.first_delivery(session, event_id="Ev0002", worker="app-2")
        now = utc_now()
        with db.session() as session:
            assert outbox.prune(session, handled_before=now + timedelta(seconds=1), finished_before=now) == (
                2,
                0,
            )
        with other.session() as session:  # forgotten: long after Slack stopped retrying
            assert outbox.first_delivery(session, event_id="Ev0001", worker="app-2")
    finally:
        other.close()
