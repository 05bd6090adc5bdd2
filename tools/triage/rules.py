"""The triage steps, in the order the EU AI Act asks them, each citing the provision it rests on.

Scope (Art. 2) -> prohibited practices (Art. 5) -> Art. 6(1) with Annex I -> Art. 6(2) with Annex III and
the Art. 6(3) derogation -> the Art. 50 transparency overlay -> general-purpose AI models (Arts. 51-55)
-> the obligations of our role, with their dates -> other regimes -> facts for the internal tier.

Every step is a small pure function of a `Context` (the profile, the facts the catalogue adds to it, the
knowledge packs and the as-of date). Steps never guess a fact that could make a system prohibited or
high-risk: an unknown fact becomes a question, and the tier stays at the most severe one it could lead to.
The tables (Annex I items, derogation points, obligations, regime triggers) are data; the functions read
them.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cached_property

from knowledge.packs import Comparison, Confidence, Pack
from knowledge.packs import Role as Owner
from knowledge.packs.provenance import reported_clause
from knowledge.tiering import TierFactor
from tools.triage.catalogue import (
    REGIME_TRIGGERS,
    Jurisdiction,
    RegimeTrigger,
    UseCase,
    UseCaseCategory,
    use_case,
)
from tools.triage.schemas import (
    AnnexIProduct,
    Derogation,
    EuTier,
    ExcludedPurpose,
    GpaiFinding,
    Ground,
    MissingInformation,
    Obligation,
    RegimeFinding,
    Role,
    SystemProfile,
)

EU_AI_ACT = "eu-ai-act"
_EU = "eu-ai-act:"

# --- tables -------------------------------------------------------------------------------------------

# Art. 2 exclusions by declared purpose: (citation, reason).
EXCLUSIONS: dict[ExcludedPurpose, tuple[str, str]] = {
    ExcludedPurpose.MILITARY_DEFENCE: (
        _EU + "art-2-3",
        "Used only for military, defence or national security purposes: outside the AI Act.",
    ),
    ExcludedPurpose.SCIENTIFIC_RESEARCH: (
        _EU + "art-2-6",
        "Developed and put into service only for scientific research and development: outside the AI Act.",
    ),
    ExcludedPurpose.PRE_MARKET_TESTING: (
        _EU + "art-2-8",
        "Research, testing or development before it is placed on the market or put into service: outside "
        "the AI Act (testing in real-world conditions is not covered by this exclusion).",
    ),
    ExcludedPurpose.PERSONAL_USE: (
        _EU + "art-2-10",
        "Used by individuals for a purely personal, non-professional activity: no deployer obligations.",
    ),
}

# The Annex I item each product type falls under.
ANNEX_I_ITEMS: dict[AnnexIProduct, str] = {
    AnnexIProduct.MACHINERY: _EU + "annex-i-1",
    AnnexIProduct.TOY: _EU + "annex-i-2",
    AnnexIProduct.LIFT: _EU + "annex-i-4",
    AnnexIProduct.RADIO_EQUIPMENT: _EU + "annex-i-6",
    AnnexIProduct.MEDICAL_DEVICE: _EU + "annex-i-11",
    AnnexIProduct.IN_VITRO_DIAGNOSTIC: _EU + "annex-i-12",
    AnnexIProduct.MOTOR_VEHICLE: _EU + "annex-i-18",
    AnnexIProduct.CIVIL_AVIATION: _EU + "annex-i-20",
    AnnexIProduct.OTHER_ANNEX_I: _EU + "annex-i",
}
ANNEX_I_SECTION_B = "section-b"

# The Art. 6(3) condition each claimed derogation rests on.
DEROGATION_POINTS: dict[Derogation, str] = {
    Derogation.NARROW_PROCEDURAL_TASK: _EU + "art-6-3-a",
    Derogation.IMPROVES_COMPLETED_HUMAN_ACTIVITY: _EU + "art-6-3-b",
    Derogation.DETECTS_DECISION_PATTERNS: _EU + "art-6-3-c",
    Derogation.PREPARATORY_TASK: _EU + "art-6-3-d",
}

ART_50_1, ART_50_2, ART_50_3, ART_50_4 = (f"{_EU}art-50-{n}" for n in range(1, 5))
ART_51_2 = _EU + "art-51-2"
CRITICAL_INFRASTRUCTURE = _EU + "annex-iii-2"
FRIA_POINTS = frozenset({_EU + "annex-iii-5-b", _EU + "annex-iii-5-c"})
BIOMETRICS_AREA = _EU + "annex-iii-1"
REMOTE_BIOMETRIC_ID = _EU + "annex-iii-1-a"
ANNEX_I_ROUTE = _EU + "art-6-1"

# Which pack owners are "us" for each role. Operator, controller and organisation duties bind whoever runs it.
_PROVIDER_SIDE = frozenset(
    {
        Owner.PROVIDER,
        Owner.DEVELOPER,
        Owner.PRODUCT_MANUFACTURER,
        Owner.GPAI_PROVIDER,
        Owner.GPAI_PROVIDER_SYSTEMIC_RISK,
    }
)
_DEPLOYER_SIDE = frozenset({Owner.DEPLOYER, Owner.EMPLOYER, Owner.CREDITOR, Owner.COVERED_ENTITY})
_EVERYONE = frozenset({Owner.OPERATOR, Owner.CONTROLLER, Owner.ORGANISATION})
ROLE_OWNERS: dict[Role, frozenset[Owner]] = {
    Role.PROVIDER: _PROVIDER_SIDE | _EVERYONE,
    Role.DEPLOYER: _DEPLOYER_SIDE | _EVERYONE,
    Role.PROVIDER_AND_DEPLOYER: _PROVIDER_SIDE | _DEPLOYER_SIDE | _EVERYONE,
    Role.IMPORTER: frozenset({Owner.IMPORTER}) | _EVERYONE,
    Role.DISTRIBUTOR: frozenset({Owner.DISTRIBUTOR}) | _EVERYONE,
}
_SWITCH_ROLES = frozenset({Role.DEPLOYER, Role.IMPORTER, Role.DISTRIBUTOR})
_DEPLOYING_ROLES = frozenset({Role.DEPLOYER, Role.PROVIDER_AND_DEPLOYER})
_PROVIDING_ROLES = frozenset({Role.PROVIDER, Role.PROVIDER_AND_DEPLOYER})


class When(StrEnum):
    """Conditions on which an obligation in the tables below applies (predicates in `_WHEN`)."""

    ALWAYS = "always"
    ANNEX_III = "annex_iii"
    ANNEX_III_EXCEPT_POINT_2 = "annex_iii_except_point_2"
    ANNEX_III_BIOMETRICS = "annex_iii_biometrics"
    ANNEX_III_OTHER_AREAS = "annex_iii_other_areas"
    ANNEX_I_SECTION_A = "annex_i_section_a"
    REMOTE_BIOMETRIC_ID = "remote_biometric_id"
    EMPLOYMENT = "employment"
    PUBLIC_BODY = "public_body"
    PERSONAL_DATA = "personal_data"


@dataclass(frozen=True)
class Duty:
    """A pack record's obligations (all of them, or one by id) that apply under a condition."""

    citation: str
    obligation_id: str | None = None
    when: When = When.ALWAYS


def _duties(*items: str | tuple[str, str] | tuple[str, str | None, When]) -> tuple[Duty, ...]:
    """Compact table rows: 'art-9', ('art-12', 'logging-capability'), ('art-26-7', None, When.EMPLOYMENT)."""
    duties = []
    for item in items:
        parts = (item,) if isinstance(item, str) else item
        citation = parts[0] if ":" in parts[0] else _EU + parts[0]
        obligation_id = parts[1] if len(parts) > 1 else None
        when = parts[2] if len(parts) > 2 else When.ALWAYS
        duties.append(Duty(citation, obligation_id, When(when)))
    return tuple(duties)


# Providers of high-risk systems: Arts. 9-17, 43, 47-49, 72-73.
HIGH_RISK_PROVIDER_DUTIES = _duties(
    "art-9", "art-10", "art-11",
    ("art-12", "logging-capability"), ("art-12", "rbi-minimum-logs", When.REMOTE_BIOMETRIC_ID),
    "art-13", "art-14", ("art-14-5", None, When.REMOTE_BIOMETRIC_ID), "art-15", "art-16", "art-17",
    "art-43", ("art-43-1", None, When.ANNEX_III_BIOMETRICS), ("art-43-2", None, When.ANNEX_III_OTHER_AREAS),
    ("art-43-3", None, When.ANNEX_I_SECTION_A),
    "art-47", "art-48", ("art-49-1", None, When.ANNEX_III_EXCEPT_POINT_2), "art-72", "art-73",
)  # fmt: skip
# Deployers of high-risk systems: Art. 26 and the Art. 86 explanation.
HIGH_RISK_DEPLOYER_DUTIES = _duties(
    "art-26-1", "art-26-2", "art-26-4", "art-26-5", "art-26-6",
    ("art-26-7", None, When.EMPLOYMENT), ("art-26-8", None, When.PUBLIC_BODY),
    ("art-26-9", None, When.PERSONAL_DATA), ("art-26-11", None, When.ANNEX_III), "art-26-12",
    ("art-86", None, When.ANNEX_III_EXCEPT_POINT_2),
)  # fmt: skip
HIGH_RISK_IMPORTER_DUTIES = _duties("art-23")
HIGH_RISK_DISTRIBUTOR_DUTIES = _duties("art-24")
FRIA_DUTIES = _duties("art-27-1", "art-27-3")
DEROGATION_DUTIES = _duties("art-6-4", "art-49-2")
SWITCH_DUTIES = _duties("art-25-1")
LITERACY_DUTIES = _duties("art-4")
TRANSPARENCY_TIMING_DUTIES = _duties("art-50-5")
GPAI_DUTIES = _duties("art-53-1", ("art-54", "appoint"))
GPAI_OPEN_SOURCE_DUTIES = _duties(("art-53-1", "copyright-policy"), ("art-53-1", "training-summary"))
GPAI_SYSTEMIC_DUTIES = _duties("art-52-1", "art-55-1")


