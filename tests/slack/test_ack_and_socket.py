"""Acknowledge first, then work: HTTP acknowledgements stay far inside Slack's 3 seconds while the agent
takes longer; and the same app in Socket Mode against a local WebSocket server."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.server import ServerConnection, serve

from tests.slack.conftest import BEN, PUBLIC, SlackRig, slack_settings
from tests.slack.fake_slack_api import BOT_USER, TEAM, FakeSlack
from tests.slack.harness import SlackSender, block_text

AGENT_SECONDS = 4.0


class SlowAgent:
    """The real agent behind a delay, as a language model on a slow day would be."""

    def __init__(self, agent: Any, delay: float) -> None:
        self.agent = agent
        self.assistant = agent.assistant
        self.delay = delay

    def respond(self, **kwargs: Any) -> Any:
        time.sleep(self.delay)
        return self.agent.respond(**kwargs)


@pytest.fixture
def slow_rig(make_settings: Any, rig_home: Path, fake_slack: FakeSlack) -> Iterator[SlackRig]:
    from assistant.agent.agent import Agent
    from integrations.slack.app import create_app
    from integrations.slack.server import serve_http_in_background

    settings = slack_settings(make_settings, rig_home, fake_slack)
    agent = Agent.open(settings)
    app = create_app(settings, SlowAgent(agent, AGENT_SECONDS))
    server, _ = serve_http_in_background(app)
    url = f"http://127.0.0.1:{server.server_port}"
    rig = SlackRig(
        fake=fake_slack, send=SlackSender(url, fake_slack), app=app, agent=agent, settings=settings, url=url
    )
    yield rig
    rig.send.close()
    server.shutdown()
    server.server_close()
    app.close()
    agent.close()


def test_acknowledgements_do_not_wait_for_the_agent(slow_rig: SlackRig) -> None:
    def mention(i: int) -> tuple[float, int, str]:
        start = time.perf_counter()
        response, ts = slow_rig.send.mention(
            user=BEN, channel=PUBLIC, text=f"Which AI practices are prohibited? ({i})"
        )
        return time.perf_counter() - start, response.status_code, ts

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(mention, range(6)))
    assert all(status == 200 for _, status, _ in results)
    slowest = max(seconds for seconds, _, _ in results)
    assert slowest < 1.5, f"an acknowledgement took {slowest:.2f}s"
    answered = {ts for _, _, ts in results}
    slow_rig.fake.wait_for(
        "chat.postMessage", lambda c: c.params.get("thread_ts") in answered, count=6, timeout=60
    )
    assert time.perf_counter() - started >= AGENT_SECONDS  # the answers really came afterwards


class LocalSocketMode:
    """A WebSocket endpoint speaking Slack's Socket Mode protocol: hello, envelopes, acknowledgements."""

    def __init__(self, envelopes: list[dict[str, Any]]) -> None:
        self.envelopes = envelopes
        self.acks: dict[str, dict[str, Any]] = {}
        self.sent_at: dict[str, float] = {}
        self.acked_at: dict[str, float] = {}
        self.done = threading.Event()
        self.server = serve(self._handle, "127.0.0.1", 0)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.server.socket.getsockname()[1]}/link/?ticket=test"

    def _handle(self, ws: ServerConnection) -> None:
        ws.send(
            json.dumps({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0GOVASSIST"}})
        )
        for envelope in self.envelopes:
            self.sent_at[envelope["envelope_id"]] = time.perf_counter()
            ws.send(json.dumps(envelope))
        while len(self.acks) < len(self.envelopes):
            try:
                raw = ws.recv(timeout=30)
            except TimeoutError:
                break
            message = json.loads(raw)
            if "envelope_id" in message:
                self.acks[message["envelope_id"]] = message
                self.acked_at[message["envelope_id"]] = time.perf_counter()
        self.done.set()
        ws.recv(timeout=30)  # keep the connection until the client closes it


def test_socket_mode_acknowledges_envelopes_and_answers(rig: SlackRig) -> None:
    from integrations.slack.server import socket_mode_handler

    ts = rig.fake.add_message(PUBLIC, user=BEN, text=f"<@{BOT_USER}> Which AI practices are prohibited?")
    event = {
        "type": "event_callback",
        "team_id": TEAM,
        "api_app_id": "A0GOVASSIST",
        "event_id": "EvSOCKET001",
        "event_time": int(time.time()),
        "event": {
            "type": "app_mention",
            "user": BEN,
            "text": f"<@{BOT_USER}> Which AI practices are prohibited?",
            "ts": ts,
            "channel": PUBLIC,
            "event_ts": ts,
        },
    }
    command = {
        "team_id": TEAM,
        "channel_id": PUBLIC,
        "user_id": BEN,
        "command": "/govassist",
        "text": "help",
        "api_app_id": "A0GOVASSIST",
        "response_url": rig.fake.response_url("socket"),
        "trigger_id": "trigger-s",
    }
    endpoint = LocalSocketMode(
        [
            {
                "envelope_id": "env-event",
                "type": "events_api",
                "accepts_response_payload": False,
                "payload": event,
            },
            {
                "envelope_id": "env-command",
                "type": "slash_commands",
                "accepts_response_payload": True,
                "payload": command,
            },
        ]
    )
    endpoint.thread.start()
    rig.fake.socket_url = endpoint.url
    handler = socket_mode_handler(rig.app)
    try:
        handler.connect()
        assert endpoint.done.wait(30), f"acknowledgements received: {endpoint.acks}"
        assert set(endpoint.acks) == {"env-event", "env-command"}
        assert "/govassist ask" in json.dumps(
            endpoint.acks["env-command"]["payload"]
        )  # help is the ack itself
        for envelope_id in endpoint.acks:
            assert endpoint.acked_at[envelope_id] - endpoint.sent_at[envelope_id] < 3.0
        [reply] = rig.fake.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == ts)
        assert "*Sources*" in block_text(reply.params["blocks"])
        assert (
            rig.fake.calls_to("apps.connections.open")[0].headers["authorization"]
            == "Bearer xapp-test-govassist"
        )
    finally:
        handler.close()
        endpoint.server.shutdown()
