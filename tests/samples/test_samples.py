"""The sample organisation (Northwind Mutual) and the tiering standard model: data validates, rules apply
deterministically, citation ids are right, the policies are well-formed and copy no legal text."""

from __future__ import annotations

import itertools
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from knowledge.samples import (
    SAMPLE_PAST_REVIEWS,
    SAMPLE_POLICY_FILES,
    SAMPLE_TIERING_STANDARD,
    SAMPLES_DIR,
)
from knowledge.samples.past_reviews import PastReviewsError, PastReviewSet, ReviewDecision, load_past_reviews
from knowledge.tiering import (
    DEFAULT_STANDARD_PATH,
    EuTier,
    TierFactor,
    TieringStandard,
    TieringStandardError,
    decide_internal_tier,
    internal_tier_for,
    load_tiering_standard,
)

AS_OF = date(2026, 10, 1)
REGIME_IDS = {
    "eu-ai-act",
    "gdpr",
    "nist-ai-rmf",
    "nist-ai-600-1",
    "iso-42001",
    "nyc-ll144",
    "colorado-ai-act",
    "ecoa-reg-b",
    "eeoc-title-vii",
}
_ROMAN = "(?:i|ii|iii|iv|v|vi|vii|viii|ix|x|xi|xii|xiii)"
EU_AI_ACT_LOCATOR = re.compile(
    rf"^(?:art-\d{{1,3}}(?:-\d{{1,2}}(?:-[a-z](?:-[ivx]+)?)?)?|annex-{_ROMAN}(?:-\d{{1,2}}(?:-[a-z])?)?|recital-\d{{1,3}})$"
)
GDPR_LOCATOR = re.compile(r"^(?:art-\d{1,2}(?:-\d{1,2}(?:-[a-z])?)?|recital-\d{1,3})$")


@pytest.fixture(scope="module")
def default_standard() -> TieringStandard:
    return load_tiering_standard()


@pytest.fixture(scope="module")
def sample_standard() -> TieringStandard:
    return load_tiering_standard(SAMPLE_TIERING_STANDARD)


@pytest.fixture(scope="module")
def past_reviews() -> PastReviewSet:
    return load_past_reviews(SAMPLE_PAST_REVIEWS)


def standard_named(name: str, default: TieringStandard, sample: TieringStandard) -> TieringStandard:
    return {"default": default, "sample": sample}[name]


# --- tiering standards: loading -------------------------------------------------------------------


def test_default_standard_is_generic_and_distinct_from_the_sample(
    default_standard: TieringStandard, sample_standard: TieringStandard
) -> None:
    assert load_tiering_standard(None) == default_standard
    assert default_standard.doc_id == "tiering-default"
    assert "northwind" not in default_standard.model_dump_json().lower()
    assert sample_standard.doc_id == "tiering-standard"
    assert sample_standard.organisation.startswith("Northwind Mutual")
    assert sample_standard.as_of == AS_OF


@pytest.mark.parametrize("name", ["default", "sample"])
def test_standards_have_the_five_tiers_in_severity_order(
    name: str, default_standard: TieringStandard, sample_standard: TieringStandard
) -> None:
    standard = standard_named(name, default_standard, sample_standard)
    assert [tier.id for tier in standard.tiers] == ["blocked", "T1", "T2", "T3", "T4"]
    assert {eu: standard.eu_tier_floor[eu] for eu in EuTier} == {
        EuTier.PROHIBITED: "blocked",
        EuTier.HIGH: "T2",
        EuTier.LIMITED: "T3",
        EuTier.MINIMAL: "T4",
        EuTier.OUT_OF_SCOPE: "T4",
    }
    for tier in standard.tiers:
        assert tier.required_reviews, f"{name} {tier.id} files no review"
        assert tier.evidence, f"{name} {tier.id} lists no evidence"


