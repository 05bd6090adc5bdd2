"""The NIST packs, table-driven: AI RMF 1.0 (4 functions, 19 categories, 72 subcategories, 7 trustworthy
characteristics) and AI 600-1 (12 generative AI risks).

Counts, numbering and names carry over from the publications and are checked here; the tests at the end
cross-check them against the official texts in ../shared/corpus when present (and skip otherwise): the
official-text parser gives exactly the pack's framework ids, the profile's risk list and mappings match,
and no sentence is copied.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from knowledge.packs import DEFAULT_ROOT, Confidence, Pack, PackRecord, RecordStatus, load_pack
from knowledge.parsing import parse_file
from knowledge.sections import ParsedDocument, SectionLevel
from tests.packs.prose import copied_runs, pack_prose, runs

RMF = "nist-ai-rmf:"
GAI = "nist-ai-600-1:"
SUBCATEGORIES_JSON = Path("nist-ai-rmf") / "csa" / "ai-rmf-1.0-subcategories.json"
PROFILE_MD = Path("nist-ai-600-1") / "csa" / "ai-600-1-1.0.md"
ACTIONS_JSON = Path("nist-ai-600-1") / "csa" / "ai-600-1-1.0-actions.json"
_FRAMEWORK_ID = re.compile(r"nist-ai-rmf:(govern|map|measure|manage)(?:-\d+){0,2}")


@cache
def _load(regime_id: str) -> Pack:
    return load_pack(DEFAULT_ROOT / regime_id)


@pytest.fixture
def rmf() -> Pack:
    return _load("nist-ai-rmf")


@pytest.fixture
def profile() -> Pack:
    return _load("nist-ai-600-1")


@cache
def _parse(path: Path) -> ParsedDocument:
    return parse_file(path)


def _prose(pack: Pack) -> list[tuple[str, str]]:
    """Our prose in the pack, its as-of note included."""
    return [("pack.as_of_note", pack.as_of_note), *pack_prose(pack)]


def _copied_runs(pack: Pack, sources: list[str]) -> list[tuple[str, str]]:
    """Runs of 12 consecutive words that the pack's prose shares with any of `sources`."""
    source_runs = runs(sources)
    assert len(source_runs) > 5_000
    return copied_runs(_prose(pack), source_runs)


def _framework_records(pack: Pack) -> list[PackRecord]:
    return [r for r in pack.records if _FRAMEWORK_ID.fullmatch(r.citation_id)]


# === AI RMF 1.0 ===========================================================================================

# Subcategories per category, in order: GOVERN 1 has 7, GOVERN 2 has 3, ...
STRUCTURE = {
    "govern": [7, 3, 2, 3, 2, 2],
    "map": [6, 3, 5, 2, 2],
    "measure": [3, 13, 3, 3],
    "manage": [4, 4, 2, 3],
}
# (function, categories, subcategories), as the framework states them.
FUNCTION_COUNTS = [("govern", 6, 19), ("map", 5, 18), ("measure", 4, 22), ("manage", 4, 13)]


def test_rmf_manifest(rmf: Pack) -> None:
    assert (rmf.regime_id, rmf.version, rmf.as_of.isoformat()) == ("nist-ai-rmf", "1.0.0", "2026-12-07")
    assert "January 2023" in rmf.as_of_note and "January 2023" in rmf.source_reference
    assert "NIST AI 100-1" in rmf.source_reference


# Where AI RMF 1.0 and its companion publications stand: (id suffix, status, confidence).
PUBLICATIONS = [
    ("ai-100-2", RecordStatus.IN_FORCE, Confidence.OFFICIAL),  # NIST AI 100-2 E2025, final
    ("cosais", RecordStatus.PROPOSED, Confidence.REPORTED),  # control overlays, draft
    ("ir-8596", RecordStatus.PROPOSED, Confidence.REPORTED),  # Cyber AI Profile, draft
]


