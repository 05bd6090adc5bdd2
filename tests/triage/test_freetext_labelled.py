"""The offline extractor plus the triage engine on the labelled free-text set (`triage_freetext.jsonl`).

Reports tier agreement and dangerous downgrades. A downgrade is a description labelled prohibited or
high-risk whose result is lower while the status is `complete`: it was classified lower without asking.
A lower tier with `needs_information` is not a downgrade, but it must ask about a use case the label
expects ("asked the right thing"). Uses the packaged MiniLM, as the extractor does in production.

How the set was built, and what the figures mean: ff-001..066 were written together with the phrase
rules; ff-067..094 were then written as a held-out batch (first run: 8/28 tier agreement, no silent
downgrade); the rules were widened and ff-095..122 written as a second held-out batch (first run: 15/28,
no silent downgrade, 3 high/prohibited cases asked about a neighbouring use case rather than the labelled
one); the rules were widened again. ff-123..137 are a third held-out batch that was never tuned on (8/15,
no silent downgrade, every lower high/prohibited case asked about the labelled use case). So most of the
printed agreement is in-sample: the floor guards against regressions; expect about half that agreement
on unseen phrasings, with the follow-up questions rather than the tier carrying the safety.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field

from tools.triage.catalogue import use_case_codes
from tools.triage.extract import ExtractedProfile, extract_profile, triage_extracted
from tools.triage.phrases import load_phrasebook
from tools.triage.questions import uncertain_use_case
from tools.triage.schemas import EuTier, TriageResult

DATASET = Path(__file__).resolve().parents[2] / "evals" / "datasets" / "triage_freetext.jsonl"
SEVERITY = {
    EuTier.OUT_OF_SCOPE: 0,
    EuTier.MINIMAL: 1,
    EuTier.LIMITED: 2,
    EuTier.HIGH: 3,
    EuTier.PROHIBITED: 4,
}
# Measured 129/137 (94%), mostly in-sample (see above); a regression of more than a few descriptions fails.
AGREEMENT_FLOOR = 0.9
BATCHES = {
    "written with the rules": (1, 66),
    "held-out batch 1, then tuned on": (67, 94),
    "held-out batch 2, then tuned on": (95, 122),
    "held-out batch 3, never tuned on": (123, 137),
}


class LabelledDescription(BaseModel):
    """One labelled free-text description."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^ff-\d{3}$")
    text: str = Field(min_length=10)
    expected_tier: Literal["prohibited", "high", "limited", "minimal", "out_of_scope"]
    expected_use_cases: list[str]
    notes: str = Field(min_length=3)


@cache
def labelled() -> tuple[LabelledDescription, ...]:
    """The labelled set, validated."""
    lines = DATASET.read_text(encoding="utf-8").splitlines()
    return tuple(LabelledDescription.model_validate(json.loads(line)) for line in lines if line.strip())


@dataclass(frozen=True)
class Outcome:
    """What extraction and triage made of one description."""

    item: LabelledDescription
    extracted: ExtractedProfile
    result: TriageResult

    @property
    def expected(self) -> EuTier:
        return EuTier(self.item.expected_tier)

    @property
    def tier(self) -> EuTier:
        return self.result.eu_ai_act.tier

    @property
    def agrees(self) -> bool:
        return self.tier is self.expected

    @property
    def lower(self) -> bool:
        return SEVERITY[self.tier] < SEVERITY[self.expected]

    @property
    def asked(self) -> bool:
        return self.result.status == "needs_information"

    @property
    def downgrade(self) -> bool:
        return self.expected in (EuTier.PROHIBITED, EuTier.HIGH) and self.lower and not self.asked

    @property
    def asked_right_thing(self) -> bool:
        wanted = {uncertain_use_case(code) for code in self.item.expected_use_cases}
        return any(question.field in wanted for question in self.result.missing_information)


@pytest.fixture(scope="module")
def outcomes() -> list[Outcome]:
    from knowledge.embedder import get_embedder

    embedder = get_embedder("minilm")
    found = []
    for item in labelled():
        extracted = extract_profile(item.text, name=item.id, embedder=embedder)
        found.append(Outcome(item, extracted, triage_extracted(extracted)))
    return found


