"""Helpers for the inventory, task and export tests: hand-made profiles and triage results (the rules
engine is tested on its own), a knowledge basis with one record edited, and a fake issue tracker."""

from __future__ import annotations

import base64
import itertools
import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from knowledge.packs import Pack
from tools.inventory import KnowledgeBasis
from tools.triage.schemas import (
    EuAiActFinding,
    EuTier,
    Ground,
    Obligation,
    RegimeFinding,
    RequiredReview,
    SystemProfile,
    SystemRef,
    TriageResult,
    TriageStatus,
)

LEGAL = RequiredReview(id="legal", name="Legal and regulatory review", owner_queue="legal", due_days=10)
PRIVACY = RequiredReview(
    id="privacy-dpia", name="Privacy review and DPIA", owner_queue="privacy", due_days=15
)
FAIRNESS = RequiredReview(
    id="fairness-audit", name="Fairness and bias audit", owner_queue="fairness", due_days=20
)
TODAY = date(2026, 11, 24)


def profile(name: str = "CV Screener", **overrides: Any) -> SystemProfile:
    """A recruitment-screening profile (or anything else through `overrides`)."""
    values: dict[str, Any] = {
        "name": name,
        "description": "Ranks job applicants' CVs for recruiters.",
        "use_cases": ["recruitment"],
        "jurisdictions": ["EU", "US-NYC"],
        "profiling": True,
        "personal_data": True,
    }
    values.update(overrides)
    return SystemProfile(**values)


def high_risk_result(
    name: str = "CV Screener", *, reviews: list[RequiredReview] | None = None
) -> TriageResult:
    """What triage would say of a CV screener: high-risk under Annex III 4(a), NYC LL144 applies."""
    return TriageResult(
        system=SystemRef(id=None, name=name),
        eu_ai_act=EuAiActFinding(
            tier=EuTier.HIGH,
            grounds=[
                Ground(citation="eu-ai-act:annex-iii-4-a", reason="Screens and ranks job applicants."),
                Ground(citation="eu-ai-act:art-6-2", reason="Annex III systems are high-risk."),
            ],
            applies_from=date(2026, 8, 2),
        ),
        other_regimes=[
            RegimeFinding(
                regime="nyc-ll144",
                applies=True,
                grounds=[Ground(citation="nyc-ll144:20-871", reason="Used for candidates in New York City.")],
            )
        ],
        internal_tier="T1",
        obligations=[
            Obligation(
                id="deployer-oversight",
                citation="eu-ai-act:art-26",
                title="Assign human oversight",
                owner="deployer",
                applies_from=date(2026, 8, 2),
            )
        ],
        required_reviews=reviews if reviews is not None else [LEGAL, PRIVACY],
        missing_information=[],
        status=TriageStatus.COMPLETE,
        knowledge_as_of=date(2026, 11, 20),
    )


def limited_result(name: str = "CV Screener") -> TriageResult:
    """A chatbot-like outcome: limited risk through Art. 50(1), one transparency ground."""
    return TriageResult(
        system=SystemRef(id=None, name=name),
        eu_ai_act=EuAiActFinding(
            tier=EuTier.LIMITED,
            grounds=[Ground(citation="eu-ai-act:art-50-1", reason="Talks with people.")],
            transparency=[Ground(citation="eu-ai-act:art-50-1", reason="Tell people they talk to an AI.")],
        ),
        other_regimes=[RegimeFinding(regime="nyc-ll144", applies=False, grounds=[])],
        internal_tier="T3",
        obligations=[
            Obligation(
                id="disclose-ai",
                citation="eu-ai-act:art-50-1",
                title="Disclose the AI interaction",
                owner="provider",
                applies_from=date(2026, 8, 2),
            )
        ],
        required_reviews=[LEGAL],
        missing_information=[],
        status=TriageStatus.COMPLETE,
        knowledge_as_of=date(2026, 11, 20),
    )


def edited_knowledge(base: KnowledgeBasis, citation_id: str, summary: str) -> KnowledgeBasis:
    """`base` with the summary of one record replaced: the knowledge as it was before an update."""
    packs: list[Pack] = []
    for pack in base.packs:
        if any(r.citation_id == citation_id for r in pack.records):
            records = [
                r.model_copy(update={"summary": summary}) if r.citation_id == citation_id else r
                for r in pack.records
            ]
            fields = {name: getattr(pack, name) for name in Pack.model_fields}
            pack = Pack(**{**fields, "records": records})
        packs.append(pack)
    return KnowledgeBasis(packs=tuple(packs), fingerprint="edited-" + citation_id)


# --- a fake issue tracker ----------------------------------------------------------------------------


