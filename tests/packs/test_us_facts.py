"""Every date, threshold, amount, period and provision number the US packs state, table-driven.

Packs: nyc-ll144, colorado-ai-act, ecoa-reg-b, eeoc-title-vii, us-health-ai. The tables are the facts as
checked when the packs were written (see each pack's as_of_note); the scans make sure no date, dollar
amount, percentage or period appears in the prose without being in a table. The Colorado tests at the end
compare ids, numbers and wording with the official text in ../shared/corpus and skip without it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

import pytest
import yaml

from knowledge.packs import (
    DEFAULT_ROOT,
    AmendmentStatus,
    Comparison,
    Confidence,
    Pack,
    PackManifest,
    PenaltyRule,
    RecordStatus,
    Role,
    TimeUnit,
    load_packs,
)
from knowledge.parsing import parse_file
from knowledge.sections import ParsedDocument
from tests.packs.prose import pack_prose

D = date.fromisoformat
US_PACKS = ("nyc-ll144", "colorado-ai-act", "ecoa-reg-b", "eeoc-title-vii", "us-health-ai")
# The December 2026 update re-dated every pack it reviewed (NYC Local Law 144 too: its law did not change).
AS_OF = {regime: D("2026-12-07") for regime in US_PACKS}


@cache
def _packs() -> dict[str, Pack]:
    return {pack.regime_id: pack for pack in load_packs()}


def _pack(regime_id: str) -> Pack:
    return _packs()[regime_id]


# --- the packs load together, with their manifests ----------------------------------------------------


def test_all_packs_load_together() -> None:
    packs = load_packs()
    ids = [pack.regime_id for pack in packs]
    assert len(ids) == len(set(ids))
    assert set(US_PACKS) <= set(ids)
    assert "eu-ai-act" in ids  # the US packs load next to the others, not instead of them
    every_id = [record.citation_id for pack in packs for record in pack.records]
    assert len(every_id) == len(set(every_id))


@pytest.mark.parametrize("regime_id", US_PACKS)
def test_manifest(regime_id: str) -> None:
    manifest = PackManifest.model_validate(
        yaml.safe_load((DEFAULT_ROOT / regime_id / "pack.yaml").read_text(encoding="utf-8"))
    )
    assert (manifest.id, manifest.version, manifest.as_of) == (regime_id, "1.0.0", AS_OF[regime_id])
    assert manifest.jurisdiction and manifest.jurisdiction.startswith("US")
    assert manifest.as_of_note.strip()
    assert "official text" in manifest.as_of_note
    assert manifest.source_reference.strip()
    pack = _pack(regime_id)
    assert pack.records and all(r.citation_id.startswith(f"{regime_id}:") for r in pack.records)


@pytest.mark.parametrize("regime_id", US_PACKS)
def test_related_ids_resolve_across_packs(regime_id: str) -> None:
    known = {record.citation_id for pack in _packs().values() for record in pack.records}
    dangling = [
        (r.citation_id, rel) for r in _pack(regime_id).records for rel in r.related if rel not in known
    ]
    assert dangling == []


@pytest.mark.parametrize("regime_id", US_PACKS)
def test_pack_becomes_a_document_stating_the_as_of_date(regime_id: str) -> None:
    pack = _pack(regime_id)
    document = pack.to_document()
    assert len(document.sections) == len(pack.records) + len(pack.amendments)
    assert document.as_of == AS_OF[regime_id]
    dated = [r for r in pack.records if pack.effective_date(r.citation_id) is not None]
    for record in dated:
        assert f"knowledge as of {AS_OF[regime_id].isoformat()}" in pack.record_text(record.citation_id)


# --- dates ----------------------------------------------------------------------------------------

CO = "colorado-ai-act:"
# (citation id, date in the base text, effective date after adopted amendments)
DATES = [
    *[(f"nyc-ll144:20-87{n}", "2023-01-01", "2023-01-01") for n in range(5)],
    ("nyc-ll144:20-871-b-1", "2023-01-01", "2023-01-01"),
    *[(f"nyc-ll144:rules-5-30{n}", "2023-07-05", "2023-07-05") for n in range(5)],
    ("nyc-ll144:rules-5-301-d", "2023-07-05", "2023-07-05"),
    *[(CO + section, "2026-02-01", "2026-06-30") for section in ("6-1-1702", "6-1-1703", "6-1-1704")],
    *[
        (CO + locator, "2026-02-01", "2026-06-30")
        for locator in ("6-1-1702-5", "6-1-1703-3", "6-1-1703-4-b", "6-1-1703-6", "6-1-1704-1")
    ],
    # No date of their own: they follow the deployer duties.
    *[(CO + section, "2026-02-01", "2026-06-30") for section in ("6-1-1701", "6-1-1705", "6-1-1706")],
    (CO + "6-1-1701-11", "2026-02-01", "2026-06-30"),
    # Rule-making power: from signature (safety clause), untouched by the amendments.
    (CO + "6-1-1707", "2024-05-17", "2024-05-17"),
    (CO + "6-1-1707-1-f", "2024-05-17", "2024-05-17"),
    # SB 26-189 (adopted 14 May 2026): the re-enacted law from 1 January 2027; AG rules from signature.
    *[
        (CO + locator, "2027-01-01", "2027-01-01")
        for locator in (
            "sb26-189-overview",
            "sb26-189-developer",
            "sb26-189-deployer-notice",
            "sb26-189-adverse-outcome",
            "sb26-189-repealed-duties",
            "sb26-189-enforcement",
        )
    ],
    (CO + "sb26-189-rulemaking", "2026-05-14", "2026-05-14"),
    # CFPB final rule: no effects test under ECOA from 21 July 2026.
    ("ecoa-reg-b:1002-6-a", "2026-07-21", "2026-07-21"),
    ("eeoc-title-vii:2000e-2-k", "1991-11-21", "1991-11-21"),
    ("eeoc-title-vii:eo-14281", "2025-04-23", "2025-04-23"),
    ("us-health-ai:section-1557-decision-support-tools", "2025-05-01", "2025-05-01"),
    ("us-health-ai:onc-hti-1-dsi", "2025-01-01", "2025-01-01"),
]


@pytest.mark.parametrize(("citation_id", "base", "effective"), DATES)
def test_base_and_effective_dates(citation_id: str, base: str, effective: str) -> None:
    pack = _pack(citation_id.partition(":")[0])
    explanation = pack.explain_date(citation_id)
    assert (explanation.base, explanation.effective) == (D(base), D(effective))


def test_every_dated_record_is_in_the_table() -> None:
    stated = {
        (r.citation_id, r.applies_from)
        for regime in US_PACKS
        for r in _pack(regime).records
        if r.applies_from
    }
    listed = {(cid, D(base)) for cid, base, _ in DATES}
    assert stated <= listed


# Colorado SB 24-205 (history): the base text and the 2025 postponement, by as-of date. SB 26-189
# superseded these records before they took effect; their dates stay as history.
COLORADO_BY_AS_OF = [
    ("2025-08-27", "2026-02-01"),  # before SB 25B-004 was signed
    ("2025-08-28", "2026-06-30"),  # SB 25B-004 adopted: 30 June 2026
    ("2026-12-07", "2026-06-30"),  # the pack's as_of: SB 26-189 repeals rather than moves the date
]
# SB 26-189 records by as-of date: none before it was signed on 14 May 2026, 1 January 2027 after.
SB26_189_BY_AS_OF = [("2026-05-13", None), ("2026-05-14", "2027-01-01"), ("2026-12-07", "2027-01-01")]


@pytest.mark.parametrize(("as_of", "expected"), COLORADO_BY_AS_OF)
@pytest.mark.parametrize("locator", ["6-1-1702", "6-1-1703-3", "6-1-1704", "6-1-1706-3"])
def test_colorado_effective_date_by_knowledge_date(locator: str, as_of: str, expected: str) -> None:
    assert _pack("colorado-ai-act").effective_date(CO + locator, D(as_of)) == D(expected)


@pytest.mark.parametrize(("as_of", "expected"), SB26_189_BY_AS_OF)
@pytest.mark.parametrize("locator", ["sb26-189-overview", "sb26-189-deployer-notice", "sb26-189-developer"])
def test_sb26_189_effective_date_by_knowledge_date(locator: str, as_of: str, expected: str | None) -> None:
    day = _pack("colorado-ai-act").effective_date(CO + locator, D(as_of))
    assert day == (D(expected) if expected else None)


def test_sb26_189_is_an_adopted_amendment_that_supersedes_sb24_205() -> None:
    pack = _pack("colorado-ai-act")
    repeal = pack.amendment("sb26-189")
    assert (repeal.status, repeal.status_date) == (AmendmentStatus.ADOPTED, D("2026-05-14"))
    assert [(e.status, e.date) for e in repeal.history] == [
        (AmendmentStatus.PROPOSED, D("2026-05-01")),
        (AmendmentStatus.ADOPTED, D("2026-05-14")),
    ]
    added = {r.citation_id for r in repeal.new_records}
    assert added == {r.citation_id for r in pack.records if r.added_by == "sb26-189"}
    # Every SB 24-205 record is superseded history; every SB 26-189 record states a current rule.
    old = [r for r in pack.records if r.added_by is None]
    assert len(old) > 60
    assert {(r.status, r.instrument) for r in old} == {(RecordStatus.SUPERSEDED, "SB 24-205")}
    assert all("SB 26-189" in r.status_note and "1 January 2027" in r.status_note for r in old)
    assert all(r.is_current and r.instrument == "SB 26-189" for r in pack.records if r.added_by)


def test_colorado_postponement_is_an_adopted_amendment() -> None:
    pack = _pack("colorado-ai-act")
    postponement = pack.amendment("sb25b-004")
    assert (postponement.status, postponement.status_date) == (AmendmentStatus.ADOPTED, D("2025-08-28"))
    assert [(e.status, e.date) for e in postponement.history] == [
        (AmendmentStatus.PROPOSED, D("2025-08-21")),
        (AmendmentStatus.ADOPTED, D("2025-08-28")),
    ]
    assert {c.new_value for c in postponement.changes} == {D("2026-06-30")}
    # The postponement still explains the SB 24-205 date, kept as history; SB 26-189 adds records.
    assert [a.id for a in pack.amendments] == ["sb25b-004", "sb26-189"]
    before = pack.explain_date(CO + "6-1-1703", D("2025-08-27"))
    assert (before.effective, before.changed_by) == (D("2026-02-01"), None)
    now = pack.explain_date(CO + "6-1-1703")
    assert now.effective == D("2026-06-30")
    assert now.changed_by is not None and now.changed_by.amendment_id == "sb25b-004"


# --- amounts --------------------------------------------------------------------------------------

# (citation id, [(floor, ceiling, rule) per tier])
PENALTY_TIERS = [
    ("nyc-ll144:20-872", [(None, 500, PenaltyRule.HIGHER_OF), (500, 1_500, PenaltyRule.HIGHER_OF)]),
    ("ecoa-reg-b:1691e-b", [(None, 10_000, PenaltyRule.HIGHER_OF), (None, 500_000, PenaltyRule.LOWER_OF)]),
    (
        "eeoc-title-vii:1981a-b-3",
        [(None, amount, PenaltyRule.HIGHER_OF) for amount in (50_000, 100_000, 200_000, 300_000)],
    ),
]
SINGLE_PENALTIES = [
    ("colorado-ai-act:6-1-1706-2", None, 20_000),
    ("colorado-ai-act:sb26-189-enforcement", None, 20_000),
]


@pytest.mark.parametrize(("citation_id", "tiers"), PENALTY_TIERS)
def test_penalty_tiers(citation_id: str, tiers: list[tuple[int | None, int, PenaltyRule]]) -> None:
    record = _pack(citation_id.partition(":")[0]).record(citation_id)
    stated = [(t.min_amount_usd, t.max_amount_usd, t.rule) for t in record.penalty_tiers]
    assert stated == tiers
    assert all(t.max_amount_eur is None and t.max_turnover_percent is None for t in record.penalty_tiers)


@pytest.mark.parametrize(("citation_id", "floor", "ceiling"), SINGLE_PENALTIES)
def test_single_penalties(citation_id: str, floor: int | None, ceiling: int) -> None:
    penalty = _pack(citation_id.partition(":")[0]).record(citation_id).penalty
    assert penalty is not None
    assert (penalty.min_amount_usd, penalty.max_amount_usd) == (floor, ceiling)


def test_every_penalty_is_in_a_table() -> None:
    records = [r for regime in US_PACKS for r in _pack(regime).records]
    assert {r.citation_id for r in records if r.penalty_tiers} == {cid for cid, _ in PENALTY_TIERS}
    assert {r.citation_id for r in records if r.penalty} == {cid for cid, *_ in SINGLE_PENALTIES}


def test_penalty_text_shows_dollar_tiers() -> None:
    text = _pack("nyc-ll144").record_text("nyc-ll144:20-872")
    assert "up to USD 500 (a first violation" in text
    assert "USD 500 to USD 1,500 (each subsequent violation)" in text
    # One figure: no 'whichever is higher' to choose between.
    text = _pack("colorado-ai-act").record_text(CO + "6-1-1706-2")
    assert "Maximum fine: up to USD 20,000 (each violation" in text and "whichever" not in text


# --- periods and thresholds -------------------------------------------------------------------------

B, DAYS, MONTHS, YEARS = TimeUnit.BUSINESS_DAYS, TimeUnit.DAYS, TimeUnit.MONTHS, TimeUnit.YEARS
TIME_LIMITS = [
    ("nyc-ll144:20-871-a-1", "audit-age", 1, YEARS),
    ("nyc-ll144:20-871-b-1", "advance-notice", 10, B),
    ("nyc-ll144:20-871-b-2", "advance-notice", 10, B),
    ("nyc-ll144:20-871-b-3", "response", 30, DAYS),
    ("nyc-ll144:rules-5-301-a", "audit-validity", 1, YEARS),
    ("nyc-ll144:rules-5-303", "keep-posted", 6, MONTHS),
    ("nyc-ll144:rules-5-304", "advance-notice", 10, B),
    ("nyc-ll144:rules-5-304", "data-request", 30, DAYS),
    (CO + "6-1-1702-4", "update-after-modification", 90, DAYS),
    (CO + "6-1-1702-5", "disclosure", 90, DAYS),
    (CO + "6-1-1702-7", "production", 90, DAYS),
    (CO + "6-1-1703-3", "after-modification", 90, DAYS),
    (CO + "6-1-1703-3", "reassessment", 1, YEARS),
    (CO + "6-1-1703-3", "retention", 3, YEARS),
    (CO + "6-1-1703-3", "annual-review", 1, YEARS),
    (CO + "6-1-1703-7", "notification", 90, DAYS),
    (CO + "6-1-1703-9", "production", 90, DAYS),
    ("ecoa-reg-b:1691-d", "notification", 30, DAYS),
    ("ecoa-reg-b:1691e-f", "limitation", 5, YEARS),
    ("ecoa-reg-b:1002-9-a-1", "completed-application", 30, DAYS),
    ("ecoa-reg-b:1002-9-a-1", "incomplete-application", 30, DAYS),
    ("ecoa-reg-b:1002-9-a-1", "existing-account", 30, DAYS),
    ("ecoa-reg-b:1002-9-a-1", "counteroffer", 90, DAYS),
    ("ecoa-reg-b:1002-9-a-2", "request-window", 60, DAYS),
    ("ecoa-reg-b:1002-9-a-2", "reasons-after-request", 30, DAYS),
    ("ecoa-reg-b:1002-9-c", "incomplete", 30, DAYS),
    ("ecoa-reg-b:1002-12-b", "consumer-credit", 25, MONTHS),
    ("ecoa-reg-b:1002-12-b", "business-credit", 12, MONTHS),
    ("eeoc-title-vii:2000e-5-e-1", "charge", 180, DAYS),
    ("eeoc-title-vii:2000e-5-e-1", "charge-with-local-agency", 300, DAYS),
    ("us-health-ai:hipaa-security-rule", "documentation-retention", 6, YEARS),
    ("us-health-ai:hipaa-breach-notification", "individual-notice", 60, DAYS),
    ("us-health-ai:hipaa-breach-notification", "small-breach-report", 60, DAYS),
]

LT, LE, GE, GT = Comparison.LESS, Comparison.LESS_OR_EQUAL, Comparison.GREATER_OR_EQUAL, Comparison.GREATER
THRESHOLDS = [
    ("nyc-ll144:rules-5-301-d", "small-category", 2, LT),
    (CO + "6-1-1703-6", "full-time-equivalents", 50, LT),
    ("ecoa-reg-b:1002-6-b-2", "elderly-age", 62, GE),
    ("ecoa-reg-b:1002-9-a-3", "business-revenue", 1_000_000, LE),
    ("eeoc-title-vii:2000e-b", "employees", 15, GE),
    ("eeoc-title-vii:2000e-b", "weeks", 20, GE),
    ("eeoc-title-vii:1607-4-d", "four-fifths", 0.8, LT),
    ("eeoc-title-vii:12111-5", "employees", 15, GE),
    ("us-health-ai:hipaa-de-identification", "zip3-population", 20_000, GT),
    ("us-health-ai:hipaa-de-identification", "age", 89, GT),
    ("us-health-ai:hipaa-breach-notification", "media-notice", 500, GT),
    ("us-health-ai:hipaa-breach-notification", "hhs-immediate", 500, GE),
]


@pytest.mark.parametrize(("citation_id", "limit_id", "value", "unit"), TIME_LIMITS)
def test_time_limits(citation_id: str, limit_id: str, value: int, unit: TimeUnit) -> None:
    record = _pack(citation_id.partition(":")[0]).record(citation_id)
    limit = next(t for t in record.time_limits if t.id == limit_id)
    assert (limit.value, limit.unit) == (value, unit)


@pytest.mark.parametrize(("citation_id", "threshold_id", "value", "comparison"), THRESHOLDS)
def test_thresholds(citation_id: str, threshold_id: str, value: float, comparison: Comparison) -> None:
    record = _pack(citation_id.partition(":")[0]).record(citation_id)
    threshold = next(t for t in record.thresholds if t.id == threshold_id)
    assert (threshold.value, threshold.comparison) == (value, comparison)


def test_four_fifths_is_eighty_percent() -> None:
    threshold = _pack("eeoc-title-vii").record("eeoc-title-vii:1607-4-d").thresholds[0]
    assert threshold.value == pytest.approx(4 / 5)
    assert "rule of thumb" in _pack("eeoc-title-vii").record("eeoc-title-vii:1607-4-d").summary


def test_every_time_limit_and_threshold_is_in_a_table() -> None:
    records = [r for regime in US_PACKS for r in _pack(regime).records]
    stated = {(r.citation_id, t.id) for r in records for t in r.time_limits}
    assert stated == {(cid, limit_id) for cid, limit_id, *_ in TIME_LIMITS}
    stated = {(r.citation_id, t.id) for r in records for t in r.thresholds}
    assert stated == {(cid, threshold_id) for cid, threshold_id, *_ in THRESHOLDS}


# --- what the prose states ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProseFacts:
    """Every date, dollar amount, percentage and period a pack's prose mentions."""

    dates: set[str] = field(default_factory=set)  # "5 July 2023", or "January 2025" without a day
    amounts: set[str] = field(default_factory=set)  # "$1,500", "$1 million"
    percents: set[str] = field(default_factory=set)
    periods: set[str] = field(default_factory=set)  # "10 business day", "90 day", "60-day"


