"""What every agent tool shares: the turn's context (who asks, where, what was retrieved and called),
the error a tool raises, and the passage shapes tools report.

What keeps the tools safe whatever text reaches them:
- retrieval always reads as `ctx.user.audience`: no argument can widen it, so restricted documents never
  reach someone outside their groups, and only public ones reach a public channel;
- a tier comes only from the triage rules applied to the profile's fields: no tool takes a tier;
- there is no tool that closes, approves or deletes anything;
- training questions are shown and answered as `ctx.user`: a session drawing on documents the user may
  not read (or internal ones, in a public channel) is refused, as those documents would be;
- every passage a tool retrieves is collected in `ctx.retrieved`, the only passages a reply may cite.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Literal, cast

from pydantic import BaseModel

from assistant.agent.schemas import RetrievedPassage, ToolCallRecord, UserContext
from assistant.service import Assistant
from core.config import Settings
from core.text import clip
from knowledge import store
from knowledge.index import KnowledgeIndex
from knowledge.retrieval import Passage, SearchFilters

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    # The training machinery (question generation, sessions, reports) is imported when a turn first
    # uses it: a question turn (every cold `govassist ask`) never does.
    from assistant.training import TrainingService

Kind = Literal["regulation", "policy", "review"]
# What a passage may show of itself in a tool's output (the model reads it; the guard keeps the whole).
PASSAGE_CHARS = 1500
MAX_K = 20
# The inventory (systems, assessments, tasks, decided reviews) is internal; a public channel gets none of it.
INVENTORY_IS_INTERNAL = "the inventory is internal: ask in a private channel or a direct message"


class ToolError(Exception):
    """A tool could not do what was asked; the message (one line) says why and what would work."""


@dataclass
class ToolContext:
    """What every tool call in one turn shares: who is asking, the opened assistant, and what the turn
    has retrieved (`retrieved` for citing and guarding, `passages` the same as retrieval returned them)
    and called so far."""

    settings: Settings
    assistant: Assistant
    user: UserContext
    actor: str
    today: date | None = None
    # The configured chat model, if any: it may extract a described system's facts (never its tier).
    model: BaseChatModel | None = None
    # The thread's channel, if any: a training session started "for the channel" is for it.
    channel: str | None = None
    training_service: TrainingService | None = None
    retrieved: dict[str, RetrievedPassage] = field(default_factory=dict)
    passages: dict[str, Passage] = field(default_factory=dict)
    calls: list[ToolCallRecord] = field(default_factory=list)

    @property
    def index(self) -> KnowledgeIndex:
        """The knowledge index (and through it the database)."""
        return self.assistant.index

    def remember(self, passages: Iterable[Passage], *, official: dict[str, str] | None = None) -> None:
        """Add retrieved passages to what this turn may cite (the official wording shown with one is
        part of what may be quoted for it)."""
        for p in passages:
            self.passages.setdefault(p.citation_id, p)
            text = p.text
            extra = (official or {}).get(p.citation_id)
            if extra:
                text = f"{text}\n{extra}"
            known = self.retrieved.get(p.citation_id)
            if known is not None and text in known.text:
                continue
            if known is not None:
                text = f"{known.text}\n{text}"
            passage = RetrievedPassage.model_validate(p, from_attributes=True)
            self.retrieved[p.citation_id] = passage.model_copy(update={"text": text})

    def training(self) -> TrainingService:
        """The training service over this turn's assistant (made on first use; it holds no connections
        of its own). With a chat model, some questions of a new session may be model-written, each
        checked against its source."""
        if self.training_service is None:
            from assistant.training import TrainingService

            self.training_service = TrainingService(
                self.settings, assistant=self.assistant, chat_model=self.model, use_llm=self.model is not None
            )
        return self.training_service

    def require_internal(self) -> None:
        """ToolError when the reader is in a public place (the inventory is internal)."""
        if self.user.public_only:
            raise ToolError(INVENTORY_IS_INTERNAL)


class PassageOut(BaseModel):
    """A retrieved passage as tools report it."""

    citation_id: str
    source_id: str
    title: str
    locator: str
    kind: str
    text: str
    score: float
    similarity: float

    @classmethod
    def of(cls, p: Passage) -> PassageOut:
        """From a retrieval passage, its text clipped for the model's context."""
        return cls.model_validate(p, from_attributes=True).model_copy(
            update={"text": clip(p.text, PASSAGE_CHARS, marker=" …")}
        )


def filter_kinds(filters: SearchFilters) -> list[Kind] | None:
    """The kinds of a search's filters as a tool's input names them (the tool's input model validates
    them again, so a kind no tool knows is an invalid argument, not a silent miss)."""
    return cast("list[Kind] | None", filters.kinds)


def search_filters(sources: list[str] | None, kinds: list[Kind] | None) -> SearchFilters | None:
    """The retrieval filters for a tool's optional sources and kinds (None: no filter)."""
    if not sources and not kinds:
        return None
    return SearchFilters(sources=sources or None, kinds=list(kinds) if kinds else None)


# Citable records: for replies that cite rules rather than search results.


def cite_records(ctx: ToolContext, citation_ids: Iterable[str]) -> list[RetrievedPassage]:
    """The indexed passages with these citation ids that the user may read, in the order given, also added
    to what the turn may cite. Ids not indexed (packs not loaded) are left out."""
    wanted = list(dict.fromkeys(citation_ids))
    if not wanted:
        return []
    reader = ctx.user.audience
    with ctx.index.db.session() as session:
        chunks = [
            c
            for c in store.first_window_chunks(session=session, citation_ids=wanted)
            if reader.can_read(c.visibility, list(c.groups))
        ]
    found: dict[str, RetrievedPassage] = {}
    for c in chunks:
        found.setdefault(c.citation_id, RetrievedPassage.model_validate(c, from_attributes=True))
    for passage in found.values():
        ctx.retrieved.setdefault(passage.citation_id, passage)
    return [found[cid] for cid in wanted if cid in found]
