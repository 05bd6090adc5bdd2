"""Offline question generation: every question's right option is supported by its cited record, every
wrong option is not (not even in part), across all topics, difficulties and several seeds."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence

import pytest

from tests.training import check_question, cited_text, full_material, supported, wrong_is_absent
from tools.training.errors import QuestionCountError
from tools.training.evidence import DateClaim, QuantityClaim
from tools.training.facts import Fact
from tools.training.questions import OPTIONS, TRUE_FALSE_SHARE, build_facts, generate_questions
from tools.training.schemas import Difficulty, QuestionKind, TopicMaterial
from tools.training.topics import TOPICS, Topic, find_topic

SEEDS = (0, 1, 2023)


@pytest.fixture(scope="module")
def material() -> TopicMaterial:
    return full_material()


@pytest.fixture(scope="module")
def facts(material: TopicMaterial) -> dict[str, list[Fact]]:
    return {topic.id: build_facts(topic, material) for topic in TOPICS}


def test_every_topic_offers_questions_from_several_kinds_of_fact(facts: dict[str, list[Fact]]) -> None:
    for topic in TOPICS:
        kinds = Counter(f.family for f in facts[topic.id])
        assert len(facts[topic.id]) >= 20, topic.id
        assert len(kinds) >= 2, (topic.id, kinds)
        assert len({f.key for f in facts[topic.id]}) == len(facts[topic.id])


@pytest.mark.parametrize("topic", TOPICS, ids=lambda t: t.id)
def test_every_fact_right_answer_is_in_its_source_and_no_wrong_option_is(
    topic: Topic, facts: dict[str, list[Fact]], material: TopicMaterial
) -> None:
    for fact in facts[topic.id]:
        text = cited_text(material, fact.citation_id)
        assert text == fact.passage
        assert supported(fact.answer.text, fact.answer.claim, text), fact.key
        wrong = fact.wrong_choices()
        assert len(wrong) >= 2, fact.key
        for choice in wrong:
            assert choice.text != fact.answer.text
            assert wrong_is_absent(choice.text, choice.claim, text), (fact.key, choice.text)
        # The question itself must not give the answer away.
        assert fact.answer.text.lower() not in fact.stem.lower(), fact.key


@pytest.mark.parametrize("difficulty", list(Difficulty))
@pytest.mark.parametrize("topic", TOPICS, ids=lambda t: t.id)
def test_generated_questions_are_supported_by_their_citations(
    topic: Topic, difficulty: Difficulty, facts: dict[str, list[Fact]], material: TopicMaterial
) -> None:
    count = min(50, len(facts[topic.id]))
    for seed in SEEDS:
        questions = generate_questions(
            topic, material, count=count, difficulty=difficulty, seed=seed, facts=facts[topic.id]
        )
        assert len(questions) == count
        assert len({q.fact_key for q in questions}) == count  # one question per fact
        for question in questions:
            check_question(question, material)
            if question.kind is QuestionKind.MULTIPLE_CHOICE:
                assert len(question.options) <= OPTIONS[difficulty]
                assert len(question.options) >= 3


def test_true_false_statements_are_checked_both_ways(
    facts: dict[str, list[Fact]], material: TopicMaterial
) -> None:
    topic = find_topic("EU AI Act basics")
    verdicts: Counter[int] = Counter()
    for seed in SEEDS:
        for question in generate_questions(
            topic, material, count=50, difficulty=Difficulty.EASY, seed=seed, facts=facts[topic.id]
        ):
            if question.kind is QuestionKind.TRUE_FALSE:
                check_question(question, material)
                verdicts[question.correct_option] += 1
    assert verdicts[0] >= 5 and verdicts[1] >= 5, verdicts  # true and false statements both occur


def test_same_seed_same_questions_and_other_seeds_differ(
    facts: dict[str, list[Fact]], material: TopicMaterial
) -> None:
    topic = find_topic("gdpr basics")
    first = generate_questions(
        topic, material, count=10, difficulty=Difficulty.MEDIUM, seed=7, facts=facts[topic.id]
    )
    again = generate_questions(topic, material, count=10, difficulty=Difficulty.MEDIUM, seed=7)
    other = generate_questions(
        topic, material, count=10, difficulty=Difficulty.MEDIUM, seed=8, facts=facts[topic.id]
    )
    assert [q.model_dump() for q in first] == [q.model_dump() for q in again]
    assert [q.model_dump() for q in first] != [q.model_dump() for q in other]


def _gap(question_claims: Sequence[object], answer: object) -> float:
    if isinstance(answer, DateClaim):
        return statistics.mean(abs((c.day - answer.day).days) for c in question_claims if c != answer)  # type: ignore[attr-defined]
    assert isinstance(answer, QuantityClaim)
    return statistics.mean(abs(c.value - answer.value) / answer.value for c in question_claims if c != answer)  # type: ignore[attr-defined]


def test_difficulty_changes_the_mix_and_how_close_wrong_options_are(
    facts: dict[str, list[Fact]], material: TopicMaterial
) -> None:
    topic = find_topic("eu-ai-act-basics")
    by_level = {
        level: [
            q
            for seed in SEEDS
            for q in generate_questions(
                topic, material, count=40, difficulty=level, seed=seed, facts=facts[topic.id]
            )
        ]
        for level in Difficulty
    }
    share = {
        level: sum(q.kind is QuestionKind.TRUE_FALSE for q in qs) / len(qs) for level, qs in by_level.items()
    }
    assert share[Difficulty.EASY] > share[Difficulty.HARD]
    assert abs(share[Difficulty.EASY] - TRUE_FALSE_SHARE[Difficulty.EASY]) < 0.15
    recall = {"date", "quantity", "fine"}
    mix = {level: sum(q.family in recall for q in qs) / len(qs) for level, qs in by_level.items()}
    assert mix[Difficulty.HARD] > mix[Difficulty.EASY]
    gaps = {
        level: statistics.mean(
            _gap(q.claims, q.answer)
            for q in qs
            if q.kind is QuestionKind.MULTIPLE_CHOICE and q.family in {"date", "quantity"}
        )
        for level, qs in by_level.items()
    }
    assert gaps[Difficulty.HARD] < gaps[Difficulty.EASY], gaps  # hard: nearer dates and numbers


def test_known_facts_come_out_as_expected(facts: dict[str, list[Fact]]) -> None:
    eu = {f.key: f for f in facts["eu-ai-act-basics"]}
    assert eu["date:eu-ai-act:art-4"].answer.text == "2 February 2025"
    assert eu["fine:eu-ai-act:art-99-3"].answer.text.startswith("EUR 35 million or 7%")
    assert eu["tier:recruitment"].answer.text == "High-risk"
    assert eu["tier:social_scoring"].answer.text.startswith("Prohibited")
    assert eu["tier:customer_chatbot"].answer.text.startswith("Limited")
    # Article 73 states three deadlines: none of them may be a wrong option for another.
    deadline = eu["quantity:eu-ai-act:art-73:general-deadline"]
    assert deadline.answer.text == "15 days"
    assert {"2 days", "10 days"}.isdisjoint(c.text for c in deadline.wrong_choices())
    # Article 6(2) moved by the Digital Omnibus: the base-text date is in the record, never a wrong option.
    gdpr = {f.key: f for f in facts["gdpr-basics"]}
    assert gdpr["quantity:gdpr:art-33-1:notification"].answer.text == "72 hours"
    triage = {f.key: f for f in facts["how-triage-works"]}
    rules = [f for f in triage.values() if f.family.value == "rule"]
    assert {f.answer.text for f in rules} == {"blocked", "T1", "T2", "T3", "T4"}
    approvals = {
        f.citation_id.rsplit(":", 1)[1]: f.answer.text
        for f in triage.values()
        if f.family.value == "approval"
    }
    assert approvals["internal-tiers-t4-low"] == "the system owner"
    aup = facts["genai-acceptable-use"]
    assert any(f.answer.text.startswith("CodeAssist") for f in aup)
    assert any(f.family.value == "policy-list" and "malware" in f.answer.text for f in aup)


def test_term_questions_hide_the_term(facts: dict[str, list[Fact]]) -> None:
    terms = [f for f in facts["eu-ai-act-basics"] + facts["gdpr-basics"] if f.family.value == "term"]
    assert len(terms) >= 30
    for fact in terms:
        assert f" {fact.answer.text.lower()} " not in f" {fact.stem.lower()} ", fact.key


def test_bad_counts_are_refused(material: TopicMaterial, facts: dict[str, list[Fact]]) -> None:
    topic = find_topic("NIST AI RMF basics")
    for count in (0, -1, 51):
        with pytest.raises(QuestionCountError, match="between 1 and 50"):
            generate_questions(topic, material, count=count, difficulty=Difficulty.EASY, seed=1)
    small = TopicMaterial(packs=[p for p in material.packs if p.regime_id == "gdpr"], policies=[])
    available = len(build_facts(find_topic("gdpr"), small))
    with pytest.raises(QuestionCountError, match=f"offers {available} distinct"):
        generate_questions(find_topic("gdpr"), small, count=available + 1, difficulty=Difficulty.EASY, seed=1)
