"""`govassist systems|tasks|audit` as a user meets them, on SQLite and PostgreSQL. State is built with the
data functions (the `triage` command comes separately)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result

from core.config import Settings
from core.db import Database
from tests.cli import cli_runner
from tests.tools import (
    GITHUB_REPO,
    GITHUB_TOKEN,
    JIRA_TOKEN,
    JIRA_USER,
    TODAY,
    edited_knowledge,
    fake_tracker,
    github_responder,
    high_risk_result,
    jira_responder,
    limited_result,
    profile,
)
from tools import inventory, tasks
from tools.inventory import KnowledgeBasis, current_knowledge
from tools.triage.schemas import SystemProfile, TriageResult

Run = Callable[..., Result]


@pytest.fixture(scope="module")
def knowledge() -> KnowledgeBasis:
    return current_knowledge()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "cli-home"


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, home: Path, database_url: str) -> Run:
    return cli_runner(
        monkeypatch, home, LOAD_BUILTIN_KNOWLEDGE="false", DATABASE_URL=database_url, ACTOR="priya"
    )


@pytest.fixture
def db(home: Path, database_url: str) -> Iterator[Database]:
    database = Database.open(Settings(home=home, database_url=database_url))
    yield database
    database.close()


@pytest.fixture
def state(db: Database, knowledge: KnowledgeBasis) -> list[tasks.TaskPublic]:
    """CV Screener triaged twice (limited, then high) with its reviews filed; a support bot once."""
    with db.session() as session:
        inventory.record_assessment(
            session=session, profile=profile(), result=limited_result(), actor="priya", knowledge=knowledge
        )
        cv = inventory.record_assessment(
            session=session, profile=profile(), result=high_risk_result(), actor="tomas", knowledge=knowledge
        )
        bot = inventory.record_assessment(
            session=session,
            profile=profile("Support bot", use_cases=["customer_chatbot"]),
            result=limited_result("Support bot"),
            actor="priya",
            knowledge=knowledge,
        )
        filed = tasks.file_review_tasks(session=session, assessment=cv, today=TODAY)
        filed += tasks.file_review_tasks(session=session, assessment=bot, today=TODAY)
    return filed


def test_systems_list(run: Run, state: list[tasks.TaskPublic]) -> None:
    result = run("systems", "list", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["id"], r["eu_tier"], r["internal_tier"], r["latest_version"]) for r in rows] == [
        ("cv-screener", "high", "T1", 2),
        ("support-bot", "limited", "T3", 1),
    ]
    text = run("systems", "list").stdout
    assert "cv-screener" in text and "support-bot" in text and "2 system(s)." in text


def test_systems_list_when_empty(run: Run) -> None:
    result = run("systems", "list")
    assert result.exit_code == 0 and "No systems in the inventory yet" in result.stdout


def test_systems_show_latest_history_and_diff(run: Run, state: list[tasks.TaskPublic]) -> None:
    result = run("systems", "show", "CV Screener", "--json")
    assert result.exit_code == 0, result.output
    detail = json.loads(result.stdout)
    assert set(detail) == {"system", "latest", "history", "diff_from_previous", "tasks"}
    assert detail["latest"]["version"] == 2 and detail["latest"]["result"]["eu_ai_act"]["tier"] == "high"
    assert [h["version"] for h in detail["history"]] == [1, 2]
    assert detail["diff_from_previous"]["eu_tier"] == {"before": "limited", "after": "high"}
    assert [t["review_type"] for t in detail["tasks"]] == ["legal", "privacy-dpia"]

    text = run("systems", "show", "cv-screener").stdout
    for expected in (
        "CV Screener (cv-screener)",
        "Assessment v2",
        "eu-ai-act:annex-iii-4-a: Screens and ranks job applicants.",
        "Changes from v1 to v2",
        "EU tier: limited -> high",
        "- ground eu-ai-act:art-50-1: Talks with people.",
        "legal (legal)  open  due 2026-12-04",
    ):
        assert expected in text, (expected, text)


def test_unknown_system_is_a_one_line_error(run: Run, state: list[tasks.TaskPublic]) -> None:
    result = run("systems", "show", "nothing-here")
    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: no system called 'nothing-here' in the inventory (see 'govassist systems list')"
    )


def test_tasks_list_filters_and_show(run: Run, state: list[tasks.TaskPublic]) -> None:
    every = json.loads(run("tasks", "list", "--json").stdout)
    assert len(every) == 3
    privacy = json.loads(run("tasks", "list", "--queue", "privacy", "--json").stdout)
    assert [t["review_type"] for t in privacy] == ["privacy-dpia"]
    bot = json.loads(run("tasks", "list", "--system", "Support bot", "--json").stdout)
    assert [t["system_id"] for t in bot] == ["support-bot"]
    assert json.loads(run("tasks", "list", "--status", "approved", "--json").stdout) == []
    assert "3 task(s)." in run("tasks", "list").stdout

    shown = run("tasks", "show", str(state[0].id))
    assert shown.exit_code == 0
    assert "Legal and regulatory review: CV Screener" in shown.stdout
    assert "Due:         2026-12-04" in shown.stdout
    assert json.loads(run("tasks", "show", str(state[0].id), "--json").stdout)["id"] == state[0].id
    missing = run("tasks", "show", "4040")
    assert missing.exit_code == 1 and "no review task 4040" in missing.output


def test_tasks_update_workflow_and_past_review(
    run: Run, state: list[tasks.TaskPublic], monkeypatch: pytest.MonkeyPatch
) -> None:
    task_id = str(state[0].id)
    illegal = run("tasks", "update", task_id, "--status", "approved", "--note", "ok")
    assert illegal.exit_code == 1
    assert "cannot move from open to approved; allowed from open: in_review" in illegal.output
    assert run("tasks", "update", task_id).exit_code == 2  # nothing to change: a usage error

    moved = run("tasks", "update", task_id, "--status", "in_review", "--assignee", "Tomás Ferreira")
    assert moved.exit_code == 0, moved.output
    assert "is in_review, assigned to Tomás Ferreira" in moved.stdout
    no_note = run("tasks", "update", task_id, "--status", "rejected")
    assert no_note.exit_code == 1 and "needs a note" in no_note.output

    closed = run(
        "tasks",
        "update",
        task_id,
        "--status",
        "approved",
        "--note",
        "Recruiters review every rejection.",
        "--condition",
        "Bias audit before NYC use",
    )
    assert closed.exit_code == 0, closed.output
    assert "Indexed as past review reviews:cv-screener-v2-legal." in closed.stdout
    shown = json.loads(run("tasks", "show", task_id, "--json").stdout)
    assert shown["status"] == "approved" and shown["conditions"] == ["Bias audit before NYC use"]

    sources = json.loads(run("knowledge", "status", "--json").stdout)
    assert [(s["source_id"], s["kind"], s["sections"]) for s in sources] == [("reviews", "review", 1)]
    # The tiny test embedder is not calibrated for abstention: answer whatever is found.
    monkeypatch.setenv("GOVASSIST_ABSTAIN_BELOW", "-1")
    answer = json.loads(
        run("ask", "--json", "What did the legal review decide about the CV Screener?").stdout
    )
    assert "reviews:cv-screener-v2-legal" in [c["id"] for c in answer["citations"]]


def test_retriage_changed(
    run: Run, db: Database, knowledge: KnowledgeBasis, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Recorded before a knowledge update that rewrote the Annex III 4(a) record.
    before = edited_knowledge(knowledge, "eu-ai-act:annex-iii-4-a", "An older summary in our words.")
    with db.session() as session:
        inventory.record_assessment(
            session=session, profile=profile(), result=limited_result(), actor="priya", knowledge=knowledge
        )
        inventory.record_assessment(
            session=session, profile=profile(), result=high_risk_result(), actor="priya", knowledge=before
        )

    def triage_fn(p: SystemProfile) -> TriageResult:
        result = high_risk_result(p.name)
        result.internal_tier = "T2"
        return result

    import integrations.cli.systems

    monkeypatch.setattr(integrations.cli.systems, "load_triage_fn", lambda _settings: triage_fn)
    assert run("systems", "retriage").exit_code == 2  # neither --changed nor names

    dry = run("systems", "retriage", "--changed", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert (
        "CV Screener (cv-screener): would re-triage v2; changed records: eu-ai-act:annex-iii-4-a"
        in dry.stdout
    )

    result = run("systems", "retriage", "--changed", "--json")
    assert result.exit_code == 0, result.output
    [outcome] = json.loads(result.stdout)
    assert (outcome["previous_version"], outcome["new_version"]) == (2, 3)
    assert outcome["changed_citations"] == ["eu-ai-act:annex-iii-4-a"]
    assert outcome["diff"]["internal_tier"] == {"before": "T1", "after": "T2"}
    assert (
        "No system's assessment rests on changed knowledge." in run("systems", "retriage", "--changed").stdout
    )

    by_name = run("systems", "retriage", "CV Screener")
    assert (
        by_name.exit_code == 0
        and "v3 unchanged: the same profile on the same knowledge gives the same result" in by_name.stdout
    )
    assert run("systems", "retriage", "Nope").exit_code == 1


def test_tasks_export_jira_and_github(
    run: Run, state: list[tasks.TaskPublic], monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = run("tasks", "export", "jira", "--project", "GOV")
    assert (
        missing.exit_code == 2
        and "GOVASSIST_JIRA_URL" in missing.output
        and "JIRA_API_TOKEN" in missing.output
    )

    with fake_tracker(jira_responder()) as jira:
        monkeypatch.setenv("GOVASSIST_JIRA_URL", jira.url)
        monkeypatch.setenv("JIRA_USER", JIRA_USER)
        monkeypatch.setenv("JIRA_API_TOKEN", JIRA_TOKEN)
        result = run("tasks", "export", "jira", "--project", "GOV", "--queue", "legal")
        assert result.exit_code == 0, result.output
        assert "2 created, 0 already exported, 0 failed." in result.stdout
        assert len(jira.requests) == 2
        again = run("tasks", "export", "jira", "--project", "GOV")
        assert "1 created, 2 already exported, 0 failed." in again.stdout
    refs = sorted(t["external_ref"] for t in json.loads(run("tasks", "list", "--json").stdout))
    assert refs == ["GOV-1", "GOV-2", "GOV-3"]

    refusal = (401, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"})
    with fake_tracker(github_responder(fail_with=refusal)) as github:
        monkeypatch.setenv("GOVASSIST_GITHUB_API_URL", github.url)
        monkeypatch.setenv("GOVASSIST_GITHUB_REPO", GITHUB_REPO)
        monkeypatch.setenv("GITHUB_TOKEN", GITHUB_TOKEN)
        # Every task is exported to Jira already: nothing to send.
        assert "0 created, 3 already exported" in run("tasks", "export", "github").stdout
        assert github.requests == []


def test_tasks_export_github_reports_refusals(
    run: Run, state: list[tasks.TaskPublic], monkeypatch: pytest.MonkeyPatch
) -> None:
    refusal = (401, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"})
    monkeypatch.setenv("GITHUB_TOKEN", GITHUB_TOKEN)
    with fake_tracker(github_responder(fail_with=refusal)) as github:
        result = run("tasks", "export", "github", "--repo", GITHUB_REPO, "--api-url", github.url)
    assert result.exit_code == 1
    assert "not exported: GitHub answered 401 Unauthorized: Bad credentials" in result.stdout
    assert "0 created, 0 already exported, 3 failed." in result.stdout
    with fake_tracker(github_responder()) as github:
        ok = run("tasks", "export", "github", "--repo", GITHUB_REPO, "--api-url", github.url, "--json")
        assert ok.exit_code == 0, ok.output
    report = json.loads(ok.stdout)
    assert [r["external_ref"] for r in report["results"]] == [
        f"{GITHUB_REPO}#1",
        f"{GITHUB_REPO}#2",
        f"{GITHUB_REPO}#3",
    ]
    bad_repo = run("tasks", "export", "github", "--repo", "no-slash")
    assert bad_repo.exit_code == 1 and "owner/name" in bad_repo.output


def test_audit_export(run: Run, state: list[tasks.TaskPublic], tmp_path: Path) -> None:
    run("tasks", "update", str(state[0].id), "--status", "in_review")
    out = tmp_path / "audit.jsonl"
    result = run("audit", "export", "--output", str(out))
    assert result.exit_code == 0, result.output
    events = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    actions = [e["action"] for e in events]
    assert actions[:3] == ["system.created", "assessment.recorded", "assessment.recorded"]
    assert actions.count("task.filed") == 3 and actions[-1] == "task.status_changed"
    assert events[-1]["actor"] == "priya" and events[-1]["subject"] == f"task:{state[0].id}"
    assert f"Wrote {len(events)} audit event(s)" in result.stderr
    stdout = run("audit", "export").stdout.splitlines()
    assert [json.loads(line)["id"] for line in stdout] == [e["id"] for e in events]
    assert run("audit", "export", "--since", "2999-01-01").stdout == ""


def test_retriage_changed_with_the_rules_engine(run: Run, db: Database, knowledge: KnowledgeBasis) -> None:
    engine = pytest.importorskip("tools.triage.engine")
    screener = profile()
    before = edited_knowledge(knowledge, "eu-ai-act:annex-iii-4-a", "An older summary in our words.")
    with db.session() as session:
        inventory.record_assessment(
            session=session,
            profile=screener,
            result=engine.triage(screener, packs=list(knowledge.packs)),
            actor="priya",
            knowledge=before,
        )
    result = run("systems", "retriage", "--changed", "--json")
    assert result.exit_code == 0, result.output
    [outcome] = json.loads(result.stdout)
    assert outcome["error"] is None and (outcome["previous_version"], outcome["new_version"]) == (1, 2)
    assert outcome["changed_citations"] == ["eu-ai-act:annex-iii-4-a"]
    # Only the record's wording changed in this test, so the engine's outcome is the same.
    assert outcome["diff"]["changed"] is False
    assert (
        "No system's assessment rests on changed knowledge." in run("systems", "retriage", "--changed").stdout
    )
