"""The LLM-judged metrics (ragas Faithfulness and ResponseRelevancy through `evals.judge`): skipped with a
note when no judge is configured, and scored through a real OpenAI-compatible client when one is. The
judge is a remote service, so a local HTTP server speaking the chat-completions wire format stands in
for it, answering each ragas prompt with the JSON that prompt asks for."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from evals import judge
from evals.results import CaseResult
from knowledge.embedder import HashingEmbedder


class _JudgeServer(BaseHTTPRequestHandler):
    """POST /v1/chat/completions: a canned, well-formed reply per ragas prompt; counts requests."""

    requests: ClassVar[list[str]] = []

    def log_message(self, *args: object) -> None:  # keep the test output clean
        return

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        prompt = "\n".join(str(m.get("content", "")) for m in body["messages"])
        type(self).requests.append(prompt)
        if "noncommittal" in prompt:  # ResponseRelevancy: a question the answer would answer
            content = {"question": "How soon must a personal data breach be reported?", "noncommittal": 0}
        elif "verdict" in prompt:  # Faithfulness, step 2: is each statement supported by the context?
            content = {
                "statements": [
                    {"statement": "Breaches are reported within 72 hours.", "reason": "stated", "verdict": 1}
                ]
            }
        else:  # Faithfulness, step 1: break the answer into statements
            content = {"statements": ["Breaches are reported within 72 hours."]}
        choices = [
            {
                "index": i,
                "message": {"role": "assistant", "content": json.dumps(content)},
                "finish_reason": "stop",
            }
            for i in range(int(body.get("n") or 1))
        ]
        payload = {
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "created": 0,
            "model": body.get("model", "judge"),
            "choices": choices,
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def judge_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _JudgeServer)
    _JudgeServer.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


def _cases() -> list[CaseResult]:
    answered = CaseResult(
        suite="qa",
        case_id="qa-900",
        category="gdpr",
        status="passed",
        scores={"answered": 1.0},
        detail={
            "question": "How quickly must we report a personal data breach?",
            "answer": "Within 72 hours of becoming aware of it [1].",
            "contexts": ["The controller notifies the authority within 72 hours of becoming aware."],
        },
    )
    declined = CaseResult(
        suite="qa",
        case_id="qa-901",
        category="decline",
        status="passed",
        scores={"answered": 0.0},
        detail={"question": "Pizza?", "answer": "I don't know.", "contexts": []},
    )
    return [answered, declined]


def test_no_judge_means_a_note_not_a_figure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(judge.JUDGE_ENV, raising=False)
    assert judge.judge_spec(None) is None and judge.judge_spec("none") is None
    monkeypatch.setenv(judge.JUDGE_ENV, "openai:gpt-4o-mini")
    assert judge.judge_spec(None) == "openai:gpt-4o-mini"
    assert judge.judge_spec("other:model") == "other:model"


def test_judge_scores_answers_through_an_openai_compatible_server(
    judge_url: str,
    monkeypatch: pytest.MonkeyPatch,
    make_settings,  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setenv(judge.JUDGE_BASE_URL_ENV, judge_url)
    cases = _cases()
    metrics, notes = judge.judge_qa(make_settings(), "judge-model", cases, HashingEmbedder())
    assert notes == []
    assert metrics["faithfulness"] == pytest.approx(1.0)
    relevancy = metrics["response_relevancy"]
    assert relevancy is not None and 0.0 < relevancy <= 1.0
    assert cases[0].scores["faithfulness"] == pytest.approx(1.0)
    assert "faithfulness" not in cases[1].scores  # declined answers are not judged
    assert len(_JudgeServer.requests) >= 3  # statements, verdicts, question generation


def test_an_unusable_judge_is_a_note(make_settings, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv(judge.JUDGE_BASE_URL_ENV, raising=False)
    metrics, notes = judge.judge_qa(make_settings(), "not-a-backend", _cases(), HashingEmbedder())
    assert metrics == {} and len(notes) == 1 and notes[0].startswith("judge not usable:")
