"""Every date, threshold, fine, deadline and provision number the EU AI Act pack states, table-driven.

Facts were checked against Regulation (EU) 2024/1689; the tests at the end cross-check them against the
official text in ../shared/corpus when it is present (and skip otherwise).
"""

from __future__ import annotations

import json
import re
from datetime import date
from functools import cache
from pathlib import Path

import pytest

from knowledge.packs import (
    AmendmentStatus,
    Comparison,
    Confidence,
    Pack,
    PenaltyRule,
    Role,
    TimeUnit,
    load_packs,
)
from tests.packs.prose import copied_runs, dates_in, pack_prose, runs

D = date.fromisoformat
EU = "eu-ai-act:"
GUIDANCE = "guidance-"  # ids of Commission guidance records, which have no counterpart in the Act


@cache
def _pack() -> Pack:
    return next(pack for pack in load_packs() if pack.regime_id == "eu-ai-act")


@pytest.fixture
def pack() -> Pack:
    return _pack()


def _annex_iii_points(pack: Pack) -> set[str]:
    pattern = re.compile(r"eu-ai-act:annex-iii-\d-[a-z]")
    return {r.citation_id for r in pack.records if pattern.fullmatch(r.citation_id)}


# --- dates ---------------------------------------------------------------------------------------

# (citation id, base-text date, effective date after adopted amendments)
BASE_AND_EFFECTIVE = [
    ("art-2", "2025-02-02", "2025-02-02"),
    ("art-2-12", "2025-02-02", "2025-02-02"),
    ("art-3-1", "2025-02-02", "2025-02-02"),
    ("art-4", "2025-02-02", "2025-02-02"),
    ("art-5", "2025-02-02", "2025-02-02"),
    *[(f"art-5-1-{p}", "2025-02-02", "2025-02-02") for p in "abcdefgh"],
    # Inserted by the Digital Omnibus, reported as points (ba) and (bb); Article 4a from entry into force.
    ("art-5-1-ba", "2026-12-02", "2026-12-02"),
    ("art-5-1-bb", "2026-12-02", "2026-12-02"),
    ("art-4a", "2026-07-27", "2026-07-27"),
    # National sandboxes: base text 2 August 2026, moved to 2 August 2027 (Art. 57(1)).
    ("art-57", "2026-08-02", "2026-08-02"),
    ("art-57-1", "2026-08-02", "2027-08-02"),
    ("art-6-1", "2027-08-02", "2028-08-02"),
    ("art-6-2", "2026-08-02", "2027-12-02"),
    ("art-6-3", "2026-08-02", "2027-12-02"),
    *[(f"art-6-3-{p}", "2026-08-02", "2027-12-02") for p in "abcd"],
    ("art-6-4", "2026-08-02", "2027-12-02"),
    ("annex-iii", "2026-08-02", "2027-12-02"),
    ("annex-iii-1-a", "2026-08-02", "2027-12-02"),
    ("annex-iii-4-a", "2026-08-02", "2027-12-02"),
    ("annex-iii-5-b", "2026-08-02", "2027-12-02"),
    ("annex-iii-8-b", "2026-08-02", "2027-12-02"),
    ("annex-i", "2027-08-02", "2028-08-02"),
    ("annex-i-11", "2027-08-02", "2028-08-02"),
    ("annex-i-20", "2027-08-02", "2028-08-02"),
    *[
        (f"art-{n}", "2026-08-02", "2027-12-02")
        for n in (
            9,
            10,
            11,
            12,
            13,
            14,
            15,
            16,
            17,
            18,
            19,
            20,
            21,
            22,
            23,
            24,
            25,
            26,
            27,
            43,
            47,
            48,
            49,
            72,
            73,
            86,
        )
    ],
    ("art-26-7", "2026-08-02", "2027-12-02"),
    ("art-26-11", "2026-08-02", "2027-12-02"),
    ("art-27-1", "2026-08-02", "2027-12-02"),
    ("art-43-3", "2027-08-02", "2028-08-02"),
    ("art-25-3", "2027-08-02", "2028-08-02"),
    ("annex-iv", "2026-08-02", "2027-12-02"),
    ("annex-iv-1-e", "2026-08-02", "2027-12-02"),
    ("art-50", "2026-08-02", "2026-08-02"),
    *[(f"art-50-{n}", "2026-08-02", "2026-08-02") for n in range(1, 7)],
    *[(f"art-{n}", "2025-08-02", "2025-08-02") for n in (51, 52, 53, 54, 55)],
    ("art-51-2", "2025-08-02", "2025-08-02"),
    ("art-53-2", "2025-08-02", "2025-08-02"),
    ("art-54-6", "2025-08-02", "2025-08-02"),
    ("art-55-1", "2025-08-02", "2025-08-02"),
    ("art-111-3", "2027-08-02", "2027-08-02"),
    ("art-99", "2025-08-02", "2025-08-02"),
    ("art-99-3", "2025-08-02", "2025-08-02"),
    ("art-99-6", "2025-08-02", "2025-08-02"),
    ("art-101", "2026-08-02", "2026-08-02"),
    ("art-101-1", "2026-08-02", "2026-08-02"),
    ("art-113", "2026-08-02", "2026-08-02"),
    ("art-113-a", "2025-02-02", "2025-02-02"),
    ("art-113-b", "2025-08-02", "2025-08-02"),
    ("art-113-c", "2027-08-02", "2028-08-02"),
]