def test_sample_t1_files_every_review_type(sample_standard: TieringStandard) -> None:
    queues = {review.owner_queue for review in sample_standard.get_tier("T1").required_reviews}
    assert queues == {"legal", "privacy", "fairness", "security", "ethics-board", "model-validation"}
    due = {review.id: review.due_days for review in sample_standard.get_tier("T1").required_reviews}
    assert due == {
        "legal": 10,
        "privacy-dpia": 15,
        "fairness-audit": 20,
        "security-red-team": 20,
        "model-validation": 25,
        "ethics-board": 30,
    }


# --- tiering standards: the rules -----------------------------------------------------------------

CF, PD, SC = "customer_facing", "personal_data", "special_category_data"

# (standard, eu tier, factors, expected tier, expected deciding rule)
TIER_CASES: list[tuple[str, str, set[str], str, str | None]] = [
    ("default", "prohibited", set(), "blocked", "prohibited-blocked"),
    ("default", "prohibited", {CF, PD, SC}, "blocked", "prohibited-blocked"),
    ("default", "high", set(), "T2", "high-default"),
    ("default", "high", {SC}, "T1", "high-aggravated"),
    ("default", "high", {"public_service"}, "T1", "high-aggravated"),
    ("default", "high", {"automated_decision", PD}, "T1", "high-aggravated"),
    ("default", "high", {CF, PD}, "T2", "high-default"),
    ("default", "high", {"employment_context", PD}, "T2", "high-default"),
    ("default", "limited", set(), "T3", "limited-default"),
    ("default", "limited", {SC, PD}, "T2", "special-category-escalator"),
    ("default", "limited", {"profiling", PD}, "T3", "limited-default"),
    ("default", "minimal", set(), "T4", "minimal-default"),
    ("default", "minimal", {CF}, "T4", "minimal-default"),
    ("default", "minimal", {CF, PD}, "T3", "customer-personal-data"),
    ("default", "minimal", {SC}, "T2", "special-category-escalator"),
    ("default", "out_of_scope", set(), "T4", "minimal-default"),
    ("default", "out_of_scope", {CF, PD}, "T3", "customer-personal-data"),
    ("default", "minimal", {"gpai_systemic_risk"}, "T4", "minimal-default"),
    ("sample", "prohibited", set(), "blocked", "prohibited-blocked"),
    ("sample", "prohibited", {"gpai_systemic_risk"}, "blocked", "prohibited-blocked"),
    ("sample", "high", set(), "T2", "high-default"),
    ("sample", "high", {PD}, "T2", "high-default"),
    ("sample", "high", {CF, PD}, "T1", "high-customer-personal-data"),
    ("sample", "high", {"employment_context", PD}, "T1", "high-aggravated"),
    ("sample", "high", {SC, PD}, "T1", "high-aggravated"),
    ("sample", "high", {"vulnerable_people"}, "T1", "high-aggravated"),
    ("sample", "minimal", {"gpai_systemic_risk"}, "T1", "gpai-systemic-risk"),
    ("sample", "limited", set(), "T3", "limited-default"),
    ("sample", "limited", {CF, PD}, "T3", "limited-default"),
    ("sample", "limited", {"profiling", PD}, "T2", "profiling-escalator"),
    ("sample", "limited", {"profiling"}, "T3", "limited-default"),
    ("sample", "minimal", {"automated_decision", PD}, "T2", "automated-decision-escalator"),
    ("sample", "minimal", {SC}, "T2", "special-category-escalator"),
    ("sample", "minimal", {CF, PD}, "T3", "customer-personal-data"),
    (
        "sample",
        "minimal",
        {"synthetic_content", "gpai_model", "third_party_supplier"},
        "T4",
        "minimal-default",
    ),
    ("sample", "out_of_scope", {SC, PD}, "T2", "special-category-escalator"),
    ("sample", "out_of_scope", set(), "T4", "minimal-default"),
]


