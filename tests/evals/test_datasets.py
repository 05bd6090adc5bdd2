"""Validates the hand-written evaluation question sets in `evals/datasets/`.

Schema, ids and balance are always checked. When the official texts are present (`../shared/corpus`),
every expected EU AI Act / GDPR citation id is also checked against them, and no question may reuse a
long run of words from the law.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, field_validator

REPO_ROOT = Path(__file__).resolve().parents[2]
DATASETS = REPO_ROOT / "evals" / "datasets"
RETRIEVAL_FILE = DATASETS / "retrieval_official.jsonl"
SCOPE_FILE = DATASETS / "scope_calibration.jsonl"
README_FILE = DATASETS / "README.md"
CORPUS = (REPO_ROOT / ".." / "shared" / "corpus").resolve()

Regime = Literal["eu-ai-act", "gdpr"]
Level = Literal["paragraph", "point", "article", "annex", "recital"]

CITATION_RE = re.compile(
    r"^(?P<regime>eu-ai-act|gdpr):"
    r"(?P<locator>art-[1-9]\d*(?:-[1-9]\d*)?(?:-[a-z]{1,2})?(?:-[ivx]+)?"
    r"|annex-[ivx]+(?:-[1-9]\d*)?(?:-[a-z])?"
    r"|recital-[1-9]\d*)$"
)
# Articles whose top-level units are numbered points "(1)", "(2)"... rather than paragraphs "1.", "2.".
NUMBERED_POINT_ARTICLES = {("eu-ai-act", 3), ("gdpr", 4)}
NAMES_A_PROVISION = re.compile(r"\b(Article|Art\.|Annex|Recital)\s+[0-9IVX]")
# Words in a row shared with the law that count as copying. Shorter runs flag terms of art such as
# "technical documentation of a high-risk AI system", which questions legitimately use.
COPY_WINDOW = 10

REQUIRED_ARTICLES: dict[str, set[int]] = {
    "eu-ai-act": {2, 3, 4, 5, 6, *range(9, 18), 25, 26, 27, 43, *range(49, 56), 72, 73, 86, 99, 101, 113},
    "gdpr": {5, 6, 9, 13, 14, 15, 17, 21, 22, 25, 33, 35, 83},
}


class RetrievalItem(BaseModel):
    """One retrieval question with the citation ids that count as a hit."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^ret-\d{3}$")
    question: str = Field(min_length=10)
    expected: list[str] = Field(min_length=1)
    regime: Regime
    level: Level

    @field_validator("expected")
    @classmethod
    def _ids_well_formed(cls, ids: list[str]) -> list[str]:
        bad = [cid for cid in ids if not CITATION_RE.match(cid)]
        if bad:
            raise ValueError(f"malformed citation ids: {bad}")
        if len(set(ids)) != len(ids):
            raise ValueError(f"repeated expected id in {ids}")
        return ids


class ScopeItem(BaseModel):
    """One question labelled as answerable from our knowledge (in scope) or not."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^scope-\d{3}$")
    question: str = Field(min_length=2)
    in_scope: bool
    note: str = Field(min_length=3)


class Locator(BaseModel):
    """A parsed EU AI Act / GDPR citation id."""

    regime: Regime
    kind: Literal["art", "annex", "recital"]
    number: str
    parts: list[str]


class OfficialText(BaseModel):
    """The parts of one official text needed to check that a citation id exists."""

    articles: dict[int, str]
    annexes: dict[str, str]
    recitals: set[int]


def _read_jsonl(path: Path) -> list[dict[str, object]]:
    """Parse one JSON object per non-empty line, naming the line on failure."""
    rows = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise AssertionError(f"{path.name}:{lineno}: not JSON ({exc})") from exc
    return rows


@cache
def retrieval_items() -> list[RetrievalItem]:
    """The retrieval set, validated."""
    return [RetrievalItem.model_validate(row) for row in _read_jsonl(RETRIEVAL_FILE)]


@cache
def scope_items() -> list[ScopeItem]:
    """The scope calibration set, validated."""
    return [ScopeItem.model_validate(row) for row in _read_jsonl(SCOPE_FILE)]


def parse_citation(cid: str) -> Locator:
    """Split a well-formed citation id into regime, kind, number and sub-parts."""
    match = CITATION_RE.match(cid)
    if match is None:
        raise ValueError(f"malformed citation id: {cid}")
    kind, number, *parts = match["locator"].split("-")
    return Locator.model_validate({"regime": match["regime"], "kind": kind, "number": number, "parts": parts})


def infer_level(cid: str) -> str:
    """The granularity a citation id points at, in the dataset's `level` vocabulary."""
    loc = parse_citation(cid)
    if loc.kind == "recital":
        return "recital"
    if not loc.parts:
        return "article" if loc.kind == "art" else "annex"
    if loc.kind == "annex":
        return "point" if len(loc.parts) > 1 else "annex"
    if len(loc.parts) > 1 or not loc.parts[0].isdigit():
        return "point"
    if (loc.regime, int(loc.number)) in NUMBERED_POINT_ARTICLES:
        return "point"
    return "paragraph"


