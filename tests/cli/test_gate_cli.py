"""`govassist gate`, `systems due` and `systems export` as CI and people meet them: the commands documented
in docs/launch-gate.md, run on a sample repository layout (ai-system.yaml at its root), on SQLite and
PostgreSQL."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from integrations.cli import cli
from knowledge.samples import SAMPLE_TIERING_STANDARD, SAMPLES_DIR
from tests.conftest import REPO_ROOT
from tools.bundle import verify_bundle

DOC = REPO_ROOT / "docs" / "launch-gate.md"
Run = Callable[..., Result]


def documented_commands() -> dict[str, list[str]]:
    """The gate commands of the GitHub Actions workflow and the GitLab CI snippet, as documented."""
    text = DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, flags=re.S)
    found: dict[str, list[str]] = {}
    for block in blocks:
        where = "github" if ".github/workflows" in block else "gitlab" if ".gitlab-ci.yml" in block else None
        match = re.search(r"(govassist gate check [^\n]+)", block)
        if where and match:
            found[where] = shlex.split(match.group(1))[1:]
    return found


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A service repository with its profile beside the code, as the working directory."""
    root = tmp_path / "my-service"
    (root / "src").mkdir(parents=True)
    (root / "src" / "app.py").write_text("print('hello')\n", encoding="utf-8")
    shutil.copy(SAMPLES_DIR / "systems" / "cv-screener.yaml", root / "ai-system.yaml")
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str) -> Run:
    home = tmp_path / "ci-home"
    home.mkdir()
    (home / "config.toml").write_text(f'tiering_standard = "{SAMPLE_TIERING_STANDARD}"\n', encoding="utf-8")
    monkeypatch.setenv("GOVASSIST_EMBEDDER", "hashing")
    monkeypatch.setenv("GOVASSIST_LOAD_BUILTIN_KNOWLEDGE", "false")
    monkeypatch.setenv("GOVASSIST_DATABASE_URL", database_url)
    monkeypatch.setenv("GOVASSIST_SLACK_RAI_TEAM", '["priya"]')
    monkeypatch.setenv("GOVASSIST_ACTOR", "ci")

    def _run(*args: str, actor: str = "ci") -> Result:
        monkeypatch.setenv("GOVASSIST_ACTOR", actor)
        return CliRunner().invoke(cli, ["--home", str(home), *args], catch_exceptions=False)

    return _run


def junit_failures(path: Path) -> int:
    suite = ET.parse(path).getroot().find("testsuite")
    assert suite is not None
    return int(suite.get("failures", "-1"))