@pytest.mark.parametrize(("locator", "base", "effective"), BASE_AND_EFFECTIVE)
def test_base_and_effective_dates(pack: Pack, locator: str, base: str, effective: str) -> None:
    explanation = pack.explain_date(EU + locator)
    assert explanation.base == D(base)
    assert explanation.effective == D(effective)
    assert pack.effective_date(EU + locator) == D(effective)
    if base != effective:
        assert explanation.changed_by is not None
        assert explanation.changed_by.amendment_id == "digital-omnibus-ai-2026"


def test_entry_into_force_is_the_acts_own_date(pack: Pack) -> None:
    # Article 113's first subparagraph has no official id, so the date sits on the pack, not on a record.
    assert pack.entered_into_force == D("2024-08-01")
    assert "1 August 2024" in pack.record(EU + "art-113").summary


@pytest.mark.parametrize("locator", ["annex-iii-4-a", "art-6-1", "art-9", "annex-i-11", "art-113-c"])
def test_before_adoption_the_base_dates_stand(pack: Pack, locator: str) -> None:
    base = pack.explain_date(EU + locator).base
    assert pack.effective_date(EU + locator, as_of=D("2026-06-28")) == base
    for added in ("art-5-1-ba", "art-5-1-bb", "art-4a"):
        assert pack.effective_date(EU + added, as_of=D("2026-06-28")) is None


# Duties that apply to both high-risk routes: Annex III dates, and the Article 6(1) date for Annex I products.
@pytest.mark.parametrize(
    "locator",
    [
        "art-9",
        "art-10",
        "art-11",
        "art-12",
        "art-13",
        "art-14",
        "art-15",
        "art-16",
        "art-17",
        "art-18",
        "art-19",
        "art-20",
        "art-21",
        "art-22",
        "art-23",
        "art-24",
        "art-25",
        "art-26",
        "art-26-1",
        "art-43",
        "art-47",
        "art-48",
        "art-72",
        "art-73",
        "annex-iv",
        "annex-iv-2-g",
    ],
)
def test_high_risk_duties_apply_on_both_routes(pack: Pack, locator: str) -> None:
    routes = pack.route_dates(EU + locator)
    assert [(route.route, day) for route, day in routes] == [(EU + "art-6-1", D("2028-08-02"))]


@pytest.mark.parametrize("locator", ["art-27", "art-49", "art-86", "art-26-11", "art-6-3"])
def test_annex_iii_only_duties_have_no_annex_i_route(pack: Pack, locator: str) -> None:
    assert pack.route_dates(EU + locator) == []


def test_article_50_grace_period_for_marking(pack: Pack) -> None:
    explanation = pack.explain_date(EU + "art-50-2")
    assert explanation.effective == D("2026-08-02")
    assert explanation.transition_ends == D("2026-12-02")
    assert pack.explain_date(EU + "art-50-1").transition_ends is None
    assert pack.explain_date(EU + "art-50-2", as_of=D("2026-06-01")).transition_ends is None