@pytest.mark.parametrize(("name", "eu_tier", "factors", "expected", "rule_id"), TIER_CASES)
def test_internal_tier_for(
    name: str,
    eu_tier: str,
    factors: set[str],
    expected: str,
    rule_id: str | None,
    default_standard: TieringStandard,
    sample_standard: TieringStandard,
) -> None:
    standard = standard_named(name, default_standard, sample_standard)
    assert internal_tier_for(standard, eu_tier=eu_tier, factors=factors).id == expected
    decision = decide_internal_tier(standard, eu_tier=eu_tier, factors=factors)
    assert (decision.tier.id, decision.rule_id, decision.floor_applied) == (expected, rule_id, False)


@pytest.mark.parametrize("name", ["default", "sample"])
def test_no_factor_combination_goes_below_the_floor_or_down_when_a_factor_is_added(
    name: str, default_standard: TieringStandard, sample_standard: TieringStandard
) -> None:
    standard = standard_named(name, default_standard, sample_standard)
    factors = [factor.value for factor in TierFactor]
    for eu in EuTier:
        floor = standard.severity(standard.eu_tier_floor[eu])
        severity: dict[frozenset[str], int] = {}
        for size in range(len(factors) + 1):
            for combo in itertools.combinations(factors, size):
                tier = internal_tier_for(standard, eu_tier=eu.value, factors=set(combo))
                severity[frozenset(combo)] = standard.severity(tier.id)
        assert len(severity) == 2 ** len(factors)
        assert max(severity.values()) <= floor, f"{name}: {eu} went below its floor"
        if eu is EuTier.PROHIBITED:
            assert set(severity.values()) == {0}
        for present, value in severity.items():
            for extra in set(factors) - present:
                assert severity[present | {extra}] <= value, f"{name}: adding {extra} to {sorted(present)}"


def tiny_standard(rules: list[dict[str, Any]]) -> TieringStandard:
    tiers = [
        {"id": tier_id, "name": tier_id, "description": tier_id, "approval_authority": "x"}
        for tier_id in ("blocked", "A", "B", "C")
    ]
    floor = {"prohibited": "blocked", "high": "B", "limited": "C", "minimal": "C", "out_of_scope": "C"}
    return TieringStandard.model_validate(
        {
            "doc_id": "tiny",
            "title": "t",
            "organisation": "o",
            "version": "1",
            "as_of": "2026-01-01",
            "tiers": tiers,
            "eu_tier_floor": floor,
            "rules": rules,
        }
    )


def test_first_matching_rule_wins_and_the_floor_overrides_a_wildcard_rule() -> None:
    standard = tiny_standard(
        [
            {"id": "r1", "description": "d", "all_factors": ["profiling", "personal_data"], "tier": "A"},
            {"id": "r2", "description": "d", "any_factors": ["profiling", "customer_facing"], "tier": "C"},
            {"id": "r3", "description": "d", "eu_tiers": ["minimal"], "tier": "B"},
        ]
    )
    cases = [
        ("minimal", {"profiling", "personal_data"}, "A", "r1", False),
        ("minimal", {"profiling"}, "C", "r2", False),
        ("minimal", {"customer_facing"}, "C", "r2", False),
        ("minimal", set(), "B", "r3", False),
        ("high", {"customer_facing"}, "B", "r2", True),
        ("prohibited", {"customer_facing"}, "blocked", "r2", True),
        ("high", set(), "B", None, True),
        ("limited", set(), "C", None, True),
    ]
    for eu_tier, factors, tier, rule_id, floor_applied in cases:
        decision = decide_internal_tier(standard, eu_tier=eu_tier, factors=factors)
        assert (decision.tier.id, decision.rule_id, decision.floor_applied) == (tier, rule_id, floor_applied)