GDPR = "gdpr"


# --- context and facts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """What every step reads: the profile, the knowledge packs by regime id, and the as-of date."""

    profile: SystemProfile
    packs: Mapping[str, Pack]
    as_of: date | None

    @property
    def eu(self) -> Pack:
        """The EU AI Act pack."""
        return self.packs[EU_AI_ACT]

    @cached_property
    def use_cases(self) -> tuple[UseCase, ...]:
        """The catalogue entries the profile lists."""
        return tuple(use_case(code) for code in self.profile.use_cases)

    @cached_property
    def codes(self) -> frozenset[str]:
        """The profile's use-case codes."""
        return frozenset(self.profile.use_cases)

    @cached_property
    def implied_factors(self) -> frozenset[TierFactor]:
        """Facts the listed use cases carry by their nature (recruitment concerns workers...)."""
        return frozenset(f for entry in self.use_cases for f in entry.factors)

    def of_category(self, category: UseCaseCategory) -> list[UseCase]:
        """The listed use cases of one category."""
        return [entry for entry in self.use_cases if entry.category is category]

    def implying(self, transparency_citation: str) -> list[str]:
        """Codes of listed use cases that bring an Article 50 paragraph by their nature."""
        return [e.code for e in self.use_cases if transparency_citation in e.transparency]

    def _implied_or(self, factor: TierFactor, declared: bool | None) -> bool | None:
        """True when a listed use case carries the fact by its nature, else what the profile declares."""
        return True if factor in self.implied_factors else declared

    @cached_property
    def profiling(self) -> bool | None:
        """Whether it profiles people: declared, or inherent in a use case (criminal profiling...)."""
        return self._implied_or(TierFactor.PROFILING, self.profile.profiling)

    @cached_property
    def personal_data(self) -> bool | None:
        """Whether it processes personal data: declared, or inherent in a use case about people."""
        special = self._implied_or(TierFactor.SPECIAL_CATEGORY_DATA, self.profile.personal_data)
        return self._implied_or(TierFactor.PERSONAL_DATA, special)

    @cached_property
    def public_service(self) -> bool | None:
        """Run by a public body or for a public service: declared, or inherent (law enforcement...)."""
        return self._implied_or(TierFactor.PUBLIC_SERVICE, self.profile.public_body_or_public_service)

    @cached_property
    def generates(self) -> bool | None:
        """Whether it generates synthetic content: declared, implied by deep fakes, or by a use case."""
        p = self.profile
        if self.implying(ART_50_2) or p.deep_fake or p.public_interest_text:
            return True
        return p.generates_synthetic_content

    @cached_property
    def interacts(self) -> bool | None:
        """Whether it interacts directly with people: declared or implied by a use case (chatbot)."""
        return True if self.implying(ART_50_1) else self.profile.interacts_with_people

    def ground(self, citation: str, reason: str) -> Ground:
        """A ground citing `citation`, which must exist in the packs (a bad id is a bug, not a case).

        A withdrawn or superseded record is never a ground (it is no longer the law); a record with a
        status note (a stay, a pending rulemaking) carries it, and a reported one says so in one clause.
        """
        self.record_title(citation)
        record = self.packs[citation.partition(":")[0]].record(citation)
        if not record.is_current:
            raise ValueError(f"triage cites {citation!r}, which is {record.status}: history, not a duty")
        if record.status_note:
            reason = f"{reason} Status: {record.status_note}"
        if record.confidence is Confidence.REPORTED:
            reason = f"{reason} {reported_clause()}"
        return Ground(citation=citation, reason=reason)

    def record_title(self, citation: str) -> str:
        """The title of the cited record; ValueError if no loaded pack holds it."""
        pack = self.packs.get(citation.partition(":")[0])
        if pack is None or not pack.has_record(citation):
            raise ValueError(f"triage cites {citation!r}, which no loaded knowledge pack holds")
        return pack.record(citation).title

    def effective(self, citation: str) -> date | None:
        """The date `citation` applies from: base text plus amendments adopted on the as-of date."""
        return self.packs[citation.partition(":")[0]].effective_date(citation, self.as_of)


def _ask(field_name: str, question: str) -> MissingInformation:
    return MissingInformation(field=field_name, question=question)


# --- step results --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """What a step found: the grounds it cites and the questions it could not answer itself."""

    grounds: tuple[Ground, ...] = ()
    missing: tuple[MissingInformation, ...] = ()


@dataclass(frozen=True)
class ScopeStep(Step):
    """Art. 2: whether the system is outside the Act."""

    excluded: bool = False


@dataclass(frozen=True)
class ProhibitedStep(Step):
    """Art. 5: the prohibited practices that apply (citation ids of points in force)."""

    points: tuple[str, ...] = ()


@dataclass(frozen=True)
class AnnexIStep(Step):
    """Art. 6(1): high-risk as an Annex I product (or its safety component)."""

    high: bool = False
    item: str | None = None
    section_b: bool = False


@dataclass(frozen=True)
class AnnexIIIStep(Step):
    """Art. 6(2) and 6(3): high-risk by an Annex III use case, or not by a derogation."""

    high: bool = False
    points: tuple[str, ...] = ()
    derogation_applied: bool = False


@dataclass(frozen=True)
class TransparencyStep(Step):
    """Art. 50: the transparency paragraphs that apply, as grounds, and the obligations they bring."""

    duties: tuple[Duty, ...] = ()


@dataclass(frozen=True)
class GpaiStep(Step):
    """Arts. 51-55: the general-purpose AI model finding, reported beside the tier."""

    finding: GpaiFinding | None = None
    duties: tuple[Duty, ...] = ()


@dataclass(frozen=True)
class Classification:
    """The EU AI Act classification: tier, the grounds and questions of every step, and what it rests on."""

    tier: EuTier
    grounds: tuple[Ground, ...]
    missing: tuple[MissingInformation, ...]
    scope: ScopeStep
    prohibited: ProhibitedStep
    annex_i: AnnexIStep
    annex_iii: AnnexIIIStep
    transparency: TransparencyStep
    gpai: GpaiStep

    @property
    def high_via_annex_iii(self) -> bool:
        """High-risk through Art. 6(2) (the route FRIA, registration and Art. 86 depend on)."""
        return self.tier is EuTier.HIGH and self.annex_iii.high

    @property
    def high_via_annex_i(self) -> bool:
        """High-risk through Art. 6(1)."""
        return self.tier is EuTier.HIGH and self.annex_i.high


# --- Art. 2: scope -----------------------------------------------------------------------------------


def assess_scope(ctx: Context) -> ScopeStep:
    """Art. 2: outside the EU's reach, or an excluded purpose, takes the system out of the Act."""
    p = ctx.profile
    if not p.in_eu_scope:
        return ScopeStep(
            excluded=True,
            grounds=(
                ctx.ground(
                    _EU + "art-2-1",
                    "Not placed on the EU market or put into service there, and its output is not used in "
                    "the EU: the AI Act does not reach it.",
                ),
            ),
        )
    scope = ctx.ground(
        _EU + "art-2-1",
        f"Placed on the EU market, put into service or used in the EU, with us as {p.role.value}.",
    )
    if p.excluded_purpose is ExcludedPurpose.NONE:
        return ScopeStep(grounds=(scope,))
    citation, reason = EXCLUSIONS[p.excluded_purpose]
    if p.excluded_purpose is ExcludedPurpose.PERSONAL_USE and p.role is not Role.DEPLOYER:
        # Art. 2(10) relieves only the individual using the system; whoever supplies it stays covered.
        return ScopeStep(
            grounds=(
                scope,
                ctx.ground(
                    citation,
                    "The personal-use exclusion only relieves individuals using a system privately; as "
                    f"{p.role.value} we remain subject to the Act.",
                ),
            )
        )
    return ScopeStep(excluded=True, grounds=(ctx.ground(citation, reason),))


# --- Art. 5: prohibited practices ----------------------------------------------------------------------


def assess_prohibited(ctx: Context) -> ProhibitedStep:
    """Art. 5: any Article 5 use case in force makes the system prohibited; each point is cited."""
    grounds: list[Ground] = []
    points: list[str] = []
    for entry in ctx.of_category(UseCaseCategory.ART5):
        assert entry.citation is not None  # every Article 5 entry names its point (tested)
        applies_from = ctx.effective(entry.citation)
        if applies_from is None:
            grounds.append(
                ctx.ground(
                    entry.citation,
                    f"'{entry.code}' would be prohibited by an amendment not adopted as of "
                    f"{_reference_date(ctx).isoformat()}: not applied yet; re-run triage once it is adopted.",
                )
            )
            continue
        points.append(entry.citation)
        title = ctx.record_title(entry.citation)
        when = (
            ""
            if applies_from <= _reference_date(ctx)
            else f" (the ban applies from {applies_from.isoformat()})"
        )
        note = f" {entry.note}" if entry.note else ""
        grounds.append(
            ctx.ground(entry.citation, f"Prohibited practice: {title} ('{entry.code}'){when}.{note}")
        )
    return ProhibitedStep(points=tuple(points), grounds=tuple(grounds))


def _reference_date(ctx: Context) -> date:
    """The day we judge "already applies" against: the as-of date, else the EU pack's knowledge date."""
    return ctx.as_of or ctx.eu.as_of