def test_the_documented_ci_commands_block_then_pass(
    run: Run, repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    commands = documented_commands()
    assert set(commands) == {"github", "gitlab"}
    summary = tmp_path / "step-summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))

    not_triaged = run(*commands["github"])
    assert not_triaged.exit_code == 1 and "::error title=Launch gate: triage::" in not_triaged.output

    first = run("triage", "--input", "ai-system.yaml", "--file-tasks")
    assert first.exit_code == 0, first.output
    assert "Filed 6 new review task(s):" in first.output
    again = run("triage", "--input", "ai-system.yaml", "--file-tasks")
    assert "Filed 0 new review task(s); 6 already existed:" in again.output
    listed = json.loads(run("systems", "list", "--json").output)
    assert [(s["id"], s["latest_version"]) for s in listed] == [("talentrank-cv-screener", 1)]

    blocked = run(*commands["github"])
    assert blocked.exit_code == 1, blocked.output
    assert blocked.output.count("::error title=Launch gate: review:") == 6
    assert junit_failures(repo / "gate-results.xml") == 6
    assert "❌ blocked" in summary.read_text(encoding="utf-8")

    tasks = json.loads(run("tasks", "list", "--json").output)
    for task in tasks:
        assert run("tasks", "update", str(task["id"]), "--status", "in_review").exit_code == 0
        conditions = (
            ["--condition", "Monthly adverse-impact report"]
            if task["review_type"] == "fairness-audit"
            else []
        )
        decided = run(
            "tasks", "update", str(task["id"]), "--status", "approved", "--note", "Done.", *conditions
        )
        assert decided.exit_code == 0, decided.output

    passed = run(*commands["github"])
    assert passed.exit_code == 0, passed.output
    assert "::error" not in passed.output and "PASSED" in passed.output
    assert "Monthly adverse-impact report" in passed.output
    assert junit_failures(repo / "gate-results.xml") == 0
    assert "✅ passed" in summary.read_text(encoding="utf-8")

    (repo / "gate-results.xml").unlink()
    gitlab = run(*commands["gitlab"])
    assert gitlab.exit_code == 0 and junit_failures(repo / "gate-results.xml") == 0

    as_json = json.loads(run("gate", "check", "talentrank-cv-screener", "--json").output)
    assert as_json["outcome"] == "passed" and as_json["passed"] is True and len(as_json["approvals"]) == 6

    # The profile changes in the repository: the gate asks for a new triage first.
    text = (repo / "ai-system.yaml").read_text(encoding="utf-8")
    (repo / "ai-system.yaml").write_text(
        text.replace("profiling: true", "profiling: false"), encoding="utf-8"
    )
    changed = run("gate", "check", "ai-system.yaml")
    assert (
        changed.exit_code == 1
        and "the profile changed since assessment v1 (fields: profiling)" in changed.output
    )


def test_waivers_from_the_cli_and_exit_codes_for_usage_and_database_errors(
    run: Run, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("triage", "--input", "ai-system.yaml", "--file-tasks").exit_code == 0
    refused = run(
        "gate", "waive", "talentrank-cv-screener", "--item", "review:legal", "--reason", "x", actor="ben"
    )
    assert refused.exit_code == 1 and "'ben' is not on the RAI team" in refused.output
    for item in (
        "legal",
        "privacy-dpia",
        "fairness-audit",
        "security-red-team",
        "model-validation",
        "ethics-board",
    ):
        granted = run(
            "gate", "waive", "talentrank-cv-screener", "--item", f"review:{item}", "--reason", "Pilot only",
            "--days", "7", actor="priya",
        )  # fmt: skip
        assert granted.exit_code == 0, granted.output
    waived = run("gate", "check", "ai-system.yaml", "--format", "github")
    assert waived.exit_code == 0 and "PASSED WITH WAIVERS" in waived.output
    assert waived.output.count("::warning title=Launch gate waiver:") == 6
    assert "#1 [review:legal] active" in run("gate", "waivers", "talentrank-cv-screener").output

    assert run("gate", "check", "missing.yaml").exit_code == 2
    assert run("gate", "check", "no-such-system").exit_code == 2
    (repo / "bad.yaml").write_text("name: x\nunknown_field: 1\n", encoding="utf-8")
    assert run("gate", "check", "bad.yaml").exit_code == 2
    assert run("gate", "check").exit_code == 2
    monkeypatch.setenv(
        "GOVASSIST_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2"
    )
    unreachable = run("gate", "check", "ai-system.yaml")
    assert unreachable.exit_code == 3 and "database" in unreachable.output


def test_systems_due_and_the_evidence_bundle(run: Run, repo: Path, tmp_path: Path) -> None:
    assert run("triage", "--input", "ai-system.yaml", "--file-tasks").exit_code == 0
    assert "No re-review due within 30 day(s)." in run("systems", "due", "--within", "30d").output
    assert run("systems", "due", "--within", "soon").exit_code == 2
    due = json.loads(run("systems", "due", "--within", "4w", "--file", "--json").output)
    assert due == {"due": [], "new_task_ids": [], "existing_task_ids": []}
    assert run("gate", "check", "ai-system.yaml").exit_code == 1

    out = tmp_path / "evidence" / "cv.zip"
    exported = run("systems", "export", "talentrank-cv-screener", "--bundle", str(out))
    assert exported.exit_code == 0, exported.output
    manifest = verify_bundle(out)
    paths = {f.path for f in manifest.files}
    assert {"assessments/v1.json", "tasks.json", "gate-runs.json", "audit.jsonl", "waivers.json"} <= paths
    assert run("systems", "export", "nothing", "--bundle", str(out)).exit_code == 1


def test_a_retrained_model_makes_the_reviews_due_listed_filed_once_and_gated(run: Run, repo: Path) -> None:
    profile = repo / "ai-system.yaml"
    profile.write_text(profile.read_text(encoding="utf-8") + 'model_version: "v1"\n', encoding="utf-8")

    def approve_open() -> None:
        for task in json.loads(run("tasks", "list", "--json").output):
            if task["status"] in {"open", "in_review"}:
                run("tasks", "update", str(task["id"]), "--status", "in_review")
                decided = run("tasks", "update", str(task["id"]), "--status", "approved", "--note", "Done.")
                assert decided.exit_code == 0, decided.output

    assert run("triage", "--input", "ai-system.yaml", "--file-tasks").exit_code == 0
    approve_open()
    assert run("gate", "check", "ai-system.yaml").exit_code == 0

    profile.write_text(
        profile.read_text(encoding="utf-8").replace('model_version: "v1"', 'model_version: "v2"'),
        encoding="utf-8",
    )
    changed = run("gate", "check", "ai-system.yaml")
    assert changed.exit_code == 1 and "model_version" in changed.output
    assert run("triage", "--input", "ai-system.yaml").exit_code == 0  # the T1 tier is unchanged
    listed = run("systems", "due")
    assert listed.output.count("retrained: model_version v1 -> v2") == 6, listed.output
    assert listed.output.count("not filed") == 6
    first = run("systems", "due", "--file")
    assert "Filed 6 new re-review task(s); 0 already open." in first.output
    again = run("systems", "due", "--file", "--json")
    payload = json.loads(again.output)
    assert payload["new_task_ids"] == [] and len(payload["existing_task_ids"]) == 6
    assert {(d["cause"], d["reason"]) for d in payload["due"]} == {
        ("retrained", "retrained: model_version v1 -> v2")
    }
    blocked = run("gate", "check", "ai-system.yaml")
    assert blocked.exit_code == 1 and "retrained: model_version v1 -> v2" in blocked.output
    approve_open()
    assert run("gate", "check", "ai-system.yaml").exit_code == 0
    assert "No re-review due within 0 day(s)." in run("systems", "due").output
