"""The command line as a user meets it: the ask --json contract, batches, ingest reports and errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from integrations.cli import cli
from tests.cli import cli_runner

POLICY = """---
as_of: 2026-03-01
---
# Generative AI use

## Customer data
Never paste customer personal data or claims data into public chatbots such as ChatGPT.
Use the approved internal assistant instead, which keeps data inside the company.

## Disclosure
Tell customers when they are chatting with an automated assistant rather than a person.
"""


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    return cli_runner(monkeypatch, tmp_path / "cli-home", LOAD_BUILTIN_KNOWLEDGE="false")


@pytest.fixture
def policies(tmp_path: Path) -> Path:
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "genai-use.md").write_text(POLICY, encoding="utf-8")
    return folder


def test_ask_json_contract(run, policies: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("ingest", str(policies), "--kind", "policy").exit_code == 0
    result = run("ask", "--json", "Can I paste claims data into ChatGPT?")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert set(payload) == {"question", "answer", "grounded", "citations", "knowledge_as_of"}
    assert payload["question"] == "Can I paste claims data into ChatGPT?"
    assert isinstance(payload["answer"], str) and isinstance(payload["grounded"], bool)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", payload["knowledge_as_of"])
    assert payload["knowledge_as_of"] == "2026-03-01"
    assert payload["citations"], payload
    for citation in payload["citations"]:
        assert set(citation) == {"id", "source", "title", "locator", "snippet", "score"}
        assert citation["id"].startswith(citation["source"] + ":")
        assert isinstance(citation["score"], float)
    scores = [c["score"] for c in payload["citations"]]
    assert scores == sorted(scores, reverse=True)
    assert payload["citations"][0]["id"] == "genai-use:customer-data"


def test_ask_text_output_cites_sources(run, policies: Path) -> None:  # type: ignore[no-untyped-def]
    run("ingest", str(policies))
    result = run("ask", "Must we tell customers they are chatting with an automated assistant?")
    assert result.exit_code == 0
    assert "genai-use:disclosure" in result.stdout and "[1]" in result.stdout


@pytest.mark.parametrize(
    ("question", "message"),
    [("", "the question is empty"), ("   ", "the question is empty"), ("x" * 100_000, "too long")],
)
def test_bad_questions_get_one_line_errors(run, question: str, message: str) -> None:  # type: ignore[no-untyped-def]
    result = run("ask", question)
    assert result.exit_code != 0
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_unusable_home_is_a_one_line_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVASSIST_EMBEDDER", "hashing")
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    result = CliRunner().invoke(cli, ["--home", str(blocker / "home"), "ask", "What is Article 5?"])
    assert result.exit_code == 1
    assert "not usable" in result.stderr and "Traceback" not in result.output


def test_batch_answers_one_json_object_per_line(run, policies: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("ingest", str(policies))
    questions = tmp_path / "q.txt"
    questions.write_text("Can I paste claims data into ChatGPT?\n\nDo we disclose chatbots to customers?\n")
    result = run("ask", "--batch", str(questions), "--json")
    assert result.exit_code == 0
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["question"] for line in lines] == [
        "Can I paste claims data into ChatGPT?",
        "Do we disclose chatbots to customers?",
    ]
    from_stdin = run(
        "ask", "--batch", "-", input="Do we disclose chatbots to customers?\n" + "y" * 5000 + "\n"
    )
    assert from_stdin.exit_code == 1
    out = [json.loads(line) for line in from_stdin.stdout.splitlines()]
    assert out[0]["grounded"] in (True, False) and "too long" in out[1]["error"]


def test_ingest_reports_bad_files_and_keeps_the_rest(run, policies: Path) -> None:  # type: ignore[no-untyped-def]
    (policies / "corrupt.pdf").write_bytes(b"%PDF-1.7 this is not really a pdf")
    (policies / "binary.txt").write_bytes(b"\x00\x01\x02binary\x00")
    (policies / "empty.md").write_text("")
    (policies / "latin1.txt").write_bytes("caf\xe9 policy".encode("latin-1"))
    result = run("ingest", str(policies))
    assert result.exit_code == 1
    for name in ("corrupt.pdf", "binary.txt", "empty.md", "latin1.txt"):
        assert name in result.stderr
    assert "1 added" in result.stdout and "4 failed" in result.stdout
    status = json.loads(run("knowledge", "status", "--json").stdout)
    assert [row["source_id"] for row in status] == ["genai-use"]


def test_reingest_unchanged_does_nothing_and_changes_replace(run, policies: Path) -> None:  # type: ignore[no-untyped-def]
    run("ingest", str(policies))
    assert "0 added, 0 updated, 1 unchanged" in run("ingest", str(policies)).stdout
    (policies / "genai-use.md").write_text(POLICY.replace("## Disclosure", "## Telling customers"))
    assert "1 updated" in run("ingest", str(policies)).stdout
    ids = [
        c["id"]
        for c in json.loads(run("ask", "--json", "tell customers automated assistant").stdout)["citations"]
    ]
    assert "genai-use:telling-customers" in ids and "genai-use:disclosure" not in ids


def test_restricted_needs_groups_and_filters_readers(run, policies: Path) -> None:  # type: ignore[no-untyped-def]
    bad = run("ingest", str(policies), "--visibility", "restricted")
    assert bad.exit_code == 2 and "--groups" in bad.stderr
    assert run("ingest", str(policies), "--visibility", "restricted", "--groups", "legal").exit_code == 0
    outsider = json.loads(run("ask", "--json", "paste claims data into ChatGPT").stdout)
    member = json.loads(run("ask", "--json", "--groups", "legal", "paste claims data into ChatGPT").stdout)
    assert not outsider["citations"] and not outsider["grounded"]
    assert member["citations"][0]["source"] == "genai-use"


def test_knowledge_remove(run, policies: Path) -> None:  # type: ignore[no-untyped-def]
    run("ingest", str(policies))
    assert "Removed 1 document" in run("knowledge", "remove", "genai-use").stdout
    missing = run("knowledge", "remove", "genai-use")
    assert missing.exit_code == 1 and "no indexed source" in missing.stderr


def test_missing_path_is_reported(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("ingest", str(tmp_path / "nope.md"))
    assert result.exit_code == 1 and "nope.md" in result.stderr