@pytest.mark.parametrize(("suffix", "status", "confidence"), PUBLICATIONS)
def test_publication_status(rmf: Pack, suffix: str, status: RecordStatus, confidence: Confidence) -> None:
    record = rmf.record(f"{RMF}publications-{suffix}")
    assert (record.status, record.confidence) == (status, confidence)
    if status is RecordStatus.PROPOSED:
        assert "Draft" in record.status_note and "Status: proposed." in rmf.record_text(record.citation_id)


def test_ai_rmf_1_0_is_the_current_version(rmf: Pack) -> None:
    record = rmf.record(RMF + "publications")
    assert record.status is RecordStatus.IN_FORCE and "AI RMF 1.0" in record.summary
    assert "still the current version" in record.summary and "revision" in record.summary
    # A status worth telling, so "Is AI RMF 1.0 still the current version?" is answered from it.
    assert "still the current version in December 2026" in record.status_note


def test_voluntary_framework_has_no_application_dates(rmf: Pack) -> None:
    assert rmf.entered_into_force is None
    assert [r.citation_id for r in rmf.records if r.applies_from is not None] == []
    assert all(rmf.effective_date(r.citation_id) is None for r in rmf.records)
    assert not any(r.obligations or r.penalty or r.time_limits for r in rmf.records)


def test_four_functions_nineteen_categories_seventy_two_subcategories(rmf: Pack) -> None:
    depth = Counter(r.citation_id.count("-") for r in _framework_records(rmf))
    # Ids hold one hyphen per level below the function ("nist-ai-rmf:" itself holds two).
    assert (depth[2], depth[3], depth[4]) == (4, 19, 72)
    assert sum(len(counts) for counts in STRUCTURE.values()) == 19
    assert sum(sum(counts) for counts in STRUCTURE.values()) == 72


@pytest.mark.parametrize("function", sorted(STRUCTURE))
def test_each_category_has_its_subcategories_numbered_without_gaps(rmf: Pack, function: str) -> None:
    stated = {r.citation_id for r in _framework_records(rmf) if r.citation_id.startswith(f"{RMF}{function}")}
    expected = {RMF + function}
    for category, count in enumerate(STRUCTURE[function], start=1):
        expected.add(f"{RMF}{function}-{category}")
        expected |= {f"{RMF}{function}-{category}-{n}" for n in range(1, count + 1)}
    assert stated == expected


@pytest.mark.parametrize(("function", "categories", "subcategories"), FUNCTION_COUNTS)
def test_function_summaries_state_their_own_counts(
    rmf: Pack, function: str, categories: int, subcategories: int
) -> None:
    record = rmf.record(RMF + function)
    assert f"{categories} categories and {subcategories} subcategories" in record.summary
    assert len(rmf.children(RMF + function)) == categories
    below = [r for r in _framework_records(rmf) if r.citation_id.startswith(f"{RMF}{function}-")]
    assert len(below) - categories == subcategories


def test_core_summary_states_the_counts(rmf: Pack) -> None:
    summary = rmf.record(RMF + "core").summary
    assert "4 functions" in summary and "19 categories" in summary and "72" in summary
    for function, categories, subcategories in FUNCTION_COUNTS:
        assert f"{function.capitalize()} ({categories}, {subcategories})" in summary or (
            f"{function.capitalize()} ({categories} categories, {subcategories} subcategories)" in summary
        )


def test_levels_and_locators_follow_the_numbering(rmf: Pack) -> None:
    for record in _framework_records(rmf):
        parts = record.citation_id.removeprefix(RMF).split("-")
        name = parts[0].upper()
        if len(parts) == 1:
            assert (record.level, record.locator) == (SectionLevel.CHAPTER, name)
        elif len(parts) == 2:
            assert (record.level, record.locator) == (SectionLevel.HEADING, f"{name} {parts[1]}")
        else:
            assert (record.level, record.locator) == (SectionLevel.RECORD, f"{name} {parts[1]}.{parts[2]}")