PROSE_FACTS = {
    "nyc-ll144": ProseFacts(
        dates={"1 January 2023", "5 July 2023"},
        amounts={"$500", "$1,500"},
        percents={"2"},
        periods={"10 business day", "30 day", "6 month"},
    ),
    "colorado-ai-act": ProseFacts(
        dates={
            "1 February 2026",
            "30 June 2026",
            "17 May 2024",
            "21 August 2025",
            "28 August 2025",
            # SB 26-189 and the stay: signature, start, DOJ intervention, stay order; source months.
            "14 May 2026",
            "1 January 2027",
            "24 April 2026",
            "27 April 2026",
            "April 2026",
            "May 2026",
            "June 2026",
        },
        amounts={"$20,000"},
        periods={"90 day", "3 year", "14 day"},
    ),
    "ecoa-reg-b": ProseFacts(
        # Circulars; their withdrawal; the 2026 final rule's publication and effective date; sources.
        dates={
            "26 May 2022",
            "19 September 2023",
            "12 May 2025",
            "22 April 2026",
            "21 July 2026",
            "May 2026",
        },
        amounts={"$10,000", "$500,000", "$1 million"},
        percents={"1"},
        periods={"30 day", "90 day", "60 day", "25 month", "12 month", "5 year", "30-day", "90-day"},
    ),
    "eeoc-title-vii": ProseFacts(
        dates={
            "21 November 1991",
            "18 May 2023",
            "12 May 2022",
            "23 April 2025",
            "January 2025",
            # The EEOC memo (reported 19 September 2025) and the DOJ opinion of 9 June 2026.
            "September 2025",
            "19 September 2025",
            "9 June 2026",
            "June 2026",
        },
        amounts={"$50,000", "$100,000", "$200,000", "$300,000"},
        percents={"80"},
        periods={"180 day", "300 day"},
    ),
    "us-health-ai": ProseFacts(
        dates={
            "13 December 2016",
            "2 February 2026",
            "28 September 2022",
            "6 January 2026",
            "29 December 2022",
            "4 December 2024",
            "7 January 2025",
            "1 May 2025",
            "October 2021",
            "January 2025",
            "January 2026",
            # HTI-1: effective 8 February 2024, criterion in the Base EHR from 1 January 2025.
            "8 February 2024",
            "1 January 2025",
            "December 2026",
        },
        periods={"60 calendar day", "60 day", "60-day", "6 year"},
    ),
}
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DATE = re.compile(rf"\b(?:\d{{1,2}} )?(?:{_MONTHS}) \d{{4}}\b")
_AMOUNT = re.compile(r"\$\d[\d,]*(?:\.\d+)?(?: million)?")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)%")
_PERIOD = re.compile(r"\b(\d+(?: business| calendar)? day|\d+ month|\d+ year|\d+ week|\d+-day)s?\b")


