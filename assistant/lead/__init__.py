"""Answers that answer: retrieval conditioned on the question's analysis, and a lead that states the verdict,
date, period, amount or decision asked for, decided from structured facts (pack fields, the triage rules,
a review's decision) wherever they exist, before the best supporting sentence.

    analysis = analyse_question(question, internal_names=names)
    passages = conditioned_search(index, question, analysis, audience=reader, k=5)
    plan = plan_answer(analysis, passages, embedder=index.embedder)
    plan.lead      # "Yes. NYC Local Law 144 applies: ..." or None when no structured fact answers

The parts: `models` (the plan), `conditioned` (retrieval conditioned on the analysis), `facts` (pack
records, dates, ranking by meaning), `matching` (headings and words against the question), `verdicts`
(yes or no from structured facts and wording), `own_rules` (the organisation's rules and the law behind
them), `record_plans` and `wording` (plans read from a regime's records and their words), `planner` (the
plan by question type) and `prepared` (the whole offline plan for one question).
"""

from assistant.lead.conditioned import (
    _points_elsewhere,
    conditioned_search,
    internal_names,
    is_organisations,
    organisation_names,
    related_support,
)
from assistant.lead.facts import pack_record
from assistant.lead.matching import HEADING_WORDS, denies, word_share
from assistant.lead.models import AnswerPlan, FactBasis, Verdict
from assistant.lead.planner import plan_answer
from assistant.lead.prepared import (
    Prepared,
    dates_from_named_document,
    leads_with_what_it_names,
    names_its_answer,
    plan_brief,
    prepare_answer,
    rests_on_our_sentence,
)
from assistant.lead.record_plans import status_verdict
from assistant.lead.verdicts import (
    coverage_verdict,
    duty_verdict,
    example_verdict,
    is_duty_line,
    our_coverage_verdict,
    review_decision,
    table_cell_verdict,
    wording_verdict,
)

__all__ = [
    "HEADING_WORDS",
    "AnswerPlan",
    "FactBasis",
    "Prepared",
    "Verdict",
    "_points_elsewhere",
    "conditioned_search",
    "coverage_verdict",
    "dates_from_named_document",
    "denies",
    "duty_verdict",
    "example_verdict",
    "internal_names",
    "is_duty_line",
    "is_organisations",
    "leads_with_what_it_names",
    "names_its_answer",
    "organisation_names",
    "our_coverage_verdict",
    "pack_record",
    "plan_answer",
    "plan_brief",
    "prepare_answer",
    "related_support",
    "rests_on_our_sentence",
    "review_decision",
    "status_verdict",
    "table_cell_verdict",
    "word_share",
    "wording_verdict",
]
