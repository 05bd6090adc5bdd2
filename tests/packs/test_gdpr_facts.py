"""Every date, fine, deadline and article number the GDPR pack states, table-driven.

Facts were checked against Regulation (EU) 2016/679; the tests at the end cross-check them against the
official text in ../shared/corpus when it is present (and skip otherwise): every pack id exists in the
parse of the official HTML, figures appear in the articles that set them, and no sentence is copied.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import pytest

from knowledge.packs import DEFAULT_ROOT, Pack, PenaltyRule, Role, TimeUnit, load_pack, load_packs
from knowledge.parsing import parse_file
from knowledge.sections import ParsedDocument
from tests.packs.prose import copied_runs, dates_in, pack_prose, runs

D = date.fromisoformat
G = "gdpr:"
APPLIES = D("2018-05-25")
OFFICIAL_HTML = Path("gdpr") / "csa" / "eu-gdpr-act.html"
OFFICIAL_JSON = Path("gdpr") / "csa"


@cache
def _load(regime_id: str) -> Pack:
    return load_pack(DEFAULT_ROOT / regime_id)


def _pack() -> Pack:
    return _load("gdpr")


@pytest.fixture
def pack() -> Pack:
    return _pack()


@cache
def _parse(path: Path) -> ParsedDocument:
    return parse_file(path)


@pytest.fixture
def official(corpus_dir: Path) -> ParsedDocument:
    """The parsed official Regulation: the parser is the source of truth for citation ids."""
    return _parse(corpus_dir / OFFICIAL_HTML)


@pytest.fixture
def articles(corpus_dir: Path) -> dict[int, str]:
    """Official article texts by number."""
    raw = json.loads((corpus_dir / OFFICIAL_JSON / "gdpr-articles.json").read_text())
    return {int(a["article"]): a["content"] for a in raw}


def _prose(pack: Pack) -> list[tuple[str, str]]:
    """Our prose in the pack, its as-of note included."""
    return [("pack.as_of_note", pack.as_of_note), *pack_prose(pack)]


# --- the pack and its dates ---------------------------------------------------------------------------


def test_manifest(pack: Pack) -> None:
    assert (pack.regime_id, pack.version, pack.as_of) == ("gdpr", "1.0.0", D("2026-12-07"))
    assert pack.entered_into_force == D("2016-05-24")
    assert "2016/679" in pack.source_reference and "OJ L 119, 4.5.2016" in pack.source_reference
    assert "4 May 2016" in pack.as_of_note and "25 May 2018" in pack.as_of_note


def test_entry_into_force_is_the_twentieth_day_after_publication(pack: Pack) -> None:
    published = D("2016-05-04")
    assert published + timedelta(days=20) == pack.entered_into_force
    assert "24 May 2016" in pack.record(G + "art-99-1").summary


def test_every_record_applies_from_25_may_2018(pack: Pack) -> None:
    undated = [r.citation_id for r in pack.records if pack.effective_date(r.citation_id) != APPLIES]
    assert undated == []
    # Dates sit on the articles; paragraphs and points inherit them.
    articles = [r for r in pack.records if re.fullmatch(r"gdpr:art-\d+", r.citation_id)]
    assert len(articles) == 16
    assert all(r.applies_from == APPLIES for r in articles)


VERIFIED_PROSE_DATES = {
    D("2016-05-04"),  # publication in the Official Journal (OJ L 119)
    D("2016-05-24"),  # entry into force (Art. 99(1))
    D("2018-05-25"),  # application (Art. 99(2)); repeal of Directive 95/46/EC (Art. 94)
}


def test_every_date_in_prose_is_a_verified_date(pack: Pack) -> None:
    found = {(where, d) for where, text in _prose(pack) for d in dates_in(text)}
    assert {d for _, d in found} == VERIFIED_PROSE_DATES
    assert sorted((w, d) for w, d in found if d not in VERIFIED_PROSE_DATES) == []


# --- fines --------------------------------------------------------------------------------------------

PENALTIES = [
    ("art-83-4", 10_000_000, 2),
    ("art-83-5", 20_000_000, 4),
    ("art-83-6", 20_000_000, 4),
]


@pytest.mark.parametrize(("locator", "amount", "percent"), PENALTIES)
def test_fines(pack: Pack, locator: str, amount: int, percent: float) -> None:
    penalty = pack.record(G + locator).penalty
    assert penalty is not None
    assert (penalty.max_amount_eur, penalty.max_turnover_percent, penalty.rule) == (
        amount,
        percent,
        PenaltyRule.HIGHER_OF,
    )


def test_every_penalty_is_in_the_table(pack: Pack) -> None:
    assert {r.citation_id for r in pack.records if r.penalty} == {G + loc for loc, *_ in PENALTIES}


def test_every_amount_and_percentage_in_prose_is_verified(pack: Pack) -> None:
    amounts, percents = set(), set()
    for _, text in _prose(pack):
        amounts |= set(re.findall(r"EUR (\d[\d,.]*\d(?: million)?)", text))
        percents |= set(re.findall(r"(\d+(?:\.\d+)?)%", text))
    assert amounts == {"10,000,000", "20,000,000"}
    assert percents == {"2", "4"}


@pytest.mark.parametrize(
    ("locator", "tier"),
    [
        ("art-5", "art-83-5-a"),
        ("art-6", "art-83-5-a"),
        ("art-9", "art-83-5-a"),
        ("art-13", "art-83-5-b"),
        ("art-14", "art-83-5-b"),
        ("art-15", "art-83-5-b"),
        ("art-17", "art-83-5-b"),
        ("art-21", "art-83-5-b"),
        ("art-22", "art-83-5-b"),
        ("art-25", "art-83-4-a"),
        ("art-33", "art-83-4-a"),
        ("art-35", "art-83-4-a"),
    ],
)
def test_each_article_points_to_its_fine_tier(pack: Pack, locator: str, tier: str) -> None:
    assert G + tier in pack.record(G + locator).related


def test_fine_tiers_list_the_articles_they_cover(pack: Pack) -> None:
    lower = pack.record(G + "art-83-4").summary
    for article in ("Articles 8, 11, 25 to 39, 42 and 43", "Article 41(4)"):
        assert article in lower
    higher = pack.record(G + "art-83-5").summary
    for article in ("Articles 5, 6, 7 and 9", "Articles 12 to 22", "Articles 44 to 49", "Article 58(2)"):
        assert article in higher


# --- deadlines ----------------------------------------------------------------------------------------

TIME_LIMITS = [
    ("art-33-1", "notification", 72, TimeUnit.HOURS),
    ("art-14-3", "latest-notice", 1, TimeUnit.MONTHS),
    ("art-12-3", "response", 1, TimeUnit.MONTHS),
    ("art-12-3", "extension", 2, TimeUnit.MONTHS),
]


@pytest.mark.parametrize(("locator", "limit_id", "value", "unit"), TIME_LIMITS)
def test_time_limits(pack: Pack, locator: str, limit_id: str, value: int, unit: TimeUnit) -> None:
    limit = next(t for t in pack.record(G + locator).time_limits if t.id == limit_id)
    assert (limit.value, limit.unit) == (value, unit)


def test_every_time_limit_is_in_the_table(pack: Pack) -> None:
    stated = {(r.citation_id, t.id) for r in pack.records for t in r.time_limits}
    assert stated == {(G + loc, limit_id) for loc, limit_id, *_ in TIME_LIMITS}
    assert not any(r.thresholds for r in pack.records)


def test_breach_notification_duties(pack: Pack) -> None:
    controller = pack.record(G + "art-33-1")
    assert {o.owner for o in controller.obligations} == {Role.CONTROLLER}
    assert "72 hours" in controller.summary and "without undue delay" in controller.summary
    processor = pack.record(G + "art-33-2")
    assert [(o.owner, o.id) for o in processor.obligations] == [(Role.PROCESSOR, "notify-controller")]
    assert "without undue delay" in processor.summary and not processor.time_limits


# --- provisions that must exist -------------------------------------------------------------------------

REQUIRED = [
    "art-5",
    *[f"art-5-1-{p}" for p in "abcdef"],
    "art-5-2",
    "art-6",
    *[f"art-6-1-{p}" for p in "abcdef"],
    "art-6-4",
    "art-9",
    "art-9-1",
    "art-9-2",
    *[f"art-9-2-{p}" for p in "abcdefghij"],
    "art-13",
    "art-13-2-f",
    "art-14",
    "art-14-2-g",
    "art-15",
    "art-15-1-h",
    "art-17",
    *[f"art-17-1-{p}" for p in "abcdef"],
    "art-17-3",
    *[f"art-17-3-{p}" for p in "abcde"],
    "art-21",
    "art-22",
    *[f"art-22-{n}" for n in range(1, 5)],
    "art-25",
    "art-33",
    "art-33-1",
    "art-33-2",
    "art-35",
    "art-35-1",
    "art-35-3",
    *[f"art-35-3-{p}" for p in "abc"],
    "art-35-7",
    *[f"art-35-7-{p}" for p in "abcd"],
    "art-83",
    "art-83-4",
    "art-83-5",
    "art-99",
]


@pytest.mark.parametrize("locator", REQUIRED)
def test_required_provision_exists(pack: Pack, locator: str) -> None:
    record = pack.record(G + locator)
    assert record.summary.strip() and record.title.strip()


@pytest.mark.parametrize(
    ("article", "points"),
    [("art-5-1", "abcdef"), ("art-6-1", "abcdef"), ("art-9-2", "abcdefghij"), ("art-17-1", "abcdef"),
     ("art-17-3", "abcde"), ("art-22-2", "abc"), ("art-35-3", "abc"), ("art-35-7", "abcd")],
)  # fmt: skip
def test_lettered_points_are_complete_and_nothing_else(pack: Pack, article: str, points: str) -> None:
    stated = {r.citation_id for r in pack.children(G + article)}
    assert stated == {f"{G}{article}-{p}" for p in points}


def test_automated_decision_information_is_linked_three_ways(pack: Pack) -> None:
    trio = [G + "art-13-2-f", G + "art-14-2-g", G + "art-15-1-h"]
    for citation_id in trio:
        record = pack.record(citation_id)
        assert G + "art-22-1" in record.related
        assert set(trio) - {citation_id} <= set(record.related)
        assert "solely-automated-decision" in record.use_case_codes
        assert {o.owner for o in record.obligations} == {Role.CONTROLLER}
        assert "logic" in record.summary


def test_article_22_safeguards_and_special_categories(pack: Pack) -> None:
    assert len(pack.record(G + "art-22-2").exceptions) == 3
    safeguards = {o.id for o in pack.record(G + "art-22-3").obligations}
    assert safeguards == {"human-intervention", "express-view", "contest"}
    assert {G + "art-9-2-a", G + "art-9-2-g"} <= set(pack.record(G + "art-22-4").related)
    assert "profiling" in pack.record(G + "art-22-1").tags


def test_dpia_triggers_carry_use_case_codes(pack: Pack) -> None:
    assert "profiling-with-significant-effects" in pack.record(G + "art-35-3-a").use_case_codes
    assert "large-scale-special-category-data" in pack.record(G + "art-35-3-b").use_case_codes
    assert "public-area-monitoring" in pack.record(G + "art-35-3-c").use_case_codes
    assert {r.citation_id for r in pack.find(use_case_code="credit-scoring")} == {G + "art-35-3-a"}


def test_obligations_are_carried_by_gdpr_roles(pack: Pack) -> None:
    owners = {o.owner for r in pack.records for o in r.obligations}
    assert owners == {Role.CONTROLLER, Role.PROCESSOR, Role.PUBLIC_AUTHORITY}


def test_compatibility_test_lists_its_five_factors(pack: Pack) -> None:
    record = pack.record(G + "art-6-4")
    for letter in "abcde":
        assert f"({letter})" in record.summary
    assert "encryption or pseudonymisation" in record.summary


# --- article numbers in prose ------------------------------------------------------------------------

# "Article 26(9)" of the AI Act is cited in a GDPR summary: references to other acts are skipped.
_SINGLE_REF = re.compile(r"(?<!AI Act )Article (\d+)((?:\([0-9a-z]+\))*)")
_LIST_REF = re.compile(r"Articles ((?:\d+(?:\(\d+\))?(?:, | and | to | or )?)+)")


def _referenced_ids(text: str) -> set[str]:
    ids = set()
    for number, points in _SINGLE_REF.findall(text):
        suffix = "".join(f"-{p}" for p in re.findall(r"\(([0-9a-z]+)\)", points))
        ids.add(f"{G}art-{number}{suffix}")
    for listed in _LIST_REF.findall(text):
        ids |= {f"{G}art-{n}" for n in re.findall(r"(?<!\()\b(\d+)\b", listed)}
    return ids


def test_article_references_in_prose_are_parsed() -> None:
    # Guard the scanner itself before trusting it on the pack.
    text = "See Article 9(2)(h), Articles 5, 6, 7 and 9 and Articles 25 to 39; AI Act Article 26(9)."
    assert _referenced_ids(text) == {
        G + "art-9-2-h",
        *(f"{G}art-{n}" for n in (5, 6, 7, 9, 25, 39)),
    }


def test_every_article_number_in_prose_is_a_gdpr_article(pack: Pack) -> None:
    referenced = {cid for _, text in _prose(pack) for cid in _referenced_ids(text)}
    assert len(referenced) > 50
    numbers = {int(cid.removeprefix(G + "art-").split("-")[0]) for cid in referenced}
    assert numbers <= set(range(1, 100))


# --- cross-checks against the official text (skipped without ../shared/corpus) ------------------------


def test_every_pack_id_is_an_official_id_with_the_same_locator(pack: Pack, official: ParsedDocument) -> None:
    locators = {section.citation_id: section.locator for section in official.sections}
    assert len(locators) > 900 and G + "art-22-1" in locators
    used = {r.citation_id for r in pack.records}
    used |= {cid for r in pack.records for cid in r.related if cid.startswith(G)}
    assert sorted(used - set(locators)) == []
    differing = [(r.citation_id, r.locator) for r in pack.records if locators[r.citation_id] != r.locator]
    assert differing == []


def test_every_article_reference_in_prose_exists_officially(pack: Pack, official: ParsedDocument) -> None:
    official_ids = {section.citation_id for section in official.sections}
    unknown = sorted(
        (where, cid)
        for where, text in _prose(pack)
        for cid in _referenced_ids(text)
        if cid not in official_ids
    )
    assert unknown == []


def test_figures_match_the_official_articles(pack: Pack, articles: dict[int, str]) -> None:
    for record in pack.records:
        penalty = record.penalty
        if penalty is None or penalty.max_amount_eur is None:
            continue
        paragraph = int(record.citation_id.split("-")[-1])
        text = articles[83].split(f" {paragraph}. ", 1)[1].split(f" {paragraph + 1}. ", 1)[0]
        assert f"{penalty.max_amount_eur:,} EUR".replace(",", " ") in text, record.citation_id
        assert f"{penalty.max_turnover_percent:g} %" in text, record.citation_id
        assert "whichever is higher" in text, record.citation_id
    assert "72 hours" in articles[33] and "without undue delay" in articles[33].split(" 2. ", 1)[1]
    assert "within one month" in articles[12] and "two further months" in articles[12]
    assert "within one month" in articles[14]
    assert "25 May 2018" in articles[99] and "twentieth day" in articles[99]


def test_publication_date_is_the_official_journals(corpus_dir: Path) -> None:
    html = (corpus_dir / OFFICIAL_HTML).read_text(encoding="utf-8")
    assert "L 119/1" in html and "4.5.2016" in html


def test_no_sentence_copied_from_the_official_text(pack: Pack, corpus_dir: Path) -> None:
    """No run of 12 consecutive words is shared with the Regulation (articles and recitals)."""
    base = corpus_dir / OFFICIAL_JSON
    names = ("gdpr-articles.json", "gdpr-recitals.json")
    official = runs(a["content"] for name in names for a in json.loads((base / name).read_text()))
    assert len(official) > 40_000
    assert copied_runs(_prose(pack), official) == []


# --- alongside the other packs ----------------------------------------------------------------------


def test_loads_with_every_other_pack_without_id_clashes() -> None:
    packs = load_packs()
    assert {"eu-ai-act", "gdpr", "nist-ai-rmf", "nist-ai-600-1", "iso-42001"} <= {p.regime_id for p in packs}
    ids = [r.citation_id for p in packs for r in p.records]
    assert len(ids) == len(set(ids))


def test_references_to_other_packs_resolve(pack: Pack) -> None:
    foreign = {cid for r in pack.records for cid in r.related if not cid.startswith(G)}
    assert foreign, "the pack links to the AI Act; the scan found no link"
    unknown = [cid for cid in foreign if not _load(cid.partition(":")[0]).has_record(cid)]
    assert sorted(unknown) == []
