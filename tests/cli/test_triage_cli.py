"""`govassist triage` end to end: profile files, JSON contract, batch, task filing, bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.cli import cli_runner

CV_SCREENER = """\
name: CV screening assistant
description: Ranks job applicants' CVs for recruiters and filters out weak candidates.
role: deployer
jurisdictions: [EU, US, US-NYC]
use_cases: [recruitment]
profiling: true
personal_data: true
interacts_with_people: false
generates_synthetic_content: false
rebrands_or_modifies: false
public_body_or_public_service: false
"""


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    return cli_runner(monkeypatch, tmp_path / "home", LOAD_BUILTIN_KNOWLEDGE="false", ACTOR="pm@example.com")


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    path = tmp_path / "cv.yaml"
    path.write_text(CV_SCREENER)
    return path


def test_triage_json_contract_and_inventory(run, profile: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("triage", "--input", str(profile), "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    for key in (
        "system",
        "eu_ai_act",
        "other_regimes",
        "internal_tier",
        "obligations",
        "required_reviews",
        "missing_information",
        "status",
        "knowledge_as_of",
    ):
        assert key in payload
    assert payload["system"] == {"id": "cv-screening-assistant", "name": "CV screening assistant"}
    eu = payload["eu_ai_act"]
    assert eu["tier"] == "high" and eu["applies_from"] == "2027-12-02"
    assert "eu-ai-act:annex-iii-4-a" in {g["citation"] for g in eu["grounds"]}
    assert {r["regime"] for r in payload["other_regimes"] if r["applies"]} >= {"nyc-ll144", "gdpr"}
    assert payload["status"] == "complete" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", payload["knowledge_as_of"])
    assert payload["assessment_version"] == 1
    # Triage the unchanged profile again: the same assessment, no new version and no new system.
    again = json.loads(run("triage", "--input", str(profile), "--json").stdout)
    assert again["assessment_version"] == 1
    # A changed profile is a second version of the same system.
    profile.write_text(CV_SCREENER.replace("weak candidates", "the weakest candidates"), encoding="utf-8")
    changed = json.loads(run("triage", "--input", str(profile), "--json").stdout)
    assert changed["assessment_version"] == 2
    listed = json.loads(run("systems", "list", "--json").stdout)
    assert [s["name"] for s in listed] == ["CV screening assistant"]


def test_file_tasks_twice_files_once(run, profile: Path) -> None:  # type: ignore[no-untyped-def]
    first = json.loads(run("triage", "--input", str(profile), "--json", "--file-tasks").stdout)
    assert first["tasks"] and all(t["status"] == "open" for t in first["tasks"])
    run("triage", "--input", str(profile), "--json", "--file-tasks")
    tasks = json.loads(run("tasks", "list", "--json").stdout)
    assert len(tasks) == len(first["tasks"])
    assert {t["review_type"] for t in tasks} == {r["id"] for r in first["required_reviews"]}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name: x\ndescription: y\nuse_cases: [mind_reading]\n", "use_cases"),
        ("name: x\ndescription: y\ncolour: blue\n", "colour"),
        ("name: x\ndescription: y\nrole: owner\n", "role"),
        ("description: no name\n", "name"),
        ("[not, a, mapping]\n", "mapping"),
        ("name: [unclosed\n", "not valid JSON/YAML"),
    ],
)
def test_bad_profiles_name_the_field(run, tmp_path: Path, content: str, message: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bad.yaml"
    path.write_text(content)
    result = run("triage", "--input", str(path))
    assert result.exit_code == 1
    assert message in result.stderr and "bad.yaml" in result.stderr
    assert "Traceback" not in result.output


def test_batch_triage(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lines = [
        json.dumps(
            {
                "name": "Spam filter",
                "description": "Filters spam e-mail.",
                "use_cases": ["spam_filtering"],
                "interacts_with_people": False,
                "generates_synthetic_content": False,
            }
        ),
        json.dumps(
            {"name": "Social scorer", "description": "Scores citizens.", "use_cases": ["social_scoring"]}
        ),
        "{not json",
    ]
    batch = tmp_path / "inventory.jsonl"
    batch.write_text("\n".join(lines) + "\n")
    result = run("triage", "--batch", str(batch), "--json")
    assert result.exit_code == 1
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert out[0]["eu_ai_act"]["tier"] == "minimal"
    assert out[1]["eu_ai_act"]["tier"] == "prohibited"
    assert out[1]["eu_ai_act"]["grounds"][-1]["citation"].startswith("eu-ai-act:art-5-1")
    assert out[2]["line"] == 3 and "error" in out[2]


def test_list_use_cases_and_usage_errors(run) -> None:  # type: ignore[no-untyped-def]
    listing = run("triage", "--list-use-cases")
    assert listing.exit_code == 0
    for code in ("social_scoring", "recruitment", "fraud_detection", "intimate_imagery_generation"):
        assert code in listing.stdout
    assert run("triage").exit_code == 2


def test_retriage_after_the_tiering_standard_changes(  # type: ignore[no-untyped-def]
    run, profile: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from knowledge.samples import SAMPLES_DIR

    standard = tmp_path / "standard.yaml"
    original = (SAMPLES_DIR / "tiering-standard.yaml").read_text(encoding="utf-8")
    standard.write_text(original, encoding="utf-8")
    monkeypatch.setenv("GOVASSIST_TIERING_STANDARD", str(standard))
    first = json.loads(run("triage", "--input", str(profile), "--json").stdout)
    assert first["assessment_version"] == 1
    unchanged = run("systems", "retriage", "--changed")
    assert "No system's assessment rests on changed knowledge." in unchanged.stdout

    # The organisation revises its standard (a new version with a longer due date for a review).
    standard.write_text(
        original.replace('version: "3.2"', 'version: "3.3"').replace("due_days: 5", "due_days: 7", 1),
        encoding="utf-8",
    )
    dry = run("systems", "retriage", "--changed", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "would re-triage v1; changed records: tiering-standard:tiering-standard" in dry.stdout
    done = json.loads(run("systems", "retriage", "--changed", "--json").stdout)
    assert [(o["previous_version"], o["new_version"]) for o in done] == [(1, 2)]
    assert done[0]["changed_citations"] == ["tiering-standard:tiering-standard"]
    assert "No system's assessment" in run("systems", "retriage", "--changed").stdout
