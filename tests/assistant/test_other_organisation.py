"""An organisation that writes its policies as questions and answers and its decisions as a markdown log
(real SQLite and Chroma, the hashing embedder, no packs)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.lead import prepare_answer
from assistant.service import Assistant
from knowledge.access import Audience
from knowledge.ingest import IngestRequest, ingest_paths
from knowledge.sections import DocumentKind
from tests.assistant.passages import section

POLICY = """# Acme Generative AI Questions

These answers apply to every team from 1 May 2026.

## Q: Can I paste customer contracts into Zephyr?

Yes. Zephyr takes data up to Confidential, so a contract may go into it.

## Q: Do these answers apply to contractors in my team?

Yes, these answers apply to contractors in every team, as they apply to employees.

## Q: Which team owns these answers?

The AI team owns these answers and updates them when a tool or a rule changes.

## Q: Which tools may I use?

Zephyr for drafting and Quillon for translation.
"""

LOG = """# Acme Board: Decision Log

## RB-2026-04: Zephyr drafting assistant

**Meeting:** 24 February 2026
**System Custodian:** Chief Information Officer
**Band:** Amber
**Outcome:** Approved with conditions

Conditions set by the Board:

1. Outputs are labelled as drafted with AI.
2. Usage logs are kept for a year.

Reasons: A drafting tool would be Green, but it reaches staff across the company, so it was raised to
Amber.

## RB-2026-05: Quillon translation service

**Meeting:** 3 March 2026
**Band:** Green
**Outcome:** Approved

Reasons: Translation of internal documents only.
"""


@pytest.fixture
def acme(make_settings, tmp_path: Path) -> Iterator[Assistant]:  # type: ignore[no-untyped-def]
    """A home with Acme's questions-and-answers page and decision log ingested."""
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "genai-questions.md").write_text(POLICY, encoding="utf-8")
    (tmp_path / "reviews").mkdir()
    (tmp_path / "reviews" / "board-log.md").write_text(LOG, encoding="utf-8")
    assistant = Assistant.open(make_settings())
    try:
        ingest_paths(assistant.index, IngestRequest(paths=[tmp_path / "policies"], kind=DocumentKind.POLICY))
        ingest_paths(assistant.index, IngestRequest(paths=[tmp_path / "reviews"], kind=DocumentKind.REVIEW))
        yield assistant
    finally:
        assistant.close()


def test_a_question_about_a_decision_on_a_system_our_policies_name_gets_the_decision(acme: Assistant) -> None:
    index = acme.index
    if True:
        question = "What band did Zephyr end up in when the board reviewed it, and why?"
        prepared = prepare_answer(index, question, audience=Audience(), k=5)
        # Named: "Zephyr" is in our policies' headings too, but the question asks about a decision.
        assert prepared.named == ["board-log:rb-2026-04-zephyr-drafting-assistant"]
        assert prepared.passages[0].citation_id == "board-log:rb-2026-04-zephyr-drafting-assistant"
        assert prepared.plan.fact is not None
        assert prepared.plan.fact.startswith(
            "Zephyr drafting assistant was approved with conditions on 24 February 2026 (band Amber)"
        )
        # Not asking about a decision, the policy that names the tool answers.
        data = prepare_answer(index, "Can I paste customer contracts into Zephyr?", audience=Audience(), k=5)
        assert data.passages[0].source_id == "genai-questions" and data.named == []


def test_a_heading_that_is_a_question_is_not_repeated_before_the_answer() -> None:
    from assistant.answering import _lead_line
    from assistant.question import analyse_question

    def lead(title: str) -> str:
        tools = section(
            "genai-questions:tools",
            "Zephyr for drafting and Quillon for translation.",
            title=title,
            similarity=0.6,
        )
        question = "Which tools may I use?"
        return _lead_line(
            question, tools, None, analyse_question(question), embedder=None, question_vector=None
        )

    # A heading that names the answer's kind is said before a sentence that does not use it ...
    assert lead("Approved tools").startswith("Approved tools: Zephyr for drafting")
    # ... a heading that is itself a question is not.
    assert lead("Q: Which tools may I use?").startswith("Zephyr for drafting and Quillon for translation")


def test_a_when_question_about_us_is_answered_by_our_section_that_gives_a_date(acme: Assistant) -> None:
    answer = acme.ask("From what date do these answers apply to my team?", audience=Audience())
    lead = answer.answer.split("\n\n")[0]
    assert "1 May 2026" in lead, lead
    assert answer.citations[0].id == "genai-questions:intro"


def test_our_sections_that_give_a_date_come_first_for_a_when_question() -> None:
    from assistant.lead.conditioned import dated_first

    close = [
        section("p:a", "Applies to contracts."),
        section("p:b", "From 1 April 2026."),
        section("p:c", "x"),
    ]
    assert [p.citation_id for p in dated_first(close)] == ["p:b", "p:a", "p:c"]


def test_a_short_sentence_naming_its_topic_by_a_pronoun_is_read_with_the_one_before() -> None:
    from assistant.answering import with_antecedents

    sentences = [
        "4.1 The AI Systems Catalogue is our single register of systems.",
        "The Data Ethics Office keeps it.",
        "2.7 Someone answers for it.",
        "Every system has a named custodian who answers for it to the Council at every review.",
    ]
    assert with_antecedents(sentences) == [
        "4.1 The AI Systems Catalogue is our single register of systems. The Data Ethics Office keeps it.",
        "2.7 Someone answers for it.",
        "Every system has a named custodian who answers for it to the Council at every review.",
    ]
