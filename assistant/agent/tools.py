"""The agent's tools: structured, validated operations over the assistant, the knowledge index, triage,
the inventory, review tasks and training sessions. The offline router and a chat model drive the same
tools.

Every tool takes a pydantic input model and returns a pydantic output model. `run_tool` validates the
raw arguments and never raises: bad arguments, domain errors and unexpected failures all come back as a
`ToolResult` with a one-line error the conversation can recover from. `langchain_tools` wraps the same
tools as LangChain `StructuredTool`s for a tool-calling chat model.

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

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializeAsAny,
    ValidationError,
    field_serializer,
    model_validator,
)
from pydantic_core import to_jsonable_python
from sqlalchemy import select

from assistant.agent.schemas import RetrievedPassage, ToolCallRecord, UserContext
from assistant.answering import compose_answer, is_grounded
from assistant.lead import names_its_answer, prepare_answer
from assistant.schemas import Answer
from assistant.service import TOP_K, Assistant, QuestionError, validate_question
from assistant.training import TrainingService
from assistant.triage import TriageOutcome, describe, run_triage, tiering_standard
from core.config import Settings
from core.models import Chunk, Document
from knowledge.index import KnowledgeIndex
from knowledge.retrieval import Passage, SearchFilters, official_wording, search
from tools import inventory, tasks
from tools.inventory import SystemPublic
from tools.tasks import TaskError, TaskFilters, TaskPublic, TaskStatus
from tools.training.schemas import (
    MAX_QUESTIONS,
    MIN_QUESTIONS,
    AnswerFeedback,
    Difficulty,
    QuestionView,
    SessionStatus,
    SessionSummary,
    TopicInfo,
)
from tools.training.topics import match_topic
from tools.triage.engine import triage
from tools.triage.extract import ExtractedProfile, apply_answer, triage_extracted
from tools.triage.schemas import EuTier, MissingInformation, SystemProfile, TriageResult

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.tools import BaseTool

log = logging.getLogger(__name__)

Kind = Literal["regulation", "policy", "review"]
# What a passage may show of itself in a tool's output (the model reads it; the guard keeps the whole).
PASSAGE_CHARS = 1500
MAX_K = 20
# The inventory (systems, assessments, tasks, decided reviews) is internal; a public channel gets none of it.
INVENTORY_IS_INTERNAL = "the inventory is internal: ask in a private channel or a direct message"


class ToolError(Exception):
    """A tool could not do what was asked; the message (one line) says why and what would work."""


# --- context -----------------------------------------------------------------------------------------


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
            self.retrieved[p.citation_id] = RetrievedPassage(
                citation_id=p.citation_id,
                source_id=p.source_id,
                title=p.title,
                locator=p.locator,
                kind=p.kind,
                text=text,
            )

    def training(self) -> TrainingService:
        """The training service over this turn's assistant (made on first use; it holds no connections
        of its own). With a chat model, some questions of a new session may be model-written, each
        checked against its source."""
        if self.training_service is None:
            self.training_service = TrainingService(
                self.settings, assistant=self.assistant, chat_model=self.model, use_llm=self.model is not None
            )
        return self.training_service

    def require_internal(self) -> None:
        """ToolError when the reader is in a public place (the inventory is internal)."""
        if self.user.public_only:
            raise ToolError(INVENTORY_IS_INTERNAL)


# --- shared models -----------------------------------------------------------------------------------


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
        text = p.text if len(p.text) <= PASSAGE_CHARS else p.text[:PASSAGE_CHARS].rstrip() + " …"
        return cls(
            citation_id=p.citation_id,
            source_id=p.source_id,
            title=p.title,
            locator=p.locator,
            kind=p.kind,
            text=text,
            score=p.score,
            similarity=p.similarity,
        )


def _filters(sources: list[str] | None, kinds: list[Kind] | None) -> SearchFilters | None:
    if not sources and not kinds:
        return None
    return SearchFilters(sources=sources or None, kinds=list(kinds) if kinds else None)


# --- search_knowledge --------------------------------------------------------------------------------


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
        filters=_filters(args.sources, args.kinds),
    )
    ctx.remember(passages)
    return SearchKnowledgeOutput(passages=[PassageOut.of(p) for p in passages])


# --- answer_question ---------------------------------------------------------------------------------


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
        ctx.index, text, audience=reader, k=TOP_K, filters=_filters(args.sources, args.kinds)
    )
    passages, plan = prepared.passages, prepared.plan
    grounded = is_grounded(text, passages, threshold=ctx.assistant.abstain_below) or names_its_answer(
        prepared
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


# --- triage_system -----------------------------------------------------------------------------------


class FieldAnswer(BaseModel):
    """A plain-word answer to the follow-up question about one profile field."""

    model_config = ConfigDict(extra="forbid")

    field: str = Field(
        min_length=1, max_length=100, description="The question's field, e.g. 'profiling' or 'use_cases:x'."
    )
    answer: str = Field(min_length=1, max_length=1000, description="e.g. 'yes', 'no', 'only in the US'.")


class TriageSystemInput(BaseModel):
    """Build a system profile from a description and/or refine one with answers, then classify it with
    the deterministic rules (which alone decide the tier)."""

    model_config = ConfigDict(extra="forbid")

    description: str | None = Field(
        default=None, max_length=20_000, description="What the system does, in plain words."
    )
    name: str | None = Field(default=None, max_length=200, description="The system's name.")
    profile: SystemProfile | None = Field(
        default=None, description="A profile to refine (from an earlier triage_system result)."
    )
    uncertain: list[str] = Field(
        default_factory=list,
        description="The earlier result's `uncertain` fields still to settle (pass them back unchanged).",
    )
    answers: list[FieldAnswer] = Field(default_factory=list, description="Answers to follow-up questions.")
    record: Literal["complete", "always", "never"] = Field(
        default="complete",
        description="Record the assessment in the inventory when complete (default), always, or never.",
    )

    @model_validator(mode="after")
    def _something_to_triage(self) -> TriageSystemInput:
        if self.profile is None and not (self.description and self.description.strip()):
            raise ValueError("give a description of the system, or a profile to refine")
        return self


class TriageSystemOutput(BaseModel):
    """The profile as it now stands, and its classification."""

    profile: SystemProfile
    uncertain: list[str] = Field(description="Fields the description left unsettled (still to ask).")
    tier: EuTier
    internal_tier: str
    status: str = Field(description="'complete' or 'needs_information'.")
    missing: list[MissingInformation] = Field(description="The questions still open, first to ask first.")
    recorded: bool
    system_id: str | None
    outcome: TriageOutcome

    @field_serializer("profile")
    def _declared_only(self, profile: SystemProfile) -> dict[str, Any]:
        # Only the declared fields: triage tells a declared value from an unknown one by the fields set,
        # so a profile passed back must not turn defaults into declarations.
        return profile.model_dump(mode="json", exclude_unset=True)


def _merged(base: SystemProfile, top: SystemProfile) -> SystemProfile:
    """`base` with every field `top` declares."""
    return SystemProfile.model_validate(
        {**base.model_dump(exclude_unset=True), **top.model_dump(exclude_unset=True)}
    )


def triage_system(ctx: ToolContext, args: TriageSystemInput) -> TriageSystemOutput:
    """Extract or refine the profile, apply the answers, classify with the rules, record if asked."""
    uncertain = list(args.uncertain)
    evidence = []
    if args.description and args.description.strip():
        extracted = describe(args.description, name=args.name, index=ctx.index, model=ctx.model)
        profile = extracted.profile if args.profile is None else _merged(extracted.profile, args.profile)
        uncertain = list(dict.fromkeys([*uncertain, *extracted.uncertain]))
        evidence = extracted.evidence
    else:
        assert args.profile is not None  # the input validator guarantees one of them
        profile = args.profile
    if args.name and args.name.strip():
        profile = _merged(profile, SystemProfile(name=args.name.strip(), description=profile.description))
    for given in args.answers:
        try:
            profile = apply_answer(profile, given.field, given.answer)
        except ValidationError as exc:
            raise ToolError(f"{given.field}: {exc.errors()[0]['msg']}") from None
        uncertain = [f for f in uncertain if f != given.field.strip()]

    extracted_now = ExtractedProfile(profile=profile, evidence=evidence, uncertain=uncertain)
    standard = tiering_standard(ctx.settings)
    # The rules first, to know whether the triage is complete; then the recorded run (pure and quick).
    preview: TriageResult = (
        triage_extracted(extracted_now, standard=standard)
        if uncertain
        else triage(profile, standard=standard)
    )
    record = args.record == "always" or (args.record == "complete" and preview.status == "complete")
    outcome = run_triage(
        ctx.index,
        ctx.settings,
        profile,
        actor=ctx.actor,
        record=record,
        audience=ctx.user.audience,
        today=ctx.today,
        extracted=extracted_now if (uncertain or evidence) else None,
    )
    result = outcome.result
    return TriageSystemOutput(
        profile=profile,
        uncertain=uncertain,
        tier=result.eu_ai_act.tier,
        internal_tier=result.internal_tier,
        status=result.status,
        missing=result.missing_information,
        recorded=record,
        system_id=result.system.id,
        outcome=outcome,
    )


# --- file_review_tasks -------------------------------------------------------------------------------


class FileReviewTasksInput(BaseModel):
    """File the review tasks that a system's latest assessment requires (idempotent)."""

    model_config = ConfigDict(extra="forbid")

    system: str = Field(min_length=1, max_length=200, description="The system's id or name.")


