"""A local stand-in for Slack's Web API, speaking its wire format.

It serves `POST/GET /api/<method>` like https://slack.com/api/ does: JSON or form bodies (JSON-encoded
`blocks`/`view` in forms too), the bearer token in the Authorization header, and answers
`{"ok": true, ...}` with the fields Slack returns, or `{"ok": false, "error": "..."}` where Slack would
(invalid_auth, channel_not_found, not_in_channel, message_not_found, invalid_blocks, user_not_found...).
It keeps a small workspace (channels, users, user groups, messages, views) and records every call, so
tests assert on what the app sent. `POST /response/<id>` records response_url posts; `POST /upload/v1/<file>`
receives the bytes of a `files_upload_v2` upload (between `files.getUploadURLExternal` and
`files.completeUploadExternal`).
"""

from __future__ import annotations

import copy
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

TEAM = "T0GOV"
BOT_USER = "UBOT0001"
BOT_ID = "BBOT0001"
BOT_TOKEN = "xoxb-test-govassist"
APP_TOKEN = "xapp-test-govassist"

MAX_BLOCKS = 50
SECTION_TEXT = 3000
BUTTON_VALUE = 2000


@dataclass
class Call:
    """One Web API call as the fake received it."""

    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)


@dataclass
class Failure:
    """The next `times` calls of `method` (matching `predicate`) are refused with `error`."""

    method: str
    error: str
    times: int
    predicate: Callable[[dict[str, Any]], bool] | None = None


