"""The use-case catalogue against the issue's list and the knowledge packs, and the rule tables' references.

The catalogue's citations and pack codes are checked against the EU AI Act pack: a code the pack files
under a different point, or a citation the pack does not hold, fails here rather than in a triage.
"""

from __future__ import annotations

import re
from functools import cache

import pytest
from pydantic import ValidationError

from knowledge.packs import Pack, load_packs
from tools.triage import rules
from tools.triage.catalogue import (
    CATALOGUE,
    REGIME_TRIGGERS,
    UseCaseCategory,
    by_category,
    use_case,
    use_case_codes,
)
from tools.triage.schemas import AnnexIProduct, SystemProfile

# The catalogue exactly as the issue lists it.
ISSUE_ART5 = (
    "manipulative_techniques exploits_vulnerabilities social_scoring crime_prediction_profiling "
    "facial_image_scraping emotion_recognition_workplace_education biometric_categorisation_sensitive "
    "realtime_remote_biometric_id_law_enforcement intimate_imagery_generation"
).split()
ISSUE_ANNEX_III = (
    "remote_biometric_identification biometric_categorisation emotion_recognition "
    "critical_infrastructure_safety education_admission education_evaluation education_level_assessment "
    "exam_proctoring recruitment employment_decisions public_benefits_eligibility creditworthiness "
    "life_health_insurance_pricing emergency_dispatch_triage victim_risk_assessment polygraph "
    "evidence_reliability offending_risk_assessment criminal_profiling migration_risk_assessment "
    "asylum_visa_examination border_person_identification judicial_assistance election_influence"
).split()
ISSUE_OTHER = (
    "biometric_verification fraud_detection customer_chatbot content_generation recommender spam_filtering "
    "internal_productivity medical_diagnosis other"
).split()

# Expected citation per code, written out from the Regulation's structure (not read from the catalogue).
ANNEX_III_POINTS = (
    "1-a 1-b 1-c 2 3-a 3-b 3-c 3-d 4-a 4-b 5-a 5-b 5-c 5-d 6-a 6-b 6-c 6-d 6-e 7-b 7-c 7-d 8-a 8-b"
)
EXPECTED_CITATION = {
    # The Digital Omnibus bans are reported as points (ba) and (bb); the catalogue's one entry cites (ba).
    **{
        code: f"eu-ai-act:art-5-1-{point}"
        for code, point in zip(ISSUE_ART5, [*"abcdefgh", "ba"], strict=True)
    },
    **{
        code: f"eu-ai-act:annex-iii-{point}"
        for code, point in zip(ISSUE_ANNEX_III, ANNEX_III_POINTS.split(), strict=True)
    },
    "biometric_verification": "eu-ai-act:annex-iii-1-a",
    "fraud_detection": "eu-ai-act:annex-iii-5-b",
    "customer_chatbot": "eu-ai-act:art-50-1",
    "content_generation": "eu-ai-act:art-50-2",
    "medical_diagnosis": "eu-ai-act:annex-i-11",
}


@cache
def _packs() -> dict[str, Pack]:
    return {pack.regime_id: pack for pack in load_packs()}


@pytest.fixture
def eu() -> Pack:
    return _packs()["eu-ai-act"]


def test_codes_and_categories_are_exactly_the_issues() -> None:
    assert use_case_codes() == [*ISSUE_ART5, *ISSUE_ANNEX_III, *ISSUE_OTHER]
    assert [e.code for e in by_category(UseCaseCategory.ART5)] == ISSUE_ART5
    assert [e.code for e in by_category(UseCaseCategory.ANNEX_III)] == ISSUE_ANNEX_III
    assert [e.code for e in by_category(UseCaseCategory.OTHER)] == ISSUE_OTHER


@pytest.mark.parametrize("entry", CATALOGUE, ids=lambda e: e.code)
def test_every_entry_is_described_and_cites_what_it_should(entry, eu: Pack) -> None:
    assert len(entry.description) >= 20 and entry.description.endswith(".")
    assert entry.citation == EXPECTED_CITATION.get(entry.code)
    if entry.citation is not None:
        assert eu.has_record(entry.citation), entry.citation
    for citation in entry.transparency:
        assert re.fullmatch(r"eu-ai-act:art-50-[1-4]", citation)


@pytest.mark.parametrize("entry", [e for e in CATALOGUE if e.pack_codes], ids=lambda e: e.code)
def test_pack_files_the_codes_under_the_catalogue_citation(entry, eu: Pack) -> None:
    """The pack's own use-case codes (or carve-outs) for the entry sit on the record the entry cites."""
    record = eu.record(entry.citation)
    listed = record.excluded_use_case_codes if entry.carve_out else record.use_case_codes
    for code in entry.pack_codes:
        assert code in listed, f"{entry.code}: pack code {code!r} not on {entry.citation}"
        if not entry.carve_out:
            assert record in eu.find(use_case_code=code)


def test_transparency_use_cases_match_the_article_50_records(eu: Pack) -> None:
    """Where the pack files a use case under an Article 50 paragraph, the catalogue brings that paragraph."""
    for entry in CATALOGUE:
        for code in entry.pack_codes:
            for record in eu.find(use_case_code=code):
                if record.citation_id.startswith("eu-ai-act:art-50-"):
                    assert record.citation_id in entry.transparency, (entry.code, record.citation_id)