class FileReviewTasksOutput(BaseModel):
    """The system's review tasks for its latest assessment; `filed` counts the new ones."""

    system_id: str
    system_name: str
    assessment_version: int
    eu_tier: str
    internal_tier: str
    tasks: list[TaskPublic]
    filed: int = Field(description="How many tasks this call created (0 when all were filed before).")


def file_review_tasks(ctx: ToolContext, args: FileReviewTasksInput) -> FileReviewTasksOutput:
    """File the required reviews of the system's latest assessment."""
    ctx.require_internal()
    with ctx.index.db.session() as session:
        system = inventory.get_system(session=session, name_or_id=args.system)
        if system is None:
            raise ToolError(f"no system called {args.system!r} in the inventory (list_systems shows them)")
        assessment = inventory.get_assessment(session=session, system_id=system.id)
        if assessment is None:
            raise ToolError(f"system {system.id!r} has no assessment yet: triage it first")
        before = {t.id for t in tasks.list_tasks(session=session, filters=TaskFilters(system=system.id))}
        filed = tasks.file_review_tasks(
            session=session, assessment=assessment, today=ctx.today or date.today(), actor=ctx.actor
        )
    return FileReviewTasksOutput(
        system_id=system.id,
        system_name=system.name,
        assessment_version=assessment.version,
        eu_tier=assessment.eu_tier,
        internal_tier=assessment.internal_tier,
        tasks=filed,
        filed=sum(1 for t in filed if t.id not in before),
    )


