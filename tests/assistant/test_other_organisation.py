"""A past decision written as a markdown log, about a system our policies also name: a question about
that decision is answered by it (real SQLite and Chroma, the hashing embedder, no packs)."""

from __future__ import annotations

from pathlib import Path

from assistant.lead import prepare_answer
from assistant.service import Assistant
from knowledge.access import Audience
from knowledge.ingest import IngestRequest, ingest_paths
from knowledge.sections import DocumentKind

POLICY = """# Acme Generative AI Questions

## Q: Can I paste customer contracts into Zephyr?

Yes. Zephyr takes data up to Confidential, so a contract may go into it.

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


def test_a_question_about_a_decision_on_a_system_our_policies_name_gets_the_decision(
    make_settings, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "genai-questions.md").write_text(POLICY, encoding="utf-8")
    (tmp_path / "reviews").mkdir()
    (tmp_path / "reviews" / "board-log.md").write_text(LOG, encoding="utf-8")
    assistant = Assistant.open(make_settings())
    try:
        index = assistant.index
        ingest_paths(index, IngestRequest(paths=[tmp_path / "policies"], kind=DocumentKind.POLICY))
        ingest_paths(index, IngestRequest(paths=[tmp_path / "reviews"], kind=DocumentKind.REVIEW))
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
    finally:
        assistant.close()
