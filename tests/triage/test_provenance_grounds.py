"""Triage grounds and obligations after the December 2026 update: Colorado follows SB 26-189 with the stay
as a status note, ECOA carries no effects-test duty, EEOC grounds separate statute from withdrawn guidance,
a ground resting on a reported fact says so, and no withdrawn or superseded record is ever cited."""

from __future__ import annotations

from datetime import date
from functools import cache

import pytest

from knowledge.packs import Pack, load_packs
from knowledge.packs.provenance import reported_clause
from tools.triage.engine import triage
from tools.triage.rules import Context
from tools.triage.schemas import SystemProfile, TriageResult

KNOWN = {
    "role": "deployer",
    "profiling": True,
    "personal_data": True,
    "interacts_with_people": False,
    "generates_synthetic_content": False,
    "public_body_or_public_service": False,
}


@cache
def _packs() -> tuple[Pack, ...]:
    return tuple(load_packs())


def _triage(use_case: str, jurisdictions: list[str], as_of: date | None = None) -> TriageResult:
    profile = SystemProfile.model_validate(
        {"name": use_case, "description": f"A {use_case} system.", "use_cases": [use_case],
         "jurisdictions": jurisdictions, **KNOWN}
    )  # fmt: skip
    return triage(profile, packs=list(_packs()), as_of=as_of, system_id=use_case)


def _regime(result: TriageResult, regime: str) -> dict[str, str]:
    finding = next(r for r in result.other_regimes if r.regime == regime)
    assert finding.applies, regime
    return {g.citation: g.reason for g in finding.grounds}


def test_colorado_grounds_follow_sb26_189_with_the_stay_as_a_status_note() -> None:
    grounds = _regime(_triage("creditworthiness", ["US-CO"]), "colorado-ai-act")
    assert set(grounds) == {"colorado-ai-act:sb26-189-admt", "colorado-ai-act:sb26-189-enforcement"}
    first = grounds["colorado-ai-act:sb26-189-admt"]
    assert "SB 26-189" in first and "Its duties apply from 2027-01-01." in first
    assert "X.AI LLC v. Weiser" in first and "1:26-cv-01515" in first
    assert "SB 24-205 never took effect" in first
    # The covered-ADMT definition rests on reporting of the bill: the ground says so in one clause.
    assert first.count(reported_clause()) == 1
    assert "stayed" in grounds["colorado-ai-act:sb26-189-enforcement"]


def test_colorado_obligations_are_sb26_189_duties_from_2027() -> None:
    result = _triage("recruitment", ["US-CO"])
    colorado = {o.id: o.applies_from for o in result.obligations if o.citation.startswith("colorado-ai-act:")}
    assert colorado == {
        "colorado-ai-act:sb26-189-deployer-notice#pre-use-notice": date(2027, 1, 1),
        "colorado-ai-act:sb26-189-adverse-outcome#explain-adverse-outcome": date(2027, 1, 1),
        "colorado-ai-act:sb26-189-adverse-outcome#correct-data": date(2027, 1, 1),
        "colorado-ai-act:sb26-189-adverse-outcome#human-review": date(2027, 1, 1),
    }  # the deployer's duties; the developer's documentation duty is not ours


def test_ecoa_obligations_have_no_effects_test_duty() -> None:
    result = _triage("creditworthiness", ["US"])
    grounds = _regime(result, "ecoa-reg-b")
    assert "no effects-test (disparate impact) liability" in grounds["ecoa-reg-b:1691-a"]
    ecoa = [o for o in result.obligations if o.citation.startswith("ecoa-reg-b:")]
    assert {o.id for o in ecoa} >= {
        "ecoa-reg-b:1691-d#specific-reasons",
        "ecoa-reg-b:1002-9-b-2#principal-reasons",
    }
    assert not [o for o in ecoa if "effect" in o.title.lower() or "disparate" in o.title.lower()]
    assert not [o for o in ecoa if "circular" in o.citation]


def test_eeoc_grounds_separate_statute_from_withdrawn_guidance() -> None:
    result = _triage("recruitment", ["US"])
    grounds = _regime(result, "eeoc-title-vii")
    assert "use case(s) recruitment: Statute:" in grounds["eeoc-title-vii:2000e-2-k"]
    assert "private suits continue" in grounds["eeoc-title-vii:2000e-2-k"]
    guidelines = grounds["eeoc-title-vii:1607-4"]
    assert guidelines.startswith("Regulation:") and "withdrawn guidance and creates no duty" in guidelines
    assert "not been rescinded" in guidelines  # the DOJ opinion, as the record's status note
    eeoc = {o.citation for o in result.obligations if o.citation.startswith("eeoc-title-vii:")}
    assert eeoc and not [c for c in eeoc if c.startswith("eeoc-title-vii:ta-2023")]


@pytest.mark.parametrize(
    ("use_case", "jurisdictions"),
    [
        ("creditworthiness", ["EU", "US", "US-CO", "US-NYC"]),
        ("recruitment", ["EU", "US", "US-CO", "US-NYC"]),
        ("medical_diagnosis", ["US", "US-CO"]),
    ],
)
def test_no_withdrawn_or_superseded_record_is_cited(use_case: str, jurisdictions: list[str]) -> None:
    result = _triage(use_case, jurisdictions)
    packs = {p.regime_id: p for p in _packs()}
    cited = [g.citation for r in result.other_regimes for g in r.grounds]
    cited += [g.citation for g in result.eu_ai_act.grounds] + [o.citation for o in result.obligations]
    assert cited
    history = [c for c in cited if not packs[c.partition(":")[0]].record(c).is_current]
    assert history == []


def test_a_ground_on_a_superseded_record_is_refused() -> None:
    profile = SystemProfile.model_validate({"name": "x", "description": "A test system.", **KNOWN})
    ctx = Context(profile=profile, packs={p.regime_id: p for p in _packs()}, as_of=None)
    with pytest.raises(ValueError, match="superseded: history, not a duty"):
        ctx.ground("colorado-ai-act:6-1-1703-4-a", "old duty")
    with pytest.raises(ValueError, match="withdrawn: history, not a duty"):
        ctx.ground("ecoa-reg-b:cfpb-circular-2022-03", "old guidance")
    assert ctx.ground("eeoc-title-vii:2000e-2-k", "statute").reason == "statute"