def _found(pack: Pack) -> ProseFacts:
    facts = ProseFacts()
    for _, text in pack_prose(pack):
        facts.dates.update(_DATE.findall(text))
        facts.amounts.update(amount.rstrip(",") for amount in _AMOUNT.findall(text))
        facts.percents.update(_PERCENT.findall(text))
        facts.periods.update(_PERIOD.findall(text))
    return facts


@pytest.mark.parametrize("regime_id", US_PACKS)
def test_every_date_amount_and_period_in_the_prose_is_verified(regime_id: str) -> None:
    # Equality both ways: nothing unverified in the prose, and no stale entry in the table.
    found, verified = _found(_pack(regime_id)), PROSE_FACTS[regime_id]
    assert found.dates == verified.dates
    assert found.amounts == verified.amounts
    assert found.percents == verified.percents
    assert found.periods == verified.periods


# --- provision numbers ----------------------------------------------------------------------------------

_LOCATOR = re.compile(
    r"(?:NYC Admin\. Code § |6 RCNY § |§ |15 U\.S\.C\. § |12 CFR § |42 U\.S\.C\. § |29 CFR § )"
    r"(?P<section>[0-9][0-9a-z.-]*)(?P<subs>(?:\([0-9A-Za-z]+\))*)"
)


def _locator_slug(regime_id: str, locator: str) -> str | None:
    """The id a numbered locator implies: '§ 6-1-1703(4)(b)' -> '6-1-1703-4-b'; None if unnumbered."""
    match = _LOCATOR.match(locator)
    if match is None:
        return None
    parts = [match["section"].replace(".", "-")]
    parts += [p.lower() for p in re.findall(r"\(([0-9A-Za-z]+)\)", match["subs"])]
    prefix = "rules-" if locator.startswith("6 RCNY") else ""
    return f"{regime_id}:{prefix}{'-'.join(parts)}"