@pytest.mark.parametrize(
    ("eu_tier", "factors", "message"),
    [
        ("very-high", set(), "unknown EU tier 'very-high'"),
        ("high", {"customer_facing", "shiny"}, "unknown tiering factor(s): shiny"),
    ],
)
def test_unknown_inputs_are_rejected(
    eu_tier: str, factors: set[str], message: str, sample_standard: TieringStandard
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        internal_tier_for(sample_standard, eu_tier=eu_tier, factors=factors)


def _break_rule_tier(data: dict[str, Any]) -> None:
    data["rules"][2]["tier"] = "T9"


def _drop_floor(data: dict[str, Any]) -> None:
    del data["eu_tier_floor"]["limited"]


def _rule_below_floor(data: dict[str, Any]) -> None:
    data["rules"][4]["tier"] = "T3"


def _unknown_factor(data: dict[str, Any]) -> None:
    data["rules"][2]["any_factors"].append("cute_animals")


def _negative_due_days(data: dict[str, Any]) -> None:
    data["tiers"][1]["required_reviews"][0]["due_days"] = -3


def _bad_queue(data: dict[str, Any]) -> None:
    data["tiers"][2]["required_reviews"][1]["owner_queue"] = "Privacy Office"


def _extra_field(data: dict[str, Any]) -> None:
    data["tiers"][3]["approver"] = "someone"


def _duplicate_tier(data: dict[str, Any]) -> None:
    data["tiers"][4]["id"] = "T3"


def _duplicate_review(data: dict[str, Any]) -> None:
    reviews = data["tiers"][1]["required_reviews"]
    reviews.append(dict(reviews[0]))


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (_break_rule_tier, "rules[2] (id 'high-aggravated').tier: unknown tier 'T9'"),
        (_drop_floor, "eu_tier_floor: no floor for EU tier(s) limited"),
        (
            _rule_below_floor,
            "rules[4] (id 'high-default').tier: 'T3' is below the floor 'T2' for EU tier 'high'",
        ),
        (_unknown_factor, "rules[2].any_factors[5]: Input should be"),
        (
            _negative_due_days,
            "tiers[1].required_reviews[0].due_days: Input should be greater than or equal to 1",
        ),
        (_bad_queue, "tiers[2].required_reviews[1].owner_queue: String should match pattern"),
        (_extra_field, "tiers[3].approver: Extra inputs are not permitted"),
        (_duplicate_tier, "tiers[4].id: duplicate tier id 'T3'"),
        (_duplicate_review, "tiers[1].required_reviews[6].id: duplicate review id 'legal'"),
    ],
)
def test_invalid_standard_names_the_file_and_field(mutate: Any, expected: str, tmp_path: Path) -> None:
    data = yaml.safe_load(SAMPLE_TIERING_STANDARD.read_text(encoding="utf-8"))
    mutate(data)
    bad = tmp_path / "broken-standard.yaml"
    bad.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(TieringStandardError) as caught:
        load_tiering_standard(bad)
    message = str(caught.value)
    assert message.startswith(f"{bad}: invalid tiering standard: ")
    assert expected in message


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "cannot read tiering standard"),
        ("tiers: [unclosed", "not valid YAML"),
        ("- just\n- a list\n", "expected a mapping at the top level, got list"),
    ],
)
def test_unreadable_standard_names_the_file(content: str | None, expected: str, tmp_path: Path) -> None:
    path = tmp_path / "standard.yaml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(TieringStandardError, match=re.escape(expected)) as caught:
        load_tiering_standard(path)
    assert str(caught.value).startswith(str(path))


def test_default_standard_path_is_packaged_beside_the_module() -> None:
    assert DEFAULT_STANDARD_PATH.name == "tiering_default.yaml"
    assert DEFAULT_STANDARD_PATH.is_file()


# --- past reviews ---------------------------------------------------------------------------------


def test_past_reviews_document(past_reviews: PastReviewSet) -> None:
    raw = yaml.safe_load(SAMPLE_PAST_REVIEWS.read_text(encoding="utf-8"))
    assert list(raw) == ["title", "doc_id", "as_of", "records"]
    assert (past_reviews.title, past_reviews.doc_id, past_reviews.as_of) == (
        "Past AI system reviews",
        "past-reviews",
        AS_OF,
    )
    assert len(past_reviews.records) >= 10
    assert {record.decision for record in past_reviews.records} == set(ReviewDecision)
    assert {record.eu_tier for record in past_reviews.records} >= {
        EuTier.PROHIBITED,
        EuTier.HIGH,
        EuTier.LIMITED,
        EuTier.MINIMAL,
    }
    assert {record.internal_tier for record in past_reviews.records} == {"blocked", "T1", "T2", "T3", "T4"}
    for record in past_reviews.records:
        assert record.date <= past_reviews.as_of, record.id
        assert len(record.rationale.split()) >= 25, record.id
    assert [record.date for record in past_reviews.records] == sorted(r.date for r in past_reviews.records)


