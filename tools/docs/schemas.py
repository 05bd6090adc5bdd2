"""The view model of a drafted review document, and what drafting reads.

A draft is a list of sections; each section holds statements, every one with at least one source (a
citation id, an assessment version, a review task), and questions for the system's owner where govassist
cannot fill it. Renderers (Markdown, HTML, DOCX) format this model and decide nothing about content.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field, computed_field

from tools.inventory import AssessmentPublic, SystemPublic
from tools.tasks import TaskPublic


class DocumentKind(StrEnum):
    """The review documents govassist drafts."""

    SYSTEM_CARD = "system-card"
    MODEL_CARD = "model-card"
    FRIA = "fria"
    TECH_DOC = "tech-doc"


class OutputFormat(StrEnum):
    """How a draft is written out."""

    MARKDOWN = "markdown"
    HTML = "html"
    DOCX = "docx"


FILE_SUFFIX: dict[OutputFormat, str] = {
    OutputFormat.MARKDOWN: ".md",
    OutputFormat.HTML: ".html",
    OutputFormat.DOCX: ".docx",
}


class SourceKind(StrEnum):
    """What a statement rests on."""

    CITATION = "citation"  # a knowledge record: pack provision, policy section, past review
    ASSESSMENT = "assessment"  # a recorded assessment version (its profile or its result)
    TASK = "task"  # a review task, its decision and conditions


class SourceRef(BaseModel):
    """One source of a statement."""

    kind: SourceKind
    ref: str = Field(description="Citation id, '<system-id>@v<version>' or the task id.")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def label(self) -> str:
        """How the source is shown: the citation id, 'assessment v2', 'task #7'."""
        if self.kind is SourceKind.ASSESSMENT:
            return "assessment v" + self.ref.rpartition("@v")[2]
        if self.kind is SourceKind.TASK:
            return f"task #{self.ref}"
        return self.ref


class Statement(BaseModel):
    """A filled statement and what it rests on (never empty)."""

    text: str = Field(min_length=1)
    sources: list[SourceRef] = Field(min_length=1)


class DraftSection(BaseModel):
    """One heading of the document: statements govassist could fill, questions it could not."""

    heading: str
    level: int = Field(ge=1, le=6, description="Heading level (1 is the document title).")
    group: bool = Field(default=False, description="A heading that only groups the sections below it.")
    basis: str | None = Field(
        default=None, description="Citation of what asks for this section (template section, Annex IV point)."
    )
    statements: list[Statement] = Field(default_factory=list)
    questions: list[str] = Field(default_factory=list, description="For the owner: what is still missing.")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def filled(self) -> bool:
        """Whether govassist could write anything here."""
        return bool(self.statements)


class TemplateRef(BaseModel):
    """The organisation's template a draft follows."""

    source_id: str
    title: str


class DocumentDraft(BaseModel):
    """A drafted review document: the one view model every renderer formats."""

    kind: DocumentKind
    title: str
    system_id: str
    system_name: str
    assessment_id: int
    assessment_version: int
    generated_at: datetime
    generated_by: str
    template: TemplateRef | None = Field(default=None, description="None: the built-in sections.")
    knowledge_as_of: str
    sections: list[DraftSection]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def open_questions(self) -> int:
        """How many questions the owner still has to answer."""
        return sum(len(s.questions) for s in self.sections)


# --- what drafting reads ------------------------------------------------------------------------------


class TemplateSection(BaseModel):
    """One heading of an organisation's template, as ingested."""

    heading: str
    level: int
    citation: str = Field(description="The section's citation id in the index.")
    guidance: str = Field(default="", description="What the template asks the author to write.")
    has_children: bool = False


class DocumentTemplate(BaseModel):
    """An organisation's document template, read from the knowledge index."""

    source_id: str
    title: str
    sections: list[TemplateSection]


class PrecedentRef(BaseModel):
    """A past review of a similar system."""

    citation: str
    title: str


class AnnexHeading(BaseModel):
    """A heading of the technical documentation, from a pack record (Annex IV points)."""

    citation: str
    title: str
    level: int


class TierPolicy(BaseModel):
    """What the tiering standard the assessment was tiered under says about its internal tier."""

    citation: str = Field(description="The standard's key in the assessment's cited records.")
    tier_id: str
    tier_name: str
    approval_authority: str
    review_cycle_months: int | None
    evidence: list[str] = Field(default_factory=list)


class DraftInputs(BaseModel):
    """Everything a draft is filled from."""

    system: SystemPublic
    assessment: AssessmentPublic
    tasks: list[TaskPublic] = Field(
        default_factory=list, description="The tasks covering the reviews the assessment requires."
    )
    precedents: list[PrecedentRef] = Field(default_factory=list)
    template: DocumentTemplate | None = None
    tier_policy: TierPolicy | None = Field(
        default=None, description="None when the standard in force is not the one the assessment used."
    )
    annex_iv: list[AnnexHeading] = Field(default_factory=list, description="For the technical documentation.")
    fria_basis: str = Field(
        default="eu-ai-act:art-27-1", description="The record listing the FRIA's elements."
    )
