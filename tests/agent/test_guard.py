"""The answer guard: only retrieved citations, only supported sentences, as-of date, or an abstention."""

from __future__ import annotations

import random
import re
from datetime import date

import pytest

from assistant.agent.guard import FLAG, GuardThresholds, guard_answer
from knowledge.embedder import HashingEmbedder
from tests.agent.test_generative_loop import make_passage

AS_OF = date(2025, 8, 2)

# Passages in our own words (never the official wording).
PASSAGES = [
    make_passage(
        "eu-ai-act:art-50-1",
        "Providers design AI systems that talk directly with people so that those people are informed "
        "they are interacting with an AI system: providers ensure nobody mistakes the machine for a person.",
    ),
    make_passage(
        "eu-ai-act:art-99-3",
        "Using prohibited AI practices (Article 5) can bring administrative fines of up to 35 000 000 EUR "
        "or up to 7 % of total worldwide annual turnover.",
    ),
    make_passage(
        "gdpr:art-35-1",
        "Before processing that is likely to be high-risk for people's rights and freedoms starts, the "
        "controller must carry out a data protection impact assessment of that processing.",
    ),
]
IDS = {p.citation_id for p in PASSAGES}

SUPPORTED_1 = "Providers must ensure people are informed that they are interacting with an AI system"
SUPPORTED_2 = "Prohibited AI practices can bring administrative fines of up to 35 000 000 EUR"
SUPPORTED_3 = "The controller must carry out a data protection impact assessment for high-risk processing"


def _kept(guarded) -> list[str]:  # type: ignore[no-untyped-def]
    return [s.text for s in guarded.sentences if s.kept]


def test_supported_cited_sentences_are_kept_renumbered_with_sources_and_as_of() -> None:
    draft = f"{SUPPORTED_3} [3]. {SUPPORTED_1} [1]."
    guarded = guard_answer(draft, PASSAGES, as_of=AS_OF)

    assert guarded.grounded
    assert [s.verdict for s in guarded.sentences] == ["supported", "supported"]
    # Numbered in order of first use: gdpr becomes [1], art-50 [2].
    assert [c.id for c in guarded.citations] == ["gdpr:art-35-1", "eu-ai-act:art-50-1"]
    assert guarded.text.splitlines()[0] == f"{SUPPORTED_3} [1]. {SUPPORTED_1} [2]."
    assert "Sources:" in guarded.text
    assert "[1] Title of art-35-1, art-35-1 (gdpr:art-35-1)" in guarded.text
    assert guarded.text.rstrip().endswith("Knowledge as of 2025-08-02.")
    assert guarded.knowledge_as_of == AS_OF
    assert guarded.invalid_citations == []
    snippet = guarded.citations[0].snippet
    assert "impact assessment" in snippet


def test_fabricated_citations_are_dropped_by_construction() -> None:
    draft = (
        f"{SUPPORTED_1} [1][9]. "  # [9] was never retrieved
        "Deep fakes must always be watermarked [eu-ai-act:art-52-3]. "  # an invented id
        f"{SUPPORTED_2} [0]."  # [0] is no passage
    )
    guarded = guard_answer(draft, PASSAGES, as_of=AS_OF)

    assert set(guarded.invalid_citations) == {"[9]", "[eu-ai-act:art-52-3]", "[0]"}
    assert {c.id for c in guarded.citations} <= IDS
    assert "art-52-3" not in guarded.text
    first, invented, third = guarded.sentences
    assert (first.verdict, first.citations) == ("supported", ["eu-ai-act:art-50-1"])
    # With its only marker invalid, the watermark claim has no citation and no passage supports it.
    assert (invented.verdict, invented.kept) == ("uncited", False)
    # The fines sentence lost its bogus marker, but a retrieved passage supports it: cited to that one.
    assert (third.verdict, third.citations, third.kept) == ("attributed", ["eu-ai-act:art-99-3"], True)


def test_citation_ids_in_brackets_work_when_they_were_retrieved() -> None:
    draft = f"{SUPPORTED_2} [eu-ai-act:art-99-3]. {SUPPORTED_1} [Passage 1]."
    guarded = guard_answer(draft, PASSAGES)
    assert [s.citations for s in guarded.sentences] == [["eu-ai-act:art-99-3"], ["eu-ai-act:art-50-1"]]
    assert guarded.invalid_citations == []
    assert "[1]" in guarded.text and "[2]" in guarded.text