def test_subcategory_summaries_are_one_or_two_sentences(rmf: Pack) -> None:
    subcategories = [r for r in _framework_records(rmf) if r.citation_id.count("-") == 4]
    too_long = [
        r.citation_id for r in subcategories if not 1 <= len(re.findall(r"[.!?](?:\s|$)", r.summary)) <= 2
    ]
    assert too_long == []


TRUSTWORTHY = [
    ("valid-reliable", "Section 3.1", "Valid and reliable", "measure-2-5"),
    ("safe", "Section 3.2", "Safe", "measure-2-6"),
    ("secure-resilient", "Section 3.3", "Secure and resilient", "measure-2-7"),
    ("accountable-transparent", "Section 3.4", "Accountable and transparent", "measure-2-8"),
    ("explainable-interpretable", "Section 3.5", "Explainable and interpretable", "measure-2-9"),
    ("privacy-enhanced", "Section 3.6", "Privacy-enhanced", "measure-2-10"),
    ("fair-harmful-bias-managed", "Section 3.7", "Fair, with harmful bias managed", "measure-2-11"),
]


@pytest.mark.parametrize(("slug", "locator", "title", "subcategory"), TRUSTWORTHY)
def test_trustworthy_characteristics(
    rmf: Pack, slug: str, locator: str, title: str, subcategory: str
) -> None:
    record = rmf.record(f"{RMF}trustworthy-{slug}")
    assert (record.locator, record.title) == (locator, title)
    assert RMF + subcategory in record.related
    assert f"{RMF}trustworthy-{slug}" in rmf.record(RMF + subcategory).related


def test_exactly_seven_characteristics_under_one_overview(rmf: Pack) -> None:
    children = {r.citation_id for r in rmf.children(RMF + "trustworthy")}
    assert children == {f"{RMF}trustworthy-{slug}" for slug, *_ in TRUSTWORTHY}
    assert "seven characteristics" in rmf.record(RMF + "trustworthy").summary


# === AI 600-1 =============================================================================================

# (title as the profile names the risk, AI RMF trustworthy characteristics the profile maps it to)
RISKS = [
    ("CBRN information or capabilities", {"safe", "explainable-interpretable"}),
    ("Confabulation", {"fair-harmful-bias-managed", "safe", "valid-reliable", "explainable-interpretable"}),
    ("Dangerous, violent, or hateful content", {"safe", "secure-resilient"}),
    ("Data privacy", {"accountable-transparent", "privacy-enhanced", "safe", "secure-resilient"}),
    ("Environmental impacts", {"accountable-transparent", "safe"}),
    ("Harmful bias and homogenization", {"fair-harmful-bias-managed", "valid-reliable"}),
    (
        "Human-AI configuration",
        {
            "accountable-transparent",
            "explainable-interpretable",
            "fair-harmful-bias-managed",
            "privacy-enhanced",
            "safe",
            "valid-reliable",
        },
    ),
    (
        "Information integrity",
        {"accountable-transparent", "safe", "valid-reliable", "explainable-interpretable"},
    ),
    ("Information security", {"privacy-enhanced", "safe", "secure-resilient", "valid-reliable"}),
    ("Intellectual property", {"accountable-transparent", "fair-harmful-bias-managed", "privacy-enhanced"}),
    ("Obscene, degrading, and/or abusive content", {"fair-harmful-bias-managed", "safe", "privacy-enhanced"}),
    ("Value chain and component integration", {slug for slug, *_ in TRUSTWORTHY}),
]


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def _risk_id(title: str) -> str:
    return f"{GAI}risk-{_slug(title)}"


def test_profile_manifest(profile: Pack) -> None:
    assert (profile.regime_id, profile.version, profile.as_of.isoformat()) == (
        "nist-ai-600-1",
        "1.0.0",
        "2026-12-07",
    )
    assert "July 2024" in profile.as_of_note and "July 2024" in profile.source_reference
    assert all(r.applies_from is None for r in profile.records)
    assert not any(r.obligations for r in profile.records)