@pytest.mark.parametrize("regime_id", ["nyc-ll144", "colorado-ai-act", "ecoa-reg-b", "eeoc-title-vii"])
def test_ids_follow_the_numbering_in_the_locator(regime_id: str) -> None:
    checked, mismatched = 0, []
    for record in _pack(regime_id).records:
        slug = _locator_slug(regime_id, record.locator)
        if slug is None:
            continue  # guidance and orders: named, not numbered
        checked += 1
        # An unnumbered definition adds its term: '§ 20-870, "bias audit"' -> 20-870-bias-audit.
        term = ", " in record.locator
        if not (record.citation_id == slug or (term and record.citation_id.startswith(slug + "-"))):
            mismatched.append((record.citation_id, record.locator))
    assert checked >= 15
    assert mismatched == []


REQUIRED = [
    # NYC: every Code section, the subdivisions of 20-871, every rule section and 5-301's subdivisions.
    *[f"nyc-ll144:20-87{n}" for n in range(5)],
    *[f"nyc-ll144:20-871-{s}" for s in ("a", "a-1", "a-2", "b", "b-1", "b-2", "b-3")],
    *[f"nyc-ll144:rules-5-30{n}" for n in range(5)],
    *[f"nyc-ll144:rules-5-301-{s}" for s in "abcd"],
    "nyc-ll144:20-870-automated-employment-decision-tool",
    "nyc-ll144:rules-5-300-impact-ratio",
    # Colorado: every section, the definitions and the duties paragraph by paragraph.
    *[f"{CO}6-1-170{n}" for n in range(1, 8)],
    *[f"{CO}6-1-1701-{n}" for n in range(1, 12)],
    *[f"{CO}6-1-1702-{n}" for n in range(1, 8)],
    *[f"{CO}6-1-1703-{n}" for n in range(1, 10)],
    *[f"{CO}6-1-1703-4-{p}" for p in "abc"],
    *[f"{CO}6-1-1706-{n}" for n in range(1, 7)],
    # Colorado SB 26-189, the law from 1 January 2027.
    *[
        f"{CO}sb26-189{s}"
        for s in (
            "-overview",
            "-admt",
            "-consequential-decision",
            "-developer",
            "-deployer-notice",
            "-adverse-outcome",
            "-repealed-duties",
            "-enforcement",
            "-rulemaking",
        )
    ],
    # ECOA / Regulation B.
    *[
        f"ecoa-reg-b:{s}"
        for s in ("1691-a", "1691-d", "1691e-b", "1002-2-z", "1002-9", "1002-9-a-1", "1002-9-a-2")
    ],
    *[
        f"ecoa-reg-b:{s}"
        for s in ("1002-9-b-2", "1002-12-b", "cfpb-circular-2022-03", "cfpb-circular-2023-03", "1002-6-a")
    ],
    # Title VII, the Uniform Guidelines, the ADA and EEOC guidance.
    *[f"eeoc-title-vii:{s}" for s in ("2000e-2-k", "2000e-2-k-1-a", "2000e-2-l", "1607-4-d", "1607-3")],
    *[f"eeoc-title-vii:{s}" for s in ("ta-2023-ai-selection", "ta-2023-ai-selection-vendors", "12112-b-6")],
    *[f"eeoc-title-vii:{s}" for s in ("eo-14281", "eeoc-memo-2025-09", "doj-opinion-2026-ugesp")],
    # Health notes.
    *[
        f"us-health-ai:{s}"
        for s in (
            "hipaa-covered-entities",
            "hipaa-baa",
            "hipaa-minimum-necessary",
            "hipaa-de-identification",
            "fda-device-software",
            "fda-cds-criteria",
            "fda-pccp",
            "fda-ai-dsf-guidance",
            "onc-hti-1-dsi",
        )
    ],
]