def test_a_sentence_its_cited_passage_does_not_support_is_dropped() -> None:
    draft = (
        f"{SUPPORTED_1} [1]. "
        # Cites a real passage, wrongly:
        "Chatbots are banned in schools and hospitals across member states [1]. "
        f"{SUPPORTED_3} [1]."  # true, but not what [1] says
    )
    guarded = guard_answer(draft, PASSAGES, as_of=AS_OF)

    verdicts = [(s.verdict, s.kept) for s in guarded.sentences]
    assert verdicts == [("supported", True), ("unsupported", False), ("unsupported", False)]
    assert all(s.reason for s in guarded.dropped)
    assert "banned" not in guarded.text
    assert "2 sentence(s) of the draft were left out" in guarded.text
    assert [c.id for c in guarded.citations] == ["eu-ai-act:art-50-1"]


def test_a_number_the_cited_passage_does_not_state_is_unsupported() -> None:
    draft = "Prohibited AI practices can bring administrative fines of up to 50 000 000 EUR [2]."
    guarded = guard_answer(draft, PASSAGES, as_of=AS_OF)

    (sentence,) = guarded.sentences
    assert sentence.verdict == "unsupported"
    assert sentence.support >= 0.5  # the words match; the figure does not
    assert sentence.reason is not None and "50" in sentence.reason
    assert not guarded.grounded


def test_uncited_claims_are_attributed_when_supported_and_dropped_when_not() -> None:
    draft = f"{SUPPORTED_3}. The AI Act was signed on the moon in 1969."
    guarded = guard_answer(draft, PASSAGES)
    attributed, invented = guarded.sentences
    assert (attributed.verdict, attributed.citations) == ("attributed", ["gdpr:art-35-1"])
    assert (invented.verdict, invented.kept) == ("uncited", False)
    assert "moon" not in guarded.text


def test_connectives_pass_but_a_draft_of_only_connectives_abstains() -> None:
    guarded = guard_answer(f"In short: yes.\n{SUPPORTED_1} [1].", PASSAGES, as_of=AS_OF)
    assert [s.verdict for s in guarded.sentences] == ["connective", "supported"]
    assert guarded.text.startswith("In short: yes.\n")

    only_filler = guard_answer("Here is what I found.", PASSAGES, as_of=AS_OF, contact="the RAI desk")
    assert not only_filler.grounded
    assert only_filler.citations == []
    assert "Please ask the RAI desk." in only_filler.text


def test_a_passage_title_said_back_states_nothing() -> None:
    # What SmolLM2 did with the prompt: repeat the numbered headings.
    draft = "1. Title of art-50-1 (art-50-1)\n[2] Title of art-99-3 (art-99-3)"
    guarded = guard_answer(draft, PASSAGES, as_of=AS_OF)
    assert [s.verdict for s in guarded.sentences] == ["heading", "heading"]
    assert not guarded.grounded
    flagged = guard_answer(draft + f"\n{SUPPORTED_1} [1].", PASSAGES, mode="flag")
    assert [s.kept for s in flagged.sentences] == [False, False, True]


def test_nothing_supported_gives_an_abstention_with_the_as_of_date() -> None:
    draft = "All AI systems are prohibited in the EU [1]. Everyone must pay 7 billion EUR [eu-ai-act:art-1]."
    guarded = guard_answer(draft, PASSAGES, as_of=AS_OF, contact="legal")

    assert not guarded.grounded
    assert guarded.citations == []
    assert all(not s.kept for s in guarded.sentences)
    assert guarded.text.startswith("I don't know")
    assert "Please ask legal." in guarded.text
    assert "Knowledge as of 2025-08-02." in guarded.text
    answer = guarded.to_answer("Is AI banned?")
    assert (answer.grounded, answer.citations, answer.knowledge_as_of) == (False, [], AS_OF)


def test_no_passages_at_all_abstains() -> None:
    guarded = guard_answer(f"{SUPPORTED_1} [1].", [], as_of=AS_OF)
    assert not guarded.grounded
    assert guarded.invalid_citations == ["[1]"]