# --- Art. 6(1) with Annex I ----------------------------------------------------------------------------


def assess_annex_i(ctx: Context) -> AnnexIStep:
    """Art. 6(1): an Annex I product needing third-party conformity assessment is high-risk.

    An unknown assessment, or medical diagnosis software whose product status is not given, is treated as
    high-risk and asked about.
    """
    p = ctx.profile
    if p.annex_i_product is AnnexIProduct.NONE:
        return _undeclared_medical_device(ctx)
    item = ANNEX_I_ITEMS[p.annex_i_product]
    section_b = ctx.eu.record(item).area == ANNEX_I_SECTION_B
    product = ctx.ground(item, f"Annex I product legislation: {ctx.record_title(item)}.")
    if p.third_party_conformity_assessment is False:
        return AnnexIStep(
            item=item,
            section_b=section_b,
            grounds=(
                product,
                ctx.ground(
                    _EU + "art-6-1",
                    "The product needs no third-party conformity assessment: not high-risk under Art. 6(1).",
                ),
            ),
        )
    grounds = [product]
    missing: list[MissingInformation] = []
    if p.third_party_conformity_assessment is None:
        grounds.append(
            ctx.ground(
                _EU + "art-6-1",
                "An Annex I product: high-risk if it needs a third-party conformity assessment. Not known, "
                "so treated as high-risk until answered.",
            )
        )
        missing.append(
            _ask(
                "third_party_conformity_assessment",
                "Does the product (or the AI system as its safety component) need a conformity assessment "
                "by a notified body or other third party under its product legislation?",
            )
        )
    else:
        grounds.append(
            ctx.ground(
                _EU + "art-6-1",
                "A product (or safety component of a product) under Annex I legislation that needs a "
                "third-party conformity assessment: high-risk.",
            )
        )
    if section_b:
        grounds.append(
            ctx.ground(
                _EU + "art-2-2",
                "Annex I Section B legislation: the AI Act's high-risk requirements reach this product "
                "through its own sector rules, not directly.",
            )
        )
    return AnnexIStep(
        high=True, item=item, section_b=section_b, grounds=tuple(grounds), missing=tuple(missing)
    )


def _undeclared_medical_device(ctx: Context) -> AnnexIStep:
    """Medical diagnosis software with no product status given: usually a device, so ask and assume it."""
    if "annex_i_product" in ctx.profile.model_fields_set:
        return AnnexIStep()  # declared 'none' on purpose: nothing to assume
    entry = next((e for e in ctx.use_cases if (e.citation or "").startswith(_EU + "annex-i-")), None)
    if entry is None or entry.citation is None:
        return AnnexIStep()
    return AnnexIStep(
        high=True,
        item=entry.citation,
        grounds=(
            ctx.ground(
                entry.citation,
                f"'{entry.code}': {entry.note} Product status not given, so treated as high-risk until "
                "answered.",
            ),
        ),
        missing=(
            _ask(
                "annex_i_product",
                "Is the system medical device (or in vitro diagnostic) software, or a safety component of "
                "such a device, and does it need a notified body assessment?",
            ),
        ),
    )


# --- Art. 6(2) with Annex III, and the Art. 6(3) derogation -------------------------------------------


def assess_annex_iii(ctx: Context) -> AnnexIIIStep:
    """Art. 6(2): an Annex III use case is high-risk unless a derogation applies (Art. 6(3)).

    Profiling of natural persons overrides the derogation; an unknown profiling fact blocks it and is asked.
    """
    carve_outs = tuple(_carve_out_ground(ctx, entry) for entry in ctx.use_cases if entry.carve_out)
    entries = ctx.of_category(UseCaseCategory.ANNEX_III)
    if not entries:
        return AnnexIIIStep(grounds=carve_outs)
    points = tuple(dict.fromkeys(e.citation for e in entries if e.citation))
    grounds = [
        ctx.ground(
            _EU + "art-6-2", "Listed in Annex III: high-risk unless the Art. 6(3) derogation applies."
        ),
        *(ctx.ground(point, f"Annex III use case: {ctx.record_title(point)}.") for point in points),
        *_boundary_grounds(ctx, points),
        *carve_outs,
    ]
    derogation = ctx.profile.derogation
    if derogation is Derogation.NONE:
        return AnnexIIIStep(high=True, points=points, grounds=tuple(grounds))
    condition = DEROGATION_POINTS[derogation]
    if ctx.profiling is True:
        grounds.append(
            ctx.ground(
                _EU + "art-6-3",
                f"Derogation '{derogation.value}' claimed, but the system profiles natural persons: an Annex "
                "III system that profiles is always high-risk.",
            )
        )
        return AnnexIIIStep(high=True, points=points, grounds=tuple(grounds))
    if ctx.profiling is None:
        grounds.append(
            ctx.ground(
                _EU + "art-6-3",
                f"Derogation '{derogation.value}' claimed, but it is not known whether the system profiles "
                "people; profiling would rule the derogation out, so it is treated as high-risk until "
                "answered.",
            )
        )
        question = _ask(
            "profiling",
            "Does the system profile natural persons, i.e. evaluate personal aspects such as work "
            "performance, economic situation, health, preferences, behaviour, location or movements?",
        )
        return AnnexIIIStep(high=True, points=points, grounds=tuple(grounds), missing=(question,))
    grounds += [
        ctx.ground(
            _EU + "art-6-3",
            "No significant risk of harm claimed under Art. 6(3), and the system does not profile people: "
            "not high-risk.",
        ),
        ctx.ground(condition, f"Claimed: {ctx.record_title(condition)}."),
        ctx.ground(
            _EU + "art-6-4",
            "A provider relying on the derogation must document its assessment before placing the system on "
            "the market and still register it in the EU database.",
        ),
    ]
    return AnnexIIIStep(points=points, derogation_applied=True, grounds=tuple(grounds))


def _carve_out_ground(ctx: Context, entry: UseCase) -> Ground:
    assert entry.citation is not None  # carve-outs name the point they are carved out of (tested)
    return ctx.ground(
        entry.citation,
        f"'{entry.code}' is carved out of {ctx.record_title(entry.citation)}: not high-risk on that ground.",
    )


def _boundary_grounds(ctx: Context, points: Sequence[str]) -> list[Ground]:
    """Where an Annex III point borders an Article 5 ban (per the pack), say so: one fact away from a ban."""
    grounds = []
    listed = {e.citation for e in ctx.of_category(UseCaseCategory.ART5)}
    for point in points:
        for related in ctx.eu.record(point).related:
            if related.startswith(_EU + "art-5-1-") and related not in listed:
                grounds.append(
                    ctx.ground(
                        related,
                        f"Borders a prohibited practice ({ctx.record_title(related)}): if the system is used "
                        "that way, list the Article 5 use case and re-run triage.",
                    )
                )
    return grounds


# --- Art. 50: transparency ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Overlay:
    """One Art. 50 duty: the profile fact that triggers it, what it means, and the question if unknown."""

    fact: str
    citation: str
    obligation_id: str | None
    reason: str
    question: str = ""


TRANSPARENCY_OVERLAYS: tuple[Overlay, ...] = (
    Overlay(
        "interacts_with_people",
        ART_50_1,
        None,
        "Interacts directly with people: they must be told they are dealing with an AI system.",
        "Does the system interact directly with people (chat, voice, messages), so that they might not "
        "realise they are dealing with an AI?",
    ),
    Overlay(
        "generates_synthetic_content",
        ART_50_2,
        None,
        "Generates synthetic audio, image, video or text: outputs must carry a machine-readable marking.",
        "Does the system generate or manipulate text, images, audio or video?",
    ),
    Overlay(
        "emotion_recognition_or_biometric_categorisation",
        ART_50_3,
        None,
        "Emotion recognition or biometric categorisation: people exposed to it must be told it is operating.",
    ),
    Overlay(
        "deep_fake",
        ART_50_4,
        "disclose-deep-fake",
        "Deep fake part: generated or manipulated image, audio or video resembling real people, objects or "
        "events must be disclosed as such.",
        "Can the generated images, audio or video resemble real people, places or events so that they would "
        "falsely appear authentic (deep fakes)?",
    ),
    Overlay(
        "public_interest_text",
        ART_50_4,
        "disclose-public-interest-text",
        "Public-interest text part: AI-generated text published to inform the public on matters of public "
        "interest must be disclosed, unless a person holds editorial responsibility.",
        "Is generated text published to inform the public on matters of public interest (news, public "
        "announcements) without human editorial responsibility?",
    ),
)


def _overlay_facts(ctx: Context) -> dict[str, bool | None]:
    """The Art. 50 facts, with what the use cases imply; deep fake and text only matter when generating."""
    p = ctx.profile

    def if_generating(value: bool | None) -> bool | None:
        return value if value is not None or ctx.generates else False

    return {
        "interacts_with_people": ctx.interacts,
        "generates_synthetic_content": ctx.generates,
        "emotion_recognition_or_biometric_categorisation": bool(ctx.implying(ART_50_3)),
        "deep_fake": if_generating(p.deep_fake),
        "public_interest_text": if_generating(p.public_interest_text),
    }