def test_digital_omnibus_is_modelled_as_adopted_with_its_history(pack: Pack) -> None:
    omnibus = pack.amendment("digital-omnibus-ai-2026")
    assert omnibus.source == "Digital Omnibus on AI, 2026"
    assert omnibus.status is AmendmentStatus.ADOPTED
    assert omnibus.status_date == D("2026-06-29")
    assert [(e.status, e.date) for e in omnibus.history] == [
        (AmendmentStatus.PROPOSED, D("2025-11-19")),
        (AmendmentStatus.AGREED, D("2026-05-07")),
        (AmendmentStatus.ADOPTED, D("2026-06-29")),
    ]
    assert "COM(2025) 836" in omnibus.reference and "2026/1744" in omnibus.reference
    new = pack.record(EU + "art-5-1-ba")
    assert new.added_by == "digital-omnibus-ai-2026" and new in pack.records
    assert {"non-consensual-intimate-imagery-generation", "nudification"} <= set(new.use_case_codes)
    assert "csam-generation" in pack.record(EU + "art-5-1-bb").use_case_codes
    # The OJ number, the point letters and Article 4a rest on reporting: the records say so.
    for added in ("art-5-1-ba", "art-5-1-bb", "art-4a"):
        record = pack.record(EU + added)
        assert record.confidence is Confidence.REPORTED and record.notes.startswith("Reported")
        assert "Confidence: reported." in pack.record_text(EU + added)
    small_mid_caps = {n.citation_id for n in omnibus.changes if n.field == "note"}
    assert {EU + "art-99-6", EU + "art-11-1"} <= small_mid_caps
    assert "small mid-cap" in pack.record_text(EU + "art-99-6")


def test_pack_as_of_and_what_it_reflects(pack: Pack) -> None:
    assert pack.as_of == D("2026-12-07")
    assert "Digital Omnibus" in pack.as_of_note and "12 July 2024" in pack.as_of_note
    assert all(
        "knowledge as of 2026-12-07" in s.text
        for s in pack.to_document().sections
        if s.citation_id.startswith(EU + "art-6")
    )


# Dates written in prose must be among the verified ones, so no unchecked date slips into a summary.
VERIFIED_PROSE_DATES = {
    D("2024-07-12"),  # publication in the Official Journal
    D("2024-08-01"),  # entry into force (Art. 113)
    D("2025-02-02"),  # Chapters I-II (Art. 113(a))
    D("2025-08-02"),  # GPAI, governance, penalties (Art. 113(b)); Art. 111(3) cut-off
    D("2026-02-02"),  # Commission template for the post-market monitoring plan (Art. 72(3))
    D("2026-08-02"),  # general date (Art. 113)
    D("2027-08-02"),  # Art. 6(1) (Art. 113(c)); Art. 111(3) deadline; omnibus: national sandboxes
    D("2025-11-19"),  # omnibus proposal
    D("2026-05-07"),  # omnibus political agreement
    D("2026-06-16"),  # European Parliament approval
    D("2026-06-29"),  # Council adoption
    D("2026-12-02"),  # omnibus: Art. 50(2) grace period end, new Art. 5 prohibition
    D("2026-07-24"),  # omnibus: publication in the Official Journal (reported)
    D("2026-07-27"),  # omnibus: entry into force (reported)
    D("2027-12-02"),  # omnibus: Annex III
    D("2028-08-02"),  # omnibus: Art. 6(1) / Annex I
    # Commission guidance (commission-guidance.yaml), checked in tests/packs/test_new_regimes_facts.py.
    D("2025-02-04"),  # guidelines on prohibited practices
    D("2025-02-06"),  # guidelines on the AI system definition
    D("2025-07-10"),  # GPAI Code of Practice published
    D("2025-07-18"),  # GPAI guidelines
    D("2025-08-01"),  # Commission and AI Board confirm the code's adequacy
}


def test_every_date_in_prose_is_a_verified_date(pack: Pack) -> None:
    found = {(where, d) for where, text in pack_prose(pack) for d in dates_in(text)}
    assert found, "the prose states dates; the scan found none"
    assert sorted((w, d) for w, d in found if d not in VERIFIED_PROSE_DATES) == []


# --- fines -------------------------------------------------------------------------------------------

