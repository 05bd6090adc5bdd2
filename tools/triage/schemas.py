"""The triage boundary: the system profile (input) and the triage result (output).

The profile rejects unknown fields and wrong values with a message naming them. The result is the
`govassist triage --json` contract.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_serializer, field_validator

from tools.triage.catalogue import unknown_codes


class Role(StrEnum):
    """The organisation's role for this system under the EU AI Act."""

    PROVIDER = "provider"
    DEPLOYER = "deployer"
    PROVIDER_AND_DEPLOYER = "provider_and_deployer"
    IMPORTER = "importer"
    DISTRIBUTOR = "distributor"


class ExcludedPurpose(StrEnum):
    """Purposes Art. 2 takes outside the Regulation."""

    NONE = "none"
    MILITARY_DEFENCE = "military_defence"
    SCIENTIFIC_RESEARCH = "scientific_research"
    PRE_MARKET_TESTING = "pre_market_testing"
    PERSONAL_USE = "personal_use"


class AnnexIProduct(StrEnum):
    """Union harmonisation legislation (Annex I) the system is, or is a safety component of."""

    NONE = "none"
    MEDICAL_DEVICE = "medical_device"
    IN_VITRO_DIAGNOSTIC = "in_vitro_diagnostic"
    MACHINERY = "machinery"
    TOY = "toy"
    LIFT = "lift"
    RADIO_EQUIPMENT = "radio_equipment"
    MOTOR_VEHICLE = "motor_vehicle"
    CIVIL_AVIATION = "civil_aviation"
    OTHER_ANNEX_I = "other_annex_i"


class Derogation(StrEnum):
    """The Art. 6(3) conditions under which an Annex III system is not high-risk."""

    NONE = "none"
    NARROW_PROCEDURAL_TASK = "narrow_procedural_task"
    IMPROVES_COMPLETED_HUMAN_ACTIVITY = "improves_completed_human_activity"
    DETECTS_DECISION_PATTERNS = "detects_decision_patterns"
    PREPARATORY_TASK = "preparatory_task"


class SystemProfile(BaseModel):
    """What triage needs to know about an AI system. `None` means "not known yet": triage asks."""

    model_config = ConfigDict(extra="forbid", use_enum_values=False)

    name: str = Field(min_length=1, max_length=200, description="The system's name.")
    description: str = Field(min_length=1, max_length=20_000, description="What it does, in plain words.")
    role: Role = Field(default=Role.PROVIDER_AND_DEPLOYER, description="Our role for this system.")
    in_eu_scope: bool = Field(
        default=True,
        description="Placed on the EU market, put into service in the EU, or its output used in the EU.",
    )
    jurisdictions: list[str] = Field(
        default_factory=list, description="e.g. EU, US, US-NYC, US-NY, US-CO, US-IL, US-TX, US-CA, KR."
    )
    excluded_purpose: ExcludedPurpose = Field(default=ExcludedPurpose.NONE, description="Art. 2 exclusions.")
    use_cases: list[str] = Field(default_factory=list, description="Codes from the use-case catalogue.")
    annex_i_product: AnnexIProduct = Field(default=AnnexIProduct.NONE, description="Annex I product, if any.")
    third_party_conformity_assessment: bool | None = Field(
        default=None, description="Whether the Annex I product needs a third-party conformity assessment."
    )
    profiling: bool | None = Field(default=None, description="Whether it profiles natural persons.")
    derogation: Derogation = Field(default=Derogation.NONE, description="Claimed Art. 6(3) condition.")
    interacts_with_people: bool | None = Field(default=None, description="Interacts directly with people.")
    generates_synthetic_content: bool | None = Field(
        default=None, description="Generates audio, image, video or text."
    )
    deep_fake: bool | None = Field(default=None, description="Generates or manipulates deep fakes.")
    public_interest_text: bool | None = Field(
        default=None,
        description="Publishes generated text to inform the public on matters of public interest.",
    )
    gpai_model: bool | None = Field(default=None, description="Is, or provides, a general-purpose AI model.")
    training_compute_flops: float | None = Field(default=None, ge=0, description="Training compute in FLOP.")
    annual_revenue_usd: float | None = Field(
        default=None,
        ge=0,
        description="The developer's annual gross revenue with affiliates, in USD (frontier-model laws).",
    )
    monthly_users: int | None = Field(
        default=None, ge=0, description="Monthly visitors or users of a generative AI system it offers."
    )
    open_source: bool | None = Field(
        default=None, description="Released under a free and open-source licence."
    )
    public_body_or_public_service: bool | None = Field(
        default=None, description="Deployed by a public body or a private entity providing public services."
    )
    personal_data: bool | None = Field(default=None, description="Processes personal data.")
    rebrands_or_modifies: bool | None = Field(
        default=None,
        description=(
            "As deployer, importer or distributor: puts its own name or trademark on the system, modifies it "
            "substantially, or changes its intended purpose so that it becomes high-risk (Art. 25(1))."
        ),
    )
    automated_decisions: bool | None = Field(
        default=None, description="Its outputs decide about people without a meaningful human review."
    )
    model_version: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="The version of the model in use, free text (e.g. 'v3.2' or '2026-11 retrain'). Triage "
        "ignores it; a new value records a retraining, which re-opens the reviews of a tier whose standard "
        "lists `rereview_on: [retraining]`.",
    )

    @field_validator("use_cases")
    @classmethod
    def _known_use_cases(cls, value: list[str]) -> list[str]:
        unknown = unknown_codes(value)
        if unknown:
            raise ValueError(
                f"unknown use case code(s) {unknown}; see `govassist triage --list-use-cases` for the codes"
            )
        return list(dict.fromkeys(value))