def assess_transparency(ctx: Context, *, ask: bool) -> TransparencyStep:
    """Art. 50 duties, on any tier. With `ask`, unknown facts that could add a duty become questions."""
    facts = _overlay_facts(ctx)
    grounds: list[Ground] = []
    duties: list[Duty] = []
    missing: list[MissingInformation] = []
    for overlay in TRANSPARENCY_OVERLAYS:
        value = facts[overlay.fact]
        if value:
            implied = ctx.implying(overlay.citation)
            by = f" Implied by: {', '.join(implied)}." if implied else ""
            reason = f"{overlay.reason}{by}{_transition_text(ctx, overlay.citation)}"
            grounds.append(ctx.ground(overlay.citation, reason))
            duties.append(Duty(overlay.citation, overlay.obligation_id))
        elif value is None and ask:
            missing.append(_ask(overlay.fact, overlay.question))
    if duties:
        duties.extend(TRANSPARENCY_TIMING_DUTIES)
    return TransparencyStep(grounds=tuple(grounds), duties=tuple(duties), missing=tuple(missing))


def _transition_text(ctx: Context, citation: str) -> str:
    explanation = ctx.eu.explain_date(citation, ctx.as_of)
    if explanation.transition_ends is None:
        return ""
    return (
        f" Systems already on the market before {explanation.effective} have until "
        f"{explanation.transition_ends.isoformat()}."
    )


# --- Arts. 51-55: general-purpose AI models ------------------------------------------------------------


_COMPARE: dict[Comparison, Callable[[float, float], bool]] = {
    Comparison.GREATER: operator.gt,
    Comparison.GREATER_OR_EQUAL: operator.ge,
    Comparison.LESS: operator.lt,
    Comparison.LESS_OR_EQUAL: operator.le,
}


def assess_gpai(ctx: Context, *, ask: bool) -> GpaiStep:
    """Arts. 51-55, beside the tier: systemic risk from the pack's compute threshold, open-source relief."""
    p = ctx.profile
    if not p.gpai_model:
        return GpaiStep()
    grounds = [
        ctx.ground(
            _EU + "art-53",
            "A general-purpose AI model: its provider documents it, informs downstream providers, keeps a "
            "copyright policy and publishes a training content summary.",
        )
    ]
    missing: list[MissingInformation] = []
    threshold = ctx.eu.record(ART_51_2).thresholds[0]
    line = f"{threshold.comparison.value} {threshold.value:g} {threshold.unit}"
    systemic = False
    if p.training_compute_flops is None:
        grounds.append(
            ctx.ground(
                ART_51_2,
                f"Training compute not given: systemic risk is presumed at {line}; the full obligations are "
                "listed until answered.",
            )
        )
        missing.append(
            _ask("training_compute_flops", "How much compute (in FLOP) was used in total to train the model?")
        )
    else:
        systemic = _COMPARE[threshold.comparison](p.training_compute_flops, threshold.value)
        verdict = "presumed to have systemic risk" if systemic else "not presumed to have systemic risk"
        grounds.append(
            ctx.ground(
                ART_51_2,
                f"Trained with {p.training_compute_flops:g} FLOP, against the presumption line of {line}: "
                f"{verdict} (the Commission may still designate it, Art. 51(1)(b)).",
            )
        )
    if systemic:
        grounds.append(
            ctx.ground(
                _EU + "art-55",
                "Systemic risk: model evaluation with adversarial testing, systemic risk mitigation, serious "
                "incident reporting and cybersecurity on top of Art. 53.",
            )
        )
    relief = bool(p.open_source) and p.training_compute_flops is not None and not systemic
    if p.open_source:
        grounds.append(_open_source_gpai_ground(ctx, relief=relief, systemic=systemic))
    duties = GPAI_OPEN_SOURCE_DUTIES if relief else GPAI_DUTIES
    if systemic:
        duties = duties + GPAI_SYSTEMIC_DUTIES
    finding = GpaiFinding(systemic_risk=systemic, grounds=grounds)
    return GpaiStep(finding=finding, duties=duties, missing=tuple(missing) if ask else ())


def _open_source_gpai_ground(ctx: Context, *, relief: bool, systemic: bool) -> Ground:
    if relief:
        reason = (
            "Released under a free and open-source licence with public weights: the technical documentation "
            "and downstream information duties (and the EU representative, Art. 54(6)) do not apply; the "
            "copyright policy and training summary still do."
        )
    elif systemic:
        reason = "Open-source release does not relieve a model with systemic risk of any duty."
    else:
        reason = "Open-source relief applies only without systemic risk, which cannot be ruled out yet."
    return ctx.ground(_EU + "art-53-2", reason)


# --- the tier --------------------------------------------------------------------------------------------


def classify(ctx: Context) -> Classification:
    """Run the EU AI Act steps in order and decide the tier."""
    scope = assess_scope(ctx)
    if scope.excluded:
        return Classification(
            tier=EuTier.OUT_OF_SCOPE,
            grounds=scope.grounds,
            missing=(),
            scope=scope,
            prohibited=ProhibitedStep(),
            annex_i=AnnexIStep(),
            annex_iii=AnnexIIIStep(),
            transparency=TransparencyStep(),
            gpai=GpaiStep(),
        )
    prohibited = assess_prohibited(ctx)
    is_prohibited = bool(prohibited.points)
    # Once prohibited, nothing can raise the tier: the high-risk and transparency questions are moot.
    annex_i = AnnexIStep() if is_prohibited else assess_annex_i(ctx)
    annex_iii = AnnexIIIStep() if is_prohibited else assess_annex_iii(ctx)
    transparency = assess_transparency(ctx, ask=not is_prohibited)
    gpai = assess_gpai(ctx, ask=not is_prohibited)
    tier = _tier(prohibited, annex_i, annex_iii, transparency)
    grounds = [*scope.grounds, *prohibited.grounds, *annex_i.grounds, *annex_iii.grounds]
    missing = [*annex_i.missing, *annex_iii.missing, *transparency.missing]
    tier, closing = _closing_grounds(ctx, tier, open_questions=bool(missing), annex_iii=annex_iii)
    grounds += closing
    missing += gpai.missing
    return Classification(
        tier=tier,
        grounds=tuple(grounds),
        missing=tuple(missing),
        scope=scope,
        prohibited=prohibited,
        annex_i=annex_i,
        annex_iii=annex_iii,
        transparency=transparency,
        gpai=gpai,
    )


def _tier(
    prohibited: ProhibitedStep, annex_i: AnnexIStep, annex_iii: AnnexIIIStep, transparency: TransparencyStep
) -> EuTier:
    if prohibited.points:
        return EuTier.PROHIBITED
    if annex_i.high or annex_iii.high:
        return EuTier.HIGH
    if transparency.duties:
        return EuTier.LIMITED
    return EuTier.MINIMAL


def _closing_grounds(
    ctx: Context, tier: EuTier, *, open_questions: bool, annex_iii: AnnexIIIStep
) -> tuple[EuTier, list[Ground]]:
    """The conclusion for limited and minimal systems, and the Art. 2(12) open-source exclusion."""
    open_source = bool(ctx.profile.open_source)
    citation = _EU + "art-2-12"
    if tier is EuTier.MINIMAL and open_source and not open_questions:
        return EuTier.OUT_OF_SCOPE, [
            ctx.ground(
                citation,
                "Released under a free and open-source licence and neither prohibited, high-risk nor subject "
                "to Art. 50: outside the AI Act.",
            )
        ]
    grounds = []
    if tier is EuTier.LIMITED:
        grounds.append(
            ctx.ground(_EU + "art-50", "Art. 50 transparency duties apply and nothing higher: limited risk.")
        )
    elif tier is EuTier.MINIMAL:
        derogated = " (the Art. 6(3) derogation applies)" if annex_iii.derogation_applied else ""
        pending = " so far; open questions could still add one" if open_questions else ""
        grounds.append(
            ctx.ground(
                _EU + "art-6",
                f"Not prohibited, not high-risk{derogated} and no Art. 50 duty{pending}: minimal risk.",
            )
        )
    if open_source and tier in (EuTier.PROHIBITED, EuTier.HIGH, EuTier.LIMITED):
        grounds.append(
            ctx.ground(
                citation,
                "The open-source exclusion does not cover prohibited, high-risk or Art. 50 systems.",
            )
        )
    elif open_source and tier is EuTier.MINIMAL:
        grounds.append(
            ctx.ground(
                citation,
                "Open-source release would take it outside the Act if the questions show no Art. 50 duty.",
            )
        )
    return tier, grounds


def tier_applies_from(ctx: Context, classification: Classification) -> date | None:
    """The date the tier's rules apply from: the earliest date among the provisions that decided it."""
    c = classification
    if c.tier is EuTier.PROHIBITED:
        deciding = list(c.prohibited.points)
    elif c.tier is EuTier.HIGH:
        deciding = list(c.annex_iii.points) if c.annex_iii.high else []
        if c.annex_i.high and c.annex_i.item:
            deciding.append(c.annex_i.item)
    elif c.tier is EuTier.LIMITED:
        deciding = [g.citation for g in c.transparency.grounds]
    else:
        return None
    dates = [d for d in (ctx.effective(citation) for citation in deciding) if d is not None]
    return min(dates) if dates else None


# --- obligations ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ObligationPlan:
    """The obligations of our role, and the grounds and questions that decided which ones apply."""

    obligations: tuple[Obligation, ...]
    grounds: tuple[Ground, ...] = ()
    missing: tuple[MissingInformation, ...] = ()


@dataclass(frozen=True)
class Decision(Step):
    """A yes/no finding of a step (the Art. 25 switch, the FRIA), with its grounds and questions."""

    applies: bool = False