def _normalise(question: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", question.lower()).strip()


def _numbered_starts(text: str) -> list[int]:
    """Offsets of the markers '1. ', '2. ', ... met in order; a stray number cannot skip ahead."""
    starts: list[int] = []
    pos, number = 0, 1
    while match := re.compile(rf"(?:^|\s){number}\.\s+(?=[A-Z‘“])").search(text, pos):
        starts.append(match.start())
        pos, number = match.end(), number + 1
    return starts


def _numbered_span(text: str, number: int) -> str | None:
    """The text of numbered unit `number` (paragraph or annex section), or None if it is absent."""
    starts = _numbered_starts(text)
    if number > len(starts):
        return None
    end = starts[number] if number < len(starts) else len(text)
    return text[starts[number - 1] : end]


def _has_point(text: str, label: str) -> bool:
    return re.search(rf"\({re.escape(label)}\)\s", text) is not None


def citation_exists(cid: str, official: dict[str, OfficialText]) -> bool:
    """Whether the article/annex/recital, paragraph and point an id names appear in the official text."""
    loc = parse_citation(cid)
    text = official[loc.regime]
    if loc.kind == "recital":
        return int(loc.number) in text.recitals
    body = text.annexes.get(loc.number.upper()) if loc.kind == "annex" else text.articles.get(int(loc.number))
    if body is None:
        return False
    parts = list(loc.parts)
    if parts and parts[0].isdigit():
        number = int(parts.pop(0))
        point_style = loc.kind == "art" and (
            (loc.regime, int(loc.number)) in NUMBERED_POINT_ARTICLES or not _numbered_starts(body)
        )
        if point_style:
            if not _has_point(body, str(number)):
                return False
        else:
            span = _numbered_span(body, number)
            if span is None:
                return False
            body = span
    return all(_has_point(body, label) for label in parts)


@cache
def _load_official(corpus: Path) -> dict[str, OfficialText]:
    def load(path: Path) -> list[dict[str, Any]]:
        return json.loads(path.read_text(encoding="utf-8"))

    ai_act, gdpr = corpus / "eu-ai-act" / "csa", corpus / "gdpr" / "csa"
    return {
        "eu-ai-act": OfficialText(
            articles={int(a["article"]): str(a["content"]) for a in load(ai_act / "ai-act-articles.json")},
            annexes={str(a["annex"]): str(a["content"]) for a in load(ai_act / "ai-act-annexes.json")},
            recitals={int(r["recital"]) for r in load(ai_act / "ai-act-recitals.json")},
        ),
        "gdpr": OfficialText(
            articles={int(a["article"]): str(a["content"]) for a in load(gdpr / "gdpr-articles.json")},
            annexes={},
            recitals={int(r["recital"]) for r in load(gdpr / "gdpr-recitals.json")},
        ),
    }


@pytest.fixture(scope="session")
def official() -> dict[str, OfficialText]:
    """The official EU AI Act and GDPR texts; skips when the shared corpus is absent."""
    if not (CORPUS / "eu-ai-act" / "csa" / "ai-act-articles.json").is_file():
        pytest.skip(f"official texts not available at {CORPUS}")
    return _load_official(CORPUS)


@cache
def _law_shingles(corpus: Path) -> frozenset[tuple[str, ...]]:
    words: list[list[str]] = []
    for text in _load_official(corpus).values():
        for body in [*text.articles.values(), *text.annexes.values()]:
            words.append(_normalise(body).split())
    for recitals in (
        corpus / "eu-ai-act" / "csa" / "ai-act-recitals.json",
        corpus / "gdpr" / "csa" / "gdpr-recitals.json",
    ):
        for rec in json.loads(recitals.read_text(encoding="utf-8")):
            words.append(_normalise(str(rec["content"])).split())
    return frozenset(
        tuple(seq[i : i + COPY_WINDOW]) for seq in words for i in range(len(seq) - COPY_WINDOW + 1)
    )


# --- retrieval_official.jsonl -------------------------------------------------------------------------


def test_retrieval_set_size_and_balance() -> None:
    items = retrieval_items()
    by_regime = Counter(item.regime for item in items)
    assert len(items) >= 100
    assert by_regime["eu-ai-act"] >= 75
    assert by_regime["gdpr"] >= 20


def test_retrieval_ids_unique_and_numbered_in_order() -> None:
    ids = [item.id for item in retrieval_items()]
    assert ids == [f"ret-{n:03d}" for n in range(1, len(ids) + 1)]


def test_each_row_cites_its_own_regime() -> None:
    for item in retrieval_items():
        assert any(cid.startswith(item.regime + ":") for cid in item.expected), item.id


def test_level_matches_first_expected_id() -> None:
    mismatched = [
        (i.id, i.level, infer_level(i.expected[0]))
        for i in retrieval_items()
        if infer_level(i.expected[0]) != i.level
    ]
    assert mismatched == []


def test_mix_of_named_and_unnamed_provisions() -> None:
    named = [item.id for item in retrieval_items() if NAMES_A_PROVISION.search(item.question)]
    assert 12 <= len(named) <= 20, named
    assert len(retrieval_items()) - len(named) >= 80


def test_required_articles_are_covered() -> None:
    cited: dict[str, set[int]] = {"eu-ai-act": set(), "gdpr": set()}
    annexes, recitals = set(), set()
    for item in retrieval_items():
        for loc in map(parse_citation, item.expected):
            if loc.kind == "art":
                cited[loc.regime].add(int(loc.number))
            elif loc.kind == "annex":
                annexes.add(loc.number)
            else:
                recitals.add(loc.number)
    for regime, required in REQUIRED_ARTICLES.items():
        assert required - cited[regime] == set(), regime
    assert {"iii", "iv"} <= annexes
    assert len(recitals) >= 3


def test_parse_and_level_of_sample_ids() -> None:
    assert parse_citation("eu-ai-act:annex-iii-4-a") == Locator(
        regime="eu-ai-act", kind="annex", number="iii", parts=["4", "a"]
    )
    assert infer_level("eu-ai-act:art-5-1-f") == "point"
    assert infer_level("eu-ai-act:art-99-3") == "paragraph"
    assert infer_level("eu-ai-act:art-3-49") == "point"
    assert infer_level("eu-ai-act:annex-iv") == "annex"
    assert infer_level("gdpr:art-22-1") == "paragraph"
    assert not CITATION_RE.match("eu-ai-act:Art-5")
    assert not CITATION_RE.match("eu-ai-act:art-5(1)")


@pytest.mark.parametrize("item", retrieval_items(), ids=lambda item: item.id)
def test_expected_ids_exist_in_official_text(item: RetrievalItem, official: dict[str, OfficialText]) -> None:
    missing = [cid for cid in item.expected if not citation_exists(cid, official)]
    assert missing == [], f"{item.id}: {missing}"


@pytest.mark.parametrize(
    "cid",
    [
        "eu-ai-act:art-114",
        "eu-ai-act:art-50-8",
        "eu-ai-act:art-5-1-k",
        "eu-ai-act:art-3-69",
        "eu-ai-act:annex-iii-9",
        "eu-ai-act:annex-iv-1-z",
        "eu-ai-act:annex-xiv",
        "eu-ai-act:recital-181",
        "gdpr:art-100",
        "gdpr:art-22-5",
        "gdpr:art-35-3-d",
        "gdpr:recital-174",
    ],
)
def test_existence_check_rejects_ids_absent_from_the_text(
    cid: str, official: dict[str, OfficialText]
) -> None:
    assert not citation_exists(cid, official)


@pytest.mark.parametrize(
    "cid",
    [
        "eu-ai-act:art-4",
        "eu-ai-act:art-50-7",
        "eu-ai-act:art-5-1-h",
        "eu-ai-act:art-3-68",
        "eu-ai-act:annex-iii-8-b",
        "eu-ai-act:annex-xiii",
        "gdpr:art-99",
        "gdpr:art-35-11",
        "gdpr:recital-173",
    ],
)
def test_existence_check_accepts_ids_present_in_the_text(cid: str, official: dict[str, OfficialText]) -> None:
    assert citation_exists(cid, official)


# --- scope_calibration.jsonl --------------------------------------------------------------------------


def test_scope_set_size_and_balance() -> None:
    counts = Counter(item.in_scope for item in scope_items())
    assert counts[True] >= 70
    assert counts[False] >= 70


def test_scope_ids_unique_and_numbered_in_order() -> None:
    ids = [item.id for item in scope_items()]
    assert ids == [f"scope-{n:03d}" for n in range(1, len(ids) + 1)]


# --- both files ---------------------------------------------------------------------------------------


def test_no_duplicate_questions_within_or_across_files() -> None:
    questions = [_normalise(i.question) for i in retrieval_items()] + [
        _normalise(i.question) for i in scope_items()
    ]
    repeated = [q for q, n in Counter(questions).items() if n > 1]
    assert repeated == []


def test_no_long_runs_of_legal_text(official: dict[str, OfficialText]) -> None:
    # `official` is requested so that this test skips cleanly without the corpus.
    shingles = _law_shingles(CORPUS)
    texts = [i.question for i in retrieval_items()] + [f"{i.question} {i.note}" for i in scope_items()]
    copied: list[str] = []
    for text in texts:
        words = _normalise(text).split()
        runs = {tuple(words[i : i + COPY_WINDOW]) for i in range(len(words) - COPY_WINDOW + 1)}
        copied.extend(" ".join(run) for run in runs & shingles)
    assert copied == []


def test_readme_documents_both_files_and_their_fields() -> None:
    readme = README_FILE.read_text(encoding="utf-8")
    for name in (RETRIEVAL_FILE.name, SCOPE_FILE.name):
        assert name in readme
    for field in [*RetrievalItem.model_fields, *ScopeItem.model_fields]:
        assert f"`{field}`" in readme, field


# --- retrieval_scenarios.jsonl ------------------------------------------------------------------------

from evals.bench.retrieval_quality import ScenarioQuestion, ScenarioSplit, scenario_questions  # noqa: E402
from knowledge.retrieval import article_of  # noqa: E402


def scenario_items() -> list[ScenarioQuestion]:
    return scenario_questions()


def test_scenario_set_size_splits_and_labels() -> None:
    questions = scenario_questions()
    assert len(questions) >= 40
    assert [q.id for q in questions] == [f"scn-{n:03d}" for n in range(1, len(questions) + 1)]
    heldout = [q for q in questions if q.split == ScenarioSplit.HELDOUT]
    assert len(heldout) * 3 >= len(questions) - 2
    for q in questions:
        # A scenario needs two or three articles or annexes, each labelled at article level.
        assert 2 <= len(q.expected) <= 3, q.id
        assert all(article_of(e) == e for e in q.expected), q.id
        assert len(set(q.expected)) == len(q.expected), q.id
        assert len(re.findall(r"[.?!](?:\s|$)", q.question)) >= 2, q.id


@pytest.mark.parametrize("item", scenario_items(), ids=lambda item: item.id)
def test_scenario_ids_exist_in_official_text(
    item: ScenarioQuestion, official: dict[str, OfficialText]
) -> None:
    missing = [cid for cid in item.expected if not citation_exists(cid, official)]
    assert missing == [], f"{item.id}: {missing}"


def test_scenarios_do_not_copy_legal_text(official: dict[str, OfficialText]) -> None:
    shingles = _law_shingles(CORPUS)
    copied: list[str] = []
    for item in scenario_items():
        words = _normalise(item.question).split()
        copied.extend(
            " ".join(run)
            for run in {tuple(words[i : i + COPY_WINDOW]) for i in range(len(words) - COPY_WINDOW + 1)}
            & shingles
        )
    assert copied == []