class SlackError(Exception):
    """Answer {"ok": false, "error": code}."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _check_blocks(blocks: Any, *, limit: int = MAX_BLOCKS) -> None:
    """The checks Slack makes that a rendering bug would trip: shape, counts and lengths."""
    if not isinstance(blocks, list) or len(blocks) > limit:
        raise SlackError("invalid_blocks")
    block_ids = set()
    for block in blocks:
        if not isinstance(block, dict) or "type" not in block:
            raise SlackError("invalid_blocks")
        if "block_id" in block:
            if block["block_id"] in block_ids:
                raise SlackError("invalid_blocks")
            block_ids.add(block["block_id"])
        if block["type"] == "section":
            text = (block.get("text") or {}).get("text", "")
            if not text or len(text) > SECTION_TEXT:
                raise SlackError("invalid_blocks")
        if block["type"] == "header" and len(block["text"]["text"]) > 150:
            raise SlackError("invalid_blocks")
        if block["type"] == "actions":
            action_ids = [e.get("action_id") for e in block.get("elements", [])]
            if len(action_ids) != len(set(action_ids)) or len(action_ids) > 25:
                raise SlackError("invalid_blocks")
            for element in block["elements"]:
                if len(element.get("value", "")) > BUTTON_VALUE:
                    raise SlackError("invalid_blocks")
        if block["type"] == "input":
            element = block.get("element") or {}
            for option in element.get("options", []) + [
                o for g in element.get("option_groups", []) for o in g["options"]
            ]:
                if len(option["text"]["text"]) > 75 or len(option["value"]) > 150:
                    raise SlackError("invalid_blocks")


class FakeSlack:
    """The fake workspace and its HTTP server."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.responses: list[Call] = []  # response_url posts
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        self._ts = itertools.count(1)
        self._view_ids = itertools.count(1)
        self.tokens = {BOT_TOKEN, APP_TOKEN}
        self.channels: dict[str, dict[str, Any]] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self.usergroups: dict[str, dict[str, Any]] = {}
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.files: dict[str, dict[str, Any]] = {}  # file id -> metadata and uploaded bytes (files_upload_v2)
        self.views: dict[str, dict[str, Any]] = {}
        self.home_views: dict[str, dict[str, Any]] = {}
        self.not_in_channel: set[str] = set()
        self.failures: list[Failure] = []  # calls to refuse, as Slack does when it is rate limiting or down
        self.socket_url: str | None = None
        self.add_user(BOT_USER, "govassist", is_bot=True)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # --- lifecycle --------------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def api_url(self) -> str:
        """What GOVASSIST_SLACK_API_URL points at."""
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str) -> str:
        """A response_url for a slash command or interaction payload."""
        return f"http://127.0.0.1:{self.port}/response/{name}"

    def start(self) -> FakeSlack:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- the workspace --------------------------------------------------------------------------------

    def add_user(self, user_id: str, name: str, *, email: str | None = None, is_bot: bool = False) -> None:
        self.users[user_id] = {
            "id": user_id,
            "team_id": TEAM,
            "name": name.lower().replace(" ", "."),
            "real_name": name,
            "is_bot": is_bot,
            "profile": {"display_name": name, "real_name": name, "email": email},
        }

    def add_channel(
        self,
        channel_id: str,
        name: str,
        *,
        private: bool = False,
        members: list[str] | None = None,
        ext_shared: bool = False,
        im_user: str | None = None,
    ) -> None:
        self.channels[channel_id] = {
            "id": channel_id,
            "name": name,
            "is_channel": not private and im_user is None,
            "is_group": False,
            "is_im": im_user is not None,
            "is_mpim": False,
            "is_private": private or im_user is not None,
            "is_ext_shared": ext_shared,
            "is_shared": ext_shared,
            "user": im_user,
            "members": list(members or []),
        }
        self.messages.setdefault(channel_id, [])

    def add_usergroup(self, group_id: str, handle: str, users: list[str]) -> None:
        self.usergroups[group_id] = {
            "id": group_id,
            "team_id": TEAM,
            "handle": handle,
            "name": handle,
            "users": users,
        }

    def add_message(self, channel: str, *, user: str, text: str, thread_ts: str | None = None) -> str:
        """A message somebody wrote (as Slack would have it), returning its ts."""
        with self.lock:
            ts = self._next_ts()
            message = {"type": "message", "user": user, "text": text, "ts": ts}
            if thread_ts:
                message["thread_ts"] = thread_ts
            self.messages.setdefault(channel, []).append(message)
            return ts

    def _next_ts(self) -> str:
        return f"{1_700_000_000 + next(self._ts)}.000100"

    # --- looking at calls -------------------------------------------------------------------------------

    def calls_to(self, method: str, predicate: Callable[[Call], bool] | None = None) -> list[Call]:
        with self.lock:
            return [c for c in self.calls if c.method == method and (predicate is None or predicate(c))]

    def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        *,
        count: int = 1,
        timeout: float = 30.0,
    ) -> list[Call]:
        """Block until `count` calls of `method` matching `predicate` arrived; AssertionError on timeout."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                found = [c for c in self.calls if c.method == method and (predicate is None or predicate(c))]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [
                        (c.method, {k: v for k, v in c.params.items() if k != "blocks"}) for c in self.calls
                    ]
                    raise AssertionError(f"no {count} x {method} within {timeout}s; calls: {seen}")
                self.changed.wait(left)

    def wait_response(self, name: str, *, timeout: float = 30.0) -> Call:
        """Block until the response_url `name` was posted to."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                for call in self.responses:
                    if call.method == name:
                        return call
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"nothing posted to response_url {name} within {timeout}s")
                self.changed.wait(left)

    def fail(
        self,
        method: str,
        error: str = "ratelimited",
        *,
        times: int = 1,
        predicate: Callable[[dict[str, Any]], bool] | None = None,
    ) -> None:
        """Refuse the next `times` calls of `method` (matching `predicate`) with `error`; 'ratelimited'
        comes as Slack sends it, HTTP 429 with Retry-After."""
        with self.lock:
            self.failures.append(Failure(method, error, times, predicate))

    def _injected_failure(self, method: str, params: dict[str, Any]) -> str | None:
        for failure in self.failures:
            if failure.method != method or failure.times <= 0:
                continue
            if failure.predicate is None or failure.predicate(params):
                failure.times -= 1
                return failure.error
        return None

    def message(self, channel: str, ts: str) -> dict[str, Any] | None:
        """A copy of the message as it is now (as Slack would put it in an interaction payload)."""
        with self.lock:
            found = next((m for m in self.messages.get(channel, []) if m["ts"] == ts), None)
            return copy.deepcopy(found)

    # --- the API ----------------------------------------------------------------------------------------

    def handle(self, method: str, params: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        with self.changed:
            self.calls.append(Call(method, params, headers))
            self.changed.notify_all()
            try:
                token = headers.get("authorization", "").removeprefix("Bearer ").strip() or params.get(
                    "token", ""
                )
                if token not in self.tokens:
                    raise SlackError("not_authed" if not token else "invalid_auth")
                handler = getattr(self, "api_" + method.replace(".", "_"), None)
                if handler is None:
                    raise SlackError("unknown_method")
                injected = self._injected_failure(method, params)
                if injected is not None:
                    raise SlackError(injected)
                return {"ok": True, **handler(params)}
            except SlackError as exc:
                return {"ok": False, "error": exc.code}

    def record_response(self, name: str, payload: dict[str, Any], headers: dict[str, str]) -> None:
        with self.changed:
            self.responses.append(Call(name, payload, headers))
            self.changed.notify_all()

    def _channel(self, channel_id: str) -> dict[str, Any]:
        if channel_id in self.channels:
            return self.channels[channel_id]
        raise SlackError("channel_not_found")

    def _target(self, channel: str) -> str:
        """Posting to a user id posts in the app's DM with that user."""
        if channel in self.users:
            dm = "D" + channel[1:]
            if dm not in self.channels:
                self.add_channel(dm, f"dm-{channel}", im_user=channel)
            return dm
        self._channel(channel)
        if channel in self.not_in_channel:
            raise SlackError("not_in_channel")
        return channel

    def api_auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": "https://govassist-test.slack.com/",
            "team": "govassist test",
            "user": "govassist",
            "team_id": TEAM,
            "user_id": BOT_USER,
            "bot_id": BOT_ID,
        }

    def api_apps_connections_open(self, params: dict[str, Any]) -> dict[str, Any]:
        if not self.socket_url:
            raise SlackError("invalid_auth")
        return {"url": self.socket_url}

    def api_chat_postMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("channel"):
            raise SlackError("channel_not_found")
        if not params.get("text") and not params.get("blocks"):
            raise SlackError("no_text")
        if "blocks" in params:
            _check_blocks(params["blocks"])
        channel = self._target(params["channel"])
        ts = self._next_ts()
        message = {
            "type": "message",
            "user": BOT_USER,
            "bot_id": BOT_ID,
            "text": params.get("text", ""),
            "blocks": params.get("blocks", []),
            "ts": ts,
            "team": TEAM,
        }
        if params.get("thread_ts"):
            message["thread_ts"] = params["thread_ts"]
        self.messages[channel].append(message)
        return {"channel": channel, "ts": ts, "message": message}

    def api_chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params.get("channel", ""))["id"]
        if "blocks" in params:
            _check_blocks(params["blocks"])
        for message in self.messages.get(channel, []):
            if message["ts"] == params.get("ts"):
                if message.get("bot_id") != BOT_ID:
                    raise SlackError("cant_update_message")
                message["text"] = params.get("text", message["text"])
                message["blocks"] = params.get("blocks", message.get("blocks", []))
                return {"channel": channel, "ts": message["ts"], "text": message["text"], "message": message}
        raise SlackError("message_not_found")

    def api_chat_postEphemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        self._channel(params.get("channel", ""))
        if params.get("user") not in self.users:
            raise SlackError("user_not_found")
        if "blocks" in params and params["blocks"] is not None:
            _check_blocks(params["blocks"])
        return {"message_ts": self._next_ts()}

    def api_views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("trigger_id"):
            raise SlackError("invalid_arguments")
        if params["trigger_id"].startswith("expired"):
            raise SlackError("expired_trigger_id")
        return {"view": self._store_view(params["view"])}

    def api_views_update(self, params: dict[str, Any]) -> dict[str, Any]:
        view_id = params.get("view_id")
        if view_id not in self.views:
            raise SlackError("not_found")
        return {"view": self._store_view(params["view"], view_id=view_id)}

    def api_views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("user_id") not in self.users:
            raise SlackError("user_not_found")
        view = params.get("view") or {}
        if view.get("type") != "home":
            raise SlackError("invalid_arguments")
        _check_blocks(view.get("blocks", []), limit=100)
        stored = self._store_view(view)
        self.home_views[params["user_id"]] = stored
        return {"view": stored}

    def _store_view(self, view: dict[str, Any], *, view_id: str | None = None) -> dict[str, Any]:
        if view.get("type") not in {"modal", "home"}:
            raise SlackError("invalid_arguments")
        limit = 100
        _check_blocks(view.get("blocks", []), limit=limit)
        if view["type"] == "modal" and len(view["title"]["text"]) > 24:
            raise SlackError("invalid_arguments")
        vid = view_id or f"V{next(self._view_ids):07d}"
        stored = {**view, "id": vid, "hash": f"{time.time_ns()}", "team_id": TEAM}
        self.views[vid] = stored
        return stored

    def api_conversations_info(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params.get("channel", ""))
        return {"channel": {k: v for k, v in channel.items() if k != "members"}}

    def api_conversations_members(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params.get("channel", ""))
        return {"members": channel["members"], "response_metadata": {"next_cursor": ""}}

    def api_conversations_replies(self, params: dict[str, Any]) -> dict[str, Any]:
        messages = self.messages.get(self._channel(params.get("channel", ""))["id"], [])
        ts = params.get("ts")
        target = next((m for m in messages if m["ts"] == ts), None)
        if target is None:
            raise SlackError("thread_not_found")
        root = target.get("thread_ts") or target["ts"]
        thread = [m for m in messages if m["ts"] == root or m.get("thread_ts") == root]
        return {"messages": thread, "has_more": False}

    def api_users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(params.get("user", ""))
        if user is None:
            raise SlackError("user_not_found")
        return {"user": user}

    def api_users_lookupByEmail(self, params: dict[str, Any]) -> dict[str, Any]:
        for user in self.users.values():
            if user["profile"].get("email") == params.get("email"):
                return {"user": user}
        raise SlackError("users_not_found")

    def api_usergroups_list(self, params: dict[str, Any]) -> dict[str, Any]:
        include = str(params.get("include_users", "")).lower() in {"1", "true"}
        groups = [{k: v for k, v in g.items() if k != "users" or include} for g in self.usergroups.values()]
        return {"usergroups": groups}

    def api_usergroups_users_list(self, params: dict[str, Any]) -> dict[str, Any]:
        group = self.usergroups.get(params.get("usergroup", ""))
        if group is None:
            raise SlackError("no_such_subteam")
        return {"users": group["users"]}

    # --- file uploads (files_upload_v2: get an upload URL, POST the bytes there, complete) --------------

    def upload_url(self, file_id: str) -> str:
        """Where the bytes of `file_id` go (Slack's is on files.slack.com; ours on the same server)."""
        return f"http://127.0.0.1:{self.port}/upload/v1/{file_id}"

    def api_files_getUploadURLExternal(self, params: dict[str, Any]) -> dict[str, Any]:
        filename, length = params.get("filename"), params.get("length")
        if not filename or length is None:
            raise SlackError("invalid_arguments")
        if int(length) <= 0:
            raise SlackError("invalid_length")
        file_id = f"F{next(self._ts):07d}"
        self.files[file_id] = {
            "id": file_id,
            "name": filename,
            "length": int(length),
            "content": None,
            "completed": False,
        }
        return {"upload_url": self.upload_url(file_id), "file_id": file_id}

    def receive_upload(self, file_id: str, data: bytes) -> bool:
        """The POST of a file's bytes to its upload URL; False for an unknown file id."""
        with self.changed:
            entry = self.files.get(file_id)
            if entry is None:
                return False
            entry["content"] = data
            self.changed.notify_all()
            return True

    def api_files_completeUploadExternal(self, params: dict[str, Any]) -> dict[str, Any]:
        files = params.get("files")
        if isinstance(files, str):
            files = json.loads(files)
        if not isinstance(files, list) or not files:
            raise SlackError("invalid_arguments")
        shared: list[dict[str, Any]] = []
        for item in files:
            entry = self.files.get(item.get("id", ""))
            if entry is None:
                raise SlackError("file_not_found")
            if entry["content"] is None or len(entry["content"]) != entry["length"]:
                raise SlackError("file_upload_size_mismatch")
            entry["title"] = item.get("title") or entry["name"]
            entry["completed"] = True
            shared.append({k: v for k, v in entry.items() if k != "content"})
        channel = params.get("channel_id")
        if channel:
            target = self._target(channel)
            message: dict[str, Any] = {
                "type": "message",
                "user": BOT_USER,
                "bot_id": BOT_ID,
                "text": params.get("initial_comment") or "",
                "ts": self._next_ts(),
                "files": shared,
            }
            if params.get("thread_ts"):
                message["thread_ts"] = params["thread_ts"]
            self.messages[target].append(message)
            for entry in shared:
                self.files[entry["id"]]["channels"] = [target]
        return {"files": [{"id": e["id"], "title": e["title"], "name": e["name"]} for e in shared]}

    def uploaded(self, channel: str) -> list[tuple[dict[str, Any], bytes]]:
        """The file shares posted in `channel` (a user id means the app's DM) with each file's bytes."""
        with self.lock:
            target = "D" + channel[1:] if channel in self.users else channel
            found = []
            for message in self.messages.get(target, []):
                for shared in message.get("files", []):
                    found.append((copy.deepcopy(message), self.files[shared["id"]]["content"]))
            return found

    # --- HTTP -------------------------------------------------------------------------------------------

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

            def _params(self) -> dict[str, Any]:
                url = urlparse(self.path)
                params: dict[str, Any] = {k: v[-1] for k, v in parse_qs(url.query).items()}
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                if raw:
                    if "json" in (self.headers.get("Content-Type") or ""):
                        params.update(json.loads(raw))
                    else:
                        params.update({k: v[-1] for k, v in parse_qs(raw.decode("utf-8")).items()})
                for key in ("blocks", "view", "attachments"):
                    if isinstance(params.get(key), str):
                        params[key] = json.loads(params[key])
                return params

            def _reply(self, payload: dict[str, Any]) -> None:
                body = json.dumps(payload).encode("utf-8")
                limited = payload.get("error") == "ratelimited"
                self.send_response(429 if limited else 200)
                if limited:
                    self.send_header("Retry-After", "1")
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _dispatch(self) -> None:
                path = urlparse(self.path).path
                headers = {k.lower(): v for k, v in self.headers.items()}
                params = self._params()
                if path.startswith("/response/"):
                    fake.record_response(path.removeprefix("/response/"), params, headers)
                    self._reply({"ok": True})
                    return
                if not path.startswith("/api/"):
                    self.send_error(404)
                    return
                self._reply(fake.handle(path.removeprefix("/api/"), params, headers))

            def do_POST(self) -> None:
                path = urlparse(self.path).path
                if path.startswith("/upload/v1/"):  # raw bytes, whatever the Content-Type says
                    length = int(self.headers.get("Content-Length") or 0)
                    data = self.rfile.read(length) if length else b""
                    if fake.receive_upload(path.removeprefix("/upload/v1/"), data):
                        body = f"OK - {len(data)}".encode()
                        self.send_response(200)
                        self.send_header("Content-Type", "text/plain; charset=utf-8")
                        self.send_header("Content-Length", str(len(body)))
                        self.end_headers()
                        self.wfile.write(body)
                    else:
                        self.send_error(404)
                    return
                self._dispatch()

            def do_GET(self) -> None:
                self._dispatch()

        return Handler
