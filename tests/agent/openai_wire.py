"""A local HTTP server speaking the OpenAI chat-completions wire format, scripted per request.

It stands in for an OpenAI-compatible endpoint (vLLM, llama.cpp server, Ollama, LM Studio): each POST to
/v1/chat/completions takes the next scripted reply (a completion body, an HTTP error, or a hang) and the
request is recorded (headers and JSON body) for the test to inspect.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.conftest import free_port

MODEL = "local-test-model"


@dataclass
class Reply:
    """One scripted reply: `status` with a JSON `body`, or a hang of `hang` seconds first."""

    status: int = 200
    body: dict[str, Any] = field(default_factory=dict)
    hang: float = 0.0


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


def completion(
    content: str | None = None, tool_calls: list[dict[str, Any]] | None = None, *, model: str = MODEL
) -> Reply:
    """A real-shaped chat.completion body with text, or with tool calls (arguments as JSON text)."""
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if tool_calls:
        message["tool_calls"] = [
            {
                "id": call.get("id", f"call_{n}"),
                "type": "function",
                "function": {
                    "name": call["name"],
                    "arguments": call["arguments"]
                    if isinstance(call["arguments"], str)
                    else json.dumps(call["arguments"]),
                },
            }
            for n, call in enumerate(tool_calls)
        ]
    return Reply(
        body={
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "system_fingerprint": "fp_test",
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "logprobs": None,
                    "finish_reason": "tool_calls" if tool_calls else "stop",
                }
            ],
            "usage": {"prompt_tokens": 42, "completion_tokens": 7, "total_tokens": 49},
        }
    )


def error(status: int, message: str = "server error") -> Reply:
    """An OpenAI-style error body with `status`."""
    return Reply(status=status, body={"error": {"message": message, "type": "server_error", "code": None}})


class WireServer:
    """The running server: `url` is the base URL to configure; `requests` what it received."""

    def __init__(self, replies: list[Reply]) -> None:
        self.replies = list(replies)
        self.requests: list[Recorded] = []
        self.release = threading.Event()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self._lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b"{}"
                with owner._lock:
                    owner.requests.append(
                        Recorded(self.path, {k.lower(): v for k, v in self.headers.items()}, json.loads(raw))
                    )
                    reply = owner.replies.pop(0) if len(owner.replies) > 1 else owner.replies[0]
                if reply.hang:
                    owner.release.wait(reply.hang)
                payload = json.dumps(reply.body).encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout): nothing to answer

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> WireServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@contextmanager
def wire_server(*replies: Reply) -> Iterator[WireServer]:
    """A running WireServer replying with `replies` in order (the last one repeats)."""
    server = WireServer(list(replies)).start()
    try:
        yield server
    finally:
        server.stop()