@pytest.mark.parametrize("citation_id", REQUIRED)
def test_required_record_exists(citation_id: str) -> None:
    assert _pack(citation_id.partition(":")[0]).has_record(citation_id)


DEFINED_TERMS = [
    ("nyc-ll144:20-870-automated-employment-decision-tool", "automated employment decision tool"),
    ("nyc-ll144:20-870-bias-audit", "bias audit"),
    ("nyc-ll144:rules-5-300-impact-ratio", "impact ratio"),
    ("nyc-ll144:rules-5-300-selection-rate", "selection rate"),
    ("nyc-ll144:rules-5-300-scoring-rate", "scoring rate"),
    (CO + "6-1-1701-1", "algorithmic discrimination"),
    (CO + "6-1-1701-3", "consequential decision"),
    (CO + "6-1-1701-6", "deployer"),
    (CO + "6-1-1701-7", "developer"),
    (CO + "6-1-1701-9", "high-risk artificial intelligence system"),
    (CO + "6-1-1701-11", "substantial factor"),
    (CO + "sb26-189-admt", "covered automated decision-making technology"),
    (CO + "sb26-189-consequential-decision", "consequential decision"),
    ("ecoa-reg-b:1002-2-z", "prohibited basis"),
]


@pytest.mark.parametrize(("citation_id", "term"), DEFINED_TERMS)
def test_defined_terms(citation_id: str, term: str) -> None:
    assert _pack(citation_id.partition(":")[0]).record(citation_id).defined_term == term


