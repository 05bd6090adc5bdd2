"""The use-case catalogue: the codes a system profile lists, what each means and the provision it triggers.

Each entry names the EU AI Act citation it triggers (an Article 5 point, an Annex III point, or for the
"other" codes a carve-out, an Article 50 paragraph or an Annex I item), the use-case codes the knowledge
pack itself uses for the same thing (`pack_codes`, checked against the pack by the tests), the Article 50
paragraphs the use case brings by its nature, and the facts the internal tiering standard reads.
`govassist triage --list-use-cases` prints this table.

`REGIME_TRIGGERS` is the same kind of data for the other regimes: which use cases, in which jurisdiction,
bring which regime, with the grounds and duties it cites.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from knowledge.tiering import TierFactor


class UseCaseCategory(StrEnum):
    """Which part of the EU AI Act a use case falls under."""

    ART5 = "art5"
    ANNEX_III = "annex_iii"
    OTHER = "other"


class UseCase(BaseModel):
    """One catalogue entry."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(pattern=r"^[a-z0-9]+(_[a-z0-9]+)*$", description="The code a profile lists.")
    category: UseCaseCategory
    description: str = Field(min_length=1, description="Plain-language description, for people triaging.")
    citation: str | None = Field(description="The EU AI Act record the use case triggers, if any.")
    pack_codes: tuple[str, ...] = Field(
        default=(), description="The pack's own use-case codes for this (in use_case_codes or carve-outs)."
    )
    carve_out: bool = Field(
        default=False, description="True when `citation` excludes rather than includes it."
    )
    transparency: tuple[str, ...] = Field(
        default=(), description="Article 50 paragraphs it brings by nature."
    )
    factors: frozenset[TierFactor] = Field(default=frozenset(), description="Facts for the internal tier.")
    note: str = Field(default="", description="What the description cannot say in one line.")


_F = TierFactor
_ART5 = UseCaseCategory.ART5
_ANNEX_III = UseCaseCategory.ANNEX_III
_OTHER = UseCaseCategory.OTHER
_EU = "eu-ai-act:"


def _entry(
    code: str,
    category: UseCaseCategory,
    citation: str | None,
    description: str,
    pack_codes: Iterable[str] = (),
    *,
    factors: Iterable[TierFactor] = (),
    transparency: Iterable[str] = (),
    carve_out: bool = False,
    note: str = "",
) -> UseCase:
    return UseCase(
        code=code,
        category=category,
        citation=_EU + citation if citation else None,
        description=description,
        pack_codes=tuple(pack_codes),
        carve_out=carve_out,
        transparency=tuple(_EU + item for item in transparency),
        factors=frozenset(factors),
        note=note,
    )


