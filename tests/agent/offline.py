"""Helpers for the offline agent tests: opening an agent on test settings, users, documents, and
answering a triage's questions by field until it is done."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from assistant.agent.agent import Agent
from assistant.agent.schemas import AgentReply, UserContext
from assistant.service import Assistant
from core.config import Settings
from knowledge.access import Visibility
from knowledge.ingest import IngestRequest, ingest_paths
from knowledge.sections import DocumentKind

CV_RANKER = (
    "I want to triage a new feature called CV Ranker: a tool that ranks job applicants' CVs for recruiters "
    "and filters out weak candidates. It is used in the EU."
)


_template: Path | None = None


def packed_settings(tmp_path: Path) -> Settings:
    """SQLite settings in `tmp_path` with the built-in packs already indexed (hashing embedder).

    The packs are indexed once per test session into a template home, which each test copies: a real
    SQLite database and Chroma directory, without paying for indexing in every test.
    """
    global _template
    if _template is None:
        base = Path(tempfile.mkdtemp(prefix="govassist-agent-packs-"))
        atexit.register(shutil.rmtree, base, True)
        home = base / "home"
        Assistant.open(Settings(home=home, embedder="hashing", load_builtin_knowledge=True)).close()
        _template = home
    home = tmp_path / "packed-home"
    shutil.copytree(_template, home)
    return Settings(home=home, embedder="hashing", load_builtin_knowledge=True)


def user(name: str = "ana", *groups: str, public_only: bool = False) -> UserContext:
    """A user with these groups."""
    return UserContext(user_id=name, groups=frozenset(groups), public_only=public_only)


def open_agent(settings: Settings) -> Agent:
    """An agent that owns its assistant (closed by `Agent.close`)."""
    return Agent.open(settings)


def pending_field(reply: AgentReply) -> str:
    """The profile field the reply's pending question asks about (from the triage contract)."""
    assert reply.pending_question is not None and reply.triage is not None, reply.answer
    for item in reply.triage.missing_information:
        if item.question == reply.pending_question:
            return item.field
    raise AssertionError(f"pending question not among the missing information: {reply.pending_question}")


def plain_answer(field: str) -> str:
    """How a product manager answers: 'no' to suspected use cases and to the open yes/no facts."""
    return "no"


def answer_until_done(
    agent: Agent,
    thread_id: str,
    who: UserContext,
    first: AgentReply,
    answer: Callable[[str], str] = plain_answer,
    *,
    limit: int = 20,
) -> list[AgentReply]:
    """Answer each pending triage question in plain words until none is left; every reply in order."""
    replies = [first]
    while replies[-1].pending_question is not None:
        assert len(replies) <= limit, "the triage kept asking"
        field = pending_field(replies[-1])
        replies.append(agent.respond(thread_id=thread_id, message=answer(field), user=who))
    return replies


def ingest_markdown(
    agent: Agent,
    folder: Path,
    name: str,
    text: str,
    *,
    visibility: Visibility = Visibility.INTERNAL,
    groups: tuple[str, ...] = (),
    kind: DocumentKind = DocumentKind.POLICY,
) -> None:
    """Write `text` to `folder/name` and ingest it with this visibility."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    report = ingest_paths(
        agent.assistant.index,
        IngestRequest(paths=[path], kind=kind, visibility=visibility, groups=list(groups)),
    )
    assert not report.failures, report.failures