OWNERS = [
    ("nyc-ll144:20-871-a-1", Role.EMPLOYER),
    ("nyc-ll144:20-871-b-1", Role.EMPLOYMENT_AGENCY),
    (CO + "6-1-1702-2", Role.DEVELOPER),
    (CO + "6-1-1702-5", Role.DEVELOPER),
    (CO + "6-1-1703-2", Role.DEPLOYER),
    (CO + "6-1-1703-3", Role.DEPLOYER),
    (CO + "6-1-1703-4-b", Role.DEPLOYER),
    (CO + "6-1-1703-7", Role.DEPLOYER),
    (CO + "6-1-1704-1", Role.DEPLOYER),
    (CO + "sb26-189-developer", Role.DEVELOPER),
    (CO + "sb26-189-deployer-notice", Role.DEPLOYER),
    (CO + "sb26-189-adverse-outcome", Role.DEPLOYER),
    (CO + "sb26-189-rulemaking", Role.PUBLIC_AUTHORITY),
    ("us-health-ai:onc-hti-1-dsi", Role.DEVELOPER),
    ("ecoa-reg-b:1002-9-b-2", Role.CREDITOR),
    ("ecoa-reg-b:cfpb-circular-2022-03", Role.CREDITOR),
    ("eeoc-title-vii:2000e-2-k", Role.EMPLOYER),
    ("eeoc-title-vii:ta-2023-ai-selection-vendors", Role.EMPLOYER),
    ("us-health-ai:hipaa-baa", Role.COVERED_ENTITY),
    ("us-health-ai:hipaa-baa", Role.BUSINESS_ASSOCIATE),
    ("us-health-ai:fda-pccp", Role.PRODUCT_MANUFACTURER),
]


@pytest.mark.parametrize(("citation_id", "role"), OWNERS)
def test_obligation_owners(citation_id: str, role: Role) -> None:
    record = _pack(citation_id.partition(":")[0]).record(citation_id)
    assert role in {o.owner for o in record.obligations}


@pytest.mark.parametrize(
    ("regime_id", "code", "citation_id"),
    [
        ("nyc-ll144", "cv-screening", "nyc-ll144:20-870-automated-employment-decision-tool"),
        ("colorado-ai-act", "recruitment", CO + "sb26-189-admt"),
        ("colorado-ai-act", "credit-scoring", CO + "sb26-189-consequential-decision"),
        ("ecoa-reg-b", "credit-scoring", "ecoa-reg-b:1691-a"),
        ("eeoc-title-vii", "candidate-ranking", "eeoc-title-vii:2000e-2-k"),
        ("us-health-ai", "clinical-decision-support", "us-health-ai:section-1557-decision-support-tools"),
    ],
)
def test_use_case_codes_find_their_provision(regime_id: str, code: str, citation_id: str) -> None:
    assert citation_id in {r.citation_id for r in _pack(regime_id).find(use_case_code=code)}


UNCERTAIN = [
    # Facts we could not fully verify carry a caveat that answers show.
    CO + "6-1-1701-11",
    CO + "6-1-1706-2",
    "nyc-ll144:rules-5-303",
    "ecoa-reg-b:cfpb-circular-2023-03",
    "ecoa-reg-b:1002-12-b",
    "eeoc-title-vii:ta-2023-ai-selection",
    "us-health-ai:fda-ai-dsf-guidance",
    "us-health-ai:hipaa-security-rule",
    CO + "sb26-189-enforcement",
    "ecoa-reg-b:1002-6-a",
    "eeoc-title-vii:eeoc-memo-2025-09",
    "eeoc-title-vii:doj-opinion-2026-ugesp",
]


