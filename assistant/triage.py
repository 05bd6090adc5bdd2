"""The triage job: profile (or description) in, cited classification out, recorded in the inventory,
with precedent from past reviews and, on request, the review tasks filed."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, SerializerFunctionWrapHandler, model_serializer

from core.config import Settings
from knowledge.access import Audience
from knowledge.index import KnowledgeIndex
from knowledge.retrieval import SearchFilters, search
from knowledge.tiering import TieringStandard, load_tiering_standard
from tools import inventory
from tools.tasks import TaskPublic, file_reviews
from tools.triage.engine import triage
from tools.triage.extract import ExtractedProfile, FieldEvidence, extract_profile, triage_extracted
from tools.triage.schemas import SystemProfile, TriageResult

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

PRECEDENTS = 3
# Below this similarity a past review is about something else, not a precedent.
PRECEDENT_MIN_SIMILARITY = 0.45


class Precedent(BaseModel):
    """A past review of a similar system."""

    citation: str
    title: str
    snippet: str
    similarity: float


class TriageOutcome(BaseModel):
    """The triage result plus what the inventory and the index add to it."""

    result: TriageResult
    assessment_version: int | None = Field(default=None, description="Inventory version, when recorded.")
    precedents: list[Precedent] = Field(default_factory=list)
    evidence: list[FieldEvidence] = Field(default_factory=list, description="For --describe: why each field.")
    uncertain: list[str] = Field(default_factory=list)
    tasks: list[TaskPublic] = Field(default_factory=list)
    tasks_new: int = Field(default=0, description="How many of `tasks` this triage filed (the rest existed).")

    def report(self) -> TriageReport:
        """The `triage --json` contract as a typed model."""
        filed = (
            TasksFiled(new=self.tasks_new, existing=len(self.tasks) - self.tasks_new) if self.tasks else None
        )
        return TriageReport(
            **dict(self.result),
            assessment_version=self.assessment_version,
            precedents=self.precedents,
            uncertain=self.uncertain,
            evidence=self.evidence,
            tasks=self.tasks,
            tasks_filed=filed,
        )

    def as_json(self) -> dict[str, object]:
        """The `triage --json` contract, with the extras under their own keys."""
        return self.report().model_dump(mode="json")


class TasksFiled(BaseModel):
    """How many of a triage's review tasks it filed, and how many existed before."""

    new: int
    existing: int


# Extras left out of the contract when empty, so a plain triage reads as the rules' result.
_OPTIONAL_EXTRAS = ("uncertain", "evidence", "tasks", "tasks_filed")


class TriageReport(TriageResult):
    """The `triage --json` contract: the rules' result, with the inventory version it was recorded as,
    precedents from past reviews, and (only when there are some) the fields a description left
    uncertain, the evidence for each extracted field and the review tasks filed."""

    assessment_version: int | None = Field(default=None, description="Inventory version, when recorded.")
    precedents: list[Precedent] = Field(default_factory=list)
    uncertain: list[str] = Field(default_factory=list)
    evidence: list[FieldEvidence] = Field(default_factory=list)
    tasks: list[TaskPublic] = Field(default_factory=list)
    tasks_filed: TasksFiled | None = None

    @model_serializer(mode="wrap")
    def _without_empty_extras(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        for key in _OPTIONAL_EXTRAS:
            if not data.get(key):
                data.pop(key, None)
        return data


def tiering_standard(settings: Settings) -> TieringStandard:
    """The organisation's tiering standard, or the generic default."""
    return load_tiering_standard(settings.tiering_standard)


def describe(
    text: str, *, name: str | None, index: KnowledgeIndex, model: BaseChatModel | None = None
) -> ExtractedProfile:
    """A profile from a plain description: the offline extractor with the index's embedder, or, given a
    chat `model`, its structured facts checked against the offline extraction (`describe_with_model`:
    it can add risk, never remove it, and falls back to offline with a notice if the model fails)."""
    if model is not None:
        from assistant.describe_llm import describe_with_model

        return describe_with_model(text, name, model, index)
    return extract_profile(text, name=name, embedder=index.embedder)


def find_precedents(index: KnowledgeIndex, profile: SystemProfile, *, audience: Audience) -> list[Precedent]:
    """Past reviews of systems like this one."""
    passages = search(
        index,
        f"{profile.name}. {profile.description}",
        audience=audience,
        k=PRECEDENTS,
        filters=SearchFilters(kinds=["review"]),
    )
    return [
        Precedent(citation=p.citation_id, title=p.title, snippet=p.text[:300], similarity=p.similarity)
        for p in passages
        if p.similarity >= PRECEDENT_MIN_SIMILARITY
    ]


def run_triage(
    index: KnowledgeIndex,
    settings: Settings,
    profile: SystemProfile,
    *,
    actor: str,
    record: bool = True,
    file_tasks: bool = False,
    audience: Audience | None = None,
    today: date | None = None,
    extracted: ExtractedProfile | None = None,
) -> TriageOutcome:
    """Classify, record the assessment, find precedent, and file the required reviews if asked.

    With `extracted` (from a description), suspected use cases the extractor could not settle become
    questions too, and the evidence for each field is returned.
    """
    standard = tiering_standard(settings)
    if extracted is not None:
        result = triage_extracted(extracted, standard=standard)
        outcome = TriageOutcome(result=result, evidence=extracted.evidence, uncertain=extracted.uncertain)
    else:
        result = triage(profile, standard=standard)
        outcome = TriageOutcome(result=result)
    if record:
        with index.db.session() as session:
            assessment = inventory.record_assessment(
                session=session,
                profile=profile,
                result=result,
                actor=actor,
                knowledge=inventory.current_knowledge(standard=standard),
            )
            outcome.result = assessment.result
            outcome.assessment_version = assessment.version
            if file_tasks:
                filing = file_reviews(
                    session=session, assessment=assessment, today=today or date.today(), actor=actor
                )
                outcome.tasks, outcome.tasks_new = filing.tasks, filing.new
    outcome.precedents = find_precedents(index, profile, audience=audience or Audience())
    return outcome
