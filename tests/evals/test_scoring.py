"""Scoring with ragas (through the shim) and our own metrics, on hand-made cases with known answers."""

from __future__ import annotations

from typing import Any

import pytest

from evals.config import Bound, ConfigFileError, load_config
from evals.datasets.schema import LeadExpectation, QACase, RefToolCall, Verdict
from evals.scoring import (
    AnswerSimilarity,
    abstention_metrics,
    context_scores,
    date_spellings,
    first_citation_ok,
    key_fact_recall,
    lead_of,
    lead_score,
    resolve_ids,
    resolve_tool_calls,
    severity,
    tool_call_scores,
    verdict_of,
)
from knowledge.embedder import HashingEmbedder


def test_ids_resolve_at_paragraph_level_before_ragas_compares() -> None:
    expected = ["eu-ai-act:art-50-1", "eu-ai-act:art-2-1-c"]
    retrieved = ["eu-ai-act:art-50-1-a", "eu-ai-act:art-2-1", "eu-ai-act:art-2", "gdpr:art-5"]
    # A part counts for its provision, a paragraph for its point; a bare article never does.
    assert resolve_ids(retrieved, expected) == [
        "eu-ai-act:art-50-1",
        "eu-ai-act:art-2-1-c",
        "eu-ai-act:art-2",
        "gdpr:art-5",
    ]
    precision, recall = context_scores(retrieved, expected)
    assert precision == pytest.approx(2 / 4) and recall == pytest.approx(1.0)
    assert context_scores(["gdpr:art-5"], expected) == (0.0, 0.0)
    assert context_scores([], expected) == (None, 0.0)
    assert context_scores(["x:y"], []) == (None, None)


def test_key_facts_count_any_spelling() -> None:
    answer = "Up to EUR 35 million, or 7% of turnover."
    assert key_fact_recall(answer, [["35,000,000", "35 million"], ["7%"]]) == 1.0
    assert key_fact_recall(answer, [["72 hours"], ["7%"]]) == 0.5
    assert key_fact_recall(answer, []) is None


ANSWER = """No. Inferring emotions at work is prohibited from 2 February 2025 [1]
Official text, Article 5(1)(f): "..."

- Article 99(3): fines up to 35 million [2]

Sources:
[1] Prohibited practices (eu-ai-act:art-5-1-f)"""


def test_the_lead_is_the_text_before_the_first_blank_line() -> None:
    assert lead_of(ANSWER).splitlines()[0].startswith("No. Inferring")
    assert "35 million" not in lead_of(ANSWER) and "Official text" in lead_of(ANSWER)
    assert lead_of("  \nOne line only.") == "One line only."


@pytest.mark.parametrize(
    ("lead", "verdict"),
    [
        ("No. It is prohibited.", Verdict.NO),
        ("**Yes** - people must be told.", Verdict.YES),
        ("Under Article 50(1): yes, you must disclose it.", Verdict.YES),
        ("No later than 15 days after becoming aware.", None),
        # The letters of a verdict opening another word's phrase are no verdict.
        ("No rule may place a system below its floor.", None),
        ("Yes — people must be told.", Verdict.YES),
        ("There is no deadline in the policy.", None),
        ("It depends on the use case.", None),
    ],
)
def test_a_verdict_opens_the_lead_or_one_of_its_sentences(lead: str, verdict: Verdict | None) -> None:
    assert verdict_of(lead) == verdict


def test_iso_dates_match_their_written_forms() -> None:
    assert date_spellings("2026-08-02") == ["2026-08-02", "2 August 2026", "August 2, 2026"]
    assert date_spellings("72 hours") == ["72 hours"]


def test_first_citation_from_an_id_a_part_of_it_or_a_source() -> None:
    assert first_citation_ok(["eu-ai-act:art-50-1-a", "gdpr:art-5"], ["eu-ai-act:art-50-1"])
    assert not first_citation_ok(["gdpr:art-5", "eu-ai-act:art-50-1"], ["eu-ai-act:art-50-1"])
    assert first_citation_ok(["aob-decisions:aob-2025-02"], ["aob-decisions:"])
    assert not first_citation_ok(["eu-ai-act:art-50"], ["eu-ai-act:art-5"])  # not a prefix match
    assert not first_citation_ok([], ["eu-ai-act:art-5"])