PENALTIES = [
    ("art-99-3", 35_000_000, 7, PenaltyRule.HIGHER_OF),
    ("art-99-4", 15_000_000, 3, PenaltyRule.HIGHER_OF),
    ("art-99-5", 7_500_000, 1, PenaltyRule.HIGHER_OF),
    ("art-99-6", None, None, PenaltyRule.LOWER_OF),
    ("art-101-1", 15_000_000, 3, PenaltyRule.HIGHER_OF),
]


@pytest.mark.parametrize(("locator", "amount", "percent", "rule"), PENALTIES)
def test_fines(
    pack: Pack, locator: str, amount: int | None, percent: float | None, rule: PenaltyRule
) -> None:
    penalty = pack.record(EU + locator).penalty
    assert penalty is not None
    assert (penalty.max_amount_eur, penalty.max_turnover_percent, penalty.rule) == (amount, percent, rule)


def test_article_99_4_lists_the_articles_it_covers(pack: Pack) -> None:
    text = pack.record(EU + "art-99-4").summary
    for article in (
        "Article 16",
        "Article 22",
        "Article 23",
        "Article 24",
        "Article 26",
        "Article 50",
        "31, 33(1), 33(3), 33(4) and 34",
    ):
        assert article in text


VERIFIED_AMOUNTS = {
    "35,000,000",
    "15,000,000",
    "7,500,000",
    "35 million",
    "15 million",
    "7.5 million",
    "150 million",
    "129 million",
}  # the last two: small mid-cap definition, as reported
VERIFIED_PERCENTS = {"7", "3", "1"}


def test_every_amount_and_percentage_in_prose_is_verified(pack: Pack) -> None:
    amounts, percents = set(), set()
    for _, text in pack_prose(pack):
        amounts |= set(re.findall(r"EUR (\d[\d,.]*\d(?: million)?)", text))
        percents |= set(re.findall(r"(\d+(?:\.\d+)?)%", text))
    assert amounts and percents
    assert amounts <= VERIFIED_AMOUNTS, amounts - VERIFIED_AMOUNTS
    assert percents <= VERIFIED_PERCENTS, percents - VERIFIED_PERCENTS


# --- thresholds and time limits --------------------------------------------------------------------

THRESHOLDS = [
    ("art-51-2", "training-compute", 1e25, "FLOP", Comparison.GREATER),
    ("art-5-1-h", "offence-max-sentence", 4, "years", Comparison.GREATER_OR_EQUAL),
    ("art-14-5", "verifiers", 2, "persons", Comparison.GREATER_OR_EQUAL),
    ("art-9", "minors-age", 18, "years", Comparison.LESS),
]


@pytest.mark.parametrize(("locator", "threshold_id", "value", "unit", "comparison"), THRESHOLDS)
def test_thresholds(
    pack: Pack, locator: str, threshold_id: str, value: float, unit: str, comparison: Comparison
) -> None:
    threshold = next(t for t in pack.record(EU + locator).thresholds if t.id == threshold_id)
    assert (threshold.value, threshold.unit, threshold.comparison) == (value, unit, comparison)


TIME_LIMITS = [
    ("art-5-3", "urgent-authorisation-request", 24, TimeUnit.HOURS),
    ("art-18", "retention", 10, TimeUnit.YEARS),
    ("art-19", "log-retention", 6, TimeUnit.MONTHS),
    ("art-22", "retention", 10, TimeUnit.YEARS),
    ("art-23", "retention", 10, TimeUnit.YEARS),
    ("art-26-6", "log-retention", 6, TimeUnit.MONTHS),
    ("art-26-10", "authorisation-request", 48, TimeUnit.HOURS),
    ("art-47", "retention", 10, TimeUnit.YEARS),
    ("art-52-1", "notification", 2, TimeUnit.WEEKS),
    ("art-52-5", "earliest-request", 6, TimeUnit.MONTHS),
    ("art-54", "retention", 10, TimeUnit.YEARS),
    ("art-73", "general-deadline", 15, TimeUnit.DAYS),
    ("art-73", "widespread-or-critical-infrastructure", 2, TimeUnit.DAYS),
    ("art-73", "death", 10, TimeUnit.DAYS),
    ("art-73-2", "deadline", 15, TimeUnit.DAYS),
    ("art-73-3", "deadline", 2, TimeUnit.DAYS),
    ("art-73-4", "deadline", 10, TimeUnit.DAYS),
]