# --- find_past_reviews -------------------------------------------------------------------------------


class FindPastReviewsInput(BaseModel):
    """What happened to past reviews: decided reviews of a system, and similar past reviews."""

    model_config = ConfigDict(extra="forbid")

    query: str | None = Field(default=None, max_length=4000, description="What the reviews were about.")
    system: str | None = Field(default=None, max_length=200, description="A system's id or name.")
    k: int = Field(default=5, ge=1, le=MAX_K, description="How many similar past reviews to return.")

    @model_validator(mode="after")
    def _something_to_find(self) -> FindPastReviewsInput:
        if not (self.query and self.query.strip()) and not (self.system and self.system.strip()):
            raise ValueError("give a query, a system, or both")
        return self


class ReviewDecision(BaseModel):
    """A review task of a system with its outcome (or that it is still open)."""

    task_id: int
    system_id: str
    system_name: str
    review: str
    review_type: str
    status: TaskStatus
    decided_on: date | None
    note: str | None
    conditions: list[str]
    assessment_version: int
    owner_queue: str
    due_date: date


class FindPastReviewsOutput(BaseModel):
    """The system's reviews from the inventory (when a system was named) and similar past reviews from
    the knowledge index (only those the user may read)."""

    system: SystemPublic | None
    reviews: list[ReviewDecision]
    passages: list[PassageOut]