def plan_obligations(ctx: Context, c: Classification) -> ObligationPlan:
    """The EU AI Act obligations our role carries, each with the date it applies from."""
    owners = _owners(ctx)
    if c.tier is EuTier.OUT_OF_SCOPE:
        return ObligationPlan(obligations=_materialise(ctx, c, c.gpai.duties, owners))
    if c.tier is EuTier.PROHIBITED:
        if ctx.profile.role in (Role.IMPORTER, Role.DISTRIBUTOR):
            owners = owners | {Owner.PROVIDER}  # the ban on placing on the market binds them too
        duties = [*(Duty(point) for point in c.prohibited.points), *c.gpai.duties]
        return ObligationPlan(obligations=_materialise(ctx, c, duties, owners))
    duties = [*LITERACY_DUTIES, *c.transparency.duties, *c.gpai.duties]
    if c.annex_iii.derogation_applied:
        duties += DEROGATION_DUTIES
    decisions: list[Decision] = []
    if c.tier is EuTier.HIGH:
        switch, fria = _article_25_switch(ctx), _fria(ctx, c)
        decisions += [switch, fria]
        if switch.applies:
            owners = owners | {Owner.PROVIDER}
            duties += SWITCH_DUTIES
        duties += _high_risk_duties(ctx, c)
        if fria.applies:
            duties += FRIA_DUTIES
    return ObligationPlan(
        obligations=_materialise(ctx, c, duties, owners),
        grounds=tuple(g for d in decisions for g in d.grounds),
        missing=tuple(m for d in decisions for m in d.missing),
    )


def _owners(ctx: Context) -> frozenset[Owner]:
    return ROLE_OWNERS[ctx.profile.role]


def _high_risk_duties(ctx: Context, c: Classification) -> list[Duty]:
    # Annex I Section B products get the high-risk requirements through their sector law (Art. 2(2)).
    if c.high_via_annex_i and c.annex_i.section_b and not c.high_via_annex_iii:
        return []
    duties = [*HIGH_RISK_PROVIDER_DUTIES, *HIGH_RISK_DEPLOYER_DUTIES]
    if ctx.profile.role is Role.IMPORTER:
        duties += HIGH_RISK_IMPORTER_DUTIES
    if ctx.profile.role is Role.DISTRIBUTOR:
        duties += HIGH_RISK_DISTRIBUTOR_DUTIES
    return duties


def _article_25_switch(ctx: Context) -> Decision:
    """Art. 25(1): a deployer, importer or distributor that rebrands, substantially modifies or repurposes
    a system into high-risk becomes its provider."""
    p = ctx.profile
    if p.role not in _SWITCH_ROLES or p.rebrands_or_modifies is False:
        return Decision()
    if p.rebrands_or_modifies is None:
        question = _ask(
            "rebrands_or_modifies",
            "Do we put our own name or trademark on the system, modify it substantially, or use it for a "
            "purpose its provider did not intend that makes it high-risk?",
        )
        return Decision(missing=(question,))
    ground = ctx.ground(
        _EU + "art-25-1",
        f"As {p.role.value} we rebrand, substantially modify or repurpose a high-risk system: we are treated "
        "as its provider and carry the provider obligations.",
    )
    return Decision(applies=True, grounds=(ground,))


def _fria(ctx: Context, c: Classification) -> Decision:
    """Art. 27: deployers that are public bodies or provide public services, and deployers of credit and
    life/health insurance systems, assess the impact on fundamental rights (not for Annex III point 2)."""
    points = set(c.annex_iii.points) - {CRITICAL_INFRASTRUCTURE}
    if ctx.profile.role not in _DEPLOYING_ROLES or not c.high_via_annex_iii or not points:
        return Decision()
    credit_or_insurance = sorted(points & FRIA_POINTS)
    if credit_or_insurance:
        reason = f"Deployer of a credit or life/health insurance system ({', '.join(credit_or_insurance)})"
    elif ctx.public_service:
        reason = "Deployer that is a public body or provides a public service"
    elif ctx.public_service is None:
        question = _ask(
            "public_body_or_public_service",
            "Is the deployer a public body, or a private organisation providing a public service "
            "(education, health care, social services, housing...)?",
        )
        return Decision(missing=(question,))
    else:
        return Decision()
    ground = ctx.ground(
        _EU + "art-27-1", f"{reason}: a fundamental rights impact assessment is due before first use."
    )
    return Decision(applies=True, grounds=(ground,))


_WHEN: dict[When, Callable[[Context, Classification], bool]] = {
    When.ALWAYS: lambda ctx, c: True,
    When.ANNEX_III: lambda ctx, c: c.high_via_annex_iii,
    When.ANNEX_III_EXCEPT_POINT_2: lambda ctx, c: (
        c.high_via_annex_iii and bool(set(c.annex_iii.points) - {CRITICAL_INFRASTRUCTURE})
    ),
    When.ANNEX_III_BIOMETRICS: lambda ctx, c: (
        c.high_via_annex_iii and any(p.startswith(BIOMETRICS_AREA + "-") for p in c.annex_iii.points)
    ),
    When.ANNEX_III_OTHER_AREAS: lambda ctx, c: (
        c.high_via_annex_iii and any(not p.startswith(BIOMETRICS_AREA + "-") for p in c.annex_iii.points)
    ),
    When.ANNEX_I_SECTION_A: lambda ctx, c: c.high_via_annex_i and not c.annex_i.section_b,
    When.REMOTE_BIOMETRIC_ID: lambda ctx, c: REMOTE_BIOMETRIC_ID in c.annex_iii.points,
    When.EMPLOYMENT: lambda ctx, c: TierFactor.EMPLOYMENT_CONTEXT in ctx.implied_factors,
    When.PUBLIC_BODY: lambda ctx, c: ctx.public_service is True,
    When.PERSONAL_DATA: lambda ctx, c: ctx.personal_data is not False,
}


def _materialise(
    ctx: Context, c: Classification, duties: Iterable[Duty], owners: frozenset[Owner]
) -> tuple[Obligation, ...]:
    """Table rows to obligations: only ours, only when their condition holds, each dated, no repeats."""
    found: dict[str, Obligation] = {}
    for duty in duties:
        if not _WHEN[duty.when](ctx, c):
            continue
        pack = ctx.packs[duty.citation.partition(":")[0]]
        record = pack.record(duty.citation)
        if not record.is_current:
            raise ValueError(f"triage lists a duty of {record.citation_id}, which is {record.status}")
        for item in record.obligations:
            if duty.obligation_id not in (None, item.id) or item.owner not in owners:
                continue
            key = f"{record.citation_id}#{item.id}"
            found.setdefault(
                key,
                Obligation(
                    id=key,
                    citation=record.citation_id,
                    title=item.text,
                    owner=item.owner.value,
                    applies_from=_obligation_date(ctx, c, pack, record.citation_id, item.id),
                ),
            )
    return tuple(found.values())


def _obligation_date(
    ctx: Context, c: Classification, pack: Pack, citation: str, obligation_id: str
) -> date | None:
    """An obligation's date; for high-risk duties, the date of the route (Annex III or Annex I) we are on."""
    own = pack.obligation_effective_date(citation, obligation_id, ctx.as_of)
    routes = pack.route_dates(citation, ctx.as_of)
    annex_i_routes = [day for route, day in routes if route.route == ANNEX_I_ROUTE and day is not None]
    if not annex_i_routes or not c.high_via_annex_i:
        return own
    if c.high_via_annex_iii and own is not None:
        return min(own, *annex_i_routes)
    return min(annex_i_routes)


# --- other regimes ------------------------------------------------------------------------------------------


_IN_JURISDICTION: dict[Jurisdiction, Callable[[SystemProfile], bool]] = {
    Jurisdiction.EU: lambda p: p.in_eu_scope or "EU" in _jurisdictions(p),
    Jurisdiction.US: lambda p: any(j == "US" or j.startswith("US-") for j in _jurisdictions(p)),
    Jurisdiction.US_NYC: lambda p: "US-NYC" in _jurisdictions(p),
    Jurisdiction.US_CO: lambda p: "US-CO" in _jurisdictions(p),
    Jurisdiction.US_IL: lambda p: "US-IL" in _jurisdictions(p),
    Jurisdiction.US_TX: lambda p: "US-TX" in _jurisdictions(p),
    Jurisdiction.US_CA: lambda p: "US-CA" in _jurisdictions(p),
    Jurisdiction.US_NY: lambda p: bool({"US-NY", "US-NYC"} & _jurisdictions(p)),
    Jurisdiction.KR: lambda p: "KR" in _jurisdictions(p),
}


def _jurisdictions(profile: SystemProfile) -> set[str]:
    return {j.strip().upper() for j in profile.jurisdictions}


@dataclass(frozen=True)
class RegimeStep:
    """The other regimes: findings, the obligations they bring to our role, and open questions."""

    findings: tuple[RegimeFinding, ...]
    obligations: tuple[Obligation, ...] = ()
    missing: tuple[MissingInformation, ...] = ()


def assess_regimes(ctx: Context, c: Classification, *, ask: bool) -> RegimeStep:
    """Other regimes by regime id: the table's use-case triggers, and GDPR Arts. 22 and 35.

    Every regime in the table is listed, applying or not; GDPR only when the system is within EU reach.
    """
    findings: list[RegimeFinding] = []
    duties: list[Duty] = []
    missing: list[MissingInformation] = []
    if GDPR in ctx.packs and _IN_JURISDICTION[Jurisdiction.EU](ctx.profile):
        gdpr = _gdpr(ctx, c)
        if gdpr.finding is not None:
            findings.append(gdpr.finding)
        duties += gdpr.duties
        missing += gdpr.missing
    for trigger in REGIME_TRIGGERS:
        if trigger.regime in ctx.packs:
            finding, applied = _regime_finding(ctx, trigger)
            findings.append(finding)
            duties += applied
    for outcome in assess_state_and_national_regimes(ctx):
        findings.append(outcome.finding)
        duties += outcome.duties
        missing += outcome.missing
    obligations = _materialise(ctx, c, duties, _owners(ctx))
    return RegimeStep(
        findings=tuple(findings), obligations=obligations, missing=tuple(missing) if ask else ()
    )