def test_twelve_risks_in_the_profiles_order(profile: Pack) -> None:
    risks = [r for r in profile.records if r.citation_id.startswith(GAI + "risk-")]
    assert len(risks) == len(RISKS) == 12
    assert [r.citation_id for r in risks] == [_risk_id(title) for title, _ in RISKS]
    assert [r.locator for r in risks] == [f"Section 2.{n}" for n in range(1, 13)]
    assert {r.citation_id for r in profile.children(GAI + "risk")} == {_risk_id(t) for t, _ in RISKS}
    assert "12 risks" in profile.record(GAI + "risk").summary


@pytest.mark.parametrize(("title", "characteristics"), RISKS)
def test_each_risk(profile: Pack, rmf: Pack, title: str, characteristics: set[str]) -> None:
    record = profile.record(_risk_id(title))
    assert record.title == title
    assert len(record.suggested_actions) >= 3 and record.summary.strip()
    assert "Suggested actions:" in profile.record_text(record.citation_id)
    mapped = {cid.removeprefix(f"{RMF}trustworthy-") for cid in record.related if "trustworthy-" in cid}
    assert mapped == characteristics
    subcategories = [cid for cid in record.related if _FRAMEWORK_ID.fullmatch(cid)]
    assert subcategories, "each risk points to the AI RMF subcategories that address it"
    assert all(rmf.has_record(cid) for cid in record.related if cid.startswith(RMF))


def test_profile_numbers_in_prose(profile: Pack) -> None:
    text = " ".join(text for _, text in _prose(profile))
    assert set(re.findall(r"\b(\d{2,3}) (?:suggested actions|AI RMF subcategories|risks)\b", text)) == {
        "212",
        "49",
        "12",
    }


# === cross-checks against the official texts (skipped without ../shared/corpus) ========================


def test_rmf_ids_are_exactly_the_official_ids(rmf: Pack, corpus_dir: Path) -> None:
    official = _parse(corpus_dir / SUBCATEGORIES_JSON)
    assert official.source_id == "nist-ai-rmf"
    locators = {section.citation_id: section.locator for section in official.sections}
    assert len(locators) == 4 + 19 + 72
    framework = {r.citation_id: r.locator for r in _framework_records(rmf)}
    assert framework == locators
    pack_only = {r.citation_id for r in rmf.records} - set(locators)
    assert pack_only == {RMF + "core", RMF + "trustworthy"} | {
        f"{RMF}trustworthy-{s}" for s, *_ in TRUSTWORTHY
    } | {RMF + "publications"} | {f"{RMF}publications-{p}" for p, *_ in PUBLICATIONS}


def test_rmf_ids_match_the_raw_subcategory_list(rmf: Pack, corpus_dir: Path) -> None:
    raw = json.loads((corpus_dir / SUBCATEGORIES_JSON).read_text())
    official = {RMF + item["subcategory_id"].lower().replace(" ", "-").replace(".", "-") for item in raw}
    assert len(official) == 72
    assert official == {r.citation_id for r in _framework_records(rmf) if r.citation_id.count("-") == 4}
    per_function = Counter(item["function"].lower() for item in raw)
    assert per_function == {function: count for function, _, count in FUNCTION_COUNTS}


def test_rmf_publication_month_and_section_3(corpus_dir: Path) -> None:
    text = (corpus_dir / "nist-ai-rmf" / "page-text" / "NIST.AI.100-1.md").read_text(encoding="utf-8")
    assert "January 2023" in text
    headings = dict(re.findall(r"^(3\.\d) (.+)$", text, re.MULTILINE))
    stated = {number: _slug(title) for number, title in headings.items()}
    assert stated == {locator.removeprefix("Section "): _slug(title) for _, locator, title, _ in TRUSTWORTHY}


def test_rmf_no_sentence_copied(rmf: Pack, corpus_dir: Path) -> None:
    base = corpus_dir / "nist-ai-rmf"
    sources = [
        (base / "csa" / "nist.ai.100-1.md").read_text(encoding="utf-8"),
        (base / "page-text" / "NIST.AI.100-1.md").read_text(encoding="utf-8"),
    ]
    for item in json.loads((corpus_dir / SUBCATEGORIES_JSON).read_text()):
        sources += [item["description"], item["category_text"]]
    for entry in json.loads((base / "playbook" / "nist_ai_rmf_playbook.json").read_text()):
        sources += [value for value in entry.values() if isinstance(value, str)]
    assert _copied_runs(rmf, sources) == []


