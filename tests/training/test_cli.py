"""`govassist train ...` as trainers and participants use it: start, take (interactive), answer, close,
report; bad input gets one line and a non-zero exit."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from assistant.training import TrainingService
from core.config import Settings
from knowledge.builtin import load_sample_organisation
from tests.cli import cli_runner

Run = Callable[..., Result]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home with the packs and the sample organisation indexed once for every test here."""
    path = tmp_path_factory.mktemp("train-cli")
    settings = Settings(home=path, embedder="hashing", database_url=f"sqlite:///{path / 'govassist.db'}")
    service = TrainingService(settings, use_llm=False)
    load_sample_organisation(service.assistant().index)
    service.close()
    return path


@pytest.fixture
def run(home: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    database = f"sqlite:///{home / 'govassist.db'}"
    return cli_runner(monkeypatch, home, DATABASE_URL=database, ACTOR="priya", ABSTAIN_BELOW="0")


def _start(run: Run, *extra: str) -> dict[str, object]:
    result = run(
        "train", "start", "--topic", "GDPR basics", "--questions", "3", "--seed", "5", "--json", *extra
    )
    assert result.exit_code == 0, result.output
    started = json.loads(result.output)
    return started["session"]  # type: ignore[no-any-return]


def _one_line_error(result: Result, *fragments: str) -> None:
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_topics_lists_every_topic(run: Run) -> None:
    result = run("train", "topics", "--json")
    assert result.exit_code == 0, result.output
    topics = {t["title"]: t for t in json.loads(result.output)}
    assert {"EU AI Act basics", "our generative AI acceptable-use policy", "how triage works"} <= set(topics)
    assert all(t["available"] for t in topics.values())
    table = run("train", "topics")
    assert "GDPR basics" in table.output and "NIST AI RMF basics" in table.output


def test_start_answer_close_and_report(run: Run, tmp_path: Path) -> None:
    started = run(
        "train", "start", "--topic", "EU AI Act basics", "--questions", "2", "--difficulty", "easy",
        "--participants", "ana,ben", "--trainer", "Priya",
    )  # fmt: skip
    assert started.exit_code == 0, started.output
    session_id = re.search(r"Started training session (\d+)", started.output).group(1)  # type: ignore[union-attr]
    assert "for ana, ben" in started.output and "govassist train take" in started.output

    first = run("train", "answer", session_id, "--user", "ana", "--question", "1", "--option", "A", "--json")
    assert first.exit_code == 0, first.output
    feedback = json.loads(first.output)
    assert feedback["chosen_option"] == 0 and feedback["citation_id"] and feedback["explanation"]
    again = run("train", "answer", session_id, "--user", "ana", "--question", "1", "--option", "B")
    assert again.exit_code == 0 and "first answer counts" in again.output
    text = run("train", "answer", session_id, "--user", "ben", "--question", "2", "--option", "1")
    assert text.exit_code == 0 and "Source: " in text.output and "1/2 answered" in text.output

    closed = run("train", "close", session_id)
    assert closed.exit_code == 0 and f"Closed training session {session_id}" in closed.output
    _one_line_error(
        run("train", "answer", session_id, "--user", "ana", "--question", "2", "--option", "A"), "is closed"
    )

    csv_file, html_file = tmp_path / "attendance.csv", tmp_path / "report.html"
    report = run("train", "report", "--session", session_id, "--csv", str(csv_file), "--html", str(html_file))
    assert report.exit_code == 0, report.output
    rows = list(csv.DictReader(io.StringIO(csv_file.read_text(encoding="utf-8"))))
    assert {r["user_id"] for r in rows} == {"ana", "ben"}
    assert {r["session_id"] for r in rows} == {session_id}
    assert {r["trainer"] for r in rows} == {"Priya"} and {r["status"] for r in rows} == {"closed"}
    assert next(r for r in rows if r["user_id"] == "ana")["answered"] == "1"
    html = html_file.read_text(encoding="utf-8")
    assert "Article 4" in html and "EU AI Act basics" in html and feedback["citation_id"] in html

    to_stdout = run("train", "report", "--session", session_id)
    assert to_stdout.output.startswith("session_id,topic,date") and "session(s)" not in to_stdout.output
    person = run("train", "report", "--person", "ben", "--html", "-")
    assert "Training record of ben" in person.output
    assert not re.search(r"\bana\b", person.output)  # only ben's record

    listed = run("train", "list", "--person", "ana", "--json")
    assert session_id in [str(s["id"]) for s in json.loads(listed.output)]
    shown = run("train", "show", session_id)
    assert "ana: 0/2 right" in shown.output or "ana: 1/2 right" in shown.output


def test_take_is_interactive_with_feedback_and_open_questions(run: Run) -> None:
    session = _start(run, "--channel", "C-onboarding")
    session_id = str(session["id"])
    typed = "\n".join(["A", "? Who has to ensure staff are AI literate?", "zz", "2", "1", ""]) + "\n"
    result = run("train", "take", session_id, "--user", "dora", input=typed)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Question 1/3" in out and "Question 2/3" in out and "Question 3/3" in out
    assert out.count("Source: ") == 3
    assert re.search(r"\[1\] .+  [a-z0-9-]+:[a-z0-9-]+", out)  # the open question, answered with a citation
    assert "option 'zz' is out of range" in out
    assert "You answered 3 of 3 questions" in out
    done = run("train", "take", session_id, "--user", "dora")
    assert "You answered 3 of 3 questions" in done.output and "Question 1/3" not in done.output


def test_take_can_stop_and_go_on_later(run: Run) -> None:
    session_id = str(_start(run, "--participants", "eve")["id"])
    stopped = run("train", "take", session_id, "--user", "eve", input="1\n\n")
    assert stopped.exit_code == 0 and "Stopped." in stopped.output
    resumed = run("train", "take", session_id, "--user", "eve", input="q\n")
    assert "Question 2/3" in resumed.output and "Question 1/3" not in resumed.output


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["start", "--topic", "Astrology", "--participants", "a"], ["unknown topic 'Astrology'"]),
        (["start", "--topic", "gdpr", "--questions", "0", "--participants", "a"], ["between 1 and 50"]),
        (["start", "--topic", "gdpr", "--questions", "500", "--participants", "a"], ["between 1 and 50"]),
        (["start", "--topic", "gdpr", "--difficulty", "brutal", "--participants", "a"], ["--difficulty"]),
        (["start", "--topic", "gdpr", "--channel", "C", "--participants", "a"], ["not both"]),
        (["start", "--topic", "gdpr"], ["who is the session for"]),
        (
            ["answer", "424242", "--user", "a", "--question", "1", "--option", "A"],
            ["no training session 424242"],
        ),
        (["take", "424242", "--user", "a"], ["no training session 424242"]),
        (["close", "424242"], ["no training session 424242"]),
        (["report", "--session", "424242"], ["no training session 424242"]),
    ],
)
def test_bad_input_gets_one_line_and_a_non_zero_exit(run: Run, args: list[str], fragments: list[str]) -> None:
    _one_line_error(run("train", *args), *fragments)


