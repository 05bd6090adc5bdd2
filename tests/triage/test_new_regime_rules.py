"""Table-driven triage for the state and national regimes of issue 12: Illinois, Texas, California (SB 53,
CCPA ADMT, SB 942), New York RAISE and Korea. One row per branch of each rule, checked by the same
function as the main table (tests/triage/test_rules_table.py), plus the questions and provenance clauses.
"""

from __future__ import annotations

from typing import Any

import pytest

from knowledge.packs.provenance import reported_clause
from tests.triage.test_rules_table import Case, _c, _run
from tests.triage.test_rules_table import test_triage_table as check_case
from tools.triage.answers import apply_answer
from tools.triage.schemas import SystemProfile

IL, TX, SB53, ADMT, SB942, RAISE, KR = (
    "illinois-hra-ai",
    "texas-traiga",
    "california-sb53",
    "california-ccpa-admt",
    "california-ai-transparency",
    "ny-raise",
    "korea-ai-basic-act",
)
NEW_REGIMES = (IL, TX, SB53, ADMT, SB942, RAISE, KR)
FRONTIER: dict[str, Any] = {"role": "provider", "gpai_model": True, "training_compute_flops": 3e26}
# A generator whose output is neither a deep fake nor public-interest text: Art. 50(2) only.
PLAIN_GENERATOR: dict[str, Any] = {
    "jurisdictions": ["US-CA"],
    "deep_fake": False,
    "public_interest_text": False,
}

