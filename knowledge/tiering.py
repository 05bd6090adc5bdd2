"""An organisation's model risk tiering standard: internal tiers, their reviews and the rules that pick one.

The standard is data the organisation configures (YAML). Triage computes the EU AI Act tier and a set of
factors about the system, then asks `internal_tier_for` which internal tier applies. Rules are tried in
order and the first match wins; the result is never less severe than the floor the standard sets for the
EU tier, so a misordered rule cannot downgrade a high-risk system.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from datetime import date
from enum import StrEnum
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import ErrorDetails

from core.yaml_io import safe_load

DEFAULT_STANDARD_PATH = Path(__file__).resolve().parent / "tiering_default.yaml"

_SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
_TIER_ID = r"^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$"


class EuTier(StrEnum):
    """The EU AI Act risk tier triage assigns to a system."""

    PROHIBITED = "prohibited"
    HIGH = "high"
    LIMITED = "limited"
    MINIMAL = "minimal"
    OUT_OF_SCOPE = "out_of_scope"


class TierFactor(StrEnum):
    """Facts about a system, beyond its EU tier, that a tiering rule may test.

    The vocabulary is fixed in code because triage has to compute each factor from the system profile:
    a rule naming a factor nobody computes would silently never fire.
    """

    CUSTOMER_FACING = "customer_facing"
    PERSONAL_DATA = "personal_data"
    SPECIAL_CATEGORY_DATA = "special_category_data"
    PROFILING = "profiling"
    AUTOMATED_DECISION = "automated_decision"
    PUBLIC_SERVICE = "public_service"
    VULNERABLE_PEOPLE = "vulnerable_people"
    EMPLOYMENT_CONTEXT = "employment_context"
    SYNTHETIC_CONTENT = "synthetic_content"
    GPAI_MODEL = "gpai_model"
    GPAI_SYSTEMIC_RISK = "gpai_systemic_risk"
    THIRD_PARTY_SUPPLIER = "third_party_supplier"


FACTOR_DESCRIPTIONS: dict[TierFactor, str] = {
    TierFactor.CUSTOMER_FACING: "Customers or the public use the system or see its output directly.",
    TierFactor.PERSONAL_DATA: "The system processes personal data.",
    TierFactor.SPECIAL_CATEGORY_DATA: "The system processes special-category data (health, biometrics, ...).",
    TierFactor.PROFILING: "The system evaluates personal aspects of people (profiling).",
    TierFactor.AUTOMATED_DECISION: "Outputs decide about people without a meaningful human review.",
    TierFactor.PUBLIC_SERVICE: "Run by or for a public body, or used to provide a public service.",
    TierFactor.VULNERABLE_PEOPLE: "Affects children or other people in a vulnerable situation.",
    TierFactor.EMPLOYMENT_CONTEXT: "Affects job candidates or workers.",
    TierFactor.SYNTHETIC_CONTENT: "Generates synthetic text, images, audio or video.",
    TierFactor.GPAI_MODEL: "Is, or is built on, a general-purpose AI model.",
    TierFactor.GPAI_SYSTEMIC_RISK: "Involves a general-purpose AI model with systemic risk that we provide.",
    TierFactor.THIRD_PARTY_SUPPLIER: "Supplied or hosted by a third party.",
}


_FIELD_PREFIX = re.compile(r"^[a-z_]+(\[\d+\])?(\.[a-z_]+)*: ")
_FACTOR_VALUES = frozenset(factor.value for factor in TierFactor)


class TieringStandardError(ValueError):
    """A tiering standard file is missing or invalid; the message names the file and the field."""


class RereviewTrigger(StrEnum):
    """Besides the review cycle, what makes a tier's approved reviews count no longer."""

    PROFILE_CHANGE = "profile_change"
    RETRAINING = "retraining"


