"""The eval suite's datasets as pydantic models: what every line of `qa.jsonl`, `triage_cases.jsonl`,
`agent_conversations.jsonl` and `redteam.jsonl` must hold (see README.md in this folder).

Every model forbids unknown fields, so a typo in a dataset is an error naming the line, not a silently
ignored expectation.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from tools.triage.schemas import EuTier, SystemProfile

# The knowledge packs, and the fictional sample organisation (its policies and past reviews).
PackRegime = Literal[
    "eu-ai-act",
    "gdpr",
    "nist-ai-rmf",
    "nist-ai-600-1",
    "iso-42001",
    "nyc-ll144",
    "colorado-ai-act",
    "ecoa-reg-b",
    "eeoc-title-vii",
    "us-health-ai",
    "illinois-hra-ai",
    "texas-traiga",
    "california-sb53",
    "california-ccpa-admt",
    "california-ai-transparency",
    "ny-raise",
    "korea-ai-basic-act",
    "us-federal-ai",
    "uk-ai",
]
PACK_REGIMES: tuple[str, ...] = get_args(PackRegime)
SAMPLE_ORGANISATION = "northwind"
# The held-out second organisation (fixtures/halyard/): measured, never tuned on.
HELD_OUT_ORGANISATION = "halyard"
# A second organisation to tune on (fixtures/kestrel/), in other words than the sample's.
TUNING_ORGANISATION = "kestrel"
Regime = Literal[PackRegime, "northwind", "halyard", "kestrel", "none"]
# What a lead-scored case is about, for reporting the lead figure separately: the packs (the law), the
# sample organisation, the second organisation tuned on, or the held-out one.
LeadGroup = Literal["packs", "northwind", "kestrel", "halyard"]
LEAD_GROUPS: tuple[str, ...] = get_args(LeadGroup)
ToolName = Literal[
    "search_knowledge",
    "answer_question",
    "triage_system",
    "file_review_tasks",
    "find_past_reviews",
    "list_systems",
    "list_tasks",
]
TOOL_NAMES: tuple[str, ...] = get_args(ToolName)
CITATION_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*:[a-z0-9]+(-[a-z0-9]+)*$")
CITATION_PREFIX = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*:$")
TIER_SEVERITY: dict[EuTier, int] = {
    EuTier.OUT_OF_SCOPE: 0,
    EuTier.MINIMAL: 1,
    EuTier.LIMITED: 2,
    EuTier.HIGH: 3,
    EuTier.PROHIBITED: 4,
}


def _citation_ids(value: list[str]) -> list[str]:
    bad = [cid for cid in value if not CITATION_ID.match(cid)]
    if bad:
        raise ValueError(f"malformed citation ids: {bad}")
    if len(set(value)) != len(value):
        raise ValueError(f"repeated citation ids in {value}")
    return value


def _alternatives(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


# A fact the answer must state, in any one of its spellings ("72 hours"; ["35,000,000", "35 million"]).
KeyFact = Annotated[list[Annotated[str, Field(min_length=1)]], BeforeValidator(_alternatives)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class UserSpec(_Strict):
    """Who is speaking in an agent or red-team case."""

    user_id: str = "eval-user"
    groups: list[str] = Field(default_factory=list)
    public_only: bool = False


# --- qa.jsonl -----------------------------------------------------------------------------------------


class Verdict(StrEnum):
    """The answer to a yes/no question."""

    YES = "yes"
    NO = "no"


class LeadExpectation(_Strict):
    """What the lead of a good answer (its text before the first blank line) must hold.

    `verdict`: for a yes/no question, the verdict the lead must give ("Yes, ..." / "No. ...").
    `must_contain`: the date, figure, duration or decision the lead must state, each in any one of its
    spellings (an ISO date also matches "2 August 2026" and "August 2, 2026"). `first_citation`: citation
    ids, or id prefixes ending in ':' (a whole source), the answer's first citation must come from (one
    of them, at paragraph level: a part of an expected provision counts).
    """

    verdict: Verdict | None = None
    must_contain: list[KeyFact] = Field(default_factory=list)
    first_citation: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _something_to_check(self) -> LeadExpectation:
        if self.verdict is None and not self.must_contain:
            raise ValueError("a lead expectation needs a verdict or something the lead must contain")
        bad = [c for c in self.first_citation if not (CITATION_ID.match(c) or CITATION_PREFIX.match(c))]
        if bad:
            raise ValueError(f"malformed first_citation entries: {bad}")
        return self


class QACase(_Strict):
    """A question with the citation ids and key facts of a good answer, or one the assistant must decline.

    `kind`: `answer` (answer with these citations), `follow_up` (two turns: `previous`, then `question`,
    which only makes sense after it), or `decline` (nothing in the knowledge answers it).
    """

    id: str = Field(pattern=r"^qa-\d{3}$")
    regime: Regime
    kind: Literal["answer", "follow_up", "decline"]
    question: str = Field(min_length=5, max_length=1000)
    previous: str | None = Field(default=None, min_length=5, max_length=1000)
    expected_citations: list[str] = Field(default_factory=list)
    key_facts: list[KeyFact] = Field(default_factory=list)
    reference_answer: str = ""
    lead: LeadExpectation | None = None
    note: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> QACase:
        _citation_ids(self.expected_citations)
        if self.kind == "decline":
            if self.expected_citations or self.key_facts or self.reference_answer or self.regime != "none":
                raise ValueError("a decline case has regime 'none' and no citations, facts or answer")
        else:
            if not self.expected_citations or not self.key_facts or len(self.reference_answer) < 10:
                raise ValueError("an answer needs expected citations, key facts and a reference answer")
            if self.regime == "none":
                raise ValueError("an answer case names the regime it is about")
        if (self.kind == "follow_up") != (self.previous is not None):
            raise ValueError("`previous` is given exactly for follow-up cases")
        if self.lead is not None and self.kind != "answer":
            raise ValueError("only an answer case has a lead expectation")
        if self.regime in (HELD_OUT_ORGANISATION, TUNING_ORGANISATION) and self.lead is None:
            raise ValueError("every case about a fixture organisation is lead-scored")
        return self

    @property
    def lead_group(self) -> LeadGroup:
        """Whether the case is about the packs, the sample organisation, or one of the fixture organisations
        (the second one tuned on, the held-out one)."""
        if self.regime == SAMPLE_ORGANISATION:
            return "northwind"
        if self.regime == HELD_OUT_ORGANISATION:
            return "halyard"
        if self.regime == TUNING_ORGANISATION:
            return "kestrel"
        return "packs"

    @property
    def should_answer(self) -> bool:
        """Whether a grounded answer is expected (false: the assistant should abstain)."""
        return self.kind != "decline"


# --- triage_cases.jsonl -------------------------------------------------------------------------------


class TriageCase(_Strict):
    """A system (a profile, or a plain description) with the triage a careful reviewer expects.

    `expected_grounds` are citation ids that must be among the result's grounds (EU AI Act grounds,
    transparency grounds and the grounds of applying regimes); `expected_obligations` are citation ids
    of obligations that must be listed; `expected_regimes` are other regimes that must apply.
    """

    id: str = Field(pattern=r"^tri-\d{3}$")
    input: Literal["profile", "text"]
    profile: SystemProfile | None = None
    text: str | None = Field(default=None, min_length=10, max_length=5000)
    name: str | None = None
    expected_tier: EuTier
    expected_status: Literal["complete", "needs_information"] | None = None
    expected_internal_tier: str | None = Field(default=None, pattern=r"^(T[1-4]|blocked)$")
    expected_grounds: list[str] = Field(min_length=1)
    expected_obligations: list[str] = Field(default_factory=list)
    expected_regimes: list[str] = Field(default_factory=list)
    note: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> TriageCase:
        _citation_ids(self.expected_grounds)
        _citation_ids(self.expected_obligations)
        if (self.input == "profile") != (self.profile is not None) or (self.input == "text") != (
            self.text is not None
        ):
            raise ValueError("a profile case has `profile`, a text case has `text`, and not the other")
        unknown = [r for r in self.expected_regimes if r not in PACK_REGIMES]
        if unknown:
            raise ValueError(f"unknown regimes {unknown}")
        return self


# --- agent_conversations.jsonl ------------------------------------------------------------------------


class ArgMatch(_Strict):
    """A loose expectation for a free-text argument: every word of `contains_all` (case-insensitive), or
    any one of `any_of` exactly. Resolved before ragas compares arguments exactly (see scoring.py)."""

    contains_all: list[str] = Field(default_factory=list)
    any_of: list[Any] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_kind(self) -> ArgMatch:
        if bool(self.contains_all) == bool(self.any_of):
            raise ValueError("give exactly one of contains_all or any_of")
        return self


class RefToolCall(_Strict):
    """A tool call the turn should make, with the arguments that matter (others are not compared)."""

    name: ToolName
    args: dict[str, ArgMatch | str | int | float | bool | None] = Field(default_factory=dict)


class AgentTurn(_Strict):
    """One user message and what the agent should do with it."""

    message: str = Field(min_length=1, max_length=4000)
    expected_tool_calls: list[RefToolCall] = Field(default_factory=list)
    expected_intent: str | None = None
    expected_citations: list[str] = Field(default_factory=list)
    expect_grounded: bool | None = None
    expected_tier: EuTier | None = None
    expect_pending_question: bool | None = None

    @model_validator(mode="after")
    def _ids(self) -> AgentTurn:
        _citation_ids(self.expected_citations)
        return self


class AgentCase(_Strict):
    """A conversation with reference tool calls per turn."""

    id: str = Field(pattern=r"^agent-\d{3}$")
    category: Literal[
        "ask",
        "follow_up",
        "triage",
        "tasks",
        "inventory",
        "past_reviews",
        "search",
        "help",
        "mixed",
        "access",
    ]
    user: UserSpec = Field(default_factory=UserSpec)
    turns: list[AgentTurn] = Field(min_length=1, max_length=8)
    note: str = ""


# --- redteam.jsonl ------------------------------------------------------------------------------------


Attack = Literal[
    "injection_document", "injection_message", "tier_downgrade", "restricted_access", "invented_citation"
]


class RedTeamChecks(_Strict):
    """What must NOT happen. Any failed check means the attack succeeded."""

    forbidden_text: list[str] = Field(
        default_factory=list, description="Case-insensitive strings that must not appear in any reply."
    )
    forbidden_citation_prefixes: list[str] = Field(
        default_factory=list, description="No cited id may start with any of these."
    )
    min_tier: EuTier | None = Field(default=None, description="The tier must not be lower than this.")
    forbidden_tools: list[ToolName] = Field(
        default_factory=list, description="Tools that must not be called (successfully)."
    )
    citations_must_exist: bool = Field(
        default=True, description="Every cited id must exist in the index (no invented citations)."
    )
    public_citations_only: bool = Field(
        default=False, description="Every cited id must be public (for a public channel)."
    )


class RedTeamCase(_Strict):
    """An attack, the channel it comes through, and the checks that tell whether it worked."""

    id: str = Field(pattern=r"^rt-\d{3}$")
    attack: Attack
    channel: Literal["ask", "triage", "agent"]
    user: UserSpec = Field(default_factory=UserSpec)
    messages: list[str] = Field(default_factory=list, max_length=6)
    profile: SystemProfile | None = Field(default=None, description="For triage cases given as a profile.")
    checks: RedTeamChecks
    note: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> RedTeamCase:
        if self.channel == "triage":
            if (self.profile is None) == (len(self.messages) == 0):
                raise ValueError("a triage case has either a profile or one description message")
            if len(self.messages) > 1:
                raise ValueError("a triage case has at most one description")
        elif not self.messages or self.profile is not None:
            raise ValueError("ask and agent cases have messages and no profile")
        if self.channel == "ask" and len(self.messages) != 1:
            raise ValueError("an ask case has exactly one message")
        return self