def test_flag_mode_keeps_unsupported_sentences_marked() -> None:
    draft = f"{SUPPORTED_1} [1]. Chatbots are banned in hospitals [1]."
    guarded = guard_answer(draft, PASSAGES, mode="flag")
    supported, flagged = guarded.sentences
    assert supported.kept and flagged.kept and flagged.verdict == "unsupported"
    assert f"Chatbots are banned in hospitals [1] {FLAG}." in guarded.text
    assert "left out" not in guarded.text


def test_the_drafts_own_sources_and_as_of_lines_are_replaced_and_bullets_kept() -> None:
    draft = (
        "**Answer**\n"
        f"- {SUPPORTED_1} [1].\n"
        f"- {SUPPORTED_3} [3].\n"
        "Knowledge as of 1999-01-01.\n"
        "Sources: [1] something invented, [4] more"
    )
    guarded = guard_answer(draft, PASSAGES, as_of=AS_OF)
    lines = guarded.text.splitlines()
    assert lines[0] == "Answer"
    assert lines[1] == f"- {SUPPORTED_1} [1]."
    assert lines[2] == f"- {SUPPORTED_3} [2]."
    assert "1999" not in guarded.text and "something invented" not in guarded.text
    assert guarded.invalid_citations == []  # the draft's source list is not part of the answer


def test_prose_in_brackets_is_not_a_citation() -> None:
    draft = f"{SUPPORTED_2} under the prohibitions [Article 5] [2]."
    guarded = guard_answer(draft, PASSAGES)
    (sentence,) = guarded.sentences
    assert "[Article 5]" in sentence.text
    assert sentence.citations == ["eu-ai-act:art-99-3"]
    assert guarded.invalid_citations == []


def test_a_sentence_may_rest_on_two_passages_together() -> None:
    draft = (
        "Providers must inform people they interact with an AI system, and prohibited practices bring "
        "fines up to 35 000 000 EUR [1][2]."
    )
    guarded = guard_answer(draft, PASSAGES)
    (sentence,) = guarded.sentences
    assert sentence.verdict == "supported"
    assert sentence.citations == ["eu-ai-act:art-50-1", "eu-ai-act:art-99-3"]


def test_an_embedder_adds_a_semantic_score() -> None:
    embedder = HashingEmbedder()
    guarded = guard_answer(f"{SUPPORTED_1} [1].", PASSAGES, embedder=embedder)
    (sentence,) = guarded.sentences
    assert sentence.semantic is not None and 0.0 < sentence.semantic <= 1.0
    # A sentence below the word-share threshold passes on semantic similarity only above its own floor.
    partial = "Providers inform customers about chatbots, avatars and robots in shops [1]."
    strict = guard_answer(partial, PASSAGES, embedder=embedder, thresholds=GuardThresholds(semantic=0.99))
    lenient = guard_answer(
        partial, PASSAGES, embedder=embedder, thresholds=GuardThresholds(semantic=0.05, lexical_floor=0.25)
    )
    assert 0.25 <= strict.sentences[0].support < 0.5
    assert strict.sentences[0].verdict == "unsupported"
    assert lenient.sentences[0].verdict == "supported"


@pytest.mark.parametrize("seed", range(5))
def test_whatever_the_draft_cites_only_retrieved_ids_come_out(seed: int) -> None:
    rng = random.Random(seed)
    sentences = [SUPPORTED_1, SUPPORTED_2, SUPPORTED_3, "The moon is made of cheese", "Fines are 9 EUR"]
    markers = ["[1]", "[2]", "[3]", "[4]", "[17]", "[eu-ai-act:art-5-1-a]", "[gdpr:art-35-1]", "[x:y]", ""]
    draft = " ".join(f"{rng.choice(sentences)} {rng.choice(markers)}{rng.choice(markers)}." for _ in range(8))
    guarded = guard_answer(draft, PASSAGES, as_of=AS_OF)
    assert {c.id for c in guarded.citations} <= IDS
    for sentence in guarded.sentences:
        assert set(sentence.citations) <= IDS
        if sentence.kept:
            assert sentence.verdict in {"supported", "attributed", "connective"}
    # Every [n] in the text points at one of the listed citations.
    numbers = {int(n) for n in re.findall(r"\[(\d+)\]", guarded.text)}
    assert numbers <= set(range(1, len(guarded.citations) + 1))
    assert "cheese" not in guarded.text and "9 EUR" not in guarded.text
