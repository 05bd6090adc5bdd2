"""Table-driven triage: one row per profile, covering every catalogue code and every branch of the rules.

Each row states the profile and what the EU AI Act (as summarised in the packs) gives for it: the tier,
the citations the grounds and transparency must include, the GPAI finding, key obligations with their
dates, other regimes, and the questions triage must ask. Dates are the effective dates after the Digital
Omnibus on AI (adopted 2026-06-29) unless a row sets `as_of` before it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

import pytest

from knowledge.packs import Pack, load_packs
from tools.triage.catalogue import use_case_codes
from tools.triage.engine import triage
from tools.triage.schemas import SystemProfile, TriageResult

EU = "eu-ai-act:"
ANNEX_III_DATE = "2027-12-02"  # Annex III high-risk obligations after the omnibus
ANNEX_I_DATE = "2028-08-02"  # Annex I high-risk obligations after the omnibus
ART_50_DATE = "2026-08-02"
BANS_DATE = "2025-02-02"
INTIMATE_IMAGERY_BAN = "2026-12-02"
GPAI_DATE = "2025-08-02"
BEFORE_OMNIBUS = date(2026, 3, 1)  # proposed and agreed, not adopted

# Every fact answered, so a row is `complete` unless it leaves something open on purpose.
KNOWN = {
    "interacts_with_people": False,
    "generates_synthetic_content": False,
    "personal_data": False,
    "public_body_or_public_service": False,
}
UNSET = object()


@dataclass
class Case:
    """One row: a profile and what triage must say about it."""

    id: str
    tier: str
    profile: dict[str, Any] = field(default_factory=dict)
    grounds: Iterable[str] = ()  # citations the EU grounds must include
    not_grounds: Iterable[str] = ()  # citations they must not include
    transparency: Iterable[str] = ()  # exactly these Art. 50 citations
    gpai: bool | None = None  # systemic_risk, or None for no GPAI finding
    gpai_grounds: Iterable[str] = ()
    obligations: Mapping[str, str | None] = field(default_factory=dict)  # id -> applies_from
    no_obligations: Iterable[str] = ()  # id prefixes that must be absent
    regimes: Mapping[str, bool] = field(default_factory=dict)  # regime -> applies
    regime_grounds: Mapping[str, Iterable[str]] = field(default_factory=dict)
    missing: Iterable[str] = ()  # exactly these fields are asked
    applies_from: object = UNSET  # "YYYY-MM-DD", None, or UNSET to skip
    derogation: bool = False
    internal_tier: str | None = None
    as_of: date | None = None
    known: bool = True  # start from KNOWN


def _c(id: str, tier: str, use_cases: Iterable[str] = (), **kw: Any) -> Case:
    profile = dict(kw.pop("profile", {}))
    if use_cases:
        profile["use_cases"] = list(use_cases)
    return Case(id=id, tier=tier, profile=profile, **kw)


def _prohibited(code: str, point: str, ban: str = BANS_DATE, duty: str = "no-use", **kw: Any) -> Case:
    return _c(
        f"art5-{code}",
        "prohibited",
        [code],
        grounds=[EU + f"art-5-1-{point}"],
        not_grounds=[EU + "art-6-2"],
        obligations={f"{EU}art-5-1-{point}#{duty}": ban, **kw.pop("obligations", {})},
        applies_from=ban,
        internal_tier="blocked",
        **kw,
    )


def _annex_iii(code: str, point: str, **kw: Any) -> Case:
    obligations = {
        f"{EU}art-9#establish-rms": ANNEX_III_DATE,
        f"{EU}art-16#conformity-assessment": ANNEX_III_DATE,
        f"{EU}art-26-1#follow-instructions": ANNEX_III_DATE,
        **kw.pop("obligations", {}),
    }
    return _c(
        f"annex-iii-{code}",
        "high",
        [code],
        grounds=[EU + "art-6-2", EU + f"annex-iii-{point}", *kw.pop("grounds", [])],
        obligations=obligations,
        applies_from=ANNEX_III_DATE,
        **kw,
    )


PROVIDER = {"role": "provider"}
DEPLOYER = {"role": "deployer", "rebrands_or_modifies": False}

CASES: list[Case] = [
    # --- Art. 2: scope and exclusions ------------------------------------------------------------------
    _c(
        "not-in-eu",
        "out_of_scope",
        ["recruitment"],
        profile={"in_eu_scope": False, "jurisdictions": ["US"]},
        grounds=[EU + "art-2-1"],
        no_obligations=[EU],
        applies_from=None,
        regimes={"eeoc-title-vii": True},
        internal_tier="T4",
    ),
    _c(
        "military-beats-art5",
        "out_of_scope",
        ["social_scoring"],
        profile={"excluded_purpose": "military_defence"},
        grounds=[EU + "art-2-3"],
        not_grounds=[EU + "art-5-1-c"],
        no_obligations=[EU],
        applies_from=None,
    ),
    _c(
        "research",
        "out_of_scope",
        ["recruitment"],
        profile={"excluded_purpose": "scientific_research"},
        grounds=[EU + "art-2-6"],
        no_obligations=[EU],
        regimes={"gdpr": True},
    ),
    _c(
        "pre-market-testing",
        "out_of_scope",
        ["content_generation"],
        profile={"excluded_purpose": "pre_market_testing"},
        grounds=[EU + "art-2-8"],
        transparency=[],
    ),
    _c(
        "personal-use-deployer",
        "out_of_scope",
        ["customer_chatbot"],
        profile={"excluded_purpose": "personal_use", "role": "deployer"},
        grounds=[EU + "art-2-10"],
    ),
    _c(
        "personal-use-provider-stays-covered",
        "limited",
        ["customer_chatbot"],
        profile={"excluded_purpose": "personal_use", **PROVIDER},
        grounds=[EU + "art-2-1", EU + "art-2-10"],
        transparency=[EU + "art-50-1"],
        obligations={f"{EU}art-50-1#inform-interaction": ART_50_DATE},
    ),
    _c(
        "open-source-minimal",
        "out_of_scope",
        ["spam_filtering"],
        profile={"open_source": True},
        grounds=[EU + "art-2-12"],
        no_obligations=[EU],
        applies_from=None,
    ),
    _c(
        "open-source-high",
        "high",
        ["recruitment"],
        profile={"open_source": True},
        grounds=[EU + "annex-iii-4-a", EU + "art-2-12"],
    ),
    _c(
        "open-source-limited",
        "limited",
        ["customer_chatbot"],
        profile={"open_source": True},
        grounds=[EU + "art-2-12"],
        transparency=[EU + "art-50-1"],
    ),
    _c(
        "open-source-prohibited",
        "prohibited",
        ["social_scoring"],
        profile={"open_source": True},
        grounds=[EU + "art-5-1-c", EU + "art-2-12"],
    ),
    _c(
        "open-source-minimal-open-question",
        "minimal",
        ["internal_productivity"],
        profile={"open_source": True, "interacts_with_people": None},
        grounds=[EU + "art-2-12"],
        missing=["interacts_with_people"],
    ),
    # --- Art. 5: every point --------------------------------------------------------------------------
    _prohibited("manipulative_techniques", "a"),
    _prohibited("exploits_vulnerabilities", "b"),
    _prohibited("social_scoring", "c", profile={"jurisdictions": ["EU", "US"]}),
    _prohibited("crime_prediction_profiling", "d"),
    _prohibited(
        "facial_image_scraping",
        "e",
        duty="no-supply",
        profile=PROVIDER,
        no_obligations=[f"{EU}art-5-1-e#no-use"],
    ),
    _prohibited("emotion_recognition_workplace_education", "f", transparency=[EU + "art-50-3"]),
    _prohibited("biometric_categorisation_sensitive", "g", transparency=[EU + "art-50-3"]),
    _prohibited("realtime_remote_biometric_id_law_enforcement", "h", profile={"role": "deployer"}),
    _prohibited(
        "intimate_imagery_generation",
        "ba",
        ban=INTIMATE_IMAGERY_BAN,
        transparency=[EU + "art-50-2"],
        obligations={f"{EU}art-5-1-ba#safeguards": INTIMATE_IMAGERY_BAN},
    ),
    _c(
        "art5-beats-annex-iii",
        "prohibited",
        ["social_scoring", "recruitment"],
        grounds=[EU + "art-5-1-c"],
        not_grounds=[EU + "annex-iii-4-a"],
        no_obligations=[EU + "art-9"],
        internal_tier="blocked",
    ),
    _c(
        "art5-importer-may-not-place",
        "prohibited",
        ["facial_image_scraping"],
        profile={"role": "importer"},
        obligations={f"{EU}art-5-1-e#no-supply": BANS_DATE},
        no_obligations=[f"{EU}art-5-1-e#no-use"],
    ),
    _c(
        "art5-deployer-may-not-use",
        "prohibited",
        ["manipulative_techniques"],
        profile={"role": "deployer"},
        obligations={f"{EU}art-5-1-a#no-use": BANS_DATE},
        no_obligations=[f"{EU}art-5-1-a#no-supply"],
    ),
    _c(
        "art5-with-art50-unknowns-asks-nothing",
        "prohibited",
        ["exploits_vulnerabilities"],
        known=False,
        grounds=[EU + "art-5-1-b"],
        missing=[],
    ),
    _c(
        "intimate-imagery-before-omnibus",
        "limited",
        ["intimate_imagery_generation"],
        as_of=BEFORE_OMNIBUS,
        profile={"deep_fake": True, "public_interest_text": False},
        grounds=[EU + "art-5-1-ba", EU + "art-50"],
        transparency=[EU + "art-50-2", EU + "art-50-4"],
        applies_from=ART_50_DATE,
        no_obligations=[EU + "art-5-1-ba"],
        obligations={f"{EU}art-50-4#disclose-deep-fake": ART_50_DATE},
    ),
    _c(
        "intimate-imagery-after-adoption",
        "prohibited",
        ["intimate_imagery_generation"],
        as_of=date(2026, 7, 1),
        grounds=[EU + "art-5-1-ba"],
        transparency=[EU + "art-50-2"],
        applies_from=INTIMATE_IMAGERY_BAN,
    ),
    # --- Art. 6(1) with Annex I ---------------------------------------------------------------------------
    _c(
        "annex-i-medical-device",
        "high",
        profile={"annex_i_product": "medical_device", "third_party_conformity_assessment": True},
        grounds=[EU + "art-6-1", EU + "annex-i-11"],
        obligations={
            f"{EU}art-9#establish-rms": ANNEX_I_DATE,
            f"{EU}art-43-3#sector-procedure": ANNEX_I_DATE,
            f"{EU}art-26-1#follow-instructions": ANNEX_I_DATE,
        },
        no_obligations=[EU + "art-49-1", EU + "art-27", EU + "art-86"],
        applies_from=ANNEX_I_DATE,
    ),
    _c(
        "annex-i-no-third-party",
        "minimal",
        profile={"annex_i_product": "machinery", "third_party_conformity_assessment": False},
        grounds=[EU + "art-6-1", EU + "annex-i-1", EU + "art-6"],
        no_obligations=[EU + "art-9"],
        applies_from=None,
        internal_tier="T4",
    ),
    _c(
        "annex-i-third-party-unknown",
        "high",
        profile={"annex_i_product": "toy"},
        grounds=[EU + "art-6-1", EU + "annex-i-2"],
        missing=["third_party_conformity_assessment"],
        applies_from=ANNEX_I_DATE,
    ),
    _c(
        "annex-i-section-b",
        "high",
        profile={"annex_i_product": "motor_vehicle", "third_party_conformity_assessment": True},
        grounds=[EU + "annex-i-18", EU + "art-2-2"],
        no_obligations=[EU + "art-9", EU + "art-26"],
        applies_from=ANNEX_I_DATE,
    ),
    _c(
        "annex-i-civil-aviation",
        "high",
        profile={"annex_i_product": "civil_aviation", "third_party_conformity_assessment": True},
        grounds=[EU + "annex-i-20", EU + "art-2-2"],
    ),
    _c(
        "annex-i-lift-deployer",
        "high",
        profile={"annex_i_product": "lift", "third_party_conformity_assessment": True, **DEPLOYER},
        grounds=[EU + "annex-i-4"],
        obligations={f"{EU}art-26-1#follow-instructions": ANNEX_I_DATE},
        no_obligations=[EU + "art-9"],
    ),
    _c(
        "annex-i-radio",
        "high",
        profile={"annex_i_product": "radio_equipment", "third_party_conformity_assessment": True},
        grounds=[EU + "annex-i-6"],
    ),
    _c(
        "annex-i-ivd",
        "high",
        profile={"annex_i_product": "in_vitro_diagnostic", "third_party_conformity_assessment": True},
        grounds=[EU + "annex-i-12"],
    ),
    _c(
        "annex-i-other",
        "high",
        profile={"annex_i_product": "other_annex_i", "third_party_conformity_assessment": True},
        grounds=[EU + "annex-i", EU + "art-6-1"],
    ),
    _c(
        "medical-diagnosis-unknown-product",
        "high",
        ["medical_diagnosis"],
        grounds=[EU + "annex-i-11"],
        missing=["annex_i_product"],
        applies_from=ANNEX_I_DATE,
    ),
    _c(
        "medical-diagnosis-declared-not-a-device",
        "minimal",
        ["medical_diagnosis"],
        profile={"annex_i_product": "none"},
        grounds=[EU + "art-6"],
        missing=[],
        internal_tier="T2",
    ),
    _c(
        "annex-i-and-annex-iii-earliest-date",
        "high",
        ["emergency_dispatch_triage"],
        profile={"annex_i_product": "medical_device", "third_party_conformity_assessment": True},
        grounds=[EU + "art-6-1", EU + "annex-iii-5-d"],
        obligations={f"{EU}art-9#establish-rms": ANNEX_III_DATE},
        applies_from=ANNEX_III_DATE,
    ),
    # --- Art. 6(2): every Annex III point --------------------------------------------------------------
    _annex_iii(
        "remote_biometric_identification",
        "1-a",
        grounds=[EU + "art-5-1-h"],
        obligations={
            f"{EU}art-14-5#two-person-check": ANNEX_III_DATE,
            f"{EU}art-43-1#choose-procedure": ANNEX_III_DATE,
        },
        no_obligations=[EU + "art-43-2"],
        regime_grounds={"gdpr": ["gdpr:art-35-3-b", "gdpr:art-35-3-c"]},
        internal_tier="T1",
    ),
    _annex_iii(
        "biometric_categorisation",
        "1-b",
        grounds=[EU + "art-5-1-g"],
        transparency=[EU + "art-50-3"],
        obligations={f"{EU}art-50-3#inform-exposed": ART_50_DATE},
    ),
    _annex_iii("emotion_recognition", "1-c", grounds=[EU + "art-5-1-f"], transparency=[EU + "art-50-3"]),
    _annex_iii(
        "critical_infrastructure_safety",
        "2",
        profile={"public_body_or_public_service": True},
        obligations={f"{EU}art-43-2#internal-control": ANNEX_III_DATE},
        no_obligations=[EU + "art-49-1", EU + "art-86", EU + "art-27"],
    ),
    _annex_iii(
        "education_admission",
        "3-a",
        obligations={f"{EU}art-49-1#register": ANNEX_III_DATE},
        no_obligations=[EU + "art-26-7", EU + "art-27"],
    ),
    _annex_iii("education_evaluation", "3-b"),
    _annex_iii("education_level_assessment", "3-c"),
    _annex_iii("exam_proctoring", "3-d"),
    _annex_iii(
        "recruitment", "4-a", obligations={f"{EU}art-26-7#inform-workers": ANNEX_III_DATE}, internal_tier="T2"
    ),
    _annex_iii("employment_decisions", "4-b"),
    _annex_iii(
        "public_benefits_eligibility",
        "5-a",
        grounds=[EU + "art-27-1"],
        obligations={
            f"{EU}art-27-1#perform-fria": ANNEX_III_DATE,
            f"{EU}art-26-8#register-or-refrain": ANNEX_III_DATE,
        },
        internal_tier="T1",
    ),
    _annex_iii(
        "creditworthiness",
        "5-b",
        grounds=[EU + "art-27-1"],
        obligations={f"{EU}art-27-1#perform-fria": ANNEX_III_DATE},
    ),
    _annex_iii(
        "life_health_insurance_pricing",
        "5-c",
        grounds=[EU + "art-27-1"],
        obligations={f"{EU}art-27-1#perform-fria": ANNEX_III_DATE},
    ),
    _annex_iii("emergency_dispatch_triage", "5-d"),
    _annex_iii("victim_risk_assessment", "6-a"),
    _annex_iii("polygraph", "6-b"),
    _annex_iii("evidence_reliability", "6-c"),
    _annex_iii("offending_risk_assessment", "6-d", grounds=[EU + "art-5-1-d"]),
    _annex_iii("criminal_profiling", "6-e"),
    _annex_iii("migration_risk_assessment", "7-b"),
    _annex_iii("asylum_visa_examination", "7-c"),
    _annex_iii("border_person_identification", "7-d"),
    _annex_iii("judicial_assistance", "8-a"),
    _annex_iii("election_influence", "8-b"),
    # --- the other codes ---------------------------------------------------------------------------------
    _c(
        "biometric-verification-carve-out",
        "minimal",
        ["biometric_verification"],
        grounds=[EU + "annex-iii-1-a", EU + "art-6"],
        not_grounds=[EU + "art-6-2"],
        internal_tier="T2",
    ),
    _c(
        "fraud-detection-carve-out",
        "minimal",
        ["fraud_detection"],
        grounds=[EU + "annex-iii-5-b"],
        not_grounds=[EU + "art-6-2"],
        no_obligations=[EU + "art-9"],
    ),
    _c(
        "recommender",
        "minimal",
        ["recommender"],
        grounds=[EU + "art-6"],
        applies_from=None,
        obligations={f"{EU}art-4#provider-literacy": BANS_DATE},
        internal_tier="T4",
    ),
    _c("spam-filter", "minimal", ["spam_filtering"]),
    _c("internal-productivity", "minimal", ["internal_productivity"]),
    _c("other-code", "minimal", ["other"]),
    # --- Art. 6(3) derogation and the profiling override -----------------------------------------------
    _c(
        "derogation-narrow-procedural",
        "minimal",
        ["education_admission"],
        profile={"derogation": "narrow_procedural_task", "profiling": False, **PROVIDER},
        derogation=True,
        grounds=[EU + "art-6-3", EU + "art-6-3-a", EU + "art-6-4"],
        applies_from=None,
        obligations={
            f"{EU}art-6-4#document-assessment": ANNEX_III_DATE,
            f"{EU}art-6-4#register": ANNEX_III_DATE,
            f"{EU}art-49-2#register": ANNEX_III_DATE,
        },
        no_obligations=[EU + "art-9", EU + "art-49-1"],
    ),
    _c(
        "derogation-improves-human-activity",
        "minimal",
        ["exam_proctoring"],
        profile={"derogation": "improves_completed_human_activity", "profiling": False},
        derogation=True,
        grounds=[EU + "art-6-3-b"],
    ),
    _c(
        "derogation-detects-patterns",
        "minimal",
        ["education_evaluation"],
        profile={"derogation": "detects_decision_patterns", "profiling": False},
        derogation=True,
        grounds=[EU + "art-6-3-c"],
    ),
    _c(
        "derogation-preparatory",
        "minimal",
        ["judicial_assistance"],
        profile={"derogation": "preparatory_task", "profiling": False},
        derogation=True,
        grounds=[EU + "art-6-3-d"],
    ),
    _c(
        "derogation-then-art50",
        "limited",
        ["recruitment"],
        profile={"derogation": "preparatory_task", "profiling": False, "interacts_with_people": True},
        derogation=True,
        transparency=[EU + "art-50-1"],
        applies_from=ART_50_DATE,
    ),
    _c(
        "derogation-deployer-has-no-provider-duty",
        "minimal",
        ["creditworthiness"],
        profile={"derogation": "preparatory_task", "profiling": False, **DEPLOYER},
        derogation=True,
        no_obligations=[EU + "art-6-4", EU + "art-27"],
    ),
    _c(
        "profiling-override",
        "high",
        ["recruitment"],
        profile={"derogation": "narrow_procedural_task", "profiling": True},
        grounds=[EU + "art-6-3"],
        not_grounds=[EU + "art-6-3-a"],
        no_obligations=[EU + "art-6-4"],
        applies_from=ANNEX_III_DATE,
    ),
    _c(
        "profiling-inherent-overrides",
        "high",
        ["criminal_profiling"],
        profile={"derogation": "preparatory_task", "profiling": False},
        grounds=[EU + "art-6-3"],
    ),
    _c(
        "profiling-unknown-asks",
        "high",
        ["employment_decisions"],
        profile={"derogation": "preparatory_task"},
        grounds=[EU + "art-6-3"],
        missing=["profiling"],
    ),
    # --- Art. 50 on each tier ----------------------------------------------------------------------------
    _c(
        "chatbot",
        "limited",
        ["customer_chatbot"],
        grounds=[EU + "art-50"],
        transparency=[EU + "art-50-1"],
        obligations={f"{EU}art-50-1#inform-interaction": ART_50_DATE, f"{EU}art-50-5#timing": ART_50_DATE},
        applies_from=ART_50_DATE,
        internal_tier="T3",
    ),
    _c(
        "content-generation",
        "limited",
        ["content_generation"],
        profile={"deep_fake": False, "public_interest_text": False},
        transparency=[EU + "art-50-2"],
        obligations={f"{EU}art-50-2#mark-outputs": ART_50_DATE},
    ),
    _c(
        "deployer-deep-fakes-and-news",
        "limited",
        profile={
            "role": "deployer",
            "generates_synthetic_content": True,
            "deep_fake": True,
            "public_interest_text": True,
        },
        transparency=[EU + "art-50-2", EU + "art-50-4"],
        obligations={
            f"{EU}art-50-4#disclose-deep-fake": ART_50_DATE,
            f"{EU}art-50-4#disclose-public-interest-text": ART_50_DATE,
        },
        no_obligations=[f"{EU}art-50-2#mark-outputs"],
    ),
    _c(
        "art50-on-high",
        "high",
        ["recruitment"],
        profile={"interacts_with_people": True},
        transparency=[EU + "art-50-1"],
        obligations={
            f"{EU}art-50-1#inform-interaction": ART_50_DATE,
            f"{EU}art-9#establish-rms": ANNEX_III_DATE,
        },
        applies_from=ANNEX_III_DATE,
    ),
    _c(
        "art50-on-prohibited",
        "prohibited",
        ["manipulative_techniques"],
        profile={"interacts_with_people": True},
        transparency=[EU + "art-50-1"],
    ),
    _c(
        "art50-unknown-interaction",
        "minimal",
        ["recommender"],
        profile={"interacts_with_people": None},
        missing=["interacts_with_people"],
    ),
    _c(
        "art50-unknown-generation-details",
        "limited",
        profile={"generates_synthetic_content": True},
        transparency=[EU + "art-50-2"],
        missing=["deep_fake", "public_interest_text"],
    ),
    _c(
        "art50-nothing-known",
        "minimal",
        ["internal_productivity"],
        known=False,
        missing=["interacts_with_people", "generates_synthetic_content", "personal_data"],
    ),
    _c(
        "art50-not-when-out-of-scope",
        "out_of_scope",
        ["customer_chatbot"],
        profile={"in_eu_scope": False},
        transparency=[],
    ),
    # --- general-purpose AI models ---------------------------------------------------------------------
    _c(
        "gpai-systemic",
        "minimal",
        profile={"gpai_model": True, "training_compute_flops": 5e25},
        gpai=True,
        gpai_grounds=[EU + "art-53", EU + "art-51-2", EU + "art-55"],
        obligations={
            f"{EU}art-55-1#evaluate": GPAI_DATE,
            f"{EU}art-52-1#notify": GPAI_DATE,
            f"{EU}art-53-1#technical-documentation": GPAI_DATE,
        },
    ),
    _c(
        "gpai-not-systemic",
        "minimal",
        profile={"gpai_model": True, "training_compute_flops": 1e24},
        gpai=False,
        gpai_grounds=[EU + "art-51-2"],
        obligations={f"{EU}art-53-1#downstream-information": GPAI_DATE, f"{EU}art-54#appoint": GPAI_DATE},
        no_obligations=[EU + "art-55"],
    ),
    _c(
        "gpai-open-source",
        "out_of_scope",
        profile={"gpai_model": True, "training_compute_flops": 1e24, "open_source": True},
        gpai=False,
        gpai_grounds=[EU + "art-53-2"],
        grounds=[EU + "art-2-12"],
        obligations={
            f"{EU}art-53-1#copyright-policy": GPAI_DATE,
            f"{EU}art-53-1#training-summary": GPAI_DATE,
        },
        no_obligations=[f"{EU}art-53-1#technical-documentation", f"{EU}art-54#appoint", EU + "art-4"],
    ),
    _c(
        "gpai-open-source-systemic",
        "out_of_scope",
        profile={"gpai_model": True, "training_compute_flops": 2e25, "open_source": True},
        gpai=True,
        gpai_grounds=[EU + "art-53-2", EU + "art-55"],
        obligations={f"{EU}art-53-1#technical-documentation": GPAI_DATE, f"{EU}art-55-1#mitigate": GPAI_DATE},
    ),
    # The pack records the Art. 51(2) presumption as "greater than" 10^25, as the Regulation words it.
    _c(
        "gpai-at-the-line",
        "minimal",
        profile={"gpai_model": True, "training_compute_flops": 1e25},
        gpai=False,
    ),
    _c(
        "gpai-compute-unknown",
        "minimal",
        profile={"gpai_model": True},
        gpai=False,
        missing=["training_compute_flops"],
        obligations={f"{EU}art-53-1#technical-documentation": GPAI_DATE},
    ),
    _c(
        "gpai-deployer-no-model-duties",
        "minimal",
        profile={"gpai_model": True, "training_compute_flops": 1e26, "role": "deployer"},
        gpai=True,
        no_obligations=[EU + "art-53", EU + "art-55"],
    ),
    _c(
        "gpai-never-changes-tier",
        "high",
        ["recruitment"],
        profile={"gpai_model": True, "training_compute_flops": 3e25},
        gpai=True,
        applies_from=ANNEX_III_DATE,
    ),
    # --- roles, the Art. 25 switch and the FRIA -----------------------------------------------------------
    _c(
        "provider-only",
        "high",
        ["recruitment"],
        profile=PROVIDER,
        obligations={
            f"{EU}art-9#establish-rms": ANNEX_III_DATE,
            f"{EU}art-17#qms": ANNEX_III_DATE,
            f"{EU}art-43#assess-before-market": ANNEX_III_DATE,
            f"{EU}art-47#declare": ANNEX_III_DATE,
            f"{EU}art-48#affix-ce": ANNEX_III_DATE,
            f"{EU}art-49-1#register": ANNEX_III_DATE,
            f"{EU}art-72#monitoring-system": ANNEX_III_DATE,
            f"{EU}art-73#report": ANNEX_III_DATE,
        },
        no_obligations=[EU + "art-26", EU + "art-27", f"{EU}art-4#deployer-literacy"],
    ),
    _c(
        "deployer-only",
        "high",
        ["recruitment"],
        profile=DEPLOYER,
        obligations={f"{EU}art-26-2#assign-oversight": ANNEX_III_DATE, f"{EU}art-86#explain": ANNEX_III_DATE},
        no_obligations=[EU + "art-9", EU + "art-16", EU + "art-25"],
        internal_tier="T2",
    ),
    _c(
        "article-25-switch",
        "high",
        ["recruitment"],
        profile={"role": "deployer", "rebrands_or_modifies": True},
        grounds=[EU + "art-25-1"],
        obligations={
            f"{EU}art-25-1#provider-duties": ANNEX_III_DATE,
            f"{EU}art-9#establish-rms": ANNEX_III_DATE,
            f"{EU}art-26-1#follow-instructions": ANNEX_III_DATE,
        },
    ),
    _c(
        "article-25-unknown",
        "high",
        ["recruitment"],
        profile={"role": "deployer"},
        missing=["rebrands_or_modifies"],
    ),
    _c(
        "importer",
        "high",
        ["education_admission"],
        profile={"role": "importer", "rebrands_or_modifies": False},
        obligations={f"{EU}art-23#verify-before-market": ANNEX_III_DATE},
        no_obligations=[EU + "art-9"],
    ),
    _c(
        "distributor",
        "high",
        ["education_admission"],
        profile={"role": "distributor", "rebrands_or_modifies": False},
        obligations={f"{EU}art-24#verify-before-supply": ANNEX_III_DATE},
        no_obligations=[EU + "art-9"],
    ),
    _c(
        "distributor-rebrands",
        "high",
        ["education_admission"],
        profile={"role": "distributor", "rebrands_or_modifies": True},
        grounds=[EU + "art-25-1"],
        obligations={
            f"{EU}art-24#verify-before-supply": ANNEX_III_DATE,
            f"{EU}art-16#ce-marking": ANNEX_III_DATE,
        },
    ),
    _c(
        "fria-public-body",
        "high",
        ["education_admission"],
        profile={**DEPLOYER, "public_body_or_public_service": True},
        grounds=[EU + "art-27-1"],
        obligations={f"{EU}art-27-1#perform-fria": ANNEX_III_DATE, f"{EU}art-27-3#notify": ANNEX_III_DATE},
        internal_tier="T1",
    ),
    _c(
        "fria-unknown-public-body",
        "high",
        ["recruitment"],
        profile={**DEPLOYER, "public_body_or_public_service": None},
        missing=["public_body_or_public_service"],
    ),
    _c(
        "fria-not-for-providers",
        "high",
        ["creditworthiness"],
        profile=PROVIDER,
        not_grounds=[EU + "art-27-1"],
        no_obligations=[EU + "art-27"],
    ),
    # --- other regimes -------------------------------------------------------------------------------
    _c(
        "nyc-hiring",
        "high",
        ["recruitment"],
        profile={"jurisdictions": ["EU", "US", "US-NYC"]},
        regimes={"nyc-ll144": True, "eeoc-title-vii": True, "colorado-ai-act": False, "ecoa-reg-b": False},
        regime_grounds={
            "nyc-ll144": ["nyc-ll144:20-870-automated-employment-decision-tool", "nyc-ll144:20-871"]
        },
        obligations={
            "nyc-ll144:20-871-a-1#annual-audit": "2023-01-01",
            "eeoc-title-vii:2000e-2-k#validate-or-replace": "1991-11-21",
        },
    ),
    _c(
        "nyc-not-for-credit",
        "high",
        ["creditworthiness"],
        profile={"jurisdictions": ["US-NYC"]},
        regimes={"nyc-ll144": False, "ecoa-reg-b": True},
    ),
    # Colorado: SB 26-189 (signed 14 May 2026) from 1 January 2027; SB 24-205 never took effect.
    _c(
        "colorado-credit",
        "high",
        ["creditworthiness"],
        profile={"jurisdictions": ["US", "US-CO"]},
        regimes={"colorado-ai-act": True, "ecoa-reg-b": True, "eeoc-title-vii": False},
        regime_grounds={
            "colorado-ai-act": ["colorado-ai-act:sb26-189-admt", "colorado-ai-act:sb26-189-enforcement"],
            "ecoa-reg-b": ["ecoa-reg-b:1691-d"],
        },
        obligations={
            "colorado-ai-act:sb26-189-deployer-notice#pre-use-notice": "2027-01-01",
            "colorado-ai-act:sb26-189-adverse-outcome#human-review": "2027-01-01",
            "ecoa-reg-b:1691-d#specific-reasons": None,
        },
        no_obligations=["colorado-ai-act:6-1-1703-4-a", "colorado-ai-act:6-1-1703-2"],
    ),
    _c(
        "colorado-after-signature",
        "high",
        ["life_health_insurance_pricing"],
        as_of=date(2026, 6, 1),
        profile={"jurisdictions": ["US-CO"]},
        regimes={"colorado-ai-act": True},
        obligations={"colorado-ai-act:sb26-189-deployer-notice#pre-use-notice": "2027-01-01"},
        applies_from="2026-08-02",
    ),
    _c(
        "colorado-not-consequential",
        "minimal",
        ["fraud_detection"],
        profile={"jurisdictions": ["US-CO"]},
        regimes={"colorado-ai-act": False},
        regime_grounds={"colorado-ai-act": ["colorado-ai-act:sb26-189-consequential-decision"]},
    ),
    _c(
        "eeoc-employment",
        "high",
        ["employment_decisions"],
        profile={"jurisdictions": ["US"]},
        regimes={"eeoc-title-vii": True, "nyc-ll144": False, "ecoa-reg-b": False},
        regime_grounds={"eeoc-title-vii": ["eeoc-title-vii:2000e-2-k"]},
    ),
    _c(
        "us-health",
        "high",
        ["medical_diagnosis"],
        profile={"jurisdictions": ["US"]},
        missing=["annex_i_product"],
        regimes={"us-health-ai": True},
    ),
    _c(
        "gdpr-art-22",
        "high",
        ["recruitment"],
        profile={"profiling": True},
        regimes={"gdpr": True},
        regime_grounds={"gdpr": ["gdpr:art-22-1", "gdpr:art-35-3-a", "gdpr:art-35-1"]},
        obligations={"gdpr:art-22-3#contest": "2018-05-25", "gdpr:art-35-1#carry-out-dpia": "2018-05-25"},
    ),
    _c(
        "gdpr-art-35-only",
        "high",
        ["education_evaluation"],
        profile={"profiling": False},
        regimes={"gdpr": True},
        regime_grounds={"gdpr": ["gdpr:art-35-1"]},
        no_obligations=["gdpr:art-22"],
    ),
    _c(
        "gdpr-sensitive-data",
        "minimal",
        ["biometric_verification"],
        regimes={"gdpr": True},
        regime_grounds={"gdpr": ["gdpr:art-35-3-b"]},
    ),
    _c("gdpr-no-personal-data", "minimal", ["spam_filtering"], regimes={"gdpr": False}),
    _c(
        "gdpr-personal-data-unknown",
        "minimal",
        ["spam_filtering"],
        profile={"personal_data": None},
        regimes={"gdpr": False},
        missing=["personal_data"],
    ),
    _c(
        "customer-facing-personal-data",
        "limited",
        ["customer_chatbot"],
        profile={"personal_data": True},
        transparency=[EU + "art-50-1"],
        regimes={"gdpr": True},
        internal_tier="T3",
    ),
    _c(
        "automated-decisions-raise-internal-tier",
        "high",
        ["recruitment"],
        profile={"automated_decisions": True},
        internal_tier="T1",
    ),
    # --- effective dates with and without the omnibus -------------------------------------------------
    _c(
        "annex-iii-before-omnibus",
        "high",
        ["recruitment"],
        as_of=BEFORE_OMNIBUS,
        applies_from="2026-08-02",
        obligations={
            f"{EU}art-9#establish-rms": "2026-08-02",
            f"{EU}art-26-1#follow-instructions": "2026-08-02",
        },
    ),
    _c(
        "annex-i-before-omnibus",
        "high",
        profile={"annex_i_product": "medical_device", "third_party_conformity_assessment": True},
        as_of=BEFORE_OMNIBUS,
        applies_from="2027-08-02",
        obligations={f"{EU}art-9#establish-rms": "2027-08-02"},
    ),
    _c(
        "art50-unchanged-by-omnibus",
        "limited",
        ["customer_chatbot"],
        as_of=BEFORE_OMNIBUS,
        transparency=[EU + "art-50-1"],
        applies_from=ART_50_DATE,
    ),
]


@cache
def _packs() -> tuple[Pack, ...]:
    return tuple(load_packs())


def _run(case: Case) -> TriageResult:
    data = {"name": case.id, "description": f"Table case {case.id}", **(KNOWN if case.known else {})}
    data.update(case.profile)
    return triage(SystemProfile.model_validate(data), packs=_packs(), as_of=case.as_of, system_id=case.id)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_triage_table(case: Case) -> None:
    result = _run(case)
    eu = result.eu_ai_act
    assert eu.tier.value == case.tier, [g.model_dump() for g in eu.grounds]

    cited = {g.citation for g in eu.grounds}
    assert set(case.grounds) <= cited, f"missing grounds {set(case.grounds) - cited}"
    assert not set(case.not_grounds) & cited
    assert {g.citation for g in eu.transparency} == set(case.transparency)
    assert eu.derogation_applied is case.derogation
    if case.applies_from is not UNSET:
        assert _iso(eu.applies_from) == case.applies_from

    if case.gpai is None:
        assert eu.gpai is None
    else:
        assert eu.gpai is not None and eu.gpai.systemic_risk is case.gpai
        assert set(case.gpai_grounds) <= {g.citation for g in eu.gpai.grounds}

    obligations = {o.id: _iso(o.applies_from) for o in result.obligations}
    for obligation_id, applies_from in case.obligations.items():
        assert obligation_id in obligations, f"missing obligation {obligation_id}"
        assert obligations[obligation_id] == applies_from, obligation_id
    for prefix in case.no_obligations:
        assert not [o for o in obligations if o.startswith(prefix)], f"unexpected {prefix}"

    regimes = {r.regime: r for r in result.other_regimes}
    for regime, applies in case.regimes.items():
        assert regimes[regime].applies is applies, regime
    for regime, citations in case.regime_grounds.items():
        assert set(citations) <= {g.citation for g in regimes[regime].grounds}, regime

    assert {m.field for m in result.missing_information} == set(case.missing)
    assert all(m.question.endswith("?") for m in result.missing_information)
    assert result.status == ("needs_information" if case.missing else "complete")
    if case.internal_tier is not None:
        assert result.internal_tier == case.internal_tier
    assert result.system.id == case.id and result.knowledge_as_of == date(2026, 12, 7)


def test_table_is_large_and_covers_every_catalogue_code() -> None:
    assert len(CASES) >= 60
    assert len({c.id for c in CASES}) == len(CASES)
    covered = {code for case in CASES for code in case.profile.get("use_cases", [])}
    assert covered == set(use_case_codes())


def test_every_citation_in_every_result_exists_in_the_packs() -> None:
    packs = {p.regime_id: p for p in _packs()}
    for case in CASES:
        result = _run(case)
        eu = result.eu_ai_act
        citations = [g.citation for g in [*eu.grounds, *eu.transparency]]
        citations += [g.citation for g in eu.gpai.grounds] if eu.gpai else []
        citations += [g.citation for r in result.other_regimes for g in r.grounds]
        citations += [o.citation for o in result.obligations]
        for citation in citations:
            assert packs[citation.partition(":")[0]].has_record(citation), (case.id, citation)
        assert all(g.reason for g in eu.grounds), case.id


def test_no_question_is_answered_by_lowering_the_tier() -> None:
    """Rows with an open question about a high-risk fact stay high while it is open."""
    tier_facts = {"profiling", "third_party_conformity_assessment", "annex_i_product"}
    for case in CASES:
        if tier_facts & set(case.missing):
            assert _run(case).eu_ai_act.tier.value == "high", case.id


def test_required_reviews_come_from_the_internal_tier() -> None:
    high = _run(next(c for c in CASES if c.id == "annex-iii-recruitment"))
    assert high.internal_tier == "T2"
    assert {r.id for r in high.required_reviews} == {
        "legal",
        "privacy-dpia",
        "fairness-audit",
        "model-validation",
    }
    blocked = _run(next(c for c in CASES if c.id == "art5-social_scoring"))
    assert [r.id for r in blocked.required_reviews] == ["legal-prohibition-check"]
    assert blocked.required_reviews[0].owner_queue == "legal"


def test_deep_fake_and_public_interest_text_are_two_grounds_on_art_50_4() -> None:
    result = _run(next(c for c in CASES if c.id == "deployer-deep-fakes-and-news"))
    reasons = [g.reason for g in result.eu_ai_act.transparency if g.citation == EU + "art-50-4"]
    assert len(reasons) == 2 and "Deep fake" in reasons[0] and "Public-interest text" in reasons[1]


def test_marking_grace_period_is_stated() -> None:
    result = _run(next(c for c in CASES if c.id == "content-generation"))
    (marking,) = [g for g in result.eu_ai_act.transparency if g.citation == EU + "art-50-2"]
    assert "2026-12-02" in marking.reason


def test_triage_is_deterministic_and_json_round_trips() -> None:
    case = next(c for c in CASES if c.id == "nyc-hiring")
    first, second = _run(case), _run(case)
    assert first == second
    dumped = first.model_dump(mode="json")
    assert dumped["knowledge_as_of"] == "2026-12-07" and dumped["eu_ai_act"]["tier"] == "high"
    assert TriageResult.model_validate(dumped) == first


def test_packs_without_the_eu_ai_act_are_refused() -> None:
    gdpr_only = [p for p in _packs() if p.regime_id == "gdpr"]
    with pytest.raises(ValueError, match="eu-ai-act"):
        triage(SystemProfile(name="x", description="y"), packs=gdpr_only)


def test_regimes_missing_from_the_packs_are_not_listed() -> None:
    packs = [p for p in _packs() if p.regime_id in {"eu-ai-act", "gdpr"}]
    profile = SystemProfile(name="x", description="y", use_cases=["recruitment"], jurisdictions=["US-NYC"])
    result = triage(profile, packs=packs)
    assert [r.regime for r in result.other_regimes] == ["gdpr"]


def test_the_compute_threshold_is_read_from_the_pack() -> None:
    """Art. 51(2)'s line and comparison come from the pack: a pack saying '>=' flags a model at the line."""
    packs = list(_packs())
    eu = next(p for p in packs if p.regime_id == "eu-ai-act")
    data = eu.model_dump()
    for record in data["records"]:
        if record["citation_id"] == EU + "art-51-2":
            record["thresholds"][0]["comparison"] = ">="
    edited = Pack.model_validate(data)
    profile = SystemProfile(name="x", description="y", gpai_model=True, training_compute_flops=1e25)
    as_packed = triage(profile, packs=packs).eu_ai_act.gpai
    at_line = triage(profile, packs=[edited if p is eu else p for p in packs]).eu_ai_act.gpai
    assert as_packed is not None and as_packed.systemic_risk is False
    assert at_line is not None and at_line.systemic_risk is True