def test_lead_score_needs_verdict_facts_and_source_together() -> None:
    polar = LeadExpectation(verdict=Verdict.NO, first_citation=["eu-ai-act:art-5-1-f"])
    assert lead_score(ANSWER, ["eu-ai-act:art-5-1-f"], polar).correct
    wrong_source = lead_score(ANSWER, ["eu-ai-act:art-99-3"], polar)
    assert (wrong_source.verdict, wrong_source.source, wrong_source.correct) == (True, False, False)
    dated = LeadExpectation(must_contain=[["2025-02-02"], ["35 million"]], first_citation=["eu-ai-act:"])
    score = lead_score(ANSWER, ["eu-ai-act:art-5-1-f"], dated)
    # The date is in the lead (written form of the ISO spelling), the fine only further down.
    assert (score.verdict, score.content, score.correct) == (None, 0.5, False)
    yes = LeadExpectation(verdict=Verdict.YES, first_citation=["eu-ai-act:art-5-1-f"])
    assert lead_score(ANSWER, ["eu-ai-act:art-5-1-f"], yes).verdict is False


def test_lead_expectations_are_validated() -> None:
    with pytest.raises(ValueError, match="verdict or something"):
        LeadExpectation(first_citation=["eu-ai-act:art-5"])
    with pytest.raises(ValueError, match="malformed first_citation"):
        LeadExpectation(verdict=Verdict.YES, first_citation=["Article 5"])
    case = {
        "id": "qa-999",
        "regime": "halyard",
        "kind": "answer",
        "question": "Who chairs the board?",
        "expected_citations": ["halyard-ai-charter:who-decides"],
        "key_facts": ["COO"],
        "reference_answer": "The Chief Operating Officer.",
    }
    with pytest.raises(ValueError, match="fixture organisation is lead-scored"):
        QACase.model_validate(case)
    lead = {"must_contain": ["COO"], "first_citation": ["halyard-ai-charter:"]}
    led = QACase.model_validate(case | {"lead": lead})
    assert led.lead_group == "halyard"
    with pytest.raises(ValueError, match="only an answer case"):
        QACase.model_validate(
            {"id": "qa-998", "regime": "none", "kind": "decline", "question": "Weather in Lisbon?",
             "lead": {"verdict": "no", "first_citation": ["gdpr:"]}}
        )  # fmt: skip


def test_abstention_precision_and_recall() -> None:
    should = [True, True, False, False, False]
    answered = [True, False, False, True, False]
    m = abstention_metrics(should, answered)
    assert m["abstention_precision"] == pytest.approx(2 / 3)  # declined 3, 2 rightly
    assert m["abstention_recall"] == pytest.approx(2 / 3)  # 3 to decline, 2 declined
    assert m["answer_rate_in_scope"] == pytest.approx(1 / 2)


def test_tool_calls_are_projected_and_loose_arguments_resolved() -> None:
    reference = [
        RefToolCall.model_validate(
            {"name": "answer_question", "args": {"question": {"contains_all": ["emotion", "work"]}}}
        ),
        RefToolCall.model_validate({"name": "list_tasks", "args": {"open_only": True}}),
    ]
    predicted: list[tuple[str, dict[str, Any]]] = [
        ("answer_question", {"question": "Is Emotion recognition at WORK allowed?", "sources": None}),
        ("list_tasks", {"open_only": True, "limit": 50}),
    ]
    preds, refs = resolve_tool_calls(predicted, reference)
    assert [p.args for p in preds] == [r.args for r in refs]
    assert tool_call_scores("q", predicted, reference) == (1.0, 1.0)
    # A question that misses a required word, in the wrong order: accuracy 0, F1 counts matches only.
    wrong: list[tuple[str, dict[str, Any]]] = [
        ("list_tasks", {"open_only": True}),
        ("answer_question", {"question": "Is it allowed?"}),
    ]
    accuracy, f1 = tool_call_scores("q", wrong, reference)
    assert accuracy == 0.0 and f1 == pytest.approx(0.5)
    assert tool_call_scores("q", [], []) == (1.0, 1.0)
    assert tool_call_scores("q", [("list_systems", {})], []) == (0.0, 0.0)