@pytest.mark.parametrize("citation_id", UNCERTAIN)
def test_uncertain_facts_carry_a_caveat(citation_id: str) -> None:
    pack = _pack(citation_id.partition(":")[0])
    assert pack.record(citation_id).notes.strip()
    assert "Caveat: " in pack.record_text(citation_id)


def test_withdrawn_guidance_is_marked_as_such() -> None:
    circular = _pack("ecoa-reg-b").record("ecoa-reg-b:cfpb-circular-2022-03")
    assert "withdrawn-guidance" in circular.tags and "12 May 2025" in circular.summary
    assert circular.status is RecordStatus.WITHDRAWN and "12 May 2025" in circular.status_note
    assistance = _pack("eeoc-title-vii").record("eeoc-title-vii:ta-2023-ai-selection")
    assert "withdrawn-guidance" in assistance.tags and "January 2025" in assistance.summary
    assert assistance.status is RecordStatus.WITHDRAWN and "January 2025" in assistance.status_note


W, S, P, ST, IF, AD = (
    RecordStatus.WITHDRAWN,
    RecordStatus.SUPERSEDED,
    RecordStatus.PROPOSED,
    RecordStatus.STAYED,
    RecordStatus.IN_FORCE,
    RecordStatus.ADOPTED,
)
OFF, REP = Confidence.OFFICIAL, Confidence.REPORTED
# Every record whose status or confidence this update set: (citation id, status, confidence, a phrase
# its status note must hold, or "" when it has none).
STATUSES = [
    (CO + "6-1-1703-3", S, OFF, "repeals and re-enacts"),
    (CO + "6-1-1702-2", S, OFF, "1 January 2027"),
    (CO + "sb26-189-overview", AD, OFF, "X.AI LLC v. Weiser"),
    (CO + "sb26-189-admt", AD, REP, "1:26-cv-01515"),
    (CO + "sb26-189-consequential-decision", AD, REP, "27 April 2026"),
    (CO + "sb26-189-developer", AD, REP, "no ruling on the merits"),
    (CO + "sb26-189-deployer-notice", AD, OFF, "stayed"),
    (CO + "sb26-189-adverse-outcome", AD, OFF, "stayed"),
    (CO + "sb26-189-repealed-duties", AD, OFF, "stayed"),
    (CO + "sb26-189-enforcement", ST, REP, "14 days after a ruling"),
    (CO + "sb26-189-rulemaking", IF, OFF, ""),
    ("ecoa-reg-b:1002-6-a", IF, REP, ""),
    ("ecoa-reg-b:cfpb-circular-2022-03", W, OFF, "12 May 2025"),
    ("ecoa-reg-b:cfpb-circular-2023-03", IF, OFF, "Status not verified"),
    ("eeoc-title-vii:ta-2023-ai-selection", W, OFF, "January 2025"),
    ("eeoc-title-vii:ta-2023-ai-selection-vendors", W, OFF, "January 2025"),
    ("eeoc-title-vii:ta-2023-ai-selection-four-fifths", W, OFF, "January 2025"),
    ("eeoc-title-vii:ta-2022-ada-ai", IF, OFF, "Status not verified"),
    ("eeoc-title-vii:2000e-2-k", IF, OFF, ""),
    ("eeoc-title-vii:eeoc-memo-2025-09", IF, REP, ""),
    ("eeoc-title-vii:doj-opinion-2026-ugesp", IF, REP, ""),
    *[
        (f"eeoc-title-vii:{s}", IF, OFF, "not been rescinded")
        for s in ("1607-3", "1607-4", "1607-4-d", "1607-5")
    ],
    ("us-health-ai:section-1557-decision-support-tools", IF, OFF, "since 1 May 2025"),
    ("us-health-ai:onc-hti-1-dsi", IF, OFF, "HTI-5"),
    ("us-health-ai:fda-ai-dsf-guidance", P, OFF, "Still a draft"),
    ("us-health-ai:fda-pccp", IF, OFF, "final since 4 December 2024"),
]


@pytest.mark.parametrize(("citation_id", "status", "confidence", "note"), STATUSES)
def test_record_status_and_confidence(
    citation_id: str, status: RecordStatus, confidence: Confidence, note: str
) -> None:
    pack = _pack(citation_id.partition(":")[0])
    record = pack.record(citation_id)
    assert (record.status, record.confidence) == (status, confidence)
    assert note in record.status_note if note else not record.status_note
    text = pack.record_text(citation_id)
    if status is not IF or note:
        assert f"Status: {status.value}." in text
    assert ("Confidence: reported." in text) == (confidence is REP)


def test_every_non_default_status_or_confidence_is_in_the_table() -> None:
    listed = {cid for cid, *_ in STATUSES}
    marked = {
        r.citation_id
        for regime in US_PACKS
        for r in _pack(regime).records
        if (r.status is not IF or r.confidence is not OFF or r.status_note)
        and not (r.regime_id == "colorado-ai-act" and r.added_by is None)  # all superseded, tested above
    }
    assert marked <= listed


