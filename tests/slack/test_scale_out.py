"""Scale-out: two instances of the Slack app on ONE database (PostgreSQL, and SQLite), each a real bolt
app served over signed HTTP with its own agent, engine and connections (as two processes behind one
URL), against the local Slack stand-in. Notifications come from the database's outbox and handled event
ids live in the database, so: one DM per assignment and one reply per event, Slack's retries included;
an assignment made while no app runs is delivered when one starts; a refused call is retried and then
delivered once.

Counting happens after both instances were stopped (their delivery threads joined, their listeners
finished), so a duplicate that would come late is counted too. The last test (slow) runs the same
scenario with two real `govassist slack run --http` processes on one PostgreSQL schema.
"""

from __future__ import annotations

import copy
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from core.config import Settings
from core.db import Database
from core.models import HandledEvent, OutboxMessage
from tests.conftest import free_port
from tests.slack.conftest import (
    ANA,
    BEN,
    DM_BEN,
    DM_PAM,
    LEO,
    PAM,
    PUBLIC,
    SlackRig,
    start_rig,
    stop_rig,
)
from tests.slack.fake_slack_api import BOT_TOKEN, BOT_USER, Call, FakeSlack
from tests.slack.harness import SIGNING_SECRET, SlackSender, eventually
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
    # Ben hands his task to Pam with the picker on his DM card, at instance a (which delivers at once)
    # while instance b polls.
    with fake_slack.lock:
        card = copy.deepcopy(
            next(
                m
                for m in fake_slack.messages[DM_BEN]
                if any(b.get("block_id") == f"govassist_task_{first[1].id}" for b in m.get("blocks", []))
            )
        )
    instances.a.send.click(
        user=BEN,
        channel=DM_BEN,
        message=card,
        action_id="govassist_task_assign",
        block_id=f"govassist_task_{first[1].id}",
        selected_user=PAM,
    )
    eventually(lambda: len(dms(fake_slack)) >= len(wave) + 2 and pending(instances.db) == 0)
    instances.stop()
    expected = [(user, task.id) for task, _who, user in wave] + [(LEO, first[0].id), (PAM, first[1].id)]
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


def in_thread(ts: str) -> Callable[[Call], bool]:
    """Matches the app's posts in the thread of the public-channel message `ts`."""
    return lambda c: c.params.get("thread_ts") == ts and c.params.get("channel") == PUBLIC


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
            in_thread(ts),
        )
    instances.stop()  # every listener has finished: a duplicate reply would be there now
    for _event_id, ts in events:
        replies = fake_slack.calls_to(
            "chat.postMessage",
            in_thread(ts),
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


def start_process(home: Path, url: str, fake: FakeSlack) -> tuple[subprocess.Popen[str], int]:
    """`govassist slack run --http` in a process of its own, on the shared database."""
    port = free_port()
    env = {
        **os.environ,
        "GOVASSIST_HOME": str(home),
        "DATABASE_URL": url,
        "GOVASSIST_EMBEDDER": "hashing",
        "GOVASSIST_LOAD_BUILTIN_KNOWLEDGE": "false",
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "GOVASSIST_SLACK_API_URL": fake.api_url,
        "GOVASSIST_SLACK_OUTBOX_POLL": "0.2",
    }
    command = [sys.executable, "-m", "integrations.cli", "slack", "run", "--http", "--host", "127.0.0.1"]
    proc = subprocess.Popen(
        [*command, "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    return proc, port


def wait_healthy(proc: subprocess.Popen[str], port: int) -> None:
    deadline = time.monotonic() + 180
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).text == "ok":
                return
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            output = proc.stdout.read() if proc.stdout else ""
            pytest.fail(f"govassist slack run --http did not come up: {output}")
        time.sleep(0.3)


@pytest.mark.slow
def test_two_processes_on_postgresql(postgres_url: str, tmp_path: Path, fake_slack: FakeSlack) -> None:
    """The same guarantees with two real `govassist slack run --http` processes on one PostgreSQL schema."""
    db = Database.open(Settings(home=tmp_path / "cli", database_url=postgres_url))
    procs: list[subprocess.Popen[str]] = []
    senders: list[SlackSender] = []
    try:
        tasks = file_tasks(db, "CV Screener") + file_tasks(db, "Churn Predictor")
        assign(db, tasks[0], f"<@{ANA}>")  # while no app runs
        started = [start_process(tmp_path / name, postgres_url, fake_slack) for name in ("a", "b")]
        procs = [proc for proc, _port in started]
        for proc, port in started:
            wait_healthy(proc, port)
        senders = [SlackSender(f"http://127.0.0.1:{port}", fake_slack) for _proc, port in started]
        eventually(lambda: dms(fake_slack) == [(ANA, tasks[0].id)], timeout=60)
        for task, user in zip(tasks[1:4], (BEN, LEO, PAM), strict=True):
            assign(db, task, f"<@{user}>")
        # An event, retried at the other process and at the same one.
        retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
        event = mention_event(fake_slack, user=BEN, text="Who counts as a deployer?")
        assert senders[0].event(event, event_id="EvPROC0001").status_code == 200
        assert senders[1].event(event, event_id="EvPROC0001", headers=retry).status_code == 200
        assert senders[0].event(event, event_id="EvPROC0001", headers=retry).status_code == 200
        # Later events answered by each process: a duplicate answer to the retry, queued before them, would
        # have been posted by the time they are.
        later = [
            mention_event(fake_slack, user=ANA, text="Is emotion recognition at work allowed?")
            for _ in senders
        ]
        for n, (sender, follow) in enumerate(zip(senders, later, strict=True)):
            assert sender.event(follow, event_id=f"EvPROC010{n}").status_code == 200
        for follow in [*later, event]:
            fake_slack.wait_for("chat.postMessage", in_thread(follow["ts"]), timeout=60)
        eventually(lambda: len(dms(fake_slack)) >= 4 and pending(db) == 0, timeout=60)
        replies = fake_slack.calls_to("chat.postMessage", in_thread(event["ts"]))
        assert len(replies) == 1
        expected = [(ANA, tasks[0].id), (BEN, tasks[1].id), (LEO, tasks[2].id), (PAM, tasks[3].id)]
        assert sorted(dms(fake_slack)) == sorted(expected)
        with db.session() as session:
            handled = list(session.scalars(select(HandledEvent).where(HandledEvent.event_id == "EvPROC0001")))
        assert len(handled) == 1
    finally:
        for sender in senders:
            sender.close()
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=30)
        db.close()