class RequiredReview(BaseModel):
    """One review a tier requires before approval, routed to an owner queue with a due-day target."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=_SLUG, description="Stable review id, e.g. 'privacy-dpia'.")
    name: str = Field(min_length=1, description="Human name of the review.")
    owner_queue: str = Field(pattern=_SLUG, description="Queue that owns the task, e.g. 'legal'.")
    due_days: int = Field(ge=1, le=365, description="Calendar days from filing to the due date.")
    description: str = Field(default="", description="What the review covers.")


class InternalTier(BaseModel):
    """An internal risk tier with its approval authority, required reviews and evidence."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=_TIER_ID, description="Tier id, e.g. 'T1' or 'blocked'.")
    name: str = Field(min_length=1)
    description: str = Field(min_length=1)
    approval_authority: str = Field(min_length=1, description="Who may approve a system in this tier.")
    required_reviews: list[RequiredReview] = Field(default_factory=list)
    evidence: list[str] = Field(default_factory=list, description="Artefacts needed for approval.")
    review_cycle_months: int | None = Field(
        default=None, ge=1, le=60, description="Periodic re-review interval; None means on change only."
    )
    rereview_on: list[RereviewTrigger] = Field(
        default_factory=list,
        description="Changes that call for the reviews again: 'profile_change' (any change of the system's "
        "profile, even one keeping the tier); 'retraining' (a new `model_version` in the profile: the "
        "approvals given for the earlier model fall due for re-review at once). Without them approvals "
        "carry over while tier and reviews stay.",
    )

    @model_validator(mode="after")
    def _unique_review_ids(self) -> InternalTier:
        seen: set[str] = set()
        for index, review in enumerate(self.required_reviews):
            if review.id in seen:
                raise ValueError(f"required_reviews[{index}].id: duplicate review id {review.id!r}")
            seen.add(review.id)
        return self


class TierRule(BaseModel):
    """One mapping rule: when the EU tier and factors match, the system gets `tier`.

    An empty `eu_tiers` matches any EU tier; `all_factors` must all be present; `any_factors`, when not
    empty, needs at least one present.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=_SLUG)
    description: str = Field(min_length=1)
    eu_tiers: list[EuTier] = Field(default_factory=list)
    all_factors: list[TierFactor] = Field(default_factory=list)
    any_factors: list[TierFactor] = Field(default_factory=list)
    tier: str = Field(description="Id of the internal tier this rule assigns.")

    def matches(self, eu_tier: EuTier, factors: frozenset[TierFactor]) -> bool:
        """Whether this rule applies to a system with this EU tier and these factors."""
        if self.eu_tiers and eu_tier not in self.eu_tiers:
            return False
        if not set(self.all_factors) <= factors:
            return False
        return not self.any_factors or bool(set(self.any_factors) & factors)


class TieringStandard(BaseModel):
    """An organisation's tiering standard: tiers ordered from most to least severe, floors and rules."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    doc_id: str = Field(pattern=_SLUG)
    title: str = Field(min_length=1)
    organisation: str = Field(min_length=1)
    version: str = Field(min_length=1)
    as_of: date
    tiers: list[InternalTier] = Field(min_length=1, description="Most severe first.")
    eu_tier_floor: dict[EuTier, str] = Field(
        description="Least severe internal tier allowed for each EU tier; must cover every EU tier."
    )
    rules: list[TierRule] = Field(default_factory=list, description="Tried in order; first match wins.")

    @model_validator(mode="after")
    def _check_references(self) -> TieringStandard:
        tier_ids = [tier.id for tier in self.tiers]
        for index, tier_id in enumerate(tier_ids):
            if tier_id in tier_ids[:index]:
                raise ValueError(f"tiers[{index}].id: duplicate tier id {tier_id!r}")
        missing = [eu.value for eu in EuTier if eu not in self.eu_tier_floor]
        if missing:
            raise ValueError(f"eu_tier_floor: no floor for EU tier(s) {', '.join(missing)}")
        for eu, tier_id in self.eu_tier_floor.items():
            if tier_id not in tier_ids:
                raise ValueError(f"eu_tier_floor.{eu.value}: unknown tier {tier_id!r}")
        rule_ids: set[str] = set()
        for index, rule in enumerate(self.rules):
            where = f"rules[{index}] (id {rule.id!r})"
            if rule.id in rule_ids:
                raise ValueError(f"{where}.id: duplicate rule id")
            rule_ids.add(rule.id)
            if rule.tier not in tier_ids:
                raise ValueError(f"{where}.tier: unknown tier {rule.tier!r}")
            for eu in rule.eu_tiers:
                floor = self.eu_tier_floor[eu]
                if self.severity(rule.tier) > self.severity(floor):
                    raise ValueError(
                        f"{where}.tier: {rule.tier!r} is below the floor {floor!r} for EU tier {eu.value!r}"
                    )
        return self

    def severity(self, tier_id: str) -> int:
        """Position of a tier in the standard: 0 is the most severe."""
        for index, tier in enumerate(self.tiers):
            if tier.id == tier_id:
                return index
        raise KeyError(f"unknown internal tier {tier_id!r} in standard {self.doc_id!r}")

    def get_tier(self, tier_id: str) -> InternalTier:
        """The tier with this id; KeyError if the standard has none."""
        return self.tiers[self.severity(tier_id)]