def test_past_review_tiers_are_consistent_with_the_sample_standard(
    past_reviews: PastReviewSet, sample_standard: TieringStandard
) -> None:
    for record in past_reviews.records:
        floor = sample_standard.eu_tier_floor[record.eu_tier]
        assert sample_standard.severity(record.internal_tier) <= sample_standard.severity(floor), record.id
        if record.eu_tier is EuTier.PROHIBITED:
            assert (record.internal_tier, record.decision) == ("blocked", ReviewDecision.REJECTED), record.id
        if record.eu_tier is EuTier.HIGH:
            assert any(g.startswith(("eu-ai-act:annex-iii-", "eu-ai-act:art-6-1")) for g in record.eu_grounds)
        if record.decision is ReviewDecision.APPROVED:
            assert record.conditions == [], record.id


def test_past_review_citation_ids_are_well_formed(past_reviews: PastReviewSet) -> None:
    for record in past_reviews.records:
        assert len(set(record.eu_grounds)) == len(record.eu_grounds), record.id
        for citation in record.eu_grounds:
            source, locator = citation.split(":")
            assert source in REGIME_IDS, citation
            if source == "eu-ai-act":
                assert EU_AI_ACT_LOCATOR.match(locator), citation
            if source == "gdpr":
                assert GDPR_LOCATOR.match(locator), citation


# (words in the system name, EU tier, a citation the grounds must include)
EXPECTED_REVIEWS = [
    ("CV ranking", "high", "eu-ai-act:annex-iii-4-a"),
    ("term-life pricing", "high", "eu-ai-act:annex-iii-5-c"),
    ("customer-service chatbot", "limited", "eu-ai-act:art-50-1"),
    ("claims fraud detection", "minimal", "eu-ai-act:annex-iii-5-b"),
    ("code assistant", "minimal", None),
    ("marketing image generator", "limited", "eu-ai-act:art-50-2"),
    ("emotion analytics", "prohibited", "eu-ai-act:art-5-1-f"),
    ("credit-limit model", "high", "eu-ai-act:annex-iii-5-b"),
    ("medical evidence summariser", "minimal", "eu-ai-act:art-6-3-d"),
    ("call summaries", "minimal", "gdpr:art-35-3-b"),
    ("emergency call prioritisation", "high", "eu-ai-act:annex-iii-5-d"),
    ("handler allocation", "high", "eu-ai-act:annex-iii-4-b"),
]


@pytest.mark.parametrize(("words", "eu_tier", "citation"), EXPECTED_REVIEWS)
def test_expected_review_is_present(
    words: str, eu_tier: str, citation: str | None, past_reviews: PastReviewSet
) -> None:
    matches = [record for record in past_reviews.records if words.lower() in record.system.lower()]
    assert len(matches) == 1, words
    record = matches[0]
    assert record.eu_tier == eu_tier
    if citation is None:
        assert record.eu_grounds == []
    else:
        assert citation in record.eu_grounds


def _segment(text: str, number: str, following: str) -> str:
    """The part of `text` from the paragraph or point numbered `number` up to the next one."""
    start = re.search(rf"(?:^|\s){re.escape(number)}\.\s", text)
    assert start, f"no paragraph {number}"
    end = re.search(rf"\s{re.escape(following)}\.\s", text[start.end() :])
    return text[start.end() : start.end() + end.start()] if end else text[start.end() :]