class EuTier(StrEnum):
    """EU AI Act tiers. `limited` means Art. 50 applies and nothing higher does."""

    PROHIBITED = "prohibited"
    HIGH = "high"
    LIMITED = "limited"
    MINIMAL = "minimal"
    OUT_OF_SCOPE = "out_of_scope"


class TriageStatus(StrEnum):
    """Whether the rules could decide: every fact that would change the tier is known, or some are not."""

    COMPLETE = "complete"
    NEEDS_INFORMATION = "needs_information"


class Ground(BaseModel):
    """One step of the reasoning, with the provision it rests on."""

    citation: str = Field(description="Citation id, e.g. 'eu-ai-act:annex-iii-4-a'.")
    reason: str


class GpaiFinding(BaseModel):
    """General-purpose AI, reported beside the system's tier."""

    systemic_risk: bool
    grounds: list[Ground]


class EuAiActFinding(BaseModel):
    """The EU AI Act part of a triage."""

    tier: EuTier
    grounds: list[Ground]
    transparency: list[Ground] = Field(default_factory=list)
    gpai: GpaiFinding | None = None
    derogation_applied: bool = False
    applies_from: date | None = None


class RegimeFinding(BaseModel):
    """Whether another regime applies (regime ids as in the knowledge packs)."""

    regime: str
    applies: bool
    grounds: list[Ground]


class Obligation(BaseModel):
    """An obligation the tier brings, with who carries it and from when."""

    id: str
    citation: str
    title: str
    owner: str
    applies_from: date | None


class RequiredReview(BaseModel):
    """A review the internal tiering standard requires."""

    id: str
    name: str
    owner_queue: str
    due_days: int


class MissingInformation(BaseModel):
    """A fact that would decide the tier and is not known: the question to ask."""

    field: str
    question: str


class SystemRef(BaseModel):
    """The inventory entry a triage belongs to."""

    id: str | None
    name: str


class TriageResult(BaseModel):
    """The `govassist triage --json` contract."""

    system: SystemRef
    eu_ai_act: EuAiActFinding
    other_regimes: list[RegimeFinding]
    internal_tier: str
    obligations: list[Obligation]
    required_reviews: list[RequiredReview]
    missing_information: list[MissingInformation]
    status: TriageStatus = Field(description="'complete' or 'needs_information'.")
    knowledge_as_of: date

    @field_serializer("knowledge_as_of")
    def _iso(self, value: date) -> str:
        return value.isoformat()