def _regime_finding(ctx: Context, trigger: RegimeTrigger) -> tuple[RegimeFinding, tuple[Duty, ...]]:
    matched = sorted(ctx.codes & trigger.use_cases)
    in_reach = _IN_JURISDICTION[trigger.jurisdiction](ctx.profile)
    if in_reach and matched:
        reach = f"Jurisdiction {trigger.jurisdiction.value}, use case(s) {', '.join(matched)}: "
        grounds = [ctx.ground(citation, reason) for citation, reason in trigger.grounds]
        first = grounds[0]
        grounds[0] = first.model_copy(
            update={"reason": reach + first.reason + _regime_date_note(ctx, trigger)}
        )
        duties = tuple(Duty(citation, obligation_id) for citation, obligation_id in trigger.duties)
        return RegimeFinding(regime=trigger.regime, applies=True, grounds=grounds), duties
    if not in_reach:
        reason = (
            f"Jurisdictions do not include {trigger.jurisdiction.value}; the regime covers {trigger.subject}."
        )
    elif trigger.exclusion_citation and ctx.codes & trigger.excluded_use_cases:
        excluded = ", ".join(sorted(ctx.codes & trigger.excluded_use_cases))
        reason = f"No covered use case; {excluded} is excluded unless it drives such decisions."
        ground = ctx.ground(trigger.exclusion_citation, reason)
        return RegimeFinding(regime=trigger.regime, applies=False, grounds=[ground]), ()
    else:
        reason = f"No listed use case falls under it; the regime covers {trigger.subject}."
    ground = ctx.ground(trigger.scope_citation, reason)
    return RegimeFinding(regime=trigger.regime, applies=False, grounds=[ground]), ()


def _regime_date_note(ctx: Context, trigger: RegimeTrigger) -> str:
    """When the regime's duties start after the as-of date (for instance moved by an amendment), say so."""
    first = trigger.duties[0][0]
    start = ctx.effective(first)
    if start is None or start <= _reference_date(ctx):
        return ""
    changed = ctx.packs[trigger.regime].explain_date(first, ctx.as_of).changed_by
    by = f" (as set by {changed.source})" if changed else ""
    return f" Its duties apply from {start.isoformat()}{by}."


@dataclass(frozen=True)
class GdprStep(Step):
    """The GDPR finding and the duties it brings."""

    finding: RegimeFinding | None = None
    duties: tuple[Duty, ...] = ()


def _gdpr(ctx: Context, c: Classification) -> GdprStep:
    """GDPR for personal data in EU reach: Art. 22 for profiling-based significant decisions, Art. 35 DPIA."""
    if not ctx.personal_data:
        known = ctx.personal_data is not None
        reason = "Processes no personal data." if known else "Not known whether it processes personal data."
        finding = RegimeFinding(regime=GDPR, applies=False, grounds=[ctx.ground("gdpr:art-4-1", reason)])
        if known:
            return GdprStep(finding=finding)
        question = _ask(
            "personal_data",
            "Does the system process personal data (information about identifiable people), in training or "
            "in use?",
        )
        return GdprStep(finding=finding, missing=(question,))
    specific = _gdpr_specific(ctx, c)
    grounds = [ctx.ground("gdpr:art-5", "Processes personal data in EU reach: the GDPR principles apply.")]
    grounds += [ctx.ground(citation, reason) for citation, reason in specific]
    cited = {citation for citation, _ in specific}
    duties: list[Duty] = []
    if "gdpr:art-22-1" in cited:
        duties += _duties(("gdpr:art-22-1", "meaningful-human-review"), "gdpr:art-22-3")
    if cited - {"gdpr:art-22-1"}:
        duties += _duties(("gdpr:art-35-1", "carry-out-dpia"))
    finding = RegimeFinding(regime=GDPR, applies=True, grounds=grounds)
    return GdprStep(finding=finding, duties=tuple(duties))


GDPR_CASES: tuple[tuple[str, str, Callable[[Context, Classification], bool]], ...] = (
    (
        "gdpr:art-22-1",
        "Profiling feeds decisions with legal or similarly significant effects (an Annex III use case): "
        "solely automated decisions are barred save the Art. 22(2) exceptions, with human intervention and a "
        "right to contest.",
        lambda ctx, c: bool(ctx.of_category(UseCaseCategory.ANNEX_III)) and bool(ctx.profiling),
    ),
    (
        "gdpr:art-35-3-a",
        "Systematic evaluation of people by profiling that grounds significant decisions: a DPIA is "
        "mandatory.",
        lambda ctx, c: bool(ctx.of_category(UseCaseCategory.ANNEX_III)) and bool(ctx.profiling),
    ),
    (
        "gdpr:art-35-3-b",
        "Special-category data (biometric or health) processed at scale: a DPIA is mandatory.",
        lambda ctx, c: TierFactor.SPECIAL_CATEGORY_DATA in ctx.implied_factors,
    ),
    (
        "gdpr:art-35-3-c",
        "Remote identification can monitor publicly accessible areas systematically and at scale: a DPIA is "
        "mandatory.",
        lambda ctx, c: REMOTE_BIOMETRIC_ID in {e.citation for e in ctx.use_cases if not e.carve_out},
    ),
    (
        "gdpr:art-35-1",
        "High-risk AI or profiling is processing likely to result in a high risk to people: carry out a "
        "DPIA.",
        lambda ctx, c: c.tier in (EuTier.HIGH, EuTier.PROHIBITED) or bool(ctx.profiling),
    ),
)


def _gdpr_specific(ctx: Context, c: Classification) -> list[tuple[str, str]]:
    """(citation, reason) for the Art. 22 and Art. 35 cases that hold."""
    return [(citation, reason) for citation, reason, holds in GDPR_CASES if holds(ctx, c)]


# --- facts for the internal tier ----------------------------------------------------------------------------


def tier_factors(ctx: Context, c: Classification) -> frozenset[TierFactor]:
    """The tiering standard's factors that hold for this system (unknown facts count as absent)."""
    p = ctx.profile
    implied = ctx.implied_factors
    present: set[TierFactor] = set(implied - {TierFactor.PERSONAL_DATA, TierFactor.SPECIAL_CATEGORY_DATA})
    checks = {
        TierFactor.CUSTOMER_FACING: bool(ctx.interacts),
        TierFactor.PERSONAL_DATA: bool(ctx.personal_data),
        TierFactor.SPECIAL_CATEGORY_DATA: TierFactor.SPECIAL_CATEGORY_DATA in implied,
        TierFactor.PROFILING: bool(ctx.profiling),
        TierFactor.AUTOMATED_DECISION: bool(p.automated_decisions),
        TierFactor.PUBLIC_SERVICE: bool(ctx.public_service),
        TierFactor.SYNTHETIC_CONTENT: bool(ctx.generates),
        TierFactor.GPAI_MODEL: bool(p.gpai_model),
        TierFactor.GPAI_SYSTEMIC_RISK: bool(c.gpai.finding and c.gpai.finding.systemic_risk)
        and p.role in _PROVIDING_ROLES,
        TierFactor.THIRD_PARTY_SUPPLIER: p.role in _SWITCH_ROLES,
    }
    present |= {factor for factor, holds in checks.items() if holds}
    return frozenset(present)


# --- state and national AI laws beyond the EU (Illinois, Texas, California, New York, Korea) ------------
#
# Each regime below has its own deterministic rule, because what brings it is more than a use case in a
# jurisdiction: a role, a compute or revenue line read from its pack, a count of users, or whether a person
# reviews the decisions. A fact the rule needs and the profile lacks becomes a question, never a guess.
# Every regime is listed, applying or not, like those of REGIME_TRIGGERS.

ILLINOIS = "illinois-hra-ai"
TEXAS = "texas-traiga"
CA_SB53 = "california-sb53"
CA_ADMT = "california-ccpa-admt"
CA_TRANSPARENCY = "california-ai-transparency"
NY_RAISE = "ny-raise"
KOREA = "korea-ai-basic-act"

# CCPA significant decisions: financial or lending services, housing, education, employment, health care.
_CCPA_SIGNIFICANT = frozenset(
    {"education_admission", "education_evaluation", "education_level_assessment", "recruitment",
     "employment_decisions", "creditworthiness", "medical_diagnosis"}
)  # fmt: skip
# Korea's high-impact areas that the catalogue can name: hiring and loan screening, health care, energy and
# water, biometric analysis, public-service decisions, the evaluation of students.
_KOREA_HIGH_IMPACT = frozenset(
    {"recruitment", "employment_decisions", "creditworthiness", "medical_diagnosis",
     "critical_infrastructure_safety", "remote_biometric_identification", "public_benefits_eligibility",
     "emergency_dispatch_triage", "education_admission", "education_evaluation", "education_level_assessment"}
)  # fmt: skip
_TEXAS_BIOMETRIC = frozenset(
    {
        "remote_biometric_identification",
        "facial_image_scraping",
        "realtime_remote_biometric_id_law_enforcement",
    }
)
_EMPLOYMENT_CODES = frozenset({"recruitment", "employment_decisions"})

REVENUE_QUESTION = (
    "What was the developer's annual gross revenue, with its affiliates, in the last calendar year (in USD)?"
)
USERS_QUESTION = "How many monthly visitors or users does the generative AI system have?"
COMPUTE_QUESTION = "How much compute (in FLOP) was used in total to train the model?"
HUMAN_REVIEW_QUESTION = "Do its outputs decide about people without a meaningful human review?"
GENERATES_QUESTION = "Does the system generate or manipulate text, images, audio or video?"