@pytest.mark.parametrize(("locator", "limit_id", "value", "unit"), TIME_LIMITS)
def test_time_limits(pack: Pack, locator: str, limit_id: str, value: int, unit: TimeUnit) -> None:
    limit = next(t for t in pack.record(EU + locator).time_limits if t.id == limit_id)
    assert (limit.value, limit.unit) == (value, unit)


def test_every_threshold_and_time_limit_is_in_a_table(pack: Pack) -> None:
    listed = {(EU + row[0], row[1]) for row in THRESHOLDS} | {(EU + row[0], row[1]) for row in TIME_LIMITS}
    stated = {(r.citation_id, t.id) for r in pack.records for t in r.thresholds}
    stated |= {(r.citation_id, t.id) for r in pack.records for t in r.time_limits}
    assert stated == listed
    stated_penalties = {r.citation_id for r in pack.records if r.penalty}
    assert stated_penalties == {EU + loc for loc, *_ in PENALTIES}


# --- provisions that must exist ---------------------------------------------------------------------

ANNEX_III = {
    "1": ("biometrics", "abc"),
    "2": ("critical-infrastructure", ""),
    "3": ("education", "abcd"),
    "4": ("employment", "ab"),
    "5": ("essential-services", "abcd"),
    "6": ("law-enforcement", "abcde"),
    "7": ("migration", "abcd"),
    "8": ("justice-democracy", "ab"),
}


@pytest.mark.parametrize("area_number", sorted(ANNEX_III))
def test_every_annex_iii_point_exists_with_its_area(pack: Pack, area_number: str) -> None:
    area, letters = ANNEX_III[area_number]
    assert pack.record(f"{EU}annex-iii-{area_number}").area == area  # the area record itself
    area_id = f"{EU}annex-iii-{area_number}"
    points = [f"{area_id}-{letter}" for letter in letters] or [area_id]
    for citation_id in points:
        record = pack.record(citation_id)
        assert record.area == area and record.use_case_codes, citation_id
        assert record.applies_from == D("2026-08-02")


def test_annex_iii_has_exactly_the_listed_points(pack: Pack) -> None:
    expected = {f"{EU}annex-iii-{n}-{p}" for n, (_, letters) in ANNEX_III.items() for p in letters}
    stated = _annex_iii_points(pack)
    assert stated == expected
    assert len(expected) == 24  # plus point 2, which has no lettered points: 25 use cases in all


CARVE_OUTS = [
    ("annex-iii-1-a", "biometric-verification"),
    ("annex-iii-5-b", "fraud-detection"),
    ("annex-iii-8-b", "campaign-logistics"),
    ("annex-iii-7-d", "travel-document-verification"),
    ("art-5-1-f", "emotion-recognition-medical-or-safety"),
]


@pytest.mark.parametrize(("locator", "code"), CARVE_OUTS)
def test_carve_outs(pack: Pack, locator: str, code: str) -> None:
    record = pack.record(EU + locator)
    assert code in record.excluded_use_case_codes
    assert record.exceptions


@pytest.mark.parametrize(
    ("code", "locator"),
    [
        ("recruitment", "annex-iii-4-a"),
        ("cv-screening", "annex-iii-4-a"),
        ("worker-monitoring", "annex-iii-4-b"),
        ("credit-scoring", "annex-iii-5-b"),
        ("insurance-pricing-life-health", "annex-iii-5-c"),
        ("exam-proctoring", "annex-iii-3-d"),
        ("emotion-recognition", "annex-iii-1-c"),
        ("social-scoring", "art-5-1-c"),
        ("facial-image-scraping", "art-5-1-e"),
        ("emotion-recognition-workplace", "art-5-1-f"),
        ("election-influence", "annex-iii-8-b"),
    ],
)
def test_use_case_codes_find_their_provision(pack: Pack, code: str, locator: str) -> None:
    assert EU + locator in {r.citation_id for r in pack.find(use_case_code=code)}