def _official_risks(corpus_dir: Path) -> list[tuple[str, set[str]]]:
    """(risk title, trustworthy characteristics) from the profile's sections 2.1 to 2.12."""
    text = (corpus_dir / PROFILE_MD).read_text(encoding="utf-8")
    headings = list(re.finditer(r"^## 2\.(\d+)\. (.+)$", text, re.MULTILINE))
    risks = []
    for heading, following in zip(headings, [*headings[1:], None], strict=True):
        body = text[heading.end() : following.start() if following else len(text)]
        line = re.search(r"Trustworthy AI \**Characteristics?\**: (.+)", body)
        assert line, heading.group(2)
        names = {_slug(name.replace("Interpretable and Explainable", "Explainable and Interpretable"))
                 for name in line.group(1).split(",")}  # fmt: skip
        names = {n.replace("-and-", "-").replace("-with-", "-") for n in names}
        risks.append((heading.group(2).replace("*", "").strip(), names))
    return risks


def test_profile_risks_and_mappings_match_the_profile(corpus_dir: Path) -> None:
    official = _official_risks(corpus_dir)
    assert [_slug(title) for title, _ in official] == [_slug(title) for title, _ in RISKS]
    assert [names for _, names in official] == [names for _, names in RISKS]


def test_related_subcategories_carry_actions_for_the_risk(profile: Pack, corpus_dir: Path) -> None:
    actions = json.loads((corpus_dir / ACTIONS_JSON).read_text())
    assert len(actions) == 212
    assert len({a["subcategory_id"] for a in actions}) == 49
    tagged: Counter[tuple[str, str]] = Counter()
    for action in actions:
        subcategory = RMF + action["subcategory_id"].lower().replace(" ", "-").replace(".", "-")
        for risk in action["gai_risks"]:
            tagged[(_slug(risk.replace("ﬁ", "fi")), subcategory)] += 1
    missing = []
    for title, _ in RISKS:
        record = profile.record(_risk_id(title))
        key = _slug(title).removesuffix("-impacts")  # the action list tags it "Environmental"
        for cid in record.related:
            if _FRAMEWORK_ID.fullmatch(cid) and not any(k[1] == cid and k[0].startswith(key) for k in tagged):
                missing.append((record.citation_id, cid))
    assert missing == []


def test_profile_publication_month(corpus_dir: Path) -> None:
    assert "July 2024" in (corpus_dir / PROFILE_MD).read_text(encoding="utf-8")


def test_profile_no_sentence_copied(profile: Pack, corpus_dir: Path) -> None:
    sources = [(corpus_dir / PROFILE_MD).read_text(encoding="utf-8")]
    for action in json.loads((corpus_dir / ACTIONS_JSON).read_text()):
        sources += [action["suggested_action"], action["subcategory_text"]]
    assert _copied_runs(profile, sources) == []


# === alongside the other packs =============================================================================


@pytest.mark.parametrize("regime_id", ["nist-ai-rmf", "nist-ai-600-1"])
def test_references_to_other_packs_resolve(regime_id: str) -> None:
    pack = _load(regime_id)
    foreign = {cid for r in pack.records for cid in r.related if not cid.startswith(f"{regime_id}:")}
    assert foreign
    unknown = [cid for cid in foreign if not _load(cid.partition(":")[0]).has_record(cid)]
    assert sorted(unknown) == []


def test_ids_do_not_clash_with_the_official_profile_ids(profile: Pack) -> None:
    # The parser gives the profile's suggested actions ids like nist-ai-600-1:gv-1-1-001.
    pattern = re.compile(r"nist-ai-600-1:(risk|appendix-a)(-[a-z0-9-]+)?")
    assert all(pattern.fullmatch(r.citation_id) for r in profile.records)