CATALOGUE: tuple[UseCase, ...] = (
    # --- Article 5: prohibited practices -----------------------------------------------------------
    _entry(
        "manipulative_techniques",
        _ART5,
        "art-5-1-a",
        "Steers people with subliminal, manipulative or deceptive techniques that distort their decisions "
        "in a way likely to cause significant harm.",
        ["subliminal-manipulation", "deceptive-manipulation"],
    ),
    _entry(
        "exploits_vulnerabilities",
        _ART5,
        "art-5-1-b",
        "Exploits people's age, disability or social or economic situation to distort their behaviour in "
        "a way likely to cause significant harm.",
        ["exploitation-of-vulnerabilities"],
        factors=[_F.PERSONAL_DATA, _F.VULNERABLE_PEOPLE],
    ),
    _entry(
        "social_scoring",
        _ART5,
        "art-5-1-c",
        "Scores or ranks people over time from their social behaviour or personal traits, leading to "
        "unjustified or unrelated detrimental treatment.",
        ["social-scoring"],
        factors=[_F.PERSONAL_DATA, _F.PROFILING],
    ),
    _entry(
        "crime_prediction_profiling",
        _ART5,
        "art-5-1-d",
        "Predicts whether a person will commit a crime from profiling or personality traits alone.",
        ["crime-prediction-profiling"],
        factors=[_F.PERSONAL_DATA, _F.PROFILING, _F.PUBLIC_SERVICE],
    ),
    _entry(
        "facial_image_scraping",
        _ART5,
        "art-5-1-e",
        "Builds or expands a facial recognition database by untargeted scraping of face images from the "
        "internet or CCTV.",
        ["facial-image-scraping"],
        factors=[_F.SPECIAL_CATEGORY_DATA],
    ),
    _entry(
        "emotion_recognition_workplace_education",
        _ART5,
        "art-5-1-f",
        "Infers the emotions of workers or students at the workplace or in education (outside medical or "
        "safety reasons).",
        ["emotion-recognition-workplace", "emotion-recognition-education"],
        factors=[_F.SPECIAL_CATEGORY_DATA, _F.EMPLOYMENT_CONTEXT],
        transparency=["art-50-3"],
    ),
    _entry(
        "biometric_categorisation_sensitive",
        _ART5,
        "art-5-1-g",
        "Sorts people by their biometric data to infer race, political opinions, union membership, "
        "religious or philosophical beliefs, sex life or sexual orientation.",
        ["biometric-categorisation-sensitive-traits"],
        factors=[_F.SPECIAL_CATEGORY_DATA],
        transparency=["art-50-3"],
    ),
    _entry(
        "realtime_remote_biometric_id_law_enforcement",
        _ART5,
        "art-5-1-h",
        "Identifies people remotely and in real time from biometrics in publicly accessible spaces for law "
        "enforcement.",
        ["real-time-remote-biometric-identification-law-enforcement"],
        factors=[_F.SPECIAL_CATEGORY_DATA, _F.PUBLIC_SERVICE],
        note="Only the use is banned, and narrow authorised exceptions exist (Art. 5(1)(h), 5(2), 5(3)).",
    ),
    _entry(
        "intimate_imagery_generation",
        _ART5,
        "art-5-1-ba",
        "Generates or manipulates sexual or intimate images, video or audio of identifiable real people "
        "without consent, or child sexual abuse material.",
        ["non-consensual-intimate-imagery-generation", "nudification"],
        factors=[_F.SYNTHETIC_CONTENT, _F.VULNERABLE_PEOPLE],
        transparency=["art-50-2"],
        note=(
            "Added to Article 5 by the Digital Omnibus on AI (2026), reported as points (ba) and (bb); "
            "child sexual abuse material is Art. 5(1)(bb)."
        ),
    ),
    # --- Annex III: high-risk use cases ------------------------------------------------------------
    _entry(
        "remote_biometric_identification",
        _ANNEX_III,
        "annex-iii-1-a",
        "Identifies people at a distance from their biometric data, in real time or afterwards.",
        ["remote-biometric-identification"],
        factors=[_F.SPECIAL_CATEGORY_DATA],
    ),
    _entry(
        "biometric_categorisation",
        _ANNEX_III,
        "annex-iii-1-b",
        "Sorts people into groups by sensitive or protected attributes inferred from their biometric data.",
        ["biometric-categorisation"],
        factors=[_F.SPECIAL_CATEGORY_DATA],
        transparency=["art-50-3"],
    ),
    _entry(
        "emotion_recognition",
        _ANNEX_III,
        "annex-iii-1-c",
        "Infers people's emotions or intentions from their biometric data (outside work and education).",
        ["emotion-recognition"],
        factors=[_F.SPECIAL_CATEGORY_DATA],
        transparency=["art-50-3"],
    ),
    _entry(
        "critical_infrastructure_safety",
        _ANNEX_III,
        "annex-iii-2",
        "Acts as a safety component in running critical digital infrastructure, road traffic, or the supply "
        "of water, gas, heating or electricity.",
        ["critical-digital-infrastructure-safety", "road-traffic-safety", "utility-supply-safety"],
    ),
    _entry(
        "education_admission",
        _ANNEX_III,
        "annex-iii-3-a",
        "Decides who is admitted to, or assigned to, an education or vocational training institution.",
        ["education-admission"],
        factors=[_F.PERSONAL_DATA, _F.VULNERABLE_PEOPLE],
    ),
    _entry(
        "education_evaluation",
        _ANNEX_III,
        "annex-iii-3-b",
        "Evaluates learning outcomes, including when the results steer a person's learning.",
        ["learning-outcome-evaluation"],
        factors=[_F.PERSONAL_DATA, _F.VULNERABLE_PEOPLE],
    ),
    _entry(
        "education_level_assessment",
        _ANNEX_III,
        "annex-iii-3-c",
        "Assesses the level of education a person will receive or can access.",
        ["education-level-assessment"],
        factors=[_F.PERSONAL_DATA, _F.VULNERABLE_PEOPLE],
    ),
    _entry(
        "exam_proctoring",
        _ANNEX_III,
        "annex-iii-3-d",
        "Watches students during tests to detect prohibited behaviour.",
        ["exam-proctoring"],
        factors=[_F.PERSONAL_DATA, _F.VULNERABLE_PEOPLE],
    ),
    _entry(
        "recruitment",
        _ANNEX_III,
        "annex-iii-4-a",
        "Recruits or selects people: targeted job ads, screening or filtering applications, evaluating "
        "candidates.",
        ["recruitment", "cv-screening", "candidate-evaluation"],
        factors=[_F.PERSONAL_DATA, _F.EMPLOYMENT_CONTEXT],
    ),
    _entry(
        "employment_decisions",
        _ANNEX_III,
        "annex-iii-4-b",
        "Takes or supports decisions on work terms, promotion or termination, allocates tasks from "
        "behaviour or traits, or monitors and evaluates workers.",
        [
            "employment-terms-decisions",
            "promotion-or-termination",
            "task-allocation",
            "worker-monitoring",
            "performance-evaluation",
        ],
        factors=[_F.PERSONAL_DATA, _F.EMPLOYMENT_CONTEXT],
    ),
    _entry(
        "public_benefits_eligibility",
        _ANNEX_III,
        "annex-iii-5-a",
        "Helps public authorities decide who is eligible for public assistance benefits and services, or "
        "grants, reduces or revokes them.",
        ["public-benefits-eligibility"],
        factors=[_F.PERSONAL_DATA, _F.PUBLIC_SERVICE, _F.VULNERABLE_PEOPLE],
    ),
    _entry(
        "creditworthiness",
        _ANNEX_III,
        "annex-iii-5-b",
        "Evaluates people's creditworthiness or sets their credit score.",
        ["creditworthiness-assessment", "credit-scoring"],
        factors=[_F.PERSONAL_DATA],
    ),
    _entry(
        "life_health_insurance_pricing",
        _ANNEX_III,
        "annex-iii-5-c",
        "Assesses risk and sets prices for people's life or health insurance.",
        ["insurance-pricing-life-health", "insurance-risk-assessment-life-health"],
        factors=[_F.SPECIAL_CATEGORY_DATA],
    ),
    _entry(
        "emergency_dispatch_triage",
        _ANNEX_III,
        "annex-iii-5-d",
        "Classifies emergency calls, dispatches or prioritises emergency services, or triages patients in "
        "emergency care.",
        ["emergency-call-classification", "emergency-dispatch", "emergency-patient-triage"],
        factors=[_F.PUBLIC_SERVICE, _F.VULNERABLE_PEOPLE, _F.SPECIAL_CATEGORY_DATA],
    ),
    _entry(
        "victim_risk_assessment",
        _ANNEX_III,
        "annex-iii-6-a",
        "Assesses for law enforcement the risk that a person becomes the victim of a crime.",
        ["victim-risk-assessment"],
        factors=[_F.PERSONAL_DATA, _F.PUBLIC_SERVICE, _F.VULNERABLE_PEOPLE],
    ),
    _entry(
        "polygraph",
        _ANNEX_III,
        "annex-iii-6-b",
        "Works as a polygraph or similar tool for law enforcement.",
        ["law-enforcement-polygraph"],
        factors=[_F.PERSONAL_DATA, _F.PUBLIC_SERVICE],
        note="The same tools used in migration, asylum or border control fall under Annex III point 7(a).",
    ),
    _entry(
        "evidence_reliability",
        _ANNEX_III,
        "annex-iii-6-c",
        "Evaluates the reliability of evidence in investigating or prosecuting crime.",
        ["evidence-reliability-assessment"],
        factors=[_F.PERSONAL_DATA, _F.PUBLIC_SERVICE],
    ),
    _entry(
        "offending_risk_assessment",
        _ANNEX_III,
        "annex-iii-6-d",
        "Assesses the risk of a person offending or re-offending, not solely from profiling, or assesses "
        "personality traits or past criminal behaviour.",
        ["offending-risk-assessment"],
        factors=[_F.PERSONAL_DATA, _F.PUBLIC_SERVICE, _F.PROFILING],
    ),
    _entry(
        "criminal_profiling",
        _ANNEX_III,
        "annex-iii-6-e",
        "Profiles people in detecting, investigating or prosecuting crime.",
        ["law-enforcement-profiling"],
        factors=[_F.PERSONAL_DATA, _F.PUBLIC_SERVICE, _F.PROFILING],
    ),
    _entry(
        "migration_risk_assessment",
        _ANNEX_III,
        "annex-iii-7-b",
        "Assesses security, irregular-migration or health risks posed by people entering or intending to "
        "enter the EU.",
        ["migration-risk-assessment"],
        factors=[_F.PERSONAL_DATA, _F.PUBLIC_SERVICE, _F.VULNERABLE_PEOPLE],
    ),
    _entry(
        "asylum_visa_examination",
        _ANNEX_III,
        "annex-iii-7-c",
        "Helps examine applications for asylum, visas or residence permits and related complaints.",
        ["asylum-visa-application-examination"],
        factors=[_F.PERSONAL_DATA, _F.PUBLIC_SERVICE, _F.VULNERABLE_PEOPLE],
    ),
    _entry(
        "border_person_identification",
        _ANNEX_III,
        "annex-iii-7-d",
        "Detects, recognises or identifies people in migration, asylum or border control (checking travel "
        "documents is excluded).",
        ["border-person-identification"],
        factors=[_F.PUBLIC_SERVICE, _F.VULNERABLE_PEOPLE, _F.SPECIAL_CATEGORY_DATA],
    ),
    _entry(
        "judicial_assistance",
        _ANNEX_III,
        "annex-iii-8-a",
        "Helps a judicial authority or alternative dispute resolution body research and interpret facts "
        "and law and apply the law to facts.",
        ["judicial-decision-support", "alternative-dispute-resolution"],
        factors=[_F.PERSONAL_DATA, _F.PUBLIC_SERVICE],
    ),
    _entry(
        "election_influence",
        _ANNEX_III,
        "annex-iii-8-b",
        "Aims to influence the outcome of an election or referendum or how people vote (not tools that "
        "only organise campaigns).",
        ["election-influence"],
    ),
    # --- Other: carve-outs, transparency cases, and systems no provision singles out ---------------
    _entry(
        "biometric_verification",
        _OTHER,
        "annex-iii-1-a",
        "Confirms that a person is who they claim to be (one-to-one check, e.g. unlocking a device or "
        "passing a gate).",
        ["biometric-verification"],
        carve_out=True,
        factors=[_F.SPECIAL_CATEGORY_DATA],
    ),
    _entry(
        "fraud_detection",
        _OTHER,
        "annex-iii-5-b",
        "Detects financial fraud.",
        ["fraud-detection"],
        carve_out=True,
        factors=[_F.PERSONAL_DATA],
    ),
    _entry(
        "customer_chatbot",
        _OTHER,
        "art-50-1",
        "Talks or chats directly with customers or the public.",
        ["chatbot", "conversational-agent"],
        transparency=["art-50-1"],
        factors=[_F.CUSTOMER_FACING],
    ),
    _entry(
        "content_generation",
        _OTHER,
        "art-50-2",
        "Generates text, images, audio or video.",
        ["synthetic-content-generation", "generative-ai"],
        transparency=["art-50-2"],
        factors=[_F.SYNTHETIC_CONTENT],
    ),
    _entry(
        "recommender",
        _OTHER,
        None,
        "Recommends content, products or services to people.",
        note="Not singled out by the AI Act; other EU law (for example on online platforms) may apply.",
    ),
    _entry("spam_filtering", _OTHER, None, "Filters spam or unwanted messages."),
    _entry(
        "internal_productivity",
        _OTHER,
        None,
        "Helps staff with internal work (summaries, search, drafting) without deciding about people.",
    ),
    _entry(
        "medical_diagnosis",
        _OTHER,
        "annex-i-11",
        "Supports diagnosis or treatment of patients.",
        factors=[_F.SPECIAL_CATEGORY_DATA],
        note="Usually medical device software (Annex I): high-risk when a notified body must assess it.",
    ),
    _entry("other", _OTHER, None, "Anything not listed above; describe it so a reviewer can place it."),
)