def _provision_text(corpus: Path, source: str, locator: str) -> str:
    """The official text a locator points at, narrowed to its paragraph (points are checked by letter)."""
    if source == "gdpr":
        articles = json.loads((corpus / "gdpr/csa/gdpr-articles.json").read_text(encoding="utf-8"))
        recitals = json.loads((corpus / "gdpr/csa/gdpr-recitals.json").read_text(encoding="utf-8"))
    else:
        articles = json.loads((corpus / "eu-ai-act/csa/ai-act-articles.json").read_text(encoding="utf-8"))
        recitals = json.loads((corpus / "eu-ai-act/csa/ai-act-recitals.json").read_text(encoding="utf-8"))
    parts = locator.split("-")
    if parts[0] == "recital":
        return next(str(r["content"]) for r in recitals if str(r["recital"]) == parts[1])
    if parts[0] == "annex":
        annexes = json.loads((corpus / "eu-ai-act/csa/ai-act-annexes.json").read_text(encoding="utf-8"))
        text = next(str(a["content"]) for a in annexes if str(a["annex"]).lower() == parts[1])
    else:
        text = next(str(a["content"]) for a in articles if str(a["article"]) == parts[1])
    if len(parts) >= 3:
        text = _segment(text, parts[2], str(int(parts[2]) + 1))
    return text


def test_past_review_citations_exist_in_the_official_text(
    past_reviews: PastReviewSet, corpus_dir: Path
) -> None:
    checked = 0
    for record in past_reviews.records:
        for citation in record.eu_grounds:
            source, locator = citation.split(":")
            text = _provision_text(corpus_dir, source, locator)
            assert text.strip(), citation
            parts = locator.split("-")
            if len(parts) >= 4:
                assert f"({parts[3]})" in text, citation
            checked += 1
    assert checked >= 30


# --- the policies ---------------------------------------------------------------------------------

FRONT_MATTER = re.compile(r"\A---\n(?P<yaml>.*?)\n---\n", re.DOTALL)


def markdown_headings(body: str) -> list[tuple[int, str]]:
    """ATX headings outside code fences, as (level, text)."""
    headings: list[tuple[int, str]] = []
    in_fence = False
    for line in body.splitlines():
        if line.startswith("```"):
            in_fence = not in_fence
            continue
        match = re.match(r"^(#{1,6})\s+(.+?)\s*$", line)
        if match and not in_fence:
            headings.append((len(match.group(1)), match.group(2)))
    return headings


def test_sample_file_list_is_complete() -> None:
    on_disk = {path.name for path in SAMPLES_DIR.glob("*.md")} - {"README.md"}
    assert on_disk == {path.name for path in SAMPLE_POLICY_FILES}