def find_past_reviews(ctx: ToolContext, args: FindPastReviewsInput) -> FindPastReviewsOutput:
    """Decided and open reviews of a named system, and past reviews similar to the query."""
    ctx.require_internal()
    system: SystemPublic | None = None
    reviews: list[ReviewDecision] = []
    if args.system and args.system.strip():
        with ctx.index.db.session() as session:
            system = inventory.get_system(session=session, name_or_id=args.system.strip())
            if system is None:
                raise ToolError(
                    f"no system called {args.system!r} in the inventory (list_systems shows them)"
                )
            for t in tasks.list_tasks(session=session, filters=TaskFilters(system=system.id)):
                reviews.append(
                    ReviewDecision(
                        task_id=t.id,
                        system_id=t.system_id,
                        system_name=t.system_name,
                        review=t.title,
                        review_type=t.review_type,
                        status=t.status,
                        decided_on=t.closed_at.date() if t.closed_at else None,
                        note=t.resolution_note,
                        conditions=t.conditions,
                        assessment_version=t.assessment_version,
                        owner_queue=t.owner_queue,
                        due_date=t.due_date,
                    )
                )
    query = (args.query or "").strip() or (f"{system.name}. {system.description}" if system else "")
    passages = search(
        ctx.index, query, audience=ctx.user.audience, k=args.k, filters=SearchFilters(kinds=["review"])
    )
    ctx.remember(passages)
    return FindPastReviewsOutput(
        system=system, reviews=reviews, passages=[PassageOut.of(p) for p in passages]
    )


# --- list_systems / list_tasks -----------------------------------------------------------------------


class ListSystemsInput(BaseModel):
    """The AI systems in the inventory, with their latest tiers."""

    model_config = ConfigDict(extra="forbid")

    eu_tier: EuTier | None = Field(default=None, description="Only systems with this EU AI Act tier.")


class ListSystemsOutput(BaseModel):
    """Systems by name."""

    systems: list[SystemPublic]


def list_systems(ctx: ToolContext, args: ListSystemsInput) -> ListSystemsOutput:
    """Every system with the headline of its latest assessment."""
    ctx.require_internal()
    with ctx.index.db.session() as session:
        found = inventory.list_systems(session=session)
    if args.eu_tier is not None:
        found = [s for s in found if s.eu_tier == args.eu_tier.value]
    return ListSystemsOutput(systems=found)


class ListTasksInput(BaseModel):
    """Review tasks, soonest due first."""

    model_config = ConfigDict(extra="forbid")

    status: TaskStatus | None = Field(default=None, description="Only tasks with this status.")
    system: str | None = Field(default=None, max_length=200, description="Only this system's (id or name).")
    queue: str | None = Field(default=None, max_length=200, description="Only this owner queue.")
    open_only: bool = Field(default=False, description="Only tasks not yet decided.")
    limit: int = Field(default=50, ge=1, le=500)


class ListTasksOutput(BaseModel):
    """The matching tasks (at most `limit`) and how many matched in all."""

    tasks: list[TaskPublic]
    total: int