def test_bad_answers_get_one_line(run: Run) -> None:
    session_id = str(_start(run, "--participants", "fay")["id"])
    _one_line_error(
        run("train", "answer", session_id, "--user", "fay", "--question", "1", "--option", "9"),
        "option '9' is out of range",
    )
    _one_line_error(
        run("train", "answer", session_id, "--user", "fay", "--question", "7", "--option", "A"),
        "no question 7",
    )
    _one_line_error(
        run("train", "answer", session_id, "--user", "gus", "--question", "1", "--option", "A"),
        "gus is not a participant",
    )
    assert run("train", "close", session_id).exit_code == 0
    _one_line_error(run("train", "close", session_id), "already closed")
    _one_line_error(run("train", "take", session_id, "--user", "fay"), "is closed")


def test_a_policy_session_is_refused_to_public_readers(run: Run) -> None:
    started = run(
        "train", "start", "--topic", "acceptable use policy", "--questions", "2", "--channel", "staff",
        "--seed", "2", "--json",
    )  # fmt: skip
    assert started.exit_code == 0, started.output
    session = json.loads(started.output)["session"]
    assert session["visibility"] == "internal" and session["seed"] == 2
    sid = str(session["id"])
    _one_line_error(
        run("train", "answer", sid, "--user", "ana", "--question", "1", "--option", "A", "--public-only"),
        f"training session {sid} draws on internal documents",
        "public channel",
    )
    _one_line_error(run("train", "show", sid, "--public-only"), "public channel")
    _one_line_error(
        run("train", "start", "--topic", "acceptable use policy", "--questions", "2", "--channel", "general",
            "--public-only"),
        "may not read",
    )  # fmt: skip
    answered = run("train", "answer", sid, "--user", "ana", "--question", "1", "--option", "A", "--json")
    assert answered.exit_code == 0 and json.loads(answered.output)["position"] == 1
    listed = json.loads(run("train", "list", "--public-only", "--json").output)
    assert int(sid) not in {s["id"] for s in listed}