def test_every_article_5_point_exists_and_binds_the_right_roles(pack: Pack) -> None:
    for letter in "abcdefgh":
        record = pack.record(f"{EU}art-5-1-{letter}")
        owners = {o.owner for o in record.obligations}
        assert record.use_case_codes, letter
        assert owners == ({Role.DEPLOYER} if letter == "h" else {Role.PROVIDER, Role.DEPLOYER}), letter
        assert EU + "art-99-3" in record.related
    for added in ("ba", "bb"):
        record = pack.record(f"{EU}art-5-1-{added}")
        assert record.applies_from == D("2026-12-02") and EU + "art-99-3" in record.related
        assert {o.owner for o in record.obligations} == {Role.PROVIDER, Role.DEPLOYER}
    assert not pack.has_record(EU + "art-5-1-i")  # the pack's earlier guess at the letter


def test_article_6_3_conditions_and_profiling_override(pack: Pack) -> None:
    for letter in "abcd":
        assert pack.has_record(f"{EU}art-6-3-{letter}")
    record = pack.record(EU + "art-6-3")
    assert any("profil" in exception.lower() for exception in record.exceptions)
    assert "profiling" in record.tags
    duties = {o.id: o.owner for o in pack.record(EU + "art-6-4").obligations}
    assert duties == {
        "document-assessment": Role.PROVIDER,
        "register": Role.PROVIDER,
        "provide-on-request": Role.PROVIDER,
    }
    assert EU + "art-49-2" in pack.record(EU + "art-6-4").related


ANNEX_I = [
    ("1", "Directive 2006/42/EC", "section-a"),
    ("2", "Directive 2009/48/EC", "section-a"),
    ("3", "Directive 2013/53/EU", "section-a"),
    ("4", "Directive 2014/33/EU", "section-a"),
    ("5", "Directive 2014/34/EU", "section-a"),
    ("6", "Directive 2014/53/EU", "section-a"),
    ("7", "Directive 2014/68/EU", "section-a"),
    ("8", "Regulation (EU) 2016/424", "section-a"),
    ("9", "Regulation (EU) 2016/425", "section-a"),
    ("10", "Regulation (EU) 2016/426", "section-a"),
    ("11", "Regulation (EU) 2017/745", "section-a"),
    ("12", "Regulation (EU) 2017/746", "section-a"),
    ("13", "Regulation (EC) No 300/2008", "section-b"),
    ("14", "Regulation (EU) No 168/2013", "section-b"),
    ("15", "Regulation (EU) No 167/2013", "section-b"),
    ("16", "Directive 2014/90/EU", "section-b"),
    ("17", "Directive (EU) 2016/797", "section-b"),
    ("18", "Regulation (EU) 2018/858", "section-b"),
    ("19", "Regulation (EU) 2019/2144", "section-b"),
    ("20", "Regulation (EU) 2018/1139", "section-b"),
]


@pytest.mark.parametrize(("point", "act", "section"), ANNEX_I)
def test_annex_i_legislation(pack: Pack, point: str, act: str, section: str) -> None:
    record = pack.record(f"{EU}annex-i-{point}")
    assert (record.legal_act, record.area) == (act, section)


REQUIRED = [
    *[f"art-2-{n}" for n in (1, 2, 3, 4, 6, 7, 8, 10, 11, 12)],
    "art-4",
    "art-6",
    "art-6-1",
    "art-6-2",
    "art-6-3",
    "art-6-4",
    *[f"art-{n}" for n in range(9, 22)],
    "art-43",
    "art-47",
    "art-48",
    "art-49",
    "art-72",
    "art-73",
    *[f"annex-iv-{n}" for n in range(1, 10)],
    *[f"annex-iv-1-{p}" for p in "abcdefgh"],
    *[f"annex-iv-2-{p}" for p in "abcdefgh"],
    "art-25",
    *[f"art-25-{n}" for n in range(1, 5)],
    "art-26",
    *[f"art-26-{n}" for n in range(1, 13)],
    "art-27",
    *[f"art-27-{n}" for n in range(1, 6)],
    *[f"art-50-{n}" for n in range(1, 7)],
    "art-51",
    "art-51-1",
    "art-51-2",
    "art-52",
    "art-53",
    "art-53-1",
    "art-53-2",
    "art-54",
    "art-54-6",
    "art-55",
    "art-55-1",
    "art-86",
    "art-99",
    "art-99-3",
    "art-99-4",
    "art-99-5",
    "art-99-6",
    "art-101",
    "art-113",
    "art-113-a",
    "art-113-b",
    "art-113-c",
]


@pytest.mark.parametrize("locator", REQUIRED)
def test_required_provision_exists(pack: Pack, locator: str) -> None:
    assert pack.has_record(EU + locator)