@pytest.mark.parametrize("path", SAMPLE_POLICY_FILES, ids=lambda path: path.stem)
def test_policy_markdown_is_well_formed(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    match = FRONT_MATTER.match(text)
    assert match, "no front-matter block"
    front = yaml.safe_load(match.group("yaml"))
    assert front["as_of"] == AS_OF
    assert isinstance(front["owner"], str) and front["owner"].strip()
    body = text[match.end() :]
    headings = markdown_headings(body)
    assert headings[0][0] == 1 and "Northwind Mutual" in headings[0][1]
    assert [level for level, _ in headings].count(1) == 1
    assert sum(1 for level, _ in headings if level == 2) >= 4
    assert headings[1][0] == 2, "the first section after the title must be a ## section"
    for (previous, _), (level, title) in itertools.pairwise(headings):
        assert level <= previous + 1, f"heading level jumps at {title!r}"
        assert level <= 3, f"{title!r} is nested deeper than ###"
    titles = [title.lower() for _, title in headings]
    assert len(titles) == len(set(titles)), "duplicate headings would give duplicate citation ids"
    words = len(re.findall(r"[A-Za-z0-9][A-Za-z0-9'’.-]*", body))
    assert 600 <= words <= 1500, f"{words} words"


def test_readme_says_fictional_and_on_request() -> None:
    text = (SAMPLES_DIR / "README.md").read_text(encoding="utf-8")
    assert "fictional" in text.lower()
    assert "only on request" in text.lower()


def test_prose_due_day_table_matches_the_data(sample_standard: TieringStandard) -> None:
    text = (SAMPLES_DIR / "model-risk-tiering-standard.md").read_text(encoding="utf-8")
    header = next(line for line in text.splitlines() if line.startswith("| Review (`id`)"))
    rows = [line for line in text.splitlines() if line.startswith("| ") and "(`" in line and line != header]
    tier_columns = [cell.strip() for cell in header.strip("|").split("|")][2:]
    assert tier_columns == [tier.id for tier in sample_standard.tiers]
    table: dict[tuple[str, str], tuple[str, int]] = {}
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        review_id = re.search(r"\(`([a-z0-9-]+)`\)", cells[0])
        assert review_id, row
        for tier_id, days in zip(tier_columns, cells[2:], strict=True):
            if days != "-":
                table[(tier_id, review_id.group(1))] = (cells[1], int(days))
    data = {
        (tier.id, review.id): (review.owner_queue, review.due_days)
        for tier in sample_standard.tiers
        for review in tier.required_reviews
    }
    assert table == data


def test_prose_standard_names_every_tier_and_rule_target(sample_standard: TieringStandard) -> None:
    text = (SAMPLES_DIR / "model-risk-tiering-standard.md").read_text(encoding="utf-8")
    for tier in sample_standard.tiers:
        assert f"### {tier.id if tier.id != 'blocked' else 'Blocked'}" in text
    mapping = text.split("### Step 3: Mapping rules", 1)[1].split("###", 1)[0]
    assert len(re.findall(r"^\d+\. ", mapping, re.MULTILINE)) == 9
    assert set(re.findall(r"`(blocked|T[1-4])`", mapping)) == {"blocked", "T1", "T2", "T3", "T4"}


def _shingles(text: str, size: int) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def test_samples_copy_no_legal_text(corpus_dir: Path) -> None:
    official = ""
    for relative in (
        "eu-ai-act/csa/ai-act-articles.json",
        "eu-ai-act/csa/ai-act-annexes.json",
        "eu-ai-act/csa/ai-act-recitals.json",
        "gdpr/csa/gdpr-articles.json",
    ):
        official += " ".join(str(item["content"]) for item in json.loads((corpus_dir / relative).read_text()))
    official_shingles = _shingles(official, 10)
    assert len(official_shingles) > 100_000
    for path in sorted(SAMPLES_DIR.glob("*.*")):
        if path.suffix in {".md", ".yaml"}:
            copied = _shingles(path.read_text(encoding="utf-8"), 10) & official_shingles
            assert not copied, f"{path.name} repeats official wording: {' '.join(sorted(copied)[0])}"


def test_invalid_past_reviews_name_the_file_and_field(tmp_path: Path) -> None:
    data = yaml.safe_load(SAMPLE_PAST_REVIEWS.read_text(encoding="utf-8"))
    data["records"][2]["eu_grounds"][0] = "EU AI Act Art. 50(1)"
    data["records"][3]["decision"] = "waved_through"
    bad = tmp_path / "reviews.yaml"
    bad.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(PastReviewsError) as caught:
        load_past_reviews(bad)
    message = str(caught.value)
    assert message.startswith(f"{bad}: invalid past reviews: ")
    assert "records[2].eu_grounds[0]: String should match pattern" in message
    assert "records[3].decision: Input should be" in message


def test_past_review_id_must_carry_its_year(tmp_path: Path) -> None:
    data = yaml.safe_load(SAMPLE_PAST_REVIEWS.read_text(encoding="utf-8"))
    data["records"][0]["id"] = "rev-2019-017"
    bad = tmp_path / "reviews.yaml"
    bad.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    expected = "records[0]: id 'rev-2019-017' does not carry the review year 2024"
    with pytest.raises(PastReviewsError, match=re.escape(expected)):
        load_past_reviews(bad)