def test_answer_similarity_uses_the_local_embedder() -> None:
    similarity = AnswerSimilarity(HashingEmbedder())
    same = similarity.score("the fine is 35 million euros", "the fine is 35 million euros")
    other = similarity.score("the fine is 35 million euros", "pizza with basil")
    assert same == pytest.approx(1.0, abs=1e-5) and other is not None and other < 0.2
    assert similarity.score("", "anything") is None


def test_severity_orders_the_tiers() -> None:
    order = ["out_of_scope", "minimal", "limited", "high", "prohibited"]
    assert [severity(t) for t in order] == [0, 1, 2, 3, 4]


def test_thresholds_file_loads_and_bounds_check(tmp_path) -> None:  # type: ignore[no-untyped-def]
    config = load_config()
    for profile in ("full", "fast"):
        assert config.bounds(profile, "redteam")["injection_success_rate"].max == 0
        assert config.bounds(profile, "triage")["dangerous_downgrades"].max == 0
    assert Bound(min=0.8).holds(0.8) and not Bound(min=0.8).holds(0.79)
    assert Bound(max=0).describe() == "<= 0"
    bad = tmp_path / "thresholds.yaml"
    bad.write_text("thresholds:\n  full:\n    qa:\n      citation_hit: {}\n", encoding="utf-8")
    with pytest.raises(ConfigFileError, match=r"thresholds\.yaml: thresholds\.full\.qa\.citation_hit"):
        load_config(bad)


def test_qa_summary_reports_the_lead_per_group_and_keeps_the_fixture_organisations_apart() -> None:
    from evals.results import CaseResult
    from evals.suites.qa import summarise

    def case(cid: str, category: str, group: str | None, answered: float, lead: float | None) -> CaseResult:
        scores: dict[str, float | None] = {"answered": answered}
        if category != "decline":
            scores |= {"citation_hit": answered, "context_recall": answered, "key_fact_recall": answered}
        if lead is not None:
            scores |= {"lead_correct": lead, "lead_source": lead, "lead_content": lead, "lead_verdict": None}
        status = "passed" if (answered == 1.0) == (category != "decline") else "failed"
        return CaseResult(
            suite="qa",
            case_id=cid,
            category=category,
            status=status,
            scores=scores,
            detail={"lead_group": group},
        )

    results = [
        case("qa-001", "eu-ai-act", "packs", 1.0, 1.0),
        case("qa-002", "gdpr", "packs", 1.0, 0.0),
        case("qa-003", "northwind", "northwind", 1.0, 1.0),
        case("qa-004", "decline", None, 0.0, None),
        case("qa-005", "halyard", "halyard", 0.0, 0.0),  # declined: counted for the held-out figures only
        case("qa-006", "halyard", "halyard", 1.0, 1.0),
        case("qa-007", "kestrel", "kestrel", 1.0, 0.0),  # the second organisation tuned on: beside too
    ]
    suite, categories = summarise(results)
    assert suite["lead_correct_packs"] == 0.5 and suite["lead_correct_northwind"] == 1.0
    assert suite["lead_correct_halyard"] == 0.5 and suite["lead_correct_all"] == 0.5
    assert suite["lead_correct_kestrel"] == 0.0 and suite["cases_kestrel"] == 1
    assert suite["citation_hit_kestrel"] == 1.0 and suite["answer_rate_kestrel"] == 1.0
    assert suite["abstention_precision"] == 1.0 and suite["answer_rate_in_scope"] == 1.0
    assert suite["answer_rate_halyard"] == 0.5 and suite["citation_hit_halyard"] == 0.5
    assert suite["cases"] == 4 and suite["cases_held_out"] == 2
    assert categories["halyard"]["lead_correct"] == 0.5