@dataclass
class Recorded:
    """One request the fake tracker received."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any


Responder = Callable[[Recorded], tuple[int, dict[str, Any]]]


@dataclass
class FakeTracker:
    """A threaded HTTP server on a free loopback port; `respond` decides each answer."""

    respond: Responder
    requests: list[Recorded] = field(default_factory=list)
    url: str = ""


@contextmanager
def fake_tracker(respond: Responder) -> Iterator[FakeTracker]:
    """Serve `respond` on 127.0.0.1 at a free port for the duration of the block."""
    tracker = FakeTracker(respond=respond)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw.decode("utf-8", "replace")
            request = Recorded("POST", self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            tracker.requests.append(request)
            status, payload = tracker.respond(request)
            data = json.dumps(payload).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    tracker.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield tracker
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


JIRA_USER = "pm@example.com"
JIRA_TOKEN = "jira-api-token"
GITHUB_REPO = "acme/ai-governance"
GITHUB_TOKEN = "ghp_exampletoken"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def jira_problems(request: Recorded) -> list[str]:
    """What a real Jira would object to in a create-issue request."""
    problems = []
    expected_auth = "Basic " + base64.b64encode(f"{JIRA_USER}:{JIRA_TOKEN}".encode()).decode()
    if request.path != "/rest/api/2/issue":
        problems.append(f"path {request.path}")
    if request.headers.get("authorization") != expected_auth:
        problems.append("authorization")
    if not request.headers.get("content-type", "").startswith("application/json"):
        problems.append("content-type")
    body = request.body
    fields = body.get("fields") if isinstance(body, dict) else None
    if not isinstance(fields, dict) or set(body) != {"fields"}:
        return [*problems, "body must be {'fields': {...}}"]
    if set(fields) != {"project", "summary", "description", "issuetype", "duedate", "labels"}:
        problems.append(f"fields {sorted(fields)}")
    if not isinstance(fields.get("project"), dict) or not fields["project"].get("key"):
        problems.append("project.key")
    if not isinstance(fields.get("summary"), str) or not fields["summary"]:
        problems.append("summary")
    if fields.get("issuetype") != {"name": "Task"}:
        problems.append("issuetype")
    if not isinstance(fields.get("duedate"), str) or not _DATE.match(fields["duedate"]):
        problems.append("duedate")
    labels = fields.get("labels")
    if not isinstance(labels, list) or any(not isinstance(x, str) or " " in x for x in labels):
        problems.append("labels")
    return problems


def jira_responder(*, fail_with: tuple[int, dict[str, Any]] | None = None) -> Responder:
    """A Jira create-issue endpoint: 201 with `{id, key, self}`, 400 for a malformed request, or
    `fail_with` for every request."""
    numbers = itertools.count(1)

    def respond(request: Recorded) -> tuple[int, dict[str, Any]]:
        problems = jira_problems(request)
        if problems:
            return 400, {"errorMessages": [f"fake Jira refuses: {', '.join(problems)}"], "errors": {}}
        if fail_with is not None:
            return fail_with
        number = next(numbers)
        issue_id = str(10000 + number)
        return 201, {
            "id": issue_id,
            "key": f"GOV-{number}",
            "self": f"http://jira/rest/api/2/issue/{issue_id}",
        }

    return respond


def github_problems(request: Recorded) -> list[str]:
    """What GitHub would object to in a create-issue request."""
    problems = []
    if request.path != f"/repos/{GITHUB_REPO}/issues":
        problems.append(f"path {request.path}")
    if request.headers.get("authorization") != f"Bearer {GITHUB_TOKEN}":
        problems.append("authorization")
    if "application/vnd.github+json" not in request.headers.get("accept", ""):
        problems.append("accept")
    body = request.body
    if not isinstance(body, dict) or set(body) != {"title", "body", "labels"}:
        return [*problems, "body must be {title, body, labels}"]
    if not isinstance(body["title"], str) or not body["title"]:
        problems.append("title")
    if not isinstance(body["labels"], list) or not all(isinstance(x, str) for x in body["labels"]):
        problems.append("labels")
    return problems


def github_responder(*, fail_with: tuple[int, dict[str, Any]] | None = None) -> Responder:
    """GitHub's create-issue endpoint: 201 with the issue (number, html_url...), 400 for a malformed
    request, or `fail_with` for every request."""
    numbers = itertools.count(1)

    def respond(request: Recorded) -> tuple[int, dict[str, Any]]:
        problems = github_problems(request)
        if problems:
            return 400, {"message": f"fake GitHub refuses: {', '.join(problems)}"}
        if fail_with is not None:
            return fail_with
        number = next(numbers)
        return 201, {
            "id": 900 + number,
            "node_id": f"I_kw{number}",
            "url": f"https://api.github.com/repos/{GITHUB_REPO}/issues/{number}",
            "html_url": f"https://github.com/{GITHUB_REPO}/issues/{number}",
            "number": number,
            "state": "open",
            "title": request.body["title"],
            "body": request.body["body"],
            "labels": [{"name": name} for name in request.body["labels"]],
        }

    return respond