DEFINITIONS = [
    (1, "AI system"),
    (3, "provider"),
    (4, "deployer"),
    (5, "authorised representative"),
    (6, "importer"),
    (7, "distributor"),
    (8, "operator"),
    (9, "placing on the market"),
    (11, "putting into service"),
    (12, "intended purpose"),
    (13, "reasonably foreseeable misuse"),
    (14, "safety component"),
    (23, "substantial modification"),
    (34, "biometric data"),
    (35, "biometric identification"),
    (36, "biometric verification"),
    (39, "emotion recognition system"),
    (40, "biometric categorisation system"),
    (41, "remote biometric identification system"),
    (42, "real-time remote biometric identification system"),
    (43, "post-remote biometric identification system"),
    (44, "publicly accessible space"),
    (49, "serious incident"),
    (52, "profiling"),
    (56, "AI literacy"),
    (60, "deep fake"),
    (63, "general-purpose AI model"),
    (64, "high-impact capabilities"),
    (65, "systemic risk"),
    (66, "general-purpose AI system"),
    (68, "downstream provider"),
]


@pytest.mark.parametrize(("number", "term"), DEFINITIONS)
def test_definitions(pack: Pack, number: int, term: str) -> None:
    assert pack.record(f"{EU}art-3-{number}").defined_term == term


@pytest.mark.parametrize(
    ("locator", "role"),
    [
        ("art-16", Role.PROVIDER),
        ("art-22", Role.AUTHORISED_REPRESENTATIVE),
        ("art-23", Role.IMPORTER),
        ("art-24", Role.DISTRIBUTOR),
        ("art-25-3", Role.PRODUCT_MANUFACTURER),
        ("art-26-2", Role.DEPLOYER),
        ("art-27-1", Role.DEPLOYER),
        ("art-53-1", Role.GPAI_PROVIDER),
        ("art-55-1", Role.GPAI_PROVIDER_SYSTEMIC_RISK),
        ("art-50-1", Role.PROVIDER),
        ("art-50-4", Role.DEPLOYER),
        ("art-86", Role.DEPLOYER),
        ("art-4", Role.PROVIDER),
        ("art-4", Role.DEPLOYER),
    ],
)
def test_obligation_owners(pack: Pack, locator: str, role: Role) -> None:
    assert role in {o.owner for o in pack.record(EU + locator).obligations}


def test_provider_obligation_articles_bind_providers(pack: Pack) -> None:
    for number in [*range(9, 22), 43, 47, 48, 49, 72, 73]:
        subtree = [
            r
            for r in pack.records
            if r.citation_id == f"{EU}art-{number}" or r.citation_id.startswith(f"{EU}art-{number}-")
        ]
        owners = {o.owner for r in subtree for o in r.obligations}
        assert Role.PROVIDER in owners, number


def test_open_source_carve_outs_exclude_systemic_risk_models(pack: Pack) -> None:
    for locator in ("art-53-2", "art-54-6"):
        record = pack.record(EU + locator)
        assert "open-source" in record.tags
        assert any("systemic risk" in exception for exception in record.exceptions)
    assert len(pack.record(EU + "art-55-1").obligations) == 4


def test_fria_and_explanation_scope(pack: Pack) -> None:
    fria = pack.record(EU + "art-27-1")
    assert {EU + "annex-iii-5-b", EU + "annex-iii-5-c", EU + "annex-iii-2"} <= set(fria.related)
    assert any("point 2" in exception for exception in fria.exceptions)
    assert "other than critical infrastructure, point 2" in pack.record(EU + "art-86").summary


# --- cross-checks against the official text (skipped without ../shared/corpus) -------------------

_NUMBER_WORDS = {2: "two", 4: "four", 6: "six", 10: "ten", 15: "fifteen", 18: "eighteen", 24: "twenty-four"}


def _official(corpus_dir: Path) -> tuple[dict[int, str], dict[str, str]]:
    base = corpus_dir / "eu-ai-act" / "csa"
    raw_articles = json.loads((base / "ai-act-articles.json").read_text())
    articles = {int(a["article"]): a["content"] for a in raw_articles}
    annexes = {a["annex"]: a["content"] for a in json.loads((base / "ai-act-annexes.json").read_text())}
    return articles, annexes


