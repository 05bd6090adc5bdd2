"""`govassist chat` and `govassist ask` through the agent, as scripts and people use them: the JSON reply
contract, threads continued across invocations, the REPL, errors, and the audit export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from tests.agent.offline import packed_settings
from tests.cli import cli_runner

ANSWER_KEYS = {"question", "answer", "grounded", "citations", "knowledge_as_of"}
REPLY_KEYS = ANSWER_KEYS | {
    "thread_id",
    "intent",
    "mode",
    "model",
    "notice",
    "tool_calls",
    "message_id",
    "triage",
    "pending_question",
}


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    return cli_runner(monkeypatch, packed_settings(tmp_path).home)


def reply(result: Result) -> dict[str, Any]:
    assert result.exit_code == 0, result.output
    payload: dict[str, Any] = json.loads(result.stdout)
    assert set(payload) == REPLY_KEYS
    return payload


def test_chat_json_contract_and_follow_up_across_invocations(run) -> None:  # type: ignore[no-untyped-def]
    first = reply(run("chat", "--thread", "s1", "--json", "What must providers of high-risk AI systems do?"))
    assert first["thread_id"] == "s1" and first["intent"] == "ask" and first["mode"] == "offline"
    assert first["model"] is None and first["grounded"] is True and first["citations"]
    for citation in first["citations"]:
        assert set(citation) == {"id", "source", "title", "locator", "snippet", "score"}
    assert first["tool_calls"] == [
        {
            "name": "answer_question",
            "arguments": {"question": "What must providers of high-risk AI systems do?"},
            "ok": True,
            "error": None,
        }
    ]
    second = reply(run("chat", "--thread", "s1", "--user", "ana", "--json", "and for deployers?"))
    assert second["question"] == "What must deployers of high-risk AI systems do?"


def test_chat_json_triage_over_turns(run) -> None:  # type: ignore[no-untyped-def]
    start = reply(
        run(
            "chat",
            "--thread",
            "s2",
            "--json",
            "I want to triage a new feature called Screener: it ranks job applicants' CVs for recruiters in "
            "the EU.",
        )
    )
    assert start["intent"] == "triage" and start["pending_question"]
    assert start["triage"]["status"] == "needs_information"
    current = start
    for _ in range(20):
        if not current["pending_question"]:
            break
        current = reply(run("chat", "--thread", "s2", "--json", "no"))
    assert current["pending_question"] is None
    assert current["triage"]["eu_ai_act"]["tier"] == "high" and current["triage"]["status"] == "complete"
    filed = reply(run("chat", "--thread", "s2", "--json", "file the reviews"))
    assert filed["intent"] == "file_tasks" and filed["tool_calls"][0]["arguments"] == {"system": "screener"}
    listed = run("tasks", "list", "--json")
    assert listed.exit_code == 0 and len(json.loads(listed.stdout)) == len(
        current["triage"]["required_reviews"]
    )


def test_chat_errors_are_one_line(run) -> None:  # type: ignore[no-untyped-def]
    no_message = run("chat", "--json")
    assert no_message.exit_code == 2 and "--json needs a MESSAGE" in no_message.stderr
    empty = run("chat", "--thread", "s3", "  ")
    assert empty.exit_code == 1 and "the question is empty" in empty.stderr
    assert len(empty.stderr.strip().splitlines()) == 1 and "Traceback" not in empty.output
    long_thread = run("chat", "--thread", "x" * 300, "hello")
    assert long_thread.exit_code == 1 and "thread id: longer than 200" in long_thread.stderr


def test_repl_renders_footnotes_and_starts_new_threads(run) -> None:  # type: ignore[no-untyped-def]
    session = "What must deployers of high-risk AI systems do?\n/thread\n/new\nand for deployers?\n/exit\n"
    result = run("chat", "--thread", "s4", "--user", "ana", input=session)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "thread s4" in out and "Thread s4." in out and "New thread cli-" in out
    assert "[1]" in out and "eu-ai-act:art-26" in out  # citations as footnotes with their ids
    assert "Knowledge as of" in out
    # The follow-up went to the new, empty thread: it is no follow-up there.
    assert "thread cli-" in out.split("New thread")[1]


def test_repl_ends_on_end_of_input(run) -> None:  # type: ignore[no-untyped-def]
    result = run("chat", input="help\n")
    assert result.exit_code == 0 and "Triage a system" in result.stdout


def test_ask_goes_through_the_agent_and_keeps_its_contract(run) -> None:  # type: ignore[no-untyped-def]
    result = run("ask", "--json", "list systems")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert set(payload) == ANSWER_KEYS and payload["question"] == "list systems"
    exported = run("audit", "export")
    events = [json.loads(line) for line in exported.stdout.splitlines()]
    turns = [e for e in events if e["action"] == "agent.turn"]
    assert len(turns) == 1 and turns[0]["subject"].startswith("thread:ask-")
    # ask forces the ask intent: a question is always answered as a question.
    assert turns[0]["details"]["intent"] == "ask" and turns[0]["details"]["routed_by"] == "forced"
    assert turns[0]["details"]["tool_calls"][0]["name"] == "answer_question"


def test_ask_filters_and_groups_reach_the_tools(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "secret"
    folder.mkdir()
    (folder / "ops.md").write_text(
        "# Ops\n\n## Model rollback\nRoll back a faulty model within four hours and tell the RAI team.\n"
    )
    assert run("ingest", str(folder), "--visibility", "restricted", "--groups", "ops").exit_code == 0
    member = json.loads(run("ask", "--json", "--groups", "ops", "--source", "ops", "model rollback").stdout)
    assert member["citations"] and {c["source"] for c in member["citations"]} == {"ops"}
    outsider = json.loads(run("ask", "--json", "--source", "ops", "model rollback").stdout)
    assert outsider["citations"] == [] and outsider["grounded"] is False
    events = [json.loads(line) for line in run("audit", "export").stdout.splitlines()]
    calls = [e["details"]["tool_calls"][0] for e in events if e["action"] == "agent.turn"]
    assert calls[0]["arguments"] == {"question": "model rollback", "sources": ["ops"], "kinds": None}
    assert [e["details"]["groups"] for e in events if e["action"] == "agent.turn"] == [["ops"], []]