# --- other regimes: which use cases, where, bring which regime -----------------------------------


class Jurisdiction(StrEnum):
    """Where a regime reaches (the rules test it against the profile's jurisdictions)."""

    EU = "EU"
    US = "US"
    US_NYC = "US-NYC"
    US_CO = "US-CO"
    US_IL = "US-IL"
    US_TX = "US-TX"
    US_CA = "US-CA"
    US_NY = "US-NY"  # New York State; a system used in New York City (US-NYC) is in it too
    KR = "KR"


class RegimeTrigger(BaseModel):
    """When another regime applies: a jurisdiction and a use case, with the grounds and duties it brings.

    `duties` are (citation, obligation id) pairs of the regime's pack; the owner there says whose they are.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    regime: str
    jurisdiction: Jurisdiction
    use_cases: frozenset[str]
    subject: str  # what the regime is about, for the "does not apply" reason
    scope_citation: str
    grounds: tuple[tuple[str, str], ...]
    duties: tuple[tuple[str, str], ...]
    excluded_use_cases: frozenset[str] = frozenset()
    exclusion_citation: str | None = None


_CONSEQUENTIAL = frozenset(
    {"education_admission", "education_evaluation", "education_level_assessment", "recruitment",
     "employment_decisions", "creditworthiness", "life_health_insurance_pricing",
     "public_benefits_eligibility", "emergency_dispatch_triage", "medical_diagnosis"}
)  # fmt: skip
_EMPLOYMENT = frozenset({"recruitment", "employment_decisions"})

REGIME_TRIGGERS: tuple[RegimeTrigger, ...] = (
    RegimeTrigger(
        regime="nyc-ll144",
        jurisdiction=Jurisdiction.US_NYC,
        use_cases=_EMPLOYMENT,
        subject="automated employment decision tools used for candidates or employees in New York City",
        scope_citation="nyc-ll144:20-870-automated-employment-decision-tool",
        grounds=(
            (
                "nyc-ll144:20-870-automated-employment-decision-tool",
                "An automated employment decision tool used on candidates or employees in New York City.",
            ),
            (
                "nyc-ll144:20-871",
                "No use without an independent bias audit less than a year old, a published summary of its "
                "results and notices to candidates and employees.",
            ),
        ),
        duties=(
            ("nyc-ll144:20-871-a-1", "annual-audit"),
            ("nyc-ll144:20-871-a-2", "publish-summary"),
            ("nyc-ll144:20-871-b-1", "notify-use"),
            ("nyc-ll144:20-871-b-2", "notify-qualifications"),
            ("nyc-ll144:20-871-b-3", "data-information"),
        ),
    ),
    RegimeTrigger(
        regime="colorado-ai-act",
        jurisdiction=Jurisdiction.US_CO,
        use_cases=_CONSEQUENTIAL,
        subject=(
            "automated decision-making technology that materially influences consequential decisions about "
            "Colorado consumers (SB 26-189, from 2027-01-01)"
        ),
        scope_citation="colorado-ai-act:sb26-189-consequential-decision",
        grounds=(
            (
                "colorado-ai-act:sb26-189-admt",
                "Covered automated decision-making technology under SB 26-189: it materially influences a "
                "consequential decision (education, employment, housing, lending, insurance, health care or "
                "essential government services). SB 24-205 never took effect and its duties are history.",
            ),
            (
                "colorado-ai-act:sb26-189-enforcement",
                "Only the Attorney General enforces, as a deceptive trade practice.",
            ),
        ),
        duties=(
            ("colorado-ai-act:sb26-189-deployer-notice", "pre-use-notice"),
            ("colorado-ai-act:sb26-189-adverse-outcome", "explain-adverse-outcome"),
            ("colorado-ai-act:sb26-189-adverse-outcome", "correct-data"),
            ("colorado-ai-act:sb26-189-adverse-outcome", "human-review"),
            ("colorado-ai-act:sb26-189-developer", "document-for-deployers"),
        ),
    ),
    RegimeTrigger(
        regime="ecoa-reg-b",
        jurisdiction=Jurisdiction.US,
        use_cases=frozenset({"creditworthiness"}),
        subject="credit decisions about applicants in the United States",
        scope_citation="ecoa-reg-b:1691-a",
        grounds=(
            (
                "ecoa-reg-b:1691-a",
                "Credit decisions must not discriminate on a prohibited basis, directly or through an "
                "intentional proxy; since 2026-07-21 Regulation B recognises no effects-test (disparate "
                "impact) liability under ECOA.",
            ),
            (
                "ecoa-reg-b:1691-d",
                "Applicants refused credit get a notice with the specific principal reasons, whatever the "
                "model's complexity.",
            ),
        ),
        duties=(
            ("ecoa-reg-b:1691-a", "no-discrimination"),
            ("ecoa-reg-b:1691-d", "notify-decision"),
            ("ecoa-reg-b:1691-d", "specific-reasons"),
            ("ecoa-reg-b:1002-9-b-2", "principal-reasons"),
            ("ecoa-reg-b:1002-12-b", "retain-records"),
        ),
    ),
    RegimeTrigger(
        regime="eeoc-title-vii",
        jurisdiction=Jurisdiction.US,
        use_cases=_EMPLOYMENT,
        subject="employment selection procedures of US employers",
        scope_citation="eeoc-title-vii:2000e-2-a",
        grounds=(
            (
                "eeoc-title-vii:2000e-2-k",
                "Statute: a selection procedure with disparate impact must be job-related and consistent "
                "with business necessity, or be replaced by a less discriminatory alternative; private "
                "suits continue although federal enforcement of disparate impact is deprioritised.",
            ),
            (
                "eeoc-title-vii:1607-4",
                "Regulation: the Uniform Guidelines expect employers to track the adverse impact of their "
                "selection procedures. The EEOC's 2023 AI technical assistance is withdrawn guidance and "
                "creates no duty.",
            ),
        ),
        duties=(
            ("eeoc-title-vii:2000e-2-k", "validate-or-replace"),
            ("eeoc-title-vii:1607-4", "track-impact"),
            ("eeoc-title-vii:1607-5", "validate"),
            ("eeoc-title-vii:12112-b-5-a", "accommodate"),
        ),
    ),
    RegimeTrigger(
        regime="us-health-ai",
        jurisdiction=Jurisdiction.US,
        use_cases=frozenset({"medical_diagnosis", "emergency_dispatch_triage"}),
        subject="AI used in patient care in the United States",
        scope_citation="us-health-ai:fda-device-software",
        grounds=(
            (
                "us-health-ai:fda-device-software",
                "Software meant to diagnose or treat can be a medical device under FDA oversight.",
            ),
            (
                "us-health-ai:section-1557-decision-support-tools",
                "Patient care decision support tools must not discriminate (Section 1557).",
            ),
        ),
        duties=(
            ("us-health-ai:fda-device-software", "classify-and-clear"),
            ("us-health-ai:section-1557-decision-support-tools", "identify-tools"),
            ("us-health-ai:section-1557-decision-support-tools", "mitigate"),
        ),
    ),
)


_BY_CODE: dict[str, UseCase] = {entry.code: entry for entry in CATALOGUE}


def use_case(code: str) -> UseCase:
    """The catalogue entry for `code`; KeyError naming the valid codes if unknown."""
    try:
        return _BY_CODE[code]
    except KeyError:
        raise KeyError(f"unknown use case {code!r}; expected one of: {', '.join(_BY_CODE)}") from None


def use_case_codes() -> list[str]:
    """Every catalogue code, in catalogue order."""
    return list(_BY_CODE)


def unknown_codes(codes: Iterable[str]) -> list[str]:
    """The codes in `codes` the catalogue does not know, in the order given."""
    return [code for code in codes if code not in _BY_CODE]


def by_category(category: UseCaseCategory) -> list[UseCase]:
    """Catalogue entries of one category, in catalogue order."""
    return [entry for entry in CATALOGUE if entry.category is category]