def test_every_prohibited_point_and_annex_iii_point_is_in_the_catalogue(eu: Pack) -> None:
    cited = {e.citation for e in CATALOGUE if not e.carve_out}
    points = [
        r.citation_id for r in eu.records if re.fullmatch(r"eu-ai-act:art-5-1-[a-z]{1,2}", r.citation_id)
    ]
    # Point (bb), child sexual abuse material, is named in the description of the entry citing (ba).
    assert set(points) - {"eu-ai-act:art-5-1-bb"} <= cited and len(points) == 10
    intimate = next(e for e in CATALOGUE if e.citation == "eu-ai-act:art-5-1-ba")
    assert "child sexual abuse material" in intimate.description and "5(1)(bb)" in intimate.note
    annex_iii = {
        r.citation_id for r in eu.records if r.use_case_codes and r.area and "annex-iii" in r.citation_id
    }
    # Polygraphs in migration (7(a)) share the 'polygraph' code, which cites the law-enforcement point 6(b).
    assert annex_iii - cited == {"eu-ai-act:annex-iii-7-a"}
    assert "7(a)" in use_case("polygraph").note


def test_carve_outs_are_the_packs_exclusions(eu: Pack) -> None:
    carve_outs = {e.code: e.citation for e in CATALOGUE if e.carve_out}
    assert carve_outs == {
        "biometric_verification": "eu-ai-act:annex-iii-1-a",
        "fraud_detection": "eu-ai-act:annex-iii-5-b",
    }


def test_unknown_code_is_rejected_naming_it() -> None:
    with pytest.raises(ValidationError, match="cv_ranking"):
        SystemProfile(name="x", description="y", use_cases=["recruitment", "cv_ranking"])
    with pytest.raises(KeyError, match="cv_ranking"):
        use_case("cv_ranking")


def test_repeated_codes_are_kept_once() -> None:
    profile = SystemProfile(name="x", description="y", use_cases=["recruitment", "recruitment"])
    assert profile.use_cases == ["recruitment"]


def test_unknown_profile_field_is_rejected_naming_it() -> None:
    with pytest.raises(ValidationError, match="profilling"):
        SystemProfile.model_validate({"name": "x", "description": "y", "profilling": True})


# --- the rule tables point at records and obligations the packs hold -----------------------------------


def _table_duties() -> list[rules.Duty]:
    tables = [
        rules.HIGH_RISK_PROVIDER_DUTIES,
        rules.HIGH_RISK_DEPLOYER_DUTIES,
        rules.HIGH_RISK_IMPORTER_DUTIES,
        rules.HIGH_RISK_DISTRIBUTOR_DUTIES,
        rules.FRIA_DUTIES,
        rules.DEROGATION_DUTIES,
        rules.SWITCH_DUTIES,
        rules.LITERACY_DUTIES,
        rules.TRANSPARENCY_TIMING_DUTIES,
        rules.GPAI_DUTIES,
        rules.GPAI_OPEN_SOURCE_DUTIES,
        rules.GPAI_SYSTEMIC_DUTIES,
    ]
    duties = [duty for table in tables for duty in table]
    duties += [rules.Duty(c, o) for trigger in REGIME_TRIGGERS for c, o in trigger.duties]
    return duties


@pytest.mark.parametrize("duty", _table_duties(), ids=lambda d: f"{d.citation}#{d.obligation_id}")
def test_every_table_duty_names_a_pack_obligation(duty: rules.Duty) -> None:
    pack = _packs()[duty.citation.partition(":")[0]]
    record = pack.record(duty.citation)
    assert record.obligations, f"{duty.citation} has no obligations"
    if duty.obligation_id is not None:
        record.obligation(duty.obligation_id)


def test_every_table_citation_exists() -> None:
    eu = _packs()["eu-ai-act"]
    citations = [
        *(c for c, _ in rules.EXCLUSIONS.values()),
        *rules.ANNEX_I_ITEMS.values(),
        *rules.DEROGATION_POINTS.values(),
        *(o.citation for o in rules.TRANSPARENCY_OVERLAYS),
        *(c for c, _, _ in rules.GDPR_CASES),
    ]
    for trigger in REGIME_TRIGGERS:
        citations += [trigger.scope_citation, *(c for c, _ in trigger.grounds)]
        citations += [trigger.exclusion_citation] if trigger.exclusion_citation else []
        assert trigger.use_cases <= set(use_case_codes()) and trigger.excluded_use_cases <= set(
            use_case_codes()
        )
    for citation in citations:
        assert _packs()[citation.partition(":")[0]].has_record(citation), citation
    # Annex I items by section, as the pack files them.
    assert eu.record(rules.ANNEX_I_ITEMS[AnnexIProduct.MOTOR_VEHICLE]).area == "section-b"
    assert eu.record(rules.ANNEX_I_ITEMS[AnnexIProduct.MEDICAL_DEVICE]).area == "section-a"


def test_the_regimes_triggered_by_hiring_and_credit_match_the_brief() -> None:
    triggers = {t.regime: t for t in REGIME_TRIGGERS}
    assert triggers["nyc-ll144"].use_cases == {"recruitment", "employment_decisions"}
    assert triggers["eeoc-title-vii"].use_cases == {"recruitment", "employment_decisions"}
    assert triggers["ecoa-reg-b"].use_cases == {"creditworthiness"}
    assert {
        "recruitment",
        "creditworthiness",
        "life_health_insurance_pricing",
        "education_admission",
        "public_benefits_eligibility",
        "medical_diagnosis",
    } <= triggers["colorado-ai-act"].use_cases