def test_no_effects_test_duty_in_ecoa_obligations() -> None:
    # The 2026 final rule: ECOA obligations speak of treatment and intentional proxies, not effects.
    pack = _pack("ecoa-reg-b")
    duties = [o.text.lower() for r in pack.records if r.is_current for o in r.obligations]
    assert duties and not [d for d in duties if "disparate effect" in d or "effects test" in d]
    rule = pack.record("ecoa-reg-b:1002-6-a")
    assert "does not authorise disparate-impact" in rule.summary and "specific" in rule.summary


# --- Colorado against the official text (skipped without ../shared/corpus) --------------------------

COLORADO_JSON = Path("colorado-sb24-205") / "csa" / "ai-act-sections.json"
_CO_ID = re.compile(r"(?<![a-z0-9-])colorado-ai-act:[a-z0-9]+(?:-[a-z0-9]+)*")
# Pack ids with no counterpart in the parse of the official text. Keep this short.
COLORADO_PACK_ONLY = {
    CO + "6-1-1701-11",  # the bill copy reads the marker "(11)" as "(1 1 )", so the parser misses it
    CO + "amendment-sb25b-004",  # the section Pack.to_document adds for the amendment: ours
    CO + "amendment-sb26-189",
}
# SB 26-189 re-enacts Part 17 in a text our corpus does not hold: its records use named ids under this
# prefix, which must never collide with an id of the 2024 text.
SB26_189 = CO + "sb26-189"


@cache
def _official_colorado(path: Path) -> ParsedDocument:
    return parse_file(path)


@pytest.fixture
def colorado_official(corpus_dir: Path) -> ParsedDocument:
    """The parsed official text of SB 24-205 (the parser is the source of truth for ids)."""
    return _official_colorado(corpus_dir / COLORADO_JSON)


def _colorado_ids_used() -> set[str]:
    """Every colorado-ai-act id the pack uses: records, references, amendment targets, document sections."""
    pack = _pack("colorado-ai-act")
    dumped = json.dumps(
        [r.model_dump(mode="json") for r in pack.records]
        + [a.model_dump(mode="json") for a in pack.amendments]
    )
    used = set(_CO_ID.findall(dumped))
    used |= {section.citation_id for section in pack.to_document().sections}
    return used


def test_colorado_ids_are_official_ids(colorado_official: ParsedDocument) -> None:
    official = {section.citation_id for section in colorado_official.sections}
    assert len(official) > 90 and CO + "6-1-1703-4-b" in official
    used = _colorado_ids_used()
    assert len(used) > 60
    new = {cid for cid in used if cid == SB26_189 or cid.startswith(SB26_189 + "-")}
    assert len(new) == 9 and sorted(new & official) == []
    assert sorted(used - official - COLORADO_PACK_ONLY - new) == []
    # A stale allow-list entry would hide a future mismatch.
    assert sorted(COLORADO_PACK_ONLY - used) == []
    assert sorted(COLORADO_PACK_ONLY & official) == []


def test_colorado_shared_ids_name_the_same_provision(colorado_official: ParsedDocument) -> None:
    locators = {section.citation_id: section.locator for section in colorado_official.sections}
    records = [r for r in _pack("colorado-ai-act").records if r.citation_id in locators]
    assert len(records) > 55
    assert [(r.citation_id, r.locator) for r in records if r.locator != locators[r.citation_id]] == []


def _official_sections(corpus_dir: Path) -> dict[str, str]:
    raw = json.loads((corpus_dir / COLORADO_JSON).read_text(encoding="utf-8"))
    return {item["section"]: " ".join(str(item["content"]).split()).lower() for item in raw}


_SPELLED = {90: "ninety days", 3: "three years", 50: "fifty full-time equivalent", 1: "annually"}


def test_colorado_numbers_match_the_official_text(corpus_dir: Path) -> None:
    sections = _official_sections(corpus_dir)
    pack = _pack("colorado-ai-act")
    checked = 0
    for record in pack.records:
        if record.added_by == "sb26-189":
            continue  # SB 26-189: not the 2024 text
        section = record.citation_id.removeprefix(CO)[:8]
        numbers = [t.value for t in record.time_limits] + [int(t.value) for t in record.thresholds]
        for number in numbers:
            assert _SPELLED[number] in sections[section], (record.citation_id, number)
            checked += 1
        base = record.applies_from
        if base is not None and section != "6-1-1707":
            assert base.strftime("%B %-d, %Y").lower() in sections[section], record.citation_id
            checked += 1
    assert checked >= 13  # 10 periods and thresholds, 3 base dates


def test_colorado_exemption_and_defence_facts_match_the_official_text(corpus_dir: Path) -> None:
    sections = _official_sections(corpus_dir)
    assert "fewer than fifty full-time equivalent employees" in sections["6-1-1703"]
    assert "iso/iec 42001" in sections["6-1-1706"] and "risk management framework" in sections["6-1-1706"]
    assert "6-1-105 (1)(hhhh)" in sections["6-1-1706"]
    assert "private right of action" in sections["6-1-1706"]


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def test_no_sentence_copied_from_the_colorado_act(corpus_dir: Path) -> None:
    """No run of 12 consecutive words is shared with the official text of SB 24-205."""
    size = 12
    official = [_words(text) for text in _official_sections(corpus_dir).values()]
    grams = {tuple(words[i : i + size]) for words in official for i in range(len(words) - size + 1)}
    copied = []
    for where, text in pack_prose(_pack("colorado-ai-act")):
        words = _words(text)
        copied += [
            (where, " ".join(words[i : i + size]))
            for i in range(len(words) - size + 1)
            if tuple(words[i : i + size]) in grams
        ]
    assert copied == []