def test_dataset_is_well_formed() -> None:
    items = labelled()
    assert len(items) >= 40
    assert len({item.id for item in items}) == len(items)
    assert len({item.text for item in items}) == len(items)
    codes = set(use_case_codes())
    for item in items:
        assert set(item.expected_use_cases) <= codes, item.id
    tiers = Counter(item.expected_tier for item in items)
    assert set(tiers) == {"prohibited", "high", "limited", "minimal", "out_of_scope"}
    covered = {code for item in items for code in item.expected_use_cases}
    assert covered == codes, sorted(codes - covered)


def test_report_agreement_and_no_dangerous_downgrade(outcomes: list[Outcome]) -> None:
    total = len(outcomes)
    agree = sum(outcome.agrees for outcome in outcomes)
    downgrades = [outcome for outcome in outcomes if outcome.downgrade]
    lower_but_asked = [
        o for o in outcomes if o.lower and o.asked and o.expected in (EuTier.HIGH, EuTier.PROHIBITED)
    ]
    print(f"\nfree-text triage on {total} labelled descriptions (MiniLM)")
    print(f"  tier agreement: {agree}/{total} = {agree / total:.1%}")
    print(f"  dangerous downgrades (lower and complete): {len(downgrades)}")
    print(
        f"  high/prohibited classified lower but asked: {len(lower_but_asked)} "
        f"(asked about an expected use case: {sum(o.asked_right_thing for o in lower_but_asked)})"
    )
    print(f"  status needs_information: {sum(o.asked for o in outcomes)}/{total}")
    for batch, (first, last) in BATCHES.items():
        members = [o for o in outcomes if first <= int(o.item.id.removeprefix("ff-")) <= last]
        print(f"  {batch}: {sum(o.agrees for o in members)}/{len(members)} agree")
    confusion = Counter((o.expected.value, o.tier.value) for o in outcomes if not o.agrees)
    for (expected, got), count in sorted(confusion.items()):
        print(f"  expected {expected:>12} got {got:<12} x{count}")
    for outcome in outcomes:
        if not outcome.agrees:
            asked = [q.field for q in outcome.result.missing_information][:4]
            print(
                f"    {outcome.item.id}: expected {outcome.expected.value}, got {outcome.tier.value} "
                f"({outcome.result.status}); use cases {outcome.extracted.profile.use_cases}; asks {asked}"
            )
    assert not downgrades, [o.item.id for o in downgrades]
    assert all(o.asked_right_thing for o in lower_but_asked), [
        o.item.id for o in lower_but_asked if not o.asked_right_thing
    ]
    assert agree / total >= AGREEMENT_FLOOR


def test_use_case_recall_is_reported(outcomes: list[Outcome]) -> None:
    """How many labelled use cases were extracted outright, or at least asked about."""
    expected = found = asked = 0
    for outcome in outcomes:
        for code in outcome.item.expected_use_cases:
            if code == "other":
                continue
            expected += 1
            if code in outcome.extracted.profile.use_cases:
                found += 1
            elif uncertain_use_case(code) in outcome.extracted.uncertain:
                asked += 1
    missed = expected - found - asked
    print(f"\nlabelled use cases: {expected}; extracted {found}; asked about {asked}; missed {missed}")
    assert found + asked >= 0.9 * expected


COPY_WINDOW = 10  # words in a row shared with the law that count as copying


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def test_no_legal_text_in_the_set_or_the_phrase_examples(corpus_dir: Path) -> None:
    """Descriptions, notes and the phrase book's examples are our own words (skips without the corpus)."""
    law: set[tuple[str, ...]] = set()
    for name in ("ai-act-articles.json", "ai-act-annexes.json", "ai-act-recitals.json"):
        path = corpus_dir / "eu-ai-act" / "csa" / name
        if not path.is_file():
            pytest.skip(f"{path} is not present")
        for record in json.loads(path.read_text(encoding="utf-8")):
            words = _words(str(record.get("content", "")))
            law.update(tuple(words[i : i + COPY_WINDOW]) for i in range(len(words) - COPY_WINDOW + 1))
    ours = [f"{item.text} {item.notes}" for item in labelled()]
    ours += [example for examples in load_phrasebook().examples.values() for example in examples]
    copied = []
    for text in ours:
        words = _words(text)
        runs = {tuple(words[i : i + COPY_WINDOW]) for i in range(len(words) - COPY_WINDOW + 1)}
        copied += [" ".join(run) for run in runs & law]
    assert copied == []
