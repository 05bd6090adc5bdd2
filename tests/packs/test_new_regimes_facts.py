"""Every date, threshold, amount, period and status the packs added for issue 12 state, table-driven.

Packs: illinois-hra-ai, texas-traiga, california-sb53, california-ccpa-admt, california-ai-transparency,
ny-raise, korea-ai-basic-act, us-federal-ai, uk-ai, and the Commission guidance records of eu-ai-act. The
tables are the facts as checked when the packs were written (see each pack's as_of_note and the records'
notes); the scans make sure no date, amount or period appears in the prose without being in a table, and
that every record says where its instrument stands and whether we read it or only reporting of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache

import pytest
import yaml

from knowledge.packs import (
    DEFAULT_ROOT,
    Comparison,
    Pack,
    PackManifest,
    TimeUnit,
    load_packs,
)
from knowledge.packs.schema import Confidence, RecordStatus
from tests.packs.prose import record_prose

D = date.fromisoformat
NEW_PACKS = (
    "illinois-hra-ai",
    "texas-traiga",
    "california-sb53",
    "california-ccpa-admt",
    "california-ai-transparency",
    "ny-raise",
    "korea-ai-basic-act",
    "us-federal-ai",
    "uk-ai",
)
AS_OF = D("2026-12-07")
GUIDANCE = "eu-ai-act:guidance-"


@cache
def _packs() -> dict[str, Pack]:
    return {pack.regime_id: pack for pack in load_packs()}


def _pack(regime_id: str) -> Pack:
    return _packs()[regime_id]


def _record(citation_id: str):  # type: ignore[no-untyped-def]
    return _pack(citation_id.partition(":")[0]).record(citation_id)


def _records(regime_id: str) -> list:  # type: ignore[type-arg]
    if regime_id == "eu-ai-act":
        return [r for r in _pack(regime_id).records if r.citation_id.startswith(GUIDANCE)]
    return list(_pack(regime_id).records)


def _prose(regime_id: str) -> list[tuple[str, str]]:
    return record_prose(_records(regime_id))


# --- manifests and provenance ---------------------------------------------------------------------------


@pytest.mark.parametrize("regime_id", NEW_PACKS)
def test_manifest(regime_id: str) -> None:
    manifest = PackManifest.model_validate(
        yaml.safe_load((DEFAULT_ROOT / regime_id / "pack.yaml").read_text(encoding="utf-8"))
    )
    assert (manifest.id, manifest.version, manifest.as_of) == (regime_id, "1.0.0", AS_OF)
    assert manifest.jurisdiction and manifest.source_reference.strip()
    assert "official text" in manifest.as_of_note
    pack = _pack(regime_id)
    assert pack.records and all(r.citation_id.startswith(f"{regime_id}:") for r in pack.records)


@pytest.mark.parametrize("regime_id", [*NEW_PACKS, "eu-ai-act"])
def test_every_record_carries_provenance(regime_id: str) -> None:
    records = _records(regime_id)
    assert records
    for record in records:
        assert record.instrument, record.citation_id
        # A fact from reporting names its source; a record that is not plainly in force says why.
        if record.confidence is Confidence.REPORTED:
            assert record.notes.strip(), record.citation_id
        if record.status not in (RecordStatus.IN_FORCE,):
            assert record.status_note.strip(), record.citation_id


@pytest.mark.parametrize("regime_id", [*NEW_PACKS, "eu-ai-act"])
def test_related_ids_resolve_across_packs(regime_id: str) -> None:
    known = {record.citation_id for pack in _packs().values() for record in pack.records}
    dangling = [(r.citation_id, rel) for r in _records(regime_id) for rel in r.related if rel not in known]
    assert dangling == []


@pytest.mark.parametrize("regime_id", NEW_PACKS)
def test_pack_becomes_a_document_stating_the_as_of_date(regime_id: str) -> None:
    pack = _pack(regime_id)
    document = pack.to_document()
    assert len(document.sections) == len(pack.records)
    assert document.as_of == AS_OF


# (citation id, status, confidence): every record of the new packs and every guidance record.
IN, ADOPTED, PROPOSED = RecordStatus.IN_FORCE, RecordStatus.ADOPTED, RecordStatus.PROPOSED
OFF, REP = Confidence.OFFICIAL, Confidence.REPORTED
STATUSES = [
    *[(f"illinois-hra-ai:{s}", IN, OFF) for s in ("2-101-m", "2-102-l-1", "2-102-l-2", "enforcement")],
    *[
        (f"texas-traiga:{s}", IN, OFF)
        for s in ("551-002", "552-051", "552-052", "552-053", "552-054", "552-056", "552-105", "553-051")
    ],
    *[
        (f"california-sb53:{s}", IN, OFF)
        for s in (
            "22757-11",
            "22757-12-a",
            "22757-12-c",
            "22757-12-d",
            "22757-13-c",
            "22757-15",
            "labor-1107",
        )
    ],
    *[(f"california-ccpa-admt:{s}", IN, OFF) for s in ("7001", "7150", "civ-1798-155")],
    *[(f"california-ccpa-admt:{s}", ADOPTED, OFF) for s in ("7200", "7220", "7221", "7222", "7157")],
    *[(f"california-ai-transparency:{s}", IN, OFF) for s in ("22757-1", "22757-2", "22757-3", "22757-4")],
    ("california-ai-transparency:platforms-and-devices", ADOPTED, OFF),
    *[
        (f"ny-raise:{s}", ADOPTED, REP)
        for s in (
            "frontier-developers",
            "safety-protocol",
            "incident-reporting",
            "oversight-and-penalties",
            "history",
        )
    ],
    *[(f"korea-ai-basic-act:art-{n}", IN, REP) for n in (2, 31, 32, 34, 36, 43)],
    *[
        (f"us-federal-ai:{s}", IN, OFF)
        for s in ("eo-14365", "eo-14365-task-force", "eo-14365-agency-actions", "eo-14281")
    ],
    ("uk-ai:no-ai-bill-2026", IN, REP),
    ("uk-ai:principles", IN, OFF),
    (GUIDANCE + "prohibited-practices", IN, OFF),
    (GUIDANCE + "ai-system-definition", IN, OFF),
    (GUIDANCE + "gpai-obligations", IN, OFF),
    (GUIDANCE + "gpai-code-of-practice", IN, OFF),
    (GUIDANCE + "high-risk-classification", PROPOSED, REP),
    (GUIDANCE + "content-labelling-code", IN, REP),
    (GUIDANCE + "harmonised-standards", PROPOSED, REP),
]


@pytest.mark.parametrize(("citation_id", "status", "confidence"), STATUSES)
def test_status_and_confidence(citation_id: str, status: RecordStatus, confidence: Confidence) -> None:
    record = _record(citation_id)
    assert (record.status, record.confidence) == (status, confidence)


def test_every_record_is_in_the_status_table() -> None:
    stated = {r.citation_id for regime in [*NEW_PACKS, "eu-ai-act"] for r in _records(regime)}
    assert stated == {cid for cid, *_ in STATUSES}


def test_adopted_records_start_after_the_as_of_date_and_in_force_ones_before() -> None:
    # "adopted" means adopted and not yet applying: its date is in the future; "in force" applies today.
    for citation_id, status, _ in STATUSES:
        start = _pack(citation_id.partition(":")[0]).effective_date(citation_id)
        if status is ADOPTED:
            assert start is not None and start > AS_OF, citation_id
        elif status is IN and start is not None:
            assert start <= AS_OF, citation_id


# --- dates ----------------------------------------------------------------------------------------------

DATES = [
    *[(f"illinois-hra-ai:{s}", "2026-01-01") for s in ("2-101-m", "2-102-l-1", "2-102-l-2", "enforcement")],
    *[
        (f"texas-traiga:{s}", "2026-01-01")
        for s in ("551-002", "552-051", "552-052", "552-053", "552-054", "552-056", "552-105", "553-051")
    ],
    *[
        (f"california-sb53:{s}", "2026-01-01")
        for s in (
            "22757-11",
            "22757-12-a",
            "22757-12-c",
            "22757-12-d",
            "22757-13-c",
            "22757-15",
            "labor-1107",
        )
    ],
    ("california-ccpa-admt:7001", "2026-01-01"),
    ("california-ccpa-admt:7150", "2026-01-01"),
    ("california-ccpa-admt:civ-1798-155", "2026-01-01"),
    *[(f"california-ccpa-admt:{s}", "2027-01-01") for s in ("7200", "7220", "7221", "7222")],
    ("california-ccpa-admt:7157", "2028-04-01"),
    *[
        (f"california-ai-transparency:{s}", "2026-08-02")
        for s in ("22757-1", "22757-2", "22757-3", "22757-4")
    ],
    ("california-ai-transparency:platforms-and-devices", "2027-01-01"),
    *[
        (f"ny-raise:{s}", "2027-01-01")
        for s in (
            "frontier-developers",
            "safety-protocol",
            "incident-reporting",
            "oversight-and-penalties",
            "history",
        )
    ],
    *[(f"korea-ai-basic-act:art-{n}", "2026-01-22") for n in (2, 31, 32, 34, 36, 43)],
    *[
        (f"us-federal-ai:{s}", "2025-12-11")
        for s in ("eo-14365", "eo-14365-task-force", "eo-14365-agency-actions")
    ],
    ("us-federal-ai:eo-14281", "2025-04-23"),
]


@pytest.mark.parametrize(("citation_id", "day"), DATES)
def test_dates(citation_id: str, day: str) -> None:
    pack = _pack(citation_id.partition(":")[0])
    explanation = pack.explain_date(citation_id)
    assert (explanation.base, explanation.effective) == (D(day), D(day))


def test_every_dated_record_is_in_the_table() -> None:
    stated = {
        (r.citation_id, r.applies_from)
        for regime in NEW_PACKS
        for r in _pack(regime).records
        if r.applies_from
    }
    assert stated == {(cid, D(day)) for cid, day in DATES}
    # Guidance is not law: it has no date it applies from.
    assert all(r.applies_from is None for r in _records("eu-ai-act"))


def test_capture_device_duty_starts_a_year_after_the_platform_duties() -> None:
    pack = _pack("california-ai-transparency")
    cid = "california-ai-transparency:platforms-and-devices"
    assert pack.obligation_effective_date(cid, "capture-device-disclosure") == D("2028-01-01")
    assert pack.obligation_effective_date(cid, "platform-provenance") == D("2027-01-01")


# --- amounts, thresholds and periods --------------------------------------------------------------------

PENALTY_TIERS = [
    ("texas-traiga:552-105", [(10_000, 12_000), (80_000, 200_000), (2_000, 40_000)]),
    ("california-ccpa-admt:civ-1798-155", [(None, 2_500), (None, 7_500)]),
    ("ny-raise:oversight-and-penalties", [(None, 1_000_000), (None, 3_000_000)]),
]
SINGLE_PENALTIES = [
    ("california-sb53:22757-15", 1_000_000, None),
    ("california-ai-transparency:22757-4", 5_000, None),
    ("korea-ai-basic-act:art-43", None, 30_000_000),
]


@pytest.mark.parametrize(("citation_id", "tiers"), PENALTY_TIERS)
def test_penalty_tiers(citation_id: str, tiers: list[tuple[int | None, int]]) -> None:
    stated = [(t.min_amount_usd, t.max_amount_usd) for t in _record(citation_id).penalty_tiers]
    assert stated == tiers


@pytest.mark.parametrize(("citation_id", "usd", "krw"), SINGLE_PENALTIES)
def test_single_penalties(citation_id: str, usd: int | None, krw: int | None) -> None:
    penalty = _record(citation_id).penalty
    assert penalty is not None
    assert (penalty.max_amount_usd, penalty.max_amount_krw, penalty.max_amount_eur) == (usd, krw, None)


def test_every_penalty_is_in_a_table() -> None:
    records = [r for regime in NEW_PACKS for r in _pack(regime).records]
    assert {r.citation_id for r in records if r.penalty_tiers} == {cid for cid, _ in PENALTY_TIERS}
    assert {r.citation_id for r in records if r.penalty} == {cid for cid, *_ in SINGLE_PENALTIES}


def test_penalty_text_in_won_and_dollars() -> None:
    text = _pack("korea-ai-basic-act").record_text("korea-ai-basic-act:art-43")
    assert "Maximum fine: up to KRW 30,000,000 (each fineable breach" in text
    text = _pack("california-sb53").record_text("california-sb53:22757-15")
    assert "Maximum fine: up to USD 1,000,000" in text


GT, GE = Comparison.GREATER, Comparison.GREATER_OR_EQUAL
THRESHOLDS = [
    ("california-sb53:22757-11", "training-compute", 1e26, "FLOP", GT),
    ("california-sb53:22757-11", "annual-revenue", 500_000_000, "USD", GT),
    ("california-sb53:22757-11", "catastrophic-casualties", 50, "persons", GT),
    ("california-sb53:22757-11", "catastrophic-damage", 1_000_000_000, "USD", GT),
    ("ny-raise:frontier-developers", "training-compute", 1e26, "FLOP", GT),
    ("ny-raise:frontier-developers", "annual-revenue", 500_000_000, "USD", GT),
    ("california-ai-transparency:22757-1", "monthly-users", 1_000_000, "monthly visitors or users", GT),
    (
        "california-ai-transparency:platforms-and-devices",
        "platform-users",
        2_000_000,
        "unique monthly users",
        GT,
    ),
    ("korea-ai-basic-act:art-32", "training-compute", 1e26, "FLOP", GE),
    ("korea-ai-basic-act:art-36", "global-revenue", 1_000_000_000_000, "KRW", GE),
    ("korea-ai-basic-act:art-36", "domestic-sales", 10_000_000_000, "KRW", GE),
    ("korea-ai-basic-act:art-36", "daily-users", 1_000_000, "average daily users in Korea", GE),
]
H, DAYS, MONTHS, YEARS = TimeUnit.HOURS, TimeUnit.DAYS, TimeUnit.MONTHS, TimeUnit.YEARS
TIME_LIMITS = [
    ("texas-traiga:552-105", "cure-period", 60, DAYS),
    ("texas-traiga:553-051", "testing-period", 36, MONTHS),
    ("california-sb53:22757-12-a", "review", 1, YEARS),
    ("california-sb53:22757-12-a", "publish-change", 30, DAYS),
    ("california-sb53:22757-12-d", "reporting-interval", 3, MONTHS),
    ("california-sb53:22757-13-c", "incident-report", 15, DAYS),
    ("california-sb53:22757-13-c", "imminent-risk", 24, H),
    ("california-ai-transparency:22757-3", "licence-revocation", 96, H),
    ("ny-raise:incident-reporting", "incident-report", 72, H),
    ("korea-ai-basic-act:art-43", "grace-period", 1, YEARS),
    ("us-federal-ai:eo-14365-task-force", "establish-task-force", 30, DAYS),
    ("us-federal-ai:eo-14365-agency-actions", "commerce-evaluation", 90, DAYS),
]


@pytest.mark.parametrize(("citation_id", "threshold_id", "value", "unit", "comparison"), THRESHOLDS)
def test_thresholds(
    citation_id: str, threshold_id: str, value: float, unit: str, comparison: Comparison
) -> None:
    threshold = next(t for t in _record(citation_id).thresholds if t.id == threshold_id)
    assert (threshold.value, threshold.unit, threshold.comparison) == (value, unit, comparison)


@pytest.mark.parametrize(("citation_id", "limit_id", "value", "unit"), TIME_LIMITS)
def test_time_limits(citation_id: str, limit_id: str, value: int, unit: TimeUnit) -> None:
    limit = next(t for t in _record(citation_id).time_limits if t.id == limit_id)
    assert (limit.value, limit.unit) == (value, unit)


def test_every_threshold_and_time_limit_is_in_a_table() -> None:
    records = [r for regime in NEW_PACKS for r in _pack(regime).records]
    assert {(r.citation_id, t.id) for r in records for t in r.thresholds} == {
        (c, t) for c, t, *_ in THRESHOLDS
    }
    assert {(r.citation_id, t.id) for r in records for t in r.time_limits} == {
        (c, t) for c, t, *_ in TIME_LIMITS
    }


# --- what the prose states --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProseFacts:
    """Every date, amount and period a pack's prose mentions."""

    dates: set[str] = field(default_factory=set)
    amounts: set[str] = field(default_factory=set)
    periods: set[str] = field(default_factory=set)