def _article_number(citation_id: str) -> int:
    match = re.match(r"eu-ai-act:art-(\d+)", citation_id)
    assert match, citation_id
    return int(match.group(1))


def test_no_sentence_copied_from_the_official_text(pack: Pack, corpus_dir: Path) -> None:
    """No run of 12 consecutive words is shared with the Regulation (articles, annexes, recitals)."""
    base = corpus_dir / "eu-ai-act" / "csa"
    names = ("ai-act-articles.json", "ai-act-annexes.json", "ai-act-recitals.json")
    official = runs(a["content"] for name in names for a in json.loads((base / name).read_text()))
    assert copied_runs(pack_prose(pack), official) == []


def test_annex_iii_points_match_the_official_annex(pack: Pack, corpus_dir: Path) -> None:
    _, annexes = _official(corpus_dir)
    text = annexes["III"]
    starts = [(m.group(1), m.start()) for m in re.finditer(r"(?<![(\d])([1-8])\. [A-Z]", text)]
    assert [number for number, _ in starts] == [str(n) for n in range(1, 9)]
    official = set()
    for (number, start), end in zip(starts, [s for _, s in starts[1:]] + [len(text)], strict=True):
        letters = re.findall(r"[:;.] \(([a-e])\) ", text[start:end])
        official |= {f"{EU}annex-iii-{number}-{letter}" for letter in letters}
    stated = _annex_iii_points(pack)
    assert stated == official


def test_fines_match_the_official_text(pack: Pack, corpus_dir: Path) -> None:
    articles, _ = _official(corpus_dir)
    for record in pack.records:
        if record.penalty is None or record.penalty.max_amount_eur is None:
            continue
        official = articles[_article_number(record.citation_id)]
        assert f"EUR {record.penalty.max_amount_eur:,}".replace(",", " ") in official, record.citation_id
        assert f"{record.penalty.max_turnover_percent:g} %" in official, record.citation_id


def test_time_limits_and_thresholds_match_the_official_text(pack: Pack, corpus_dir: Path) -> None:
    articles, _ = _official(corpus_dir)
    for record in pack.records:
        stated = [(t.id, float(t.value)) for t in record.time_limits]
        stated += [(t.id, t.value) for t in record.thresholds]
        for item_id, amount in stated:
            official = articles[_article_number(record.citation_id)]
            if amount >= 1e6:  # the compute threshold is printed as 10 with a superscript 25
                assert "10 25" in official, record.citation_id
                continue
            value = int(amount)
            spelled = {str(value), _NUMBER_WORDS.get(value, str(value))}
            found = any(re.search(rf"\b{re.escape(s)}\b", official) for s in spelled)
            assert found, (record.citation_id, item_id)


def test_application_dates_match_article_113(pack: Pack, corpus_dir: Path) -> None:
    articles, _ = _official(corpus_dir)
    for locator in ("art-113", "art-113-a", "art-113-b", "art-113-c"):
        day = pack.record(EU + locator).applies_from
        assert day is not None
        assert f"{day.day} {day.strftime('%B')} {day.year}" in articles[113], locator


def test_annex_i_acts_and_definition_numbers_match(pack: Pack, corpus_dir: Path) -> None:
    articles, annexes = _official(corpus_dir)
    for point, act, _ in ANNEX_I:
        act_number = re.search(r"\d{4}/\d+|\d+/\d{4}", act)
        assert act_number is not None
        assert re.search(rf"\b{point}\. [^;]*{re.escape(act_number.group(0))}", annexes["I"]), point
    for number, term in DEFINITIONS:
        assert re.search(rf"\({number}\) ‘{re.escape(term)}’", articles[3], re.IGNORECASE), (number, term)


def test_every_locator_names_an_existing_article_or_annex(pack: Pack, corpus_dir: Path) -> None:
    articles, annexes = _official(corpus_dir)
    for record in pack.records:
        locator = record.citation_id.removeprefix(EU)
        if locator.startswith(GUIDANCE):  # Commission guidance: not a provision of the Regulation
            continue
        if locator.startswith("art-"):
            assert _article_number(record.citation_id) in articles, locator
        else:
            numeral = re.match(r"annex-([ivx]+)", locator)
            assert numeral and numeral.group(1).upper() in annexes, locator
