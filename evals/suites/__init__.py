"""The four eval suites: each runs its dataset through the real assistant and scores every case."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from evals.config import EvalConfig
from evals.results import CaseResult

if TYPE_CHECKING:
    from assistant.agent.agent import Agent
    from evals.scoring import AnswerSimilarity
    from evals.workspace import EvalWorkspace

AGENT_MISSING = "the conversational agent (assistant/agent/agent.py) is not available in this build"


@dataclass
class SuiteContext:
    """What every suite needs: the workspace, the run's options, and a progress callback."""

    workspace: EvalWorkspace
    config: EvalConfig
    fast: bool
    advance: Callable[[], None] = lambda: None
    run_tag: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    # Opens a fixture organisation's workspace by name (packs + its documents, no sample organisation);
    # None: the cases about those organisations are skipped.
    open_organisation: Callable[[str], EvalWorkspace] | None = None
    _agent: Any = None
    _similarity: Any = None
    _organisations: dict[str, EvalWorkspace] = field(default_factory=dict)

    def organisation(self, name: str) -> EvalWorkspace | None:
        """A fixture organisation's workspace, opened on first use; None when the run has none."""
        if name not in self._organisations and self.open_organisation is not None:
            self._organisations[name] = self.open_organisation(name)
        return self._organisations.get(name)

    def close(self) -> None:
        """Release what the context opened itself (the fixture organisations' workspaces)."""
        for workspace in self._organisations.values():
            workspace.close()
        self._organisations.clear()

    def agent(self) -> Agent | None:
        """The agent over the workspace's assistant, or None when this build has no agent."""
        if self._agent is None:
            try:
                from assistant.agent.agent import Agent
            except ImportError:
                return None
            self._agent = Agent(self.workspace.settings, self.workspace.assistant)
        agent: Agent = self._agent
        return agent

    def similarity(self) -> AnswerSimilarity:
        """ragas SemanticSimilarity with the workspace's embedder."""
        if self._similarity is None:
            from evals.scoring import AnswerSimilarity

            self._similarity = AnswerSimilarity(self.workspace.assistant.index.embedder)
        similarity: AnswerSimilarity = self._similarity
        return similarity

    def thread_id(self, case_id: str) -> str:
        """A thread id unique to this run and case."""
        return f"eval-{self.run_tag}-{case_id}"


def guarded(
    suite: str, case_id: str, category: str, run: Callable[..., CaseResult], *args: Any
) -> CaseResult:
    """`run(*args)`, or a failed result naming the error: a crash in the system under test is a failed
    case (counted against the suite, conservatively), not the end of the run."""
    try:
        return run(*args)
    except Exception as exc:
        return CaseResult(
            suite=suite,
            case_id=case_id,
            category=category,
            status="failed",
            scores={"error": 1.0},
            note=f"error: {type(exc).__name__}: {exc}"[:500],
        )


def excerpt(text: str, limit: int = 400) -> str:
    """The first `limit` characters of `text`, whitespace collapsed."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
