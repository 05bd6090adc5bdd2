"""Inventory tools: the systems and their tiers, review tasks (filing and listing), and what happened to
past reviews. The inventory is internal: every tool here refuses a public channel."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, model_validator

from assistant.agent.toolkit.context import MAX_K, PassageOut, ToolContext, ToolError
from knowledge.retrieval import SearchFilters, search
from tools import inventory, tasks
from tools.inventory import SystemPublic
from tools.tasks import TaskFilters, TaskPublic, TaskStatus
from tools.triage.schemas import EuTier


class FileReviewTasksInput(BaseModel):
    """File the review tasks that a system's latest assessment requires (idempotent)."""

    model_config = ConfigDict(extra="forbid")

    system: str = Field(min_length=1, max_length=200, description="The system's id or name.")


class FileReviewTasksOutput(BaseModel):
    """The system's review tasks for its latest assessment; `filed` counts the new ones."""

    system_id: str
    system_name: str
    assessment_version: int
    eu_tier: EuTier
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