PROSE_FACTS = {
    "illinois-hra-ai": ProseFacts(),
    "texas-traiga": ProseFacts(
        amounts={"$10,000", "$12,000", "$80,000", "$200,000", "$2,000", "$40,000"},
        periods={"60 day", "36 month"},
    ),
    "california-sb53": ProseFacts(
        amounts={"$500 million", "$1 billion", "$1 million"}, periods={"15 day", "30 day"}
    ),
    "california-ccpa-admt": ProseFacts(
        dates={"1 January 2027", "1 January 2026", "31 December 2027", "1 April 2028"},
        amounts={"$2,500", "$7,500"},
    ),
    "california-ai-transparency": ProseFacts(
        dates={"2 August 2026", "1 January 2026", "1 January 2027", "1 January 2028"},
        amounts={"$5,000"},
        periods={"12 month"},
    ),
    "ny-raise": ProseFacts(
        dates={"19 December 2025", "27 March 2026", "1 January 2027", "June 2025"},
        amounts={"$500 million", "$1 million", "$3 million", "$10 million", "$30 million"},
        periods={"15 day"},
    ),
    "korea-ai-basic-act": ProseFacts(dates={"22 January 2026"}),
    "us-federal-ai": ProseFacts(
        dates={"11 December 2025", "23 April 2025", "January 2026"}, periods={"30 day", "30-day", "90 day"}
    ),
    "uk-ai": ProseFacts(dates={"May 2026", "14 May 2026", "February 2024"}),
    "eu-ai-act": ProseFacts(
        dates={
            "4 February 2025",
            "6 February 2025",
            "18 July 2025",
            "2 August 2025",
            "10 July 2025",
            "1 August 2025",
            "2 February 2026",
            "May 2026",
            "December 2025",
            "June 2026",
        }
    ),
}
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DATE = re.compile(rf"\b(?:\d{{1,2}} )?(?:{_MONTHS}) \d{{4}}\b")
_AMOUNT = re.compile(r"\$\d[\d,]*(?:\.\d+)?(?: million| billion)?")
_PERIOD = re.compile(r"\b(\d+(?: business| calendar)? day|\d+ month|\d+ year|\d+ week|\d+-day)s?\b")