def list_tasks(ctx: ToolContext, args: ListTasksInput) -> ListTasksOutput:
    """Tasks matching the filters."""
    ctx.require_internal()
    filters = TaskFilters(status=args.status, system=args.system, queue=args.queue, open_only=args.open_only)
    with ctx.index.db.session() as session:
        if args.system and inventory.get_system(session=session, name_or_id=args.system) is None:
            raise ToolError(f"no system called {args.system!r} in the inventory (list_systems shows them)")
        found = tasks.list_tasks(session=session, filters=filters)
    return ListTasksOutput(tasks=found[: args.limit], total=len(found))


# --- training sessions ---------------------------------------------------------------------------------


class TrainingTopicsInput(BaseModel):
    """The training topics."""

    model_config = ConfigDict(extra="forbid")


class TrainingTopicsOutput(BaseModel):
    """Every topic, whether its knowledge is indexed and readable here, and how many questions it offers."""

    topics: list[TopicInfo]


def training_topics(ctx: ToolContext, args: TrainingTopicsInput) -> TrainingTopicsOutput:
    """The topics, counted from what the user may read here."""
    return TrainingTopicsOutput(topics=ctx.training().topics(audience=ctx.user.audience))


class StartTrainingInput(BaseModel):
    """Start a training session (a quiz) on a topic, recorded as AI-literacy training."""

    model_config = ConfigDict(extra="forbid")

    topic: str = Field(
        min_length=1,
        max_length=300,
        description="The topic as named, e.g. 'EU AI Act basics' (see training_topics).",
    )
    questions: int = Field(default=5, ge=MIN_QUESTIONS, le=MAX_QUESTIONS, description="How many questions.")
    difficulty: Difficulty = Difficulty.EASY
    participants: list[str] = Field(
        default_factory=list,
        max_length=200,
        description="User ids the session is for (only they may answer). Empty: see for_channel.",
    )
    for_channel: bool = Field(
        default=False,
        description="For anyone in the thread's channel; otherwise (or outside a channel) for the requester.",
    )
    seed: int | None = Field(default=None, description="Same seed, same offline questions.")


class StartTrainingOutput(BaseModel):
    """The new session, and whether the requester takes part in it."""

    session: SessionSummary
    for_requester: bool = Field(description="True when the requester may answer (the channel's, or theirs).")
    notice: str | None = Field(default=None, description="E.g. why model-written questions were not used.")
    rejected_drafts: int = Field(default=0, description="Model-written questions that failed their check.")


def start_training(ctx: ToolContext, args: StartTrainingInput) -> StartTrainingOutput:
    """Start a session with the requester as trainer, its questions drawn only from what the thread's
    reader may see (a public channel: public sources only)."""
    topic = match_topic(args.topic)
    people = list(dict.fromkeys(p.strip() for p in args.participants if p.strip()))
    channel = ctx.channel if (args.for_channel and not people and ctx.channel) else None
    if channel is None and not people:
        people = [ctx.user.user_id]
    names = {ctx.user.user_id: ctx.user.display_name} if ctx.user.display_name else None
    started = ctx.training().start_session(
        # An unknown topic goes through as named: the service's one-line error lists the topics.
        topic=topic.title if topic is not None else args.topic,
        questions=args.questions,
        difficulty=args.difficulty,
        trainer=ctx.actor,
        channel=channel,
        participants=people,
        display_names=names,
        seed=args.seed,
        audience=ctx.user.audience,
    )
    return StartTrainingOutput(
        session=started.session,
        for_requester=channel is not None or ctx.user.user_id in people,
        notice=started.notice,
        rejected_drafts=len(started.rejected_drafts),
    )


class NextTrainingQuestionInput(BaseModel):
    """The next question of a training session for the user (the first one they have not answered)."""

    model_config = ConfigDict(extra="forbid")

    session_id: int = Field(ge=1, description="The training session's number.")


class NextTrainingQuestionOutput(BaseModel):
    """The question to show (None when the user has answered them all) and their progress."""

    session_id: int
    topic: str
    question: QuestionView | None
    answered: int
    correct: int
    total: int


