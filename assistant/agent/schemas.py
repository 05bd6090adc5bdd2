"""The agent's contract: who is speaking, and the reply (`govassist chat --json`, the Slack app)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.schemas import Answer
from assistant.triage import TriageReport
from knowledge.access import Audience


class UserContext(BaseModel):
    """The person a conversation turn comes from, and where they are speaking."""

    model_config = ConfigDict(frozen=True)

    user_id: str = Field(description="Stable id: a Slack user id, or a name on the CLI.")
    groups: frozenset[str] = Field(default=frozenset(), description="For restricted documents.")
    public_only: bool = Field(
        default=False, description="True in public channels: only public knowledge may be used."
    )
    display_name: str | None = None

    @property
    def audience(self) -> Audience:
        """What this user may read here."""
        return Audience(groups=self.groups, public_only=self.public_only)


class ToolCallRecord(BaseModel):
    """One tool the agent called in a turn, with its arguments and whether it worked."""

    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    ok: bool = True
    error: str | None = Field(default=None, description="One line, when the tool failed.")


class AgentReply(Answer):
    """The ask contract plus what the turn did: `govassist chat --json` prints this.

    `answer` is the text to show; `grounded` and `citations` keep their ask meaning (for a turn that
    did not answer a question, such as a triage follow-up question, `grounded` is true when the reply
    rests on tool output and `citations` lists what it cited).
    """

    thread_id: str
    intent: str = Field(description="What the turn was: ask, triage, file_tasks, list_tasks, ...")
    mode: Literal["offline", "llm"] = "offline"
    model: str | None = Field(default=None, description="The model that phrased the reply, if any.")
    notice: str | None = Field(default=None, description="E.g. 'the model was unreachable; offline mode'.")
    tool_calls: list[ToolCallRecord] = Field(default_factory=list)
    triage: TriageReport | None = Field(
        default=None, description="The triage result (the `triage --json` contract), when one was made."
    )
    message_id: int | None = Field(
        default=None, description="The stored reply's id in the thread (feedback points at it)."
    )
    pending_question: str | None = Field(
        default=None, description="A triage follow-up question waiting for the user's answer."
    )


class RetrievedPassage(BaseModel):
    """A passage a tool retrieved during a turn: what the reply may cite (a guard checks generated
    answers against these, so a citation to anything else is impossible)."""

    model_config = ConfigDict(frozen=True)

    citation_id: str
    source_id: str
    title: str
    locator: str
    kind: str = Field(description="regulation, policy or review.")
    text: str = Field(description="The passage text (plus the official wording where it was shown).")
