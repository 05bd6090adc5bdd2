"""Sends what Slack sends: signed HTTP requests (events, slash commands, interactivity payloads) to the
app's /slack/events, with payloads shaped like Slack's, and builds a submitted modal's state."""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
from slack_sdk.signature import SignatureVerifier

from tests.slack.fake_slack_api import BOT_USER, TEAM, FakeSlack

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
API_APP_ID = "A0GOVASSIST"

_ids = itertools.count(1)


def signed_headers(
    body: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None
) -> dict[str, str]:
    """The two headers Slack signs a request with (v0 HMAC-SHA256 of 'v0:<ts>:<body>')."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    assert signature is not None
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}


@dataclass
class SlackSender:
    """Posts signed requests to a running app, the way Slack does."""

    base_url: str
    fake: FakeSlack
    http: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.http = httpx.Client(base_url=self.base_url, timeout=30.0)

    def close(self) -> None:
        self.http.close()

    def post(
        self,
        body: str,
        *,
        content_type: str,
        secret: str = SIGNING_SECRET,
        timestamp: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """POST /slack/events with a signature (override secret/timestamp/headers to forge one)."""
        sent = {"Content-Type": content_type, **signed_headers(body, secret=secret, timestamp=timestamp)}
        sent.update(headers or {})
        return self.http.post("/slack/events", content=body.encode("utf-8"), headers=sent)

    # --- Events API -------------------------------------------------------------------------------------

    def event(self, event: dict[str, Any], *, event_id: str | None = None, **kwargs: Any) -> httpx.Response:
        """An event_callback wrapping `event`."""
        payload = {
            "token": "legacy-verification-token",
            "team_id": TEAM,
            "api_app_id": API_APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(_ids):08d}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True, "enterprise_id": None}],
        }
        return self.post(json.dumps(payload), content_type="application/json", **kwargs)

    def mention(
        self,
        *,
        user: str,
        channel: str,
        text: str,
        thread_ts: str | None = None,
        channel_type: str = "channel",
    ) -> tuple[httpx.Response, str]:
        """Somebody writes '@govassist <text>' in a channel (or a thread); returns (response, message ts)."""
        ts = self.fake.add_message(channel, user=user, text=f"<@{BOT_USER}> {text}", thread_ts=thread_ts)
        event = {
            "type": "app_mention",
            "user": user,
            "text": f"<@{BOT_USER}> {text}",
            "ts": ts,
            "channel": channel,
            "event_ts": ts,
            "channel_type": channel_type,
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
        return self.event(event), ts

    def direct_message(
        self, *, user: str, channel: str, text: str, thread_ts: str | None = None
    ) -> tuple[httpx.Response, str]:
        """Somebody writes to the app in its DM."""
        ts = self.fake.add_message(channel, user=user, text=text, thread_ts=thread_ts)
        event = {
            "type": "message",
            "channel_type": "im",
            "user": user,
            "text": text,
            "ts": ts,
            "channel": channel,
            "event_ts": ts,
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
        return self.event(event), ts

    # --- slash command ----------------------------------------------------------------------------------

    def command(
        self, text: str, *, user: str, channel: str, name: str | None = None, **kwargs: Any
    ) -> tuple[httpx.Response, str]:
        """`/govassist <text>`; returns (response, the response_url name)."""
        name = name or f"cmd{next(_ids)}"
        form = {
            "token": "legacy-verification-token",
            "team_id": TEAM,
            "team_domain": "govassist-test",
            "channel_id": channel,
            "channel_name": self.fake.channels.get(channel, {}).get("name", "directmessage"),
            "user_id": user,
            "user_name": self.fake.users.get(user, {}).get("name", user),
            "command": "/govassist",
            "text": text,
            "api_app_id": API_APP_ID,
            "is_enterprise_install": "false",
            "response_url": self.fake.response_url(name),
            "trigger_id": f"trigger-{next(_ids)}",
        }
        return self.post(urlencode(form), content_type="application/x-www-form-urlencoded", **kwargs), name

    # --- interactivity ----------------------------------------------------------------------------------

    def interactive(self, payload: dict[str, Any], **kwargs: Any) -> httpx.Response:
        """An interactivity request: form field `payload` holding JSON."""
        body = urlencode({"payload": json.dumps(payload)})
        return self.post(body, content_type="application/x-www-form-urlencoded", **kwargs)

    def click(
        self,
        *,
        user: str,
        channel: str,
        message: dict[str, Any],
        action_id: str,
        value: str | None = None,
        block_id: str | None = None,
        selected_user: str | None = None,
        name: str | None = None,
    ) -> tuple[httpx.Response, str]:
        """A block_actions payload for a button (or a users_select) in a message the app posted."""
        element = find_element(message.get("blocks", []), action_id, block_id=block_id)
        action: dict[str, Any] = {
            "action_id": action_id,
            "block_id": element["_block_id"],
            "type": element["type"],
            "action_ts": f"{time.time():.6f}",
        }
        if element["type"] == "button":
            action["value"] = value if value is not None else element.get("value", "")
            action["text"] = element["text"]
        if selected_user is not None:
            action["selected_user"] = selected_user
        name = name or f"act{next(_ids)}"
        container = {
            "type": "message",
            "message_ts": message["ts"],
            "channel_id": channel,
            "is_ephemeral": False,
        }
        if message.get("thread_ts"):
            container["thread_ts"] = message["thread_ts"]
        payload = {
            "type": "block_actions",
            "team": {"id": TEAM, "domain": "govassist-test"},
            "user": {"id": user, "team_id": TEAM},
            "api_app_id": API_APP_ID,
            "token": "legacy-verification-token",
            "container": container,
            "trigger_id": f"trigger-{next(_ids)}",
            "channel": {"id": channel, "name": self.fake.channels.get(channel, {}).get("name", "")},
            "message": message,
            "response_url": self.fake.response_url(name),
            "actions": [action],
        }
        return self.interactive(payload), name

    def click_in_view(self, *, user: str, view: dict[str, Any], action_id: str) -> httpx.Response:
        """A block_actions payload for a button on the App Home."""
        element = find_element(view.get("blocks", []), action_id)
        payload = {
            "type": "block_actions",
            "team": {"id": TEAM},
            "user": {"id": user, "team_id": TEAM},
            "api_app_id": API_APP_ID,
            "token": "legacy-verification-token",
            "container": {"type": "view", "view_id": view["id"]},
            "trigger_id": f"trigger-{next(_ids)}",
            "view": view,
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": element["_block_id"],
                    "type": "button",
                    "value": element.get("value", ""),
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        return self.interactive(payload)

    def submit(
        self, view: dict[str, Any], *, user: str, values: dict[str, Any] | None = None
    ) -> httpx.Response:
        """A view_submission of a modal, with its inputs as the user left them (`values` overrides)."""
        submitted = {**view, "state": {"values": modal_state(view, values or {})}}
        payload = {
            "type": "view_submission",
            "team": {"id": TEAM},
            "user": {"id": user, "team_id": TEAM},
            "api_app_id": API_APP_ID,
            "token": "legacy-verification-token",
            "trigger_id": f"trigger-{next(_ids)}",
            "view": submitted,
            "response_urls": [],
        }
        return self.interactive(payload)

    def message_shortcut(
        self, *, callback_id: str, user: str, channel: str, message: dict[str, Any], name: str | None = None
    ) -> tuple[httpx.Response, str]:
        """A message shortcut (message_action) on `message`."""
        name = name or f"sc{next(_ids)}"
        payload = {
            "type": "message_action",
            "callback_id": callback_id,
            "trigger_id": f"trigger-{next(_ids)}",
            "message_ts": message["ts"],
            "team": {"id": TEAM, "domain": "govassist-test"},
            "user": {"id": user, "team_id": TEAM},
            "channel": {"id": channel, "name": self.fake.channels.get(channel, {}).get("name", "")},
            "message": message,
            "response_url": self.fake.response_url(name),
            "token": "legacy-verification-token",
        }
        return self.interactive(payload), name


def find_element(
    blocks: list[dict[str, Any]], action_id: str, *, block_id: str | None = None
) -> dict[str, Any]:
    """The interactive element with `action_id` (in block `block_id`, if given), with its block id."""
    for block in blocks:
        if block_id is not None and block.get("block_id") != block_id:
            continue
        candidates = list(block.get("elements", [])) + ([block["accessory"]] if "accessory" in block else [])
        for element in candidates:
            if element.get("action_id") == action_id:
                return {**element, "_block_id": block.get("block_id", "auto")}
    raise AssertionError(f"no element {action_id} in the blocks")


def modal_state(view: dict[str, Any], overrides: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """state.values of a modal as Slack sends it: every input as initially filled, then `overrides`
    (block id -> a text, an option value, or a list of option values)."""
    values: dict[str, dict[str, Any]] = {}
    for block in view.get("blocks", []):
        if block.get("type") != "input":
            continue
        element = block["element"]
        kind = element["type"]
        options = list(element.get("options", [])) + [
            o for g in element.get("option_groups", []) for o in g["options"]
        ]
        by_value = {o["value"]: o for o in options}
        override = overrides.get(block["block_id"], ...)
        state: dict[str, Any] = {"type": kind}
        if kind == "plain_text_input":
            state["value"] = element.get("initial_value") if override is ... else override
        elif kind in {"static_select", "radio_buttons"}:
            state["selected_option"] = (
                element.get("initial_option") if override is ... else by_value[override]
            )
        elif kind in {"multi_static_select", "checkboxes"}:
            state["selected_options"] = (
                element.get("initial_options", []) if override is ... else [by_value[v] for v in override]
            )
        values[block["block_id"]] = {element["action_id"]: state}
    return values


def block_text(blocks: list[dict[str, Any]]) -> str:
    """All the text in some blocks, for assertions."""
    parts: list[str] = []
    for block in blocks:
        if "text" in block and isinstance(block["text"], dict):
            parts.append(block["text"].get("text", ""))
        for element in block.get("elements", []):
            if isinstance(element.get("text"), dict):
                parts.append(element["text"].get("text", ""))
            elif isinstance(element.get("text"), str):
                parts.append(element["text"])
    return "\n".join(parts)


def eventually(check: Any, *, timeout: float = 30.0, interval: float = 0.05) -> Any:
    """`check()`'s first truthy result, waiting for the app's background work; AssertionError on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s: {check}")
        time.sleep(interval)