@dataclass(frozen=True)
class RegimeOutcome:
    """One regime's finding, the duties it brings (materialised for our role later) and open questions."""

    finding: RegimeFinding
    duties: tuple[Duty, ...] = ()
    missing: tuple[MissingInformation, ...] = ()


def assess_state_and_national_regimes(ctx: Context) -> list[RegimeOutcome]:
    """Illinois, Texas, California (SB 53, CCPA ADMT, SB 942), New York RAISE and Korea, for loaded packs."""
    rules: tuple[tuple[str, Callable[[Context], RegimeOutcome]], ...] = (
        (ILLINOIS, _illinois_employment),
        (TEXAS, _texas_traiga),
        (CA_SB53, _california_frontier),
        (CA_ADMT, _california_admt),
        (CA_TRANSPARENCY, _california_ai_transparency),
        (NY_RAISE, _new_york_raise),
        (KOREA, _korea_basic_act),
    )
    return [rule(ctx) for regime, rule in rules if regime in ctx.packs]


def _when(ctx: Context, citation: str, *, reason: str) -> str:
    """' In force since D.' or ' Applies from D.' for the record's effective date, and the reported clause
    when the dated record rests on reporting and `reason` (the ground's text so far) does not say so yet."""
    start = ctx.effective(citation)
    clause = ""
    if start is not None:
        verb = "Applies from" if start > _reference_date(ctx) else "In force since"
        clause = f" {verb} {start.isoformat()}."
    record = ctx.packs[citation.partition(":")[0]].record(citation)
    if record.confidence is Confidence.REPORTED and reported_clause() not in reason:
        clause = f"{clause} {reported_clause()}"
    return clause


def _applies(
    ctx: Context,
    regime: str,
    grounds: Sequence[tuple[str, str]],
    duties: Iterable[tuple[str, str | None]],
    missing: Iterable[MissingInformation] = (),
) -> RegimeOutcome:
    """A regime that applies: the first ground carries the date (and provenance) of the second's duties."""
    cited = [ctx.ground(citation, reason) for citation, reason in grounds]
    dated = grounds[1][0] if len(grounds) > 1 else grounds[0][0]
    when = _when(ctx, dated, reason=cited[0].reason)
    cited[0] = cited[0].model_copy(update={"reason": cited[0].reason + when})
    finding = RegimeFinding(regime=regime, applies=True, grounds=cited)
    return RegimeOutcome(finding=finding, duties=tuple(Duty(c, o) for c, o in duties), missing=tuple(missing))


def _does_not_apply(
    ctx: Context, regime: str, citation: str, reason: str, missing: Iterable[MissingInformation] = ()
) -> RegimeOutcome:
    """A regime that does not apply (or not yet known to), with the record that draws its scope."""
    finding = RegimeFinding(regime=regime, applies=False, grounds=[ctx.ground(citation, reason)])
    return RegimeOutcome(finding=finding, missing=tuple(missing))


def _outside(jurisdiction: Jurisdiction, subject: str) -> str:
    return f"Jurisdictions do not include {jurisdiction.value}; the regime covers {subject}."


def _threshold(ctx: Context, citation: str, threshold_id: str) -> tuple[float, Comparison, str]:
    """(value, comparison, 'comparison value unit') of a pack threshold: the line is read, not hard-coded."""
    record = ctx.packs[citation.partition(":")[0]].record(citation)
    item = next(t for t in record.thresholds if t.id == threshold_id)
    # Compute lines read best as powers of ten, money and head counts in full digits.
    shown = f"{item.value:g}" if item.value >= 1e15 else f"{item.value:,.0f}"
    return item.value, item.comparison, f"{item.comparison.value} {shown} {item.unit}"


def _crosses(ctx: Context, value: float, citation: str, threshold_id: str) -> bool:
    line, comparison, _ = _threshold(ctx, citation, threshold_id)
    return _COMPARE[comparison](value, line)


def _illinois_employment(ctx: Context) -> RegimeOutcome:
    """Illinois HB 3773: an employer's AI in employment decisions about people in Illinois."""
    scope = ILLINOIS + ":2-102-l-1"
    if not _IN_JURISDICTION[Jurisdiction.US_IL](ctx.profile):
        subject = "employers' use of AI in employment decisions about people in Illinois"
        return _does_not_apply(ctx, ILLINOIS, scope, _outside(Jurisdiction.US_IL, subject))
    matched = sorted(ctx.codes & _EMPLOYMENT_CODES)
    if not matched:
        reason = (
            "No listed use case is an employment decision (recruitment, hiring, promotion, discipline...)."
        )
        return _does_not_apply(ctx, ILLINOIS, scope, reason)
    grounds = [
        (
            scope,
            f"Jurisdiction US-IL, use case(s) {', '.join(matched)}: AI in employment decisions must not "
            "have a discriminatory effect on a protected class, and zip codes may not stand in for one.",
        ),
        (ILLINOIS + ":2-102-l-2", "Employees and candidates must be told that AI is used."),
    ]
    return _applies(ctx, ILLINOIS, grounds, [(scope, None), (ILLINOIS + ":2-102-l-2", None)])


def _texas_traiga(ctx: Context) -> RegimeOutcome:
    """TRAIGA: its prohibitions bind every developer and deployer in Texas; disclosure duties bind
    government agencies and health care providers."""
    scope = TEXAS + ":551-002"
    if not _IN_JURISDICTION[Jurisdiction.US_TX](ctx.profile):
        subject = "AI developed, deployed or offered in Texas"
        return _does_not_apply(ctx, TEXAS, scope, _outside(Jurisdiction.US_TX, subject))
    grounds = [
        (
            scope,
            "Jurisdiction US-TX: the act's prohibitions bind every developer and deployer of AI in Texas.",
        ),
        (
            TEXAS + ":552-052",
            "No AI meant to incite self-harm, harm to others or crime, nor (section 552.056) to discriminate "
            "unlawfully.",
        ),
    ]
    duties: list[tuple[str, str | None]] = [(TEXAS + ":552-052", None), (TEXAS + ":552-056", None)]
    missing: list[MissingInformation] = []
    public = ctx.public_service
    if public:
        grounds.append(
            (
                TEXAS + ":552-051",
                "Deployed by a public body: a Texas governmental agency tells consumers they are interacting "
                "with AI.",
            )
        )
        duties.append((TEXAS + ":552-051", "government-disclosure"))
        if "social_scoring" in ctx.codes:
            grounds.append((TEXAS + ":552-053", "Social scoring by a governmental entity is prohibited."))
            duties.append((TEXAS + ":552-053", None))
        if ctx.codes & _TEXAS_BIOMETRIC:
            grounds.append(
                (TEXAS + ":552-054", "Government biometric identification without consent is prohibited.")
            )
            duties.append((TEXAS + ":552-054", None))
    elif public is None and ctx.interacts:
        missing.append(
            _ask(
                "public_body_or_public_service",
                "Is the system deployed by a public body, or by a private entity providing public services?",
            )
        )
    if "medical_diagnosis" in ctx.codes:
        grounds.append(
            (TEXAS + ":552-051", "Used in health care: the provider tells patients that AI is used.")
        )
        duties.append((TEXAS + ":552-051", "health-care-disclosure"))
    unique = list(dict.fromkeys(grounds))
    return _applies(ctx, TEXAS, unique, duties, missing)


def _frontier_developer(
    ctx: Context, regime: str, scope: str, jurisdiction: Jurisdiction, subject: str
) -> tuple[RegimeOutcome | None, list[MissingInformation]]:
    """Shared gate of SB 53 and RAISE: in reach, a developer role, a GPAI model above 10^26 FLOP.

    Returns (outcome, []) when the regime does not apply or cannot be decided, else (None, questions still
    open for the revenue line).
    """
    p = ctx.profile
    if not _IN_JURISDICTION[jurisdiction](p):
        return _does_not_apply(ctx, regime, scope, _outside(jurisdiction, subject)), []
    if p.role not in _PROVIDING_ROLES:
        reason = (
            "Its duties fall on the developer that trained the frontier model; our role is not a provider."
        )
        return _does_not_apply(ctx, regime, scope, reason), []
    if not p.gpai_model:
        reason = "Not declared a general-purpose (foundation) model, so not a frontier model."
        return _does_not_apply(ctx, regime, scope, reason), []
    _, _, line = _threshold(ctx, scope, "training-compute")
    if p.training_compute_flops is None:
        reason = f"Training compute not given: a frontier model is one trained with {line}."
        return _does_not_apply(
            ctx, regime, scope, reason, [_ask("training_compute_flops", COMPUTE_QUESTION)]
        ), []
    if not _crosses(ctx, p.training_compute_flops, scope, "training-compute"):
        reason = f"Trained with {p.training_compute_flops:g} FLOP, not {line}: not a frontier model."
        return _does_not_apply(ctx, regime, scope, reason), []
    missing = [] if p.annual_revenue_usd is not None else [_ask("annual_revenue_usd", REVENUE_QUESTION)]
    return None, missing