CASES: list[Case] = [
    # --- Illinois: employment decisions about people in Illinois ----------------------------------------
    _c(
        "il-hiring",
        "high",
        ["recruitment"],
        profile={"jurisdictions": ["US", "US-IL"]},
        regimes={IL: True, "eeoc-title-vii": True},
        regime_grounds={IL: [f"{IL}:2-102-l-1", f"{IL}:2-102-l-2"]},
        obligations={
            f"{IL}:2-102-l-1#no-zip-code-proxy": "2026-01-01",
            f"{IL}:2-102-l-2#give-notice": "2026-01-01",
        },
    ),
    _c(
        "il-promotion-vendor",
        "high",
        ["employment_decisions"],
        profile={"jurisdictions": ["US-IL"], "role": "provider"},
        regimes={IL: True},
        no_obligations=[f"{IL}:"],  # the employer's duties, not the vendor's
    ),
    _c("il-credit", "high", ["creditworthiness"], profile={"jurisdictions": ["US-IL"]}, regimes={IL: False}),
    _c(
        "il-hiring-elsewhere",
        "high",
        ["recruitment"],
        profile={"jurisdictions": ["US"]},
        regimes={IL: False},
        regime_grounds={IL: [f"{IL}:2-102-l-1"]},
        no_obligations=[f"{IL}:"],
    ),
    # --- Texas: prohibitions for everyone, disclosures for government and health care --------------------
    _c(
        "tx-private-tool",
        "minimal",
        ["internal_productivity"],
        profile={"jurisdictions": ["US-TX"]},
        regimes={TX: True},
        regime_grounds={TX: [f"{TX}:551-002", f"{TX}:552-052"]},
        obligations={f"{TX}:552-052#no-manipulation-deployer": "2026-01-01"},
        no_obligations=[f"{TX}:552-051"],
    ),
    _c(
        "tx-government-chatbot",
        "limited",
        ["customer_chatbot"],
        profile={"jurisdictions": ["US-TX"], "public_body_or_public_service": True},
        transparency=["eu-ai-act:art-50-1"],
        regimes={TX: True},
        regime_grounds={TX: [f"{TX}:552-051"]},
        obligations={f"{TX}:552-051#government-disclosure": "2026-01-01"},
    ),
    _c(
        "tx-chatbot-public-unknown",
        "limited",
        ["customer_chatbot"],
        profile={"jurisdictions": ["US-TX"], "public_body_or_public_service": None},
        transparency=["eu-ai-act:art-50-1"],
        regimes={TX: True},
        missing=["public_body_or_public_service"],
    ),
    _c(
        "tx-health",
        "high",
        ["medical_diagnosis"],
        profile={"jurisdictions": ["US-TX"]},
        missing=["annex_i_product"],
        regimes={TX: True, "us-health-ai": True},
        obligations={f"{TX}:552-051#health-care-disclosure": "2026-01-01"},
        no_obligations=[f"{TX}:552-051#government-disclosure"],
    ),
    _c(
        "tx-government-social-scoring",
        "prohibited",
        ["social_scoring"],
        profile={"jurisdictions": ["US-TX"], "public_body_or_public_service": True},
        regimes={TX: True},
        regime_grounds={TX: [f"{TX}:552-053"]},
        obligations={f"{TX}:552-053#no-social-scoring": "2026-01-01"},
    ),
    _c(
        "tx-government-biometric-id",
        "high",
        ["remote_biometric_identification"],
        profile={"jurisdictions": ["US-TX"], "public_body_or_public_service": True},
        regimes={TX: True},
        regime_grounds={TX: [f"{TX}:552-054"]},
    ),
    _c(
        "tx-elsewhere",
        "minimal",
        ["internal_productivity"],
        profile={"jurisdictions": ["US"]},
        regimes={TX: False},
    ),
    # --- California SB 53: frontier developers, large ones above the revenue line --------------------------
    _c(
        "sb53-large-frontier-developer",
        "minimal",
        profile={**FRONTIER, "jurisdictions": ["US-CA"], "annual_revenue_usd": 2e9},
        gpai=True,
        regimes={SB53: True},
        regime_grounds={SB53: [f"{SB53}:22757-11", f"{SB53}:22757-13-c", f"{SB53}:22757-12-a"]},
        obligations={
            f"{SB53}:22757-12-a#publish-framework": "2026-01-01",
            f"{SB53}:22757-12-d#internal-use-summaries": "2026-01-01",
            f"{SB53}:22757-13-c#report-incident": "2026-01-01",
            f"{SB53}:22757-12-c#transparency-report": "2026-01-01",
        },
    ),
    _c(
        "sb53-frontier-developer-below-revenue",
        "minimal",
        profile={**FRONTIER, "jurisdictions": ["US-CA"], "annual_revenue_usd": 1e8},
        gpai=True,
        regimes={SB53: True},
        obligations={f"{SB53}:22757-13-c#report-incident": "2026-01-01"},
        no_obligations=[f"{SB53}:22757-12-a", f"{SB53}:22757-12-d"],
    ),
    _c(
        "sb53-revenue-unknown",
        "minimal",
        profile={**FRONTIER, "jurisdictions": ["US-CA"]},
        gpai=True,
        regimes={SB53: True},
        missing=["annual_revenue_usd"],
        no_obligations=[f"{SB53}:22757-12-a"],
    ),
    _c(
        "sb53-below-compute",
        "minimal",
        profile={
            **FRONTIER,
            "training_compute_flops": 5e25,
            "jurisdictions": ["US-CA"],
            "annual_revenue_usd": 2e9,
        },
        gpai=True,
        regimes={SB53: False},
        no_obligations=[f"{SB53}:"],
    ),
    _c(
        "sb53-compute-unknown",
        "minimal",
        profile={**FRONTIER, "training_compute_flops": None, "jurisdictions": ["US-CA"]},
        gpai=False,  # systemic risk is not concluded until the compute is known
        regimes={SB53: False},
        missing=["training_compute_flops"],
    ),
    _c(
        "sb53-deployer",
        "minimal",
        profile={**FRONTIER, "role": "deployer", "jurisdictions": ["US-CA"], "annual_revenue_usd": 2e9},
        gpai=True,
        regimes={SB53: False},
    ),
    _c(
        "sb53-not-a-foundation-model",
        "minimal",
        ["internal_productivity"],
        profile={"jurisdictions": ["US-CA"], "role": "provider"},
        regimes={SB53: False},
    ),
    # --- New York RAISE: frontier developers above the (reported) revenue line; NYC is in New York State --
    _c(
        "raise-covered-from-nyc",
        "minimal",
        profile={**FRONTIER, "jurisdictions": ["US-NYC"], "annual_revenue_usd": 1e9},
        gpai=True,
        regimes={RAISE: True, SB53: False},
        regime_grounds={RAISE: [f"{RAISE}:frontier-developers", f"{RAISE}:safety-protocol"]},
        obligations={
            f"{RAISE}:incident-reporting#report-incident": "2027-01-01",
            f"{RAISE}:safety-protocol#publish-protocol": "2027-01-01",
        },
    ),
    _c(
        "raise-revenue-unknown",
        "minimal",
        profile={**FRONTIER, "jurisdictions": ["US-NY"]},
        gpai=True,
        regimes={RAISE: False},
        missing=["annual_revenue_usd"],
    ),
    _c(
        "raise-below-revenue",
        "minimal",
        profile={**FRONTIER, "jurisdictions": ["US-NY"], "annual_revenue_usd": 1e8},
        gpai=True,
        regimes={RAISE: False},
        no_obligations=[f"{RAISE}:"],
    ),
    # --- CCPA ADMT: significant decisions without meaningful human review ---------------------------------
    _c(
        "admt-automated-credit",
        "high",
        ["creditworthiness"],
        profile={"jurisdictions": ["US-CA"], "automated_decisions": True},
        regimes={ADMT: True},
        regime_grounds={ADMT: [f"{ADMT}:7001", f"{ADMT}:7200"]},
        obligations={
            f"{ADMT}:7220#pre-use-notice": "2027-01-01",
            f"{ADMT}:7221#offer-opt-out": "2027-01-01",
            f"{ADMT}:7222#answer-access": "2027-01-01",
            f"{ADMT}:7150#risk-assessment": "2026-01-01",
            f"{ADMT}:7157#submit-attestation": "2028-04-01",
        },
    ),
    _c(
        "admt-human-review",
        "high",
        ["recruitment"],
        profile={"jurisdictions": ["US-CA"], "automated_decisions": False},
        regimes={ADMT: False},
        no_obligations=[f"{ADMT}:"],
    ),
    _c(
        "admt-review-unknown",
        "high",
        ["education_admission"],
        profile={"jurisdictions": ["US-CA"]},
        regimes={ADMT: False},
        missing=["automated_decisions"],
    ),
    _c(
        "admt-no-significant-decision",
        "limited",
        ["customer_chatbot"],
        profile={"jurisdictions": ["US-CA"], "automated_decisions": True},
        transparency=["eu-ai-act:art-50-1"],
        regimes={ADMT: False},
    ),
    # --- SB 942 / AB 853: covered providers of generative AI with over 1,000,000 monthly users -------------
    _c(
        "sb942-covered-provider",
        "limited",
        ["content_generation"],
        profile={**PLAIN_GENERATOR, "role": "provider", "monthly_users": 5_000_000},
        transparency=["eu-ai-act:art-50-2"],
        regimes={SB942: True},
        regime_grounds={SB942: [f"{SB942}:22757-1", f"{SB942}:22757-3"]},
        obligations={
            f"{SB942}:22757-2#detection-tool": "2026-08-02",
            f"{SB942}:22757-3#embed-latent-disclosure": "2026-08-02",
        },
    ),
    _c(
        "sb942-small-provider",
        "limited",
        ["content_generation"],
        profile={**PLAIN_GENERATOR, "role": "provider", "monthly_users": 10_000},
        transparency=["eu-ai-act:art-50-2"],
        regimes={SB942: False},
    ),
    _c(
        "sb942-users-unknown",
        "limited",
        ["content_generation"],
        profile={**PLAIN_GENERATOR, "role": "provider"},
        transparency=["eu-ai-act:art-50-2"],
        regimes={SB942: False},
        missing=["monthly_users"],
    ),
    _c(
        "sb942-deployer",
        "limited",
        ["content_generation"],
        profile={**PLAIN_GENERATOR, "role": "deployer", "monthly_users": 5_000_000},
        transparency=["eu-ai-act:art-50-2"],
        regimes={SB942: False},
    ),
    _c(
        "sb942-no-generation",
        "minimal",
        ["internal_productivity"],
        profile={**PLAIN_GENERATOR, "role": "provider", "monthly_users": 5_000_000},
        regimes={SB942: False},
    ),
    # --- Korea: high-impact AI and generative AI --------------------------------------------------------
    _c(
        "kr-hiring",
        "high",
        ["recruitment"],
        profile={"jurisdictions": ["KR"]},
        regimes={KR: True},
        regime_grounds={KR: [f"{KR}:art-2", f"{KR}:art-34", f"{KR}:art-43"]},
        obligations={
            f"{KR}:art-34#risk-management-plan": "2026-01-22",
            f"{KR}:art-31#advance-notice": "2026-01-22",
        },
        no_obligations=[f"{KR}:art-31#label-output"],
    ),
    _c(
        "kr-generative",
        "limited",
        ["content_generation"],
        profile={**PLAIN_GENERATOR, "jurisdictions": ["KR"]},
        transparency=["eu-ai-act:art-50-2"],
        regimes={KR: True},
        regime_grounds={KR: [f"{KR}:art-31"]},
        obligations={f"{KR}:art-31#label-output": "2026-01-22"},
        no_obligations=[f"{KR}:art-34"],
    ),
    _c(
        "kr-neither",
        "minimal",
        ["internal_productivity"],
        profile={"jurisdictions": ["KR"]},
        regimes={KR: False},
    ),
    _c(
        "kr-generation-unknown",
        "minimal",
        ["internal_productivity"],
        profile={"jurisdictions": ["KR"], "generates_synthetic_content": None},
        regimes={KR: False},
        missing=["generates_synthetic_content"],
    ),
    _c(
        "eu-only-system",
        "high",
        ["recruitment"],
        profile={"jurisdictions": ["EU"]},
        regimes=dict.fromkeys(NEW_REGIMES, False),
        no_obligations=[f"{r}:" for r in NEW_REGIMES],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_new_regime_table(case: Case) -> None:
    check_case(case)


def test_every_new_regime_has_an_applying_and_a_non_applying_row() -> None:
    for regime in NEW_REGIMES:
        outcomes = {case.regimes[regime] for case in CASES if regime in case.regimes}
        assert outcomes == {True, False}, regime


def test_every_new_regime_is_listed_with_a_cited_ground() -> None:
    result = _run(next(c for c in CASES if c.id == "eu-only-system"))
    findings = {r.regime: r for r in result.other_regimes}
    for regime in NEW_REGIMES:
        assert findings[regime].grounds and findings[regime].grounds[0].citation.startswith(regime + ":")
        assert "Jurisdictions do not include" in findings[regime].grounds[0].reason


def test_grounds_state_dates_and_reported_facts() -> None:
    raise_case = _run(next(c for c in CASES if c.id == "raise-covered-from-nyc"))
    ground = next(r for r in raise_case.other_regimes if r.regime == RAISE).grounds[0]
    # The reported clause stands once, however many places mark the record.
    assert "Applies from 2027-01-01." in ground.reason and ground.reason.count(reported_clause()) == 1
    illinois = _run(next(c for c in CASES if c.id == "il-hiring"))
    ground = next(r for r in illinois.other_regimes if r.regime == IL).grounds[0]
    assert "In force since 2026-01-01." in ground.reason and reported_clause() not in ground.reason
    korea = _run(next(c for c in CASES if c.id == "kr-hiring"))
    fines = next(
        g for r in korea.other_regimes if r.regime == KR for g in r.grounds if g.citation.endswith("art-43")
    )
    assert "KRW 30 million" in fines.reason and fines.reason.count(reported_clause()) == 1


def test_thresholds_are_read_from_the_packs() -> None:
    # Exactly on the 10^26 line is not above it (SB 53 says more than 10^26).
    on_the_line = _c(
        "sb53-on-the-line",
        "minimal",
        profile={
            **FRONTIER,
            "training_compute_flops": 1e26,
            "jurisdictions": ["US-CA"],
            "annual_revenue_usd": 2e9,
        },
        gpai=True,
        regimes={SB53: False},
    )
    check_case(on_the_line)
    finding = next(r for r in _run(on_the_line).other_regimes if r.regime == SB53)
    assert "> 1e+26 FLOP" in finding.grounds[0].reason


@pytest.mark.parametrize(
    ("field", "answer", "expected"),
    [
        ("annual_revenue_usd", "about $2.5bn", 2.5e9),
        ("annual_revenue_usd", "600 million", 6e8),
        ("annual_revenue_usd", "not sure", None),
        ("monthly_users", "1,200,000", 1_200_000),
        ("monthly_users", "around 750k", 750_000),
    ],
)
def test_new_questions_can_be_answered(field: str, answer: str, expected: float | None) -> None:
    profile = SystemProfile(name="x", description="y")
    assert getattr(apply_answer(profile, field, answer), field) == expected


@pytest.mark.parametrize(
    ("field", "answer"), [("annual_revenue_usd", "lots"), ("monthly_users", "under 5 million")]
)
def test_unreadable_amounts_are_refused(field: str, answer: str) -> None:
    with pytest.raises(ValueError, match=field):
        apply_answer(SystemProfile(name="x", description="y"), field, answer)