class TierDecision(BaseModel):
    """The internal tier chosen for a system and why."""

    model_config = ConfigDict(frozen=True)

    tier: InternalTier
    rule_id: str | None = Field(description="The first matching rule, or None if no rule matched.")
    floor_applied: bool = Field(description="True when the tier is the EU-tier floor, not a rule's own tier.")
    reason: str


def decide_internal_tier(
    standard: TieringStandard, *, eu_tier: str, factors: AbstractSet[str]
) -> TierDecision:
    """Apply the standard's rules in order and return the chosen tier with the rule that chose it.

    Raises ValueError for an unknown EU tier or factor: callers pass the fixed vocabularies
    (`EuTier`, `TierFactor`), so an unknown value is a bug, not a case to guess at.
    """
    try:
        eu = EuTier(eu_tier)
    except ValueError:
        allowed = ", ".join(e.value for e in EuTier)
        raise ValueError(f"unknown EU tier {eu_tier!r}; expected one of: {allowed}") from None
    unknown = sorted(f for f in factors if f not in _FACTOR_VALUES)
    if unknown:
        raise ValueError(f"unknown tiering factor(s): {', '.join(unknown)}")
    present = frozenset(TierFactor(f) for f in factors)
    floor_id = standard.eu_tier_floor[eu]
    for rule in standard.rules:
        if rule.matches(eu, present):
            if standard.severity(rule.tier) > standard.severity(floor_id):
                return TierDecision(
                    tier=standard.get_tier(floor_id),
                    rule_id=rule.id,
                    floor_applied=True,
                    reason=f"rule {rule.id} gave {rule.tier}, raised to the {eu.value} floor {floor_id}",
                )
            return TierDecision(
                tier=standard.get_tier(rule.tier),
                rule_id=rule.id,
                floor_applied=False,
                reason=f"rule {rule.id}: {rule.description}",
            )
    return TierDecision(
        tier=standard.get_tier(floor_id),
        rule_id=None,
        floor_applied=True,
        reason=f"no rule matched; floor for EU tier {eu.value} is {floor_id}",
    )


def internal_tier_for(standard: TieringStandard, *, eu_tier: str, factors: AbstractSet[str]) -> InternalTier:
    """The internal tier for a system with this EU tier and these factors (see `decide_internal_tier`)."""
    return decide_internal_tier(standard, eu_tier=eu_tier, factors=factors).tier


def load_tiering_standard(path: Path | None = None) -> TieringStandard:
    """Load and validate a tiering standard from YAML; None loads the generic default standard.

    Raises TieringStandardError naming the file and the offending field.
    """
    source = path or DEFAULT_STANDARD_PATH
    try:
        raw = safe_load(source.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TieringStandardError(f"{source}: cannot read tiering standard: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise TieringStandardError(f"{source}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise TieringStandardError(f"{source}: expected a mapping at the top level, got {type(raw).__name__}")
    try:
        return TieringStandard.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(_describe_error(error) for error in exc.errors())
        raise TieringStandardError(f"{source}: invalid tiering standard: {problems}") from exc


def _describe_error(error: ErrorDetails) -> str:
    """One pydantic error as 'field.path: message' (cross-field messages already name their field)."""
    path = ""
    for part in error["loc"]:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    message = str(error["msg"]).removeprefix("Value error, ")
    if path and _FIELD_PREFIX.match(message):
        # A nested validator's message starts with the field inside the model it checked.
        return f"{path}.{message}"
    return f"{path}: {message}" if path else message