@pytest.mark.parametrize("regime_id", [*NEW_PACKS, "eu-ai-act"])
def test_every_date_amount_and_period_in_the_prose_is_verified(regime_id: str) -> None:
    # Equality both ways: nothing unverified in the prose, and no stale entry in the table.
    found = ProseFacts()
    for _, text in _prose(regime_id):
        found.dates.update(_DATE.findall(text))
        found.amounts.update(a.rstrip(",") for a in _AMOUNT.findall(text))
        found.periods.update(_PERIOD.findall(text))
    verified = PROSE_FACTS[regime_id]
    assert found.dates == verified.dates
    assert found.amounts == verified.amounts
    assert found.periods == verified.periods


# --- what the records say about their regime's current position ----------------------------------------


def test_federal_order_preempts_nothing_by_itself() -> None:
    summary = _record("us-federal-ai:eo-14365").summary
    assert "preempts nothing by itself" in summary and "keep complying" in summary


def test_guidance_is_not_binding_and_the_draft_is_not_final() -> None:
    assert "not binding" in _record(GUIDANCE + "prohibited-practices").summary.lower()
    draft = _record(GUIDANCE + "high-risk-classification")
    assert draft.status is PROPOSED and "not final" in draft.status_note
    assert "none has been" in _record(GUIDANCE + "harmonised-standards").summary


def test_korean_fines_wait_for_a_grace_period() -> None:
    record = _record("korea-ai-basic-act:art-43")
    assert "at least one year" in record.summary and "deferred" in record.status_note
