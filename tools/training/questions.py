"""Offline question generation: facts in, a deterministic set of checked questions out.

Given the same topic, knowledge, number of questions, difficulty and seed, the same questions come out in
the same order with the same options. Difficulty changes the mix (easy leans on recognising practices,
tiers and terms, with more true/false; hard leans on dates, numbers and table values) and how close the
wrong options are to the right one (hard picks the nearest dates and numbers).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from tools.training.errors import QuestionCountError
from tools.training.evidence import normalise
from tools.training.facts import VALUE, Choice, Fact
from tools.training.llm import Rejection, draft_questions
from tools.training.pack_facts import (
    date_facts,
    fine_facts,
    function_facts,
    membership_facts,
    quantity_facts,
    term_facts,
    tier_facts,
)
from tools.training.policy_facts import (
    approval_facts,
    cloze_facts,
    leaves,
    policy_list_facts,
    rule_facts,
    table_facts,
)
from tools.training.schemas import (
    MAX_QUESTIONS,
    MIN_QUESTIONS,
    TRUE_FALSE_OPTIONS,
    Difficulty,
    GeneratedQuestion,
    QuestionKind,
    SourcePassage,
    TopicMaterial,
)
from tools.training.topics import Family, Topic

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

# How many options a multiple-choice question has, and the share of true/false questions.
OPTIONS = {Difficulty.EASY: 3, Difficulty.MEDIUM: 4, Difficulty.HARD: 4}
TRUE_FALSE_SHARE = {Difficulty.EASY: 0.4, Difficulty.MEDIUM: 0.25, Difficulty.HARD: 0.1}

_RECOGNITION = {Family.MEMBERSHIP, Family.EU_TIER, Family.TERM, Family.FUNCTION, Family.POLICY_LIST}
_RECALL = {Family.DATE, Family.QUANTITY, Family.FINE, Family.TABLE, Family.CLOZE}


def family_weight(family: Family, difficulty: Difficulty) -> float:
    """How often a family is drawn at a difficulty: recognition for easy, exact recall for hard."""
    if difficulty is Difficulty.EASY:
        return 3.0 if family in _RECOGNITION else 1.0
    if difficulty is Difficulty.HARD:
        return 3.0 if family in _RECALL else 1.0
    return 2.0


def build_facts(topic: Topic, material: TopicMaterial) -> list[Fact]:
    """Every usable fact of `topic` from `material`, in a stable order (by family, then source order)."""
    packs = [pack for pack in material.packs if pack.regime_id in topic.regimes]
    by_id = {pack.regime_id: pack for pack in material.packs}
    policies = [p for p in material.policies if any(s in p.source_id for s in topic.policy_sources)]
    sections = leaves(policies)
    builders: dict[Family, Callable[[], Iterable[Fact]]] = {
        Family.DATE: lambda: (f for pack in packs for f in date_facts(pack)),
        Family.QUANTITY: lambda: (f for pack in packs for f in quantity_facts(pack)),
        Family.FINE: lambda: (f for pack in packs for f in fine_facts(pack, material.packs)),
        Family.TERM: lambda: (f for pack in packs for f in term_facts(pack)),
        Family.MEMBERSHIP: lambda: membership_facts(packs, by_id),
        Family.EU_TIER: lambda: tier_facts(topic, by_id),
        Family.FUNCTION: lambda: (f for pack in packs for f in function_facts(pack)),
        Family.TABLE: lambda: table_facts(sections),
        Family.RULE: lambda: rule_facts(sections),
        Family.APPROVAL: lambda: approval_facts(sections),
        Family.CLOZE: lambda: cloze_facts(sections),
        Family.POLICY_LIST: lambda: policy_list_facts(sections),
    }
    facts: list[Fact] = []
    seen: set[str] = set()
    for family in topic.families:
        for fact in builders[family]():
            if fact.key not in seen and fact.usable():
                seen.add(fact.key)
                facts.append(fact)
    return facts


def check_count(count: int, available: int, topic: Topic) -> None:
    """QuestionCountError unless MIN_QUESTIONS <= count <= min(MAX_QUESTIONS, available)."""
    if not MIN_QUESTIONS <= count <= MAX_QUESTIONS:
        raise QuestionCountError(
            f"number of questions must be between {MIN_QUESTIONS} and {MAX_QUESTIONS}, got {count}"
        )
    if count > available:
        raise QuestionCountError(
            f"topic '{topic.title}' offers {available} distinct question(s) with the knowledge indexed; "
            f"ask for at most {available}"
        )


def generate_questions(
    topic: Topic,
    material: TopicMaterial,
    *,
    count: int,
    difficulty: Difficulty,
    seed: int,
    facts: Sequence[Fact] | None = None,
) -> list[GeneratedQuestion]:
    """`count` questions on `topic`, each on a different fact, deterministic for `seed`.

    Raises QuestionCountError when `count` is out of range or more than the topic's usable facts.
    """
    pool = list(facts) if facts is not None else build_facts(topic, material)
    check_count(count, len(pool), topic)
    rng = random.Random(f"{seed}:{topic.id}:{difficulty.value}")
    chosen = _draw(pool, count, difficulty, rng)
    return [make_question(fact, difficulty, rng) for fact in chosen]


def _draw(facts: Sequence[Fact], count: int, difficulty: Difficulty, rng: random.Random) -> list[Fact]:
    """Pick `count` facts, spreading over families by weight (a family drawn often weighs less)."""
    groups: dict[Family, list[Fact]] = {}
    for fact in facts:
        groups.setdefault(fact.family, []).append(fact)
    for group in groups.values():
        rng.shuffle(group)
    drawn: dict[Family, int] = dict.fromkeys(groups, 0)
    chosen: list[Fact] = []
    while len(chosen) < count:
        families = [f for f in groups if groups[f]]
        weights = [family_weight(f, difficulty) / (1 + drawn[f]) for f in families]
        family = rng.choices(families, weights=weights)[0]
        chosen.append(groups[family].pop())
        drawn[family] += 1
    return chosen


def _pick_wrong(fact: Fact, how_many: int, difficulty: Difficulty, rng: random.Random) -> list[Choice]:
    """Wrong options: the closest for hard, a random handful for medium, the farthest for easy."""
    wrong = fact.wrong_choices()
    ranked = sorted(wrong, key=lambda c: (-fact.answer.claim.closeness(c.claim), normalise(c.text)))
    if difficulty is Difficulty.HARD:
        return ranked[:how_many]
    if difficulty is Difficulty.EASY:
        far = ranked[len(ranked) // 2 :] if len(ranked) >= 2 * how_many else ranked
        return rng.sample(far, min(how_many, len(far)))
    return rng.sample(ranked, min(how_many, len(ranked)))


def make_question(fact: Fact, difficulty: Difficulty, rng: random.Random) -> GeneratedQuestion:
    """One question on `fact`: true/false (with the right or a wrong value) or multiple choice."""
    if fact.statement is not None and rng.random() < TRUE_FALSE_SHARE[difficulty]:
        truthful = rng.random() < 0.5
        shown = fact.answer if truthful else _pick_wrong(fact, 1, difficulty, rng)[0]
        if truthful:
            verdict = "True."
        elif fact.family is Family.POLICY_LIST:
            verdict = f"False: '{shown.text}' is not listed there."
        else:
            verdict = f"False: it is {fact.answer.text}, not {shown.text}."
        return GeneratedQuestion(
            kind=QuestionKind.TRUE_FALSE,
            prompt="True or false? " + fact.statement.replace(VALUE, shown.text),
            options=list(TRUE_FALSE_OPTIONS),
            correct_option=0 if truthful else 1,
            citation_id=fact.citation_id,
            explanation=f"{verdict} {fact.explanation}",
            family=fact.family.value,
            fact_key=fact.key,
            claims=[shown.claim],
            answer=fact.answer.claim,
        )
    choices = [fact.answer, *_pick_wrong(fact, OPTIONS[difficulty] - 1, difficulty, rng)]
    rng.shuffle(choices)
    return GeneratedQuestion(
        kind=QuestionKind.MULTIPLE_CHOICE,
        prompt=fact.stem,
        options=[c.text for c in choices],
        correct_option=choices.index(fact.answer),
        citation_id=fact.citation_id,
        explanation=fact.explanation,
        family=fact.family.value,
        fact_key=fact.key,
        claims=[c.claim for c in choices],
        answer=fact.answer.claim,
    )


class SessionQuestions(BaseModel):
    """A session's questions and how they were made."""

    questions: list[GeneratedQuestion]
    generator: str = Field(description="'offline', or 'llm+offline' when a model wrote some of them.")
    rejected: list[Rejection] = Field(default_factory=list, description="Model drafts that failed a check.")
    notice: str | None = Field(default=None, description="E.g. why the model's questions were not used.")