def _california_frontier(ctx: Context) -> RegimeOutcome:
    """SB 53: frontier developers above 10^26 FLOP; large ones (revenue above $500M) carry the most."""
    scope = CA_SB53 + ":22757-11"
    subject = "developers of frontier models (above 10^26 FLOP) offered in California"
    gated, missing = _frontier_developer(ctx, CA_SB53, scope, Jurisdiction.US_CA, subject)
    if gated is not None:
        return gated
    p = ctx.profile
    grounds = [
        (scope, f"Jurisdiction US-CA, trained with {p.training_compute_flops:g} FLOP: a frontier developer."),
        (
            CA_SB53 + ":22757-13-c",
            "Critical safety incidents go to the Office of Emergency Services within 15 days (24 hours if "
            "there is an imminent risk of death or serious injury); a transparency report accompanies each "
            "new frontier model.",
        ),
    ]
    duties: list[tuple[str, str | None]] = [
        (CA_SB53 + ":22757-13-c", "report-incident"),
        (CA_SB53 + ":22757-12-c", "transparency-report"),
        (CA_SB53 + ":labor-1107", "no-retaliation"),
    ]
    _, _, revenue_line = _threshold(ctx, scope, "annual-revenue")
    if p.annual_revenue_usd is None:
        grounds.append((scope, f"Revenue not given: a large frontier developer has revenue {revenue_line}."))
    elif _crosses(ctx, p.annual_revenue_usd, scope, "annual-revenue"):
        grounds.append(
            (
                CA_SB53 + ":22757-12-a",
                f"Revenue of {p.annual_revenue_usd:,.0f} USD, {revenue_line}: a large frontier developer, "
                "which publishes a frontier AI framework and sends OES quarterly summaries of internal-use "
                "risk.",
            )
        )
        duties += [(CA_SB53 + ":22757-12-a", "publish-framework"), (CA_SB53 + ":22757-12-d", None)]
    else:
        grounds.append(
            (
                scope,
                f"Revenue of {p.annual_revenue_usd:,.0f} USD, not {revenue_line}: not a large frontier "
                "developer, so no framework or OES summaries.",
            )
        )
    return _applies(ctx, CA_SB53, list(dict.fromkeys(grounds)), duties, missing)


def _new_york_raise(ctx: Context) -> RegimeOutcome:
    """RAISE Act (as amended in 2026, reported): frontier developers above 10^26 FLOP and $500M revenue."""
    scope = NY_RAISE + ":frontier-developers"
    subject = "large developers of frontier models (above 10^26 FLOP) in New York State"
    gated, missing = _frontier_developer(ctx, NY_RAISE, scope, Jurisdiction.US_NY, subject)
    if gated is not None:
        return gated
    p = ctx.profile
    _, _, revenue_line = _threshold(ctx, scope, "annual-revenue")
    if p.annual_revenue_usd is None:
        reason = f"Revenue not given: the act covers frontier developers with revenue {revenue_line}."
        return _does_not_apply(ctx, NY_RAISE, scope, reason, missing)
    if not _crosses(ctx, p.annual_revenue_usd, scope, "annual-revenue"):
        reason = f"Revenue of {p.annual_revenue_usd:,.0f} USD, not {revenue_line}: outside the act."
        return _does_not_apply(ctx, NY_RAISE, scope, reason)
    grounds = [
        (
            scope,
            f"Jurisdiction US-NY, trained with {p.training_compute_flops:g} FLOP and revenue of "
            f"{p.annual_revenue_usd:,.0f} USD: a covered frontier developer.",
        ),
        (
            NY_RAISE + ":safety-protocol",
            "Publish a safety and security protocol, and report safety incidents within 72 hours.",
        ),
    ]
    duties = [(NY_RAISE + ":safety-protocol", None), (NY_RAISE + ":incident-reporting", None)]
    return _applies(ctx, NY_RAISE, grounds, duties)


def _california_admt(ctx: Context) -> RegimeOutcome:
    """CCPA ADMT rules: technology replacing human decision-making in significant decisions (California)."""
    scope = CA_ADMT + ":7001"
    if not _IN_JURISDICTION[Jurisdiction.US_CA](ctx.profile):
        subject = (
            "automated decisions about California consumers in lending, housing, education, jobs or health"
        )
        return _does_not_apply(ctx, CA_ADMT, scope, _outside(Jurisdiction.US_CA, subject))
    matched = sorted(ctx.codes & _CCPA_SIGNIFICANT)
    if not matched:
        reason = (
            "No listed use case makes a significant decision (lending, housing, education, jobs, health)."
        )
        return _does_not_apply(ctx, CA_ADMT, scope, reason)
    automated = ctx.profile.automated_decisions
    if automated is False:
        reason = (
            f"Use case(s) {', '.join(matched)} are significant decisions, but a person with authority "
            "reviews each output: the technology does not substantially replace human decision-making."
        )
        return _does_not_apply(ctx, CA_ADMT, scope, reason)
    if automated is None:
        reason = (
            f"Use case(s) {', '.join(matched)} are significant decisions; whether a person meaningfully "
            "reviews each output decides whether the ADMT rules apply."
        )
        return _does_not_apply(
            ctx, CA_ADMT, scope, reason, [_ask("automated_decisions", HUMAN_REVIEW_QUESTION)]
        )
    grounds = [
        (
            scope,
            f"Jurisdiction US-CA, use case(s) {', '.join(matched)}: automated decisions about consumers "
            "without meaningful human review are ADMT used for significant decisions.",
        ),
        (
            CA_ADMT + ":7200",
            "Pre-use notice, opt-out and access rights; a risk assessment before use, with information and "
            "an attestation to the Agency by 1 April 2028.",
        ),
    ]
    duties: list[tuple[str, str | None]] = [
        (CA_ADMT + ":7220", None),
        (CA_ADMT + ":7221", None),
        (CA_ADMT + ":7222", None),
        (CA_ADMT + ":7150", None),
        (CA_ADMT + ":7157", None),
    ]
    return _applies(ctx, CA_ADMT, grounds, duties)


def _california_ai_transparency(ctx: Context) -> RegimeOutcome:
    """SB 942 as amended by AB 853: producers of generative AI systems with over 1,000,000 monthly users."""
    scope = CA_TRANSPARENCY + ":22757-1"
    p = ctx.profile
    if not _IN_JURISDICTION[Jurisdiction.US_CA](p):
        subject = "producers of generative AI systems publicly accessible in California"
        return _does_not_apply(ctx, CA_TRANSPARENCY, scope, _outside(Jurisdiction.US_CA, subject))
    if ctx.generates is None:
        reason = "Not known whether it generates content; the act covers generative AI systems."
        return _does_not_apply(
            ctx, CA_TRANSPARENCY, scope, reason, [_ask("generates_synthetic_content", GENERATES_QUESTION)]
        )
    if not ctx.generates:
        return _does_not_apply(
            ctx, CA_TRANSPARENCY, scope, "Generates no content: not a generative AI system."
        )
    if p.role not in _PROVIDING_ROLES:
        reason = "Its duties fall on the covered provider that produces the generative AI system, not on us."
        return _does_not_apply(ctx, CA_TRANSPARENCY, scope, reason)
    _, _, line = _threshold(ctx, scope, "monthly-users")
    if p.monthly_users is None:
        reason = f"Monthly users not given: a covered provider's system has {line}."
        return _does_not_apply(ctx, CA_TRANSPARENCY, scope, reason, [_ask("monthly_users", USERS_QUESTION)])
    if not _crosses(ctx, p.monthly_users, scope, "monthly-users"):
        reason = f"{p.monthly_users:,} monthly users, not {line}: not a covered provider."
        return _does_not_apply(ctx, CA_TRANSPARENCY, scope, reason)
    grounds = [
        (
            scope,
            f"Jurisdiction US-CA, a generative AI system with {p.monthly_users:,} monthly users: a covered "
            "provider (duties concern image, video and audio output).",
        ),
        (
            CA_TRANSPARENCY + ":22757-3",
            "Offer a free detection tool, a visible AI label on request and an embedded latent disclosure.",
        ),
    ]
    duties = [(CA_TRANSPARENCY + ":22757-2", None), (CA_TRANSPARENCY + ":22757-3", None)]
    return _applies(ctx, CA_TRANSPARENCY, grounds, duties)


def _korea_basic_act(ctx: Context) -> RegimeOutcome:
    """Korea's AI Basic Act: high-impact AI duties and generative AI notice and labelling."""
    scope = KOREA + ":art-2"
    if not _IN_JURISDICTION[Jurisdiction.KR](ctx.profile):
        subject = "high-impact and generative AI offered in Korea"
        return _does_not_apply(ctx, KOREA, scope, _outside(Jurisdiction.KR, subject))
    high_impact = sorted(ctx.codes & _KOREA_HIGH_IMPACT)
    generative = ctx.generates
    if not high_impact and not generative:
        if generative is None:
            reason = "No listed use case is high-impact, and it is not known whether it generates content."
            return _does_not_apply(
                ctx, KOREA, scope, reason, [_ask("generates_synthetic_content", GENERATES_QUESTION)]
            )
        return _does_not_apply(ctx, KOREA, scope, "Neither a high-impact use case nor generative AI.")
    grounds: list[tuple[str, str]] = []
    duties: list[tuple[str, str | None]] = [(KOREA + ":art-31", "advance-notice")]
    if high_impact:
        grounds += [
            (scope, f"Jurisdiction KR, use case(s) {', '.join(high_impact)}: high-impact AI."),
            (
                KOREA + ":art-34",
                "Risk management plan, explanation of results, user protection, human oversight and records; "
                "users are told in advance that AI is used.",
            ),
        ]
        duties.append((KOREA + ":art-34", None))
    if generative:
        if not grounds:
            grounds.append((scope, "Jurisdiction KR: generative AI."))
        grounds.append(
            (
                KOREA + ":art-31",
                "Tell users in advance that the service uses generative AI and label its output as "
                "AI-generated (deepfakes clearly).",
            )
        )
        duties.append((KOREA + ":art-31", "label-output"))
    grounds.append(
        (
            KOREA + ":art-43",
            "Fines of up to KRW 30 million, deferred for at least a year from 22 January 2026.",
        )
    )
    return _applies(ctx, KOREA, grounds, duties)
