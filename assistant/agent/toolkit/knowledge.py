"""Knowledge tools: search the index, and answer a question with citations (or abstain)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from assistant.agent.toolkit.context import MAX_K, Kind, PassageOut, ToolContext, search_filters
from assistant.answering import answers_question, compose_answer
from assistant.lead import prepare_answer
from assistant.schemas import Answer
from assistant.service import TOP_K, validate_question
from knowledge.retrieval import official_wording, search


class SearchKnowledgeInput(BaseModel):
    """Search regulations, policies and past reviews."""

    model_config = ConfigDict(extra="forbid")

    query: str = Field(min_length=1, max_length=4000, description="What to look for, in plain words.")
    k: int = Field(default=5, ge=1, le=MAX_K, description="How many passages to return.")
    sources: list[str] | None = Field(default=None, description="Only these source ids, e.g. ['gdpr'].")
    kinds: list[Kind] | None = Field(default=None, description="Only these kinds of document.")


class SearchKnowledgeOutput(BaseModel):
    """The passages found, best first (only what the user may read)."""

    passages: list[PassageOut]


def search_knowledge(ctx: ToolContext, args: SearchKnowledgeInput) -> SearchKnowledgeOutput:
    """The best passages for a query that the user may read."""
    passages = search(
        ctx.index,
        args.query,
        audience=ctx.user.audience,
        k=args.k,
        filters=search_filters(args.sources, args.kinds),
    )
    ctx.remember(passages)
    return SearchKnowledgeOutput(passages=[PassageOut.of(p) for p in passages])


class AnswerQuestionInput(BaseModel):
    """Answer a governance question with citations, or abstain and say whom to ask."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=1, max_length=4000, description="The question, self-contained.")
    sources: list[str] | None = Field(default=None, description="Only these source ids.")
    kinds: list[Kind] | None = Field(default=None, description="Only these kinds of document.")


class AnswerQuestionOutput(BaseModel):
    """The cited answer (the `ask --json` contract)."""

    answer: Answer


def answer_question(ctx: ToolContext, args: AnswerQuestionInput) -> AnswerQuestionOutput:
    """A cited answer from what the user may read: the same steps as `Assistant.ask`, keeping the passages
    so the turn knows what was retrieved (a test holds the two to the same answer)."""
    text = validate_question(args.question)
    reader = ctx.user.audience
    prepared = prepare_answer(
        ctx.index, text, audience=reader, k=TOP_K, filters=search_filters(args.sources, args.kinds)
    )
    passages, plan = prepared.passages, prepared.plan
    grounded = answers_question(
        text, prepared, threshold=ctx.assistant.abstain_below, embedder=ctx.index.embedder
    )
    lead = passages[plan.lead_index : plan.lead_index + 1]
    official = official_wording(ctx.index, lead, audience=reader) if grounded else None
    ctx.remember(passages, official=official)
    answer = compose_answer(
        text,
        passages,
        grounded=grounded,
        as_of=ctx.index.knowledge_as_of(),
        contact=ctx.settings.escalation_contact,
        official=official,
        analysis=prepared.analysis,
        plan=plan,
        embedder=ctx.index.embedder,
    )
    return AnswerQuestionOutput(answer=answer)