def next_training_question(ctx: ToolContext, args: NextTrainingQuestionInput) -> NextTrainingQuestionOutput:
    """The user's next unanswered question of an open session they may take part in."""
    service = ctx.training()
    user, reader = ctx.user.user_id, ctx.user.audience
    summary = service.get_session(args.session_id, audience=reader)
    if summary.status is not SessionStatus.OPEN:
        raise ToolError(f"training session {summary.id} is closed: answers are no longer recorded")
    me = next((p for p in summary.participants if p.user_id == user), None)
    if summary.channel is None and me is None:
        raise ToolError(f"{user} is not a participant of training session {summary.id}")
    return NextTrainingQuestionOutput(
        session_id=summary.id,
        topic=summary.topic,
        question=service.next_question(summary.id, user, audience=reader),
        answered=me.answered if me else 0,
        correct=me.correct if me else 0,
        total=summary.question_count,
    )


class AnswerTrainingQuestionInput(BaseModel):
    """The user's answer to a question of a training session."""

    model_config = ConfigDict(extra="forbid")

    session_id: int = Field(ge=1, description="The training session's number.")
    position: int = Field(ge=1, description="The question's number in the session.")
    answer: str = Field(
        min_length=1,
        max_length=50,
        description="The option as given: a letter ('B'), a number ('2'), true/false.",
    )


class AnswerTrainingQuestionOutput(BaseModel):
    """Right or wrong, the right option, and the explanation with the passage it cites (the first answer
    counts: answering again gives the first answer's feedback)."""

    question: QuestionView
    feedback: AnswerFeedback
    source: RetrievedPassage | None = Field(
        default=None, description="The cited passage, when it is indexed and readable here."
    )


def answer_training_question(
    ctx: ToolContext, args: AnswerTrainingQuestionInput
) -> AnswerTrainingQuestionOutput:
    """Record the user's answer and return the cited feedback."""
    service = ctx.training()
    reader = ctx.user.audience
    view = service.get_question(args.session_id, args.position, audience=reader)
    option = service.parse_option(view, args.answer)
    feedback = service.submit_answer(
        args.session_id,
        ctx.user.user_id,
        args.position,
        option,
        display_name=ctx.user.display_name,
        audience=reader,
    )
    cited = cite_records(ctx, [feedback.citation_id])
    return AnswerTrainingQuestionOutput(question=view, feedback=feedback, source=cited[0] if cited else None)


# --- citable records (for replies that cite rules rather than search results) -------------------------


def cite_records(ctx: ToolContext, citation_ids: Iterable[str]) -> list[RetrievedPassage]:
    """The indexed passages with these citation ids that the user may read, in the order given, also added
    to what the turn may cite. Ids not indexed (packs not loaded) are left out."""
    wanted = list(dict.fromkeys(citation_ids))
    if not wanted:
        return []
    reader = ctx.user.audience
    stmt = (
        select(Chunk)
        .join(Document, Document.id == Chunk.document_id)
        .where(Chunk.citation_id.in_(wanted), Chunk.generation == Document.active_generation)
        .where(Chunk.chunk_key.like("%-w0"))
        .order_by(Chunk.id)
    )
    with ctx.index.db.session() as session:
        chunks = [c for c in session.scalars(stmt) if reader.can_read(c.visibility, list(c.groups))]
    found: dict[str, RetrievedPassage] = {}
    for c in chunks:
        found.setdefault(
            c.citation_id,
            RetrievedPassage(
                citation_id=c.citation_id,
                source_id=c.source_id,
                title=c.title,
                locator=c.locator,
                kind=c.kind,
                text=c.text,
            ),
        )
    for passage in found.values():
        ctx.retrieved.setdefault(passage.citation_id, passage)
    return [found[cid] for cid in wanted if cid in found]


# --- the registry and the runner ---------------------------------------------------------------------


@dataclass(frozen=True)
class ToolSpec:
    """One tool: its name, what it is for (shown to a model), its models and its function."""

    name: str
    description: str
    input_model: type[BaseModel]
    output_model: type[BaseModel]
    function: Callable[[ToolContext, Any], BaseModel]


