"""Slack acknowledgement time: 50 signed requests at once against the HTTP-mode app.

    python -m evals.bench.slack_ack [--concurrency 50] [--rounds 3] [--embedder minilm|hashing]

The real app (bolt, signature verification, the threading WSGI server) runs on loopback over the real
agent and knowledge (built-in packs); its Web API calls go to a local stub that answers like Slack. Each
round fires `--concurrency` requests together (app mentions and `/govassist ask` commands, each from its
own user) and times every HTTP round trip until the acknowledgement. The answers are worked out after
the acknowledgement, so they compete for the CPU with the next round's requests: the figures include
that load. Slack's limit is 3 seconds.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import itertools
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlencode

from pydantic import SecretStr

from evals.bench.common import percentile
from evals.scratch import offline_environment, scratch_home

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench"
QUESTIONS = [
    "Which AI practices are prohibited?",
    "Do we have to tell customers they are talking to a chatbot?",
    "What must deployers of high-risk AI systems do?",
    "When do the obligations for general-purpose AI models apply?",
    "Do we need a DPIA for a recruitment tool?",
]


class _WebApiStub:
    """Answers every Web API method the way Slack does for a successful call, and counts the calls."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.answers = 0
        self.lock = threading.Lock()
        ts = itertools.count(1)
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                method = self.path.rsplit("/", 1)[-1].split("?")[0]
                # An answer: a reply in a thread (mentions), or the slash command's message updated.
                answer = method == "chat.update" or (method == "chat.postMessage" and b'"thread_ts"' in raw)
                with stub.lock:
                    stub.counts[method] = stub.counts.get(method, 0) + 1
                    stub.answers += answer
                    stamp = f"{1_700_000_000 + next(ts)}.000100"
                payload: dict[str, Any] = {"ok": True, "channel": "CBENCH", "ts": stamp}
                if method == "auth.test":
                    payload |= {"team_id": "TBENCH", "user_id": "UBOT", "bot_id": "BBOT", "user": "govassist"}
                elif method == "conversations.info":
                    payload["channel"] = {"id": "CBENCH", "is_channel": True, "is_private": False}
                elif method == "users.info":
                    payload["user"] = {
                        "id": "U",
                        "real_name": "Bench User",
                        "profile": {"display_name": "bench"},
                    }
                body = json.dumps(payload).encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/"

    def posted(self) -> int:
        """Answers posted so far."""
        with self.lock:
            return self.answers


def _signed(body: str) -> dict[str, str]:
    stamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


def _request(number: int) -> tuple[str, str]:
    """(content type, body) of request `number`: mostly mentions, every fourth a slash command."""
    question = QUESTIONS[number % len(QUESTIONS)]
    user = f"UBENCH{number:05d}"
    if number % 4 == 3:
        form = {
            "team_id": "TBENCH",
            "channel_id": "CBENCH",
            "user_id": user,
            "command": "/govassist",
            "text": f"ask {question}",
            "response_url": "http://127.0.0.1:9/none",
            "trigger_id": f"t{number}",
        }
        return "application/x-www-form-urlencoded", urlencode(form)
    ts = f"{1_800_000_000 + number}.000100"
    event = {
        "type": "event_callback",
        "team_id": "TBENCH",
        "event_id": f"EvBENCH{number:06d}",
        "event": {
            "type": "app_mention",
            "user": user,
            "text": f"<@UBOT> {question}",
            "ts": ts,
            "channel": "CBENCH",
            "event_ts": ts,
        },
    }
    return "application/json", json.dumps(event)


def _figures(ms: list[float]) -> str:
    return f"p50 {percentile(ms, 50):.0f} ms, p95 {percentile(ms, 95):.0f} ms, max {max(ms):.0f} ms"


def main() -> None:
    """Print p50/p95/max acknowledgement time per round and overall."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--embedder", default="minilm", choices=["minilm", "hashing"])
    args, _ = parser.parse_known_args()
    offline_environment()
    import httpx

    from assistant.agent.agent import Agent
    from core.config import Settings
    from integrations.slack.app import create_app
    from integrations.slack.server import serve_http_in_background

    stub = _WebApiStub()
    settings = Settings(
        home=scratch_home("slack-ack"),
        embedder=args.embedder,
        slack_bot_token=SecretStr(TOKEN),
        slack_signing_secret=SecretStr(SECRET),
        slack_api_url=stub.url,
        slack_rate_limit=1000,
    )
    agent = Agent.open(settings)
    slack = create_app(settings, agent)
    slack.warm_up()  # as `govassist slack run` does before it serves
    server, _ = serve_http_in_background(slack)
    url = f"http://127.0.0.1:{server.server_port}/slack/events"
    print(
        f"Slack acknowledgement time (HTTP mode, signed requests, {args.concurrency} at once, "
        f"{args.embedder} embedder, answers worked out in the background)"
    )
    counter = itertools.count()
    everything: list[float] = []
    started = time.perf_counter()
    try:
        with httpx.Client(timeout=30.0, limits=httpx.Limits(max_connections=args.concurrency * 2)) as http:
            for round_number in range(1, args.rounds + 1):
                barrier = threading.Barrier(args.concurrency)

                def fire(_: int, barrier: threading.Barrier = barrier) -> tuple[float, int]:
                    content_type, body = _request(next(counter))
                    headers = {"Content-Type": content_type, **_signed(body)}
                    barrier.wait()
                    begin = time.perf_counter()
                    response = http.post(url, content=body.encode("utf-8"), headers=headers)
                    return time.perf_counter() - begin, response.status_code

                with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
                    results = list(pool.map(fire, range(args.concurrency)))
                failed = sum(1 for _, status in results if status != 200)
                timings = [seconds * 1000 for seconds, _ in results]
                everything += timings
                print(f"  round {round_number}: {_figures(timings)}, {failed} not 200")
        total = args.concurrency * args.rounds
        print(f"  all {total}: {_figures(everything)} (Slack's limit: 3000 ms)")
        deadline = time.perf_counter() + 600
        while stub.posted() < total and time.perf_counter() < deadline:
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
        print(f"  answers posted: {stub.posted()} of {total}, {elapsed:.1f} s after the first request")
    finally:
        server.shutdown()
        server.server_close()
        slack.close()
        agent.close()


if __name__ == "__main__":
    main()
