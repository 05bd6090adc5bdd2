"""The inventory's public models: systems, assessment versions, their history and the difference between
two versions. Callers get these; the rows stay in `tools.inventory.store`."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field, computed_field

from tools.inventory.fingerprints import status_notes
from tools.triage.schemas import EuTier, Ground, Obligation, SystemProfile, TriageResult, TriageStatus


class SystemPublic(BaseModel):
    """An inventory entry with the headline of its latest assessment."""

    id: str = Field(description="Stable slug, e.g. 'cv-screener'.")
    name: str
    description: str
    owner: str | None
    created_at: datetime
    updated_at: datetime
    latest_version: int | None = Field(default=None, description="Latest assessment version, if any.")
    eu_tier: EuTier | None = None
    internal_tier: str | None = None
    status: TriageStatus | None = None
    last_assessed_at: datetime | None = None


class AssessmentPublic(BaseModel):
    """One version of a system's triage, with the knowledge it was made on."""

    id: int
    system_id: str
    system_name: str
    version: int
    profile: SystemProfile
    result: TriageResult
    eu_tier: EuTier
    internal_tier: str
    status: TriageStatus
    knowledge_as_of: date
    knowledge_revision: str | None
    packs_fingerprint: str | None
    cited_records: dict[str, str | None] = Field(
        description="Citation id -> hash of the pack record behind it (None: not a pack record)."
    )
    created_at: datetime
    created_by: str


class AssessmentSummary(BaseModel):
    """One line of a system's assessment history."""

    version: int
    created_at: datetime
    created_by: str
    eu_tier: EuTier
    internal_tier: str
    status: TriageStatus
    knowledge_as_of: date


class TierChange(BaseModel):
    """A value before and after."""

    before: str
    after: str


class AssessmentDiff(BaseModel):
    """What changed between two assessments of the same system."""

    system_id: str
    from_version: int
    to_version: int
    eu_tier: TierChange | None = None
    internal_tier: TierChange | None = None
    status: TierChange | None = None
    grounds_added: list[Ground] = Field(
        default_factory=list, description="EU AI Act grounds, transparency and GPAI grounds, by citation."
    )
    grounds_removed: list[Ground] = Field(default_factory=list)
    obligations_added: list[Obligation] = Field(default_factory=list)
    obligations_removed: list[Obligation] = Field(default_factory=list)
    regimes_added: list[str] = Field(default_factory=list, description="Other regimes that now apply.")
    regimes_removed: list[str] = Field(default_factory=list, description="Regimes that no longer apply.")
    reviews_added: list[str] = Field(default_factory=list, description="Required review ids.")
    reviews_removed: list[str] = Field(default_factory=list)
    profile_fields_changed: list[str] = Field(default_factory=list)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def changed(self) -> bool:
        """Whether anything differs."""
        return any(
            (
                self.eu_tier,
                self.internal_tier,
                self.status,
                self.grounds_added,
                self.grounds_removed,
                self.obligations_added,
                self.obligations_removed,
                self.regimes_added,
                self.regimes_removed,
                self.reviews_added,
                self.reviews_removed,
                self.profile_fields_changed,
            )
        )

    def summary_lines(self) -> list[str]:
        """The differences as short sentences, for people."""
        lines: list[str] = []
        for label, change in (("EU tier", self.eu_tier), ("internal tier", self.internal_tier)):
            if change:
                lines.append(f"{label}: {change.before} -> {change.after}")
        if self.status:
            lines.append(f"status: {self.status.before} -> {self.status.after}")
        lines += [f"+ ground {g.citation}: {g.reason}" for g in self.grounds_added]
        lines += [f"- ground {g.citation}: {g.reason}" for g in self.grounds_removed]
        lines += [f"+ obligation {o.citation} {o.title}{_from(o)}" for o in self.obligations_added]
        lines += [f"- obligation {o.citation} {o.title}{_from(o)}" for o in self.obligations_removed]
        lines += status_notes(o.citation for o in self.obligations_added)
        lines += [f"+ regime {r} now applies" for r in self.regimes_added]
        lines += [f"- regime {r} no longer applies" for r in self.regimes_removed]
        lines += [f"+ review {r}" for r in self.reviews_added]
        lines += [f"- review {r}" for r in self.reviews_removed]
        if self.profile_fields_changed:
            lines.append("profile changed: " + ", ".join(self.profile_fields_changed))
        return lines


def _from(obligation: Obligation) -> str:
    """' (from 2027-01-01)': a retriage shows the dates that changed with the duties."""
    return f" (from {obligation.applies_from.isoformat()})" if obligation.applies_from else ""


class SystemDetail(BaseModel):
    """A system with its latest assessment, its history and what the latest version changed."""

    system: SystemPublic
    latest: AssessmentPublic | None
    history: list[AssessmentSummary]
    diff_from_previous: AssessmentDiff | None