TOOLS: dict[str, ToolSpec] = {
    spec.name: spec
    for spec in (
        ToolSpec(
            "search_knowledge",
            "Search regulations, internal policies and past reviews; returns citable passages with their "
            "citation ids. Only documents the user may read are searched.",
            SearchKnowledgeInput,
            SearchKnowledgeOutput,
            search_knowledge,
        ),
        ToolSpec(
            "answer_question",
            "Answer an AI-governance question with citations (or abstain and name whom to ask). Pass a "
            "self-contained question.",
            AnswerQuestionInput,
            AnswerQuestionOutput,
            answer_question,
        ),
        ToolSpec(
            "triage_system",
            "Classify an AI system under the EU AI Act and other regimes. Give a description to start, or "
            "the previous result's profile and uncertain fields plus answers to its missing questions. "
            "Deterministic rules decide the tier; returns the tier, grounds, obligations and open questions.",
            TriageSystemInput,
            TriageSystemOutput,
            triage_system,
        ),
        ToolSpec(
            "file_review_tasks",
            "File the review tasks a system's latest assessment requires. Only when the user asks for it.",
            FileReviewTasksInput,
            FileReviewTasksOutput,
            file_review_tasks,
        ),
        ToolSpec(
            "find_past_reviews",
            "What happened to past reviews: a named system's reviews and their decisions, and similar "
            "past reviews from the knowledge base.",
            FindPastReviewsInput,
            FindPastReviewsOutput,
            find_past_reviews,
        ),
        ToolSpec(
            "list_systems",
            "List the AI systems in the inventory with their latest EU and internal tiers.",
            ListSystemsInput,
            ListSystemsOutput,
            list_systems,
        ),
        ToolSpec(
            "list_tasks",
            "List review tasks, optionally by status, system or owner queue.",
            ListTasksInput,
            ListTasksOutput,
            list_tasks,
        ),
        ToolSpec(
            "training_topics",
            "List the training topics (quizzes) with how many questions each offers here.",
            TrainingTopicsInput,
            TrainingTopicsOutput,
            training_topics,
        ),
        ToolSpec(
            "start_training",
            "Start a training session (a quiz) on a topic for named people, the thread's channel, or the "
            "requester. Only when the user asks for it.",
            StartTrainingInput,
            StartTrainingOutput,
            start_training,
        ),
        ToolSpec(
            "next_training_question",
            "The user's next unanswered question of a training session.",
            NextTrainingQuestionInput,
            NextTrainingQuestionOutput,
            next_training_question,
        ),
        ToolSpec(
            "answer_training_question",
            "Record the user's answer to a training question; returns right or wrong with the cited "
            "explanation. Only with the user's own answer.",
            AnswerTrainingQuestionInput,
            AnswerTrainingQuestionOutput,
            answer_training_question,
        ),
    )
}


class ToolResult(BaseModel):
    """What a tool call came to: its output, or a one-line error the conversation can recover from."""

    name: str
    arguments: dict[str, Any]
    ok: bool
    output: SerializeAsAny[BaseModel] | None = None
    error: str | None = None

    def text(self) -> str:
        """The result as a model reads it: the output as JSON, or `error: ...`."""
        if self.ok and self.output is not None:
            return self.output.model_dump_json()
        return f"error: {self.error}"

    def record(self) -> ToolCallRecord:
        """The record of this call for the reply and the audit log."""
        return ToolCallRecord(name=self.name, arguments=self.arguments, ok=self.ok, error=self.error)


def validation_message(exc: ValidationError) -> str:
    """Pydantic errors as one line naming each field: 'query: String should have at least 1 character'."""
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "arguments"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())[:500]