LLM_PASSAGES = 6


def compose_questions(
    topic: Topic,
    material: TopicMaterial,
    *,
    count: int,
    difficulty: Difficulty,
    seed: int,
    chat_model: BaseChatModel | None = None,
) -> SessionQuestions:
    """The questions of a new session: with a chat model, up to half written by the model (each checked
    against its cited passage), the rest offline; without one, all offline and fully deterministic."""
    facts = build_facts(topic, material)
    check_count(count, len(facts), topic)
    if chat_model is None:
        return SessionQuestions(
            questions=generate_questions(
                topic, material, count=count, difficulty=difficulty, seed=seed, facts=facts
            ),
            generator="offline",
        )
    rng = random.Random(f"{seed}:{topic.id}:{difficulty.value}:llm")
    passages = _passages_for(facts, material, rng)
    outcome = draft_questions(chat_model, passages, count=(count + 1) // 2, difficulty=difficulty)
    from_model = outcome.accepted[: (count + 1) // 2]
    offline = (
        generate_questions(
            topic, material, count=count - len(from_model), difficulty=difficulty, seed=seed, facts=facts
        )
        if count > len(from_model)
        else []
    )
    questions = [*from_model, *offline]
    rng.shuffle(questions)
    return SessionQuestions(
        questions=questions,
        generator="llm+offline" if from_model else "offline",
        rejected=outcome.rejected,
        notice=outcome.error,
    )


def _passages_for(facts: Sequence[Fact], material: TopicMaterial, rng: random.Random) -> list[SourcePassage]:
    """A few distinct cited passages of the topic's facts for the model to write about."""
    cited = list(dict.fromkeys(f.citation_id for f in facts))
    rng.shuffle(cited)
    passages = []
    by_id = {p.citation_id: p for p in material.policies}
    for citation_id in cited[:LLM_PASSAGES]:
        if citation_id in by_id:
            passages.append(by_id[citation_id])
            continue
        text = material.passage_text(citation_id)
        if text is not None:
            title = text.splitlines()[0]
            passages.append(
                SourcePassage(
                    citation_id=citation_id,
                    source_id=citation_id.partition(":")[0],
                    title=title,
                    document_title=citation_id.partition(":")[0],
                    text=text,
                )
            )
    return passages
