"""Scale-out: two instances of the Slack app on ONE database (PostgreSQL, and SQLite), each a real bolt
app served over signed HTTP with its own agent, engine and connections (as two processes behind one
URL), against the local Slack stand-in. Notifications come from the database's outbox and handled event
ids live in the database, so: one DM per assignment and one reply per event, Slack's retries included;
an assignment made while no app runs is delivered when one starts; a refused call is retried and then
delivered once.

Counting happens after both instances were stopped (their delivery threads joined, their listeners
finished), so a duplicate that would come late is counted too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from core.config import Settings
from core.db import Database
from core.models import HandledEvent, OutboxMessage
from tests.slack.conftest import (
    ANA,
    BEN,
    DM_PAM,
    LEO,
    PAM,
    PUBLIC,
    SlackRig,
    start_rig,
    stop_rig,
)
from tests.slack.fake_slack_api import BOT_USER, FakeSlack
from tests.slack.harness import eventually
from tests.tools import FAIRNESS, LEGAL, PRIVACY, TODAY, high_risk_result, profile
from tools import inventory, outbox
from tools.inventory import current_knowledge
from tools.outbox import OutboxStatus
from tools.tasks import TaskPublic, change_task_status, file_review_tasks

ASSIGNED = re.compile(r"You have been assigned review task #(\d+)")
POLL = 0.05  # both instances look at the outbox all the time, so they race for every row


@dataclass
class Instances:
    """The two running app instances and the database they share."""

    a: SlackRig
    b: SlackRig
    servers: list[Any]
    db: Database  # what `govassist tasks update` would use: a third client of the same database
    stopped: bool = False

    def stop(self) -> None:
        """Stop both instances (once), waiting for their delivery threads and listeners."""
        if not self.stopped:
            self.stopped = True
            for rig, server in zip((self.a, self.b), self.servers, strict=True):
                stop_rig(rig, server)


def start_instance(make_settings: Any, home: Path, fake: FakeSlack, url: str) -> tuple[SlackRig, Any]:
    """One app instance over `url`, with its own home (its own vector store), retrying quickly."""
    return start_rig(
        make_settings, home, fake, load_builtin_knowledge=False, database_url=url, slack_outbox_retry=0.05
    )


@pytest.fixture
def cli_db(database_url: str, tmp_path: Path) -> Iterator[Database]:
    database = Database.open(Settings(home=tmp_path / "cli", database_url=database_url))
    yield database
    database.close()


@pytest.fixture
def instances(
    make_settings: Any, tmp_path: Path, fake_slack: FakeSlack, database_url: str, cli_db: Database
) -> Iterator[Instances]:
    a, server_a = start_instance(make_settings, tmp_path / "a", fake_slack, database_url)
    b, server_b = start_instance(make_settings, tmp_path / "b", fake_slack, database_url)
    running = Instances(a=a, b=b, servers=[server_a, server_b], db=cli_db)
    try:
        yield running
    finally:
        running.stop()


def file_tasks(db: Database, name: str) -> list[TaskPublic]:
    """A recorded assessment of `name` and its three review tasks, as `triage --file-tasks` leaves them."""
    result = high_risk_result(name, reviews=[LEGAL, PRIVACY, FAIRNESS])
    with db.session() as session:
        assessment = inventory.record_assessment(
            session=session,
            profile=profile(name),
            result=result,
            actor="priya",
            knowledge=current_knowledge(),
        )
        return file_review_tasks(session=session, assessment=assessment, today=TODAY)


def assign(db: Database, task: TaskPublic, assignee: str) -> None:
    """An assignment made outside Slack (`govassist tasks update --assignee`)."""
    change_task_status(db, task_id=task.id, actor="cli-user", assignee=assignee)


def pending(db: Database) -> int:
    with db.session() as session:
        return outbox.outbox_counts(session)[OutboxStatus.PENDING]


def dms(fake: FakeSlack) -> list[tuple[str, int]]:
    """(user, task id) of every assignment DM the app sent (chat.postMessage to the user), in order."""
    found = []
    for call in fake.calls_to("chat.postMessage"):
        match = ASSIGNED.search(call.params.get("text", ""))
        if match:
            found.append((call.params["channel"], int(match.group(1))))
    return found


def test_two_instances_send_one_dm_per_assignment(instances: Instances, fake_slack: FakeSlack) -> None:
    for rig in (instances.a, instances.b):
        rig.app.sync.start(interval=POLL)
    first = file_tasks(instances.db, "CV Screener")
    second = file_tasks(instances.db, "Churn Predictor")
    wave = [
        (first[0], f"<@{ANA}>", ANA),
        (first[1], f"<@{BEN}>", BEN),
        (first[2], f"<@{LEO}>", LEO),
        (second[0], f"<@{ANA}>", ANA),
        (second[1], "pam@example.com", PAM),  # an e-mail address: looked up in Slack
    ]
    for task, who, _dm in wave:
        assign(instances.db, task, who)
    eventually(lambda: len(dms(fake_slack)) >= len(wave) and pending(instances.db) == 0)
    # A reassignment later is a new assignment: the new assignee hears of it, once.
    assign(instances.db, first[0], f"<@{LEO}>")
    change_task_status(instances.db, task_id=first[0].id, actor=LEO, status="in_review")  # no DM for this
    eventually(lambda: len(dms(fake_slack)) >= len(wave) + 1 and pending(instances.db) == 0)
    instances.stop()
    expected = [(user, task.id) for task, _who, user in wave] + [(LEO, first[0].id)]
    assert sorted(dms(fake_slack)) == sorted(expected)
    with instances.db.session() as session:
        rows = list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "task_assigned")))
    assert len(rows) == len(expected) and all(r.status == OutboxStatus.SENT.value for r in rows)


def mention_event(fake: FakeSlack, *, user: str, text: str) -> dict[str, Any]:
    """An app_mention event for a new message in the public channel."""
    ts = fake.add_message(PUBLIC, user=user, text=f"<@{BOT_USER}> {text}")
    return {
        "type": "app_mention",
        "user": user,
        "text": f"<@{BOT_USER}> {text}",
        "ts": ts,
        "channel": PUBLIC,
        "event_ts": ts,
        "channel_type": "channel",
    }


def test_a_retried_event_is_answered_once_whichever_instance_it_reaches(
    instances: Instances, fake_slack: FakeSlack
) -> None:
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    events = []
    for n, question in enumerate(["Who counts as a deployer?", "Is emotion recognition at work allowed?"]):
        event = mention_event(fake_slack, user=BEN, text=question)
        event_id = f"EvSCALE{n:04d}"
        first, other = (instances.a, instances.b) if n % 2 == 0 else (instances.b, instances.a)
        assert first.send.event(event, event_id=event_id).status_code == 200
        # Slack thinks the first delivery timed out and retries, at the other instance and at the same one.
        assert other.send.event(event, event_id=event_id, headers=retry).status_code == 200
        assert (
            first.send.event(
                event, event_id=event_id, headers={**retry, "X-Slack-Retry-Num": "2"}
            ).status_code
            == 200
        )
        events.append((event_id, event["ts"]))
    for _event_id, ts in events:
        fake_slack.wait_for(
            "chat.postMessage",
            lambda c, ts=ts: c.params.get("thread_ts") == ts and c.params["channel"] == PUBLIC,
        )
    instances.stop()  # every listener has finished: a duplicate reply would be there now
    for _event_id, ts in events:
        replies = fake_slack.calls_to(
            "chat.postMessage",
            lambda c, ts=ts: c.params.get("thread_ts") == ts and c.params["channel"] == PUBLIC,
        )
        assert len(replies) == 1
    with instances.db.session() as session:
        handled = {e.event_id: e.handled_by for e in session.scalars(select(HandledEvent))}
    assert set(handled) == {event_id for event_id, _ts in events}
    assert len(set(handled.values())) == 2  # one taken by each instance


def test_an_assignment_made_while_no_app_runs_is_delivered_when_one_starts(
    make_settings: Any, tmp_path: Path, fake_slack: FakeSlack, database_url: str, cli_db: Database
) -> None:
    tasks = file_tasks(cli_db, "CV Screener")
    assign(cli_db, tasks[0], f"<@{ANA}>")  # nothing is running
    assert pending(cli_db) == 5 and dms(fake_slack) == []  # 3 filed, 1 assigned: a refresh and a DM
    rig, server = start_instance(make_settings, tmp_path / "a", fake_slack, database_url)
    try:
        rig.app.sync.start(interval=POLL)  # what `govassist slack run` does on start
        eventually(lambda: dms(fake_slack) and pending(cli_db) == 0)
    finally:
        stop_rig(rig, server)
    assert dms(fake_slack) == [(ANA, tasks[0].id)]


def test_a_slack_error_is_retried_and_then_delivered_once(
    instances: Instances, fake_slack: FakeSlack
) -> None:
    # Slack refuses the first two tries of Pam's DM: rate limited (HTTP 429), then down.
    fake_slack.fail("chat.postMessage", "ratelimited", times=1, predicate=lambda p: p.get("channel") == PAM)
    fake_slack.fail("chat.postMessage", "fatal_error", times=1, predicate=lambda p: p.get("channel") == PAM)
    for rig in (instances.a, instances.b):
        rig.app.sync.start(interval=POLL)
    [task, *_rest] = file_tasks(instances.db, "CV Screener")
    assign(instances.db, task, f"<@{PAM}>")
    eventually(lambda: len(dms(fake_slack)) == 3 and pending(instances.db) == 0)
    instances.stop()
    assert dms(fake_slack) == [(PAM, task.id)] * 3  # three tries
    with fake_slack.lock:
        posted = [m for m in fake_slack.messages[DM_PAM] if m.get("user") == BOT_USER]
    assert len(posted) == 1  # one DM arrived
    with instances.db.session() as session:
        [row] = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "task_assigned"))
    assert (row.status, row.attempts, row.last_error) == (OutboxStatus.SENT.value, 3, None)