def _plain(raw: Any) -> dict[str, Any]:
    """The arguments as plain JSON data, for the record (whatever the caller passed)."""
    if not isinstance(raw, dict):
        return {"_raw": _one_line(repr(raw))}
    plain = to_jsonable_python(raw, fallback=repr)
    return plain if isinstance(plain, dict) else {"_raw": _one_line(repr(raw))}


def _call(
    ctx: ToolContext, spec: ToolSpec, raw_args: dict[str, Any], arguments: dict[str, Any]
) -> ToolResult:
    name = spec.name
    try:
        args = spec.input_model.model_validate(raw_args)
    except ValidationError as exc:
        error = _one_line(f"{name}: invalid arguments: {validation_message(exc)}")
        return ToolResult(name=name, arguments=arguments, ok=False, error=error)
    try:
        output = spec.function(ctx, args)
    except (ToolError, QuestionError, TaskError, ValueError, LookupError) as exc:
        return ToolResult(name=name, arguments=arguments, ok=False, error=_one_line(f"{name}: {exc}"))
    except Exception as exc:  # a tool failure must come back as a message, never a traceback
        log.exception("tool %s failed", name)
        error = _one_line(f"{name} failed: {type(exc).__name__}: {exc}")
        return ToolResult(name=name, arguments=arguments, ok=False, error=error)
    return ToolResult(name=name, arguments=arguments, ok=True, output=output)


def run_tool(ctx: ToolContext, name: str, raw_args: dict[str, Any] | None) -> ToolResult:
    """Validate `raw_args`, run the tool, and return its output or a structured error. Never raises
    (except KeyboardInterrupt and the like): the turn always has something to answer with."""
    arguments = _plain(raw_args if raw_args is not None else {})
    result: ToolResult
    spec = TOOLS.get(name)
    if spec is None:
        error = f"unknown tool {name!r}; the tools are: {', '.join(TOOLS)}"
        result = ToolResult(name=name, arguments=arguments, ok=False, error=error)
    elif raw_args is not None and not isinstance(raw_args, dict):
        error = f"{name}: arguments must be an object of named fields, got {type(raw_args).__name__}"
        result = ToolResult(name=name, arguments=arguments, ok=False, error=error)
    else:
        result = _call(ctx, spec, raw_args or {}, arguments)
    ctx.calls.append(result.record())
    return result


# --- LangChain -----------------------------------------------------------------------------------------


def langchain_tools(ctx: ToolContext) -> list[BaseTool]:
    """The tools as LangChain `StructuredTool`s bound to `ctx`: the args schema is the input model, the
    result is the output as JSON text, and every failure (malformed arguments included) comes back as
    `error: ...` text instead of an exception."""
    from langchain_core.tools import StructuredTool

    return [
        StructuredTool.from_function(
            func=_bound_call(ctx, spec),
            name=spec.name,
            description=spec.description,
            args_schema=spec.input_model,
            handle_tool_error=True,
            handle_validation_error=_bound_invalid(ctx, spec),
        )
        for spec in TOOLS.values()
    ]


def _bound_call(ctx: ToolContext, spec: ToolSpec) -> Callable[..., str]:
    def call(**kwargs: Any) -> str:
        return run_tool(ctx, spec.name, kwargs).text()

    return call


def _bound_invalid(ctx: ToolContext, spec: ToolSpec) -> Callable[[Exception], str]:
    # LangChain validates against the args schema before calling the tool: record the failed call too.
    def on_invalid(exc: Exception) -> str:
        message = validation_message(exc) if isinstance(exc, ValidationError) else _one_line(str(exc))
        error = _one_line(f"{spec.name}: invalid arguments: {message}")
        ctx.calls.append(ToolCallRecord(name=spec.name, arguments={}, ok=False, error=error))
        return f"error: {error}"

    return on_invalid


def tool_schemas() -> list[dict[str, Any]]:
    """Each tool's name, description and JSON schema (for documentation and prompts)."""
    return [
        {"name": s.name, "description": s.description, "parameters": s.input_model.model_json_schema()}
        for s in TOOLS.values()
    ]
