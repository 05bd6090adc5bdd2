"""Abstention on the labelled in-scope / out-of-scope questions, in the `make demo` configuration (built-in
packs and the sample organisation, packaged MiniLM, real Chroma and SQLite)."""

from __future__ import annotations

import pytest

from assistant.service import Assistant
from evals.abstention import best_threshold, metrics_at, score_questions
from evals.datasets import scope_questions

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("minilm-demo")]


@pytest.fixture(scope="module")
def assistant(demo: Assistant) -> Assistant:
    """This module's copy of the demo home (tests/integration/conftest.py)."""
    return demo


def test_abstention_on_labelled_scope_questions(assistant: Assistant) -> None:
    scored = score_questions(assistant, scope_questions())
    shipped = metrics_at(scored, assistant.abstain_below)
    print(f"abstention at {shipped.threshold}: {shipped}")
    assert shipped.abstain_precision >= 0.9  # when it says "I don't know", it is almost always right
    assert shipped.answer_rate_in_scope >= 0.9  # and it rarely refuses what it can answer
    assert shipped.accuracy >= 0.75
    # The shipped threshold is (close to) the best one on this set: recalibrate when knowledge changes.
    assert best_threshold(scored).accuracy - shipped.accuracy <= 0.03


def test_abstaining_answer_says_whom_to_ask(assistant: Assistant) -> None:
    answer = assistant.ask("What is the best pizza topping in Naples?")
    assert not answer.grounded and not answer.citations
    assert "Responsible AI team" in answer.answer and answer.knowledge_as_of is not None


def test_triage_finds_precedent_in_past_reviews(assistant: Assistant) -> None:
    from pathlib import Path

    from assistant.triage import run_triage
    from integrations.cli.triage import load_profile_file

    profile = load_profile_file(
        Path(__file__).resolve().parents[2] / "knowledge/samples/systems/cv-screener.yaml"
    )
    outcome = run_triage(assistant.index, assistant.settings, profile, actor="test", record=False)
    assert outcome.result.eu_ai_act.tier.value == "high"
    assert outcome.precedents, "the sample's past CV-screening review should be found as precedent"
    assert outcome.precedents[0].citation.startswith("past-reviews:")
