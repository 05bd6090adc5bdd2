"""The answer plan: verdicts, dates, periods, amounts and decisions from structured facts (pack fields,
the triage rules, a review record), and the clean rendering of the lead."""

from __future__ import annotations

import pytest

from assistant.answering import clean_text, clip_words, compose_answer
from assistant.lead import (
    AnswerPlan,
    FactBasis,
    Verdict,
    pack_record,
    plan_answer,
    related_support,
    review_decision,
)
from assistant.question import analyse_question
from knowledge.embedder import HashingEmbedder
from knowledge.retrieval import Passage
from knowledge.statements import statements

REVIEW = (
    "ID: rev-2024-017\nSystem: TalentSift CV ranking module\nDate: 2024-09-12\nOwner team: HR\n"
    "Description: Vendor module that ranks applicants.\nInternal tier: T1\nEU tier: high\n"
    "Decision: approved_with_conditions\n"
    "Conditions: No automatic rejection.; Bias audit before use in New York City.\n"
    "Rationale: Annex III 4(a) use."
)


def passage(cid: str, text: str = "", *, kind: str = "regulation", title: str = "T") -> Passage:
    if not text and (found := pack_record(cid)):
        text = found[0].record_text(cid)
    return Passage(
        citation_id=cid,
        source_id=cid.split(":")[0],
        title=title,
        locator=f"Loc {cid}",
        parents=[],
        kind=kind,
        level="record",
        visibility="public",
        text=text or "Some text about the rule that is long enough to be a statement.",
        score=0.03,
        similarity=0.6,
    )


def plan(question: str, passages: list[Passage]) -> AnswerPlan:
    return plan_answer(analyse_question(question), passages, embedder=HashingEmbedder())


def test_a_past_review_leads_with_its_decision_and_conditions() -> None:
    text = review_decision(passage("past-reviews:rev-2024-017", REVIEW, kind="review"))
    assert text is not None
    assert text.startswith("TalentSift CV ranking module was approved with conditions on 2024-09-12")
    assert "No automatic rejection; Bias audit before use in New York City" in text
    found = plan(
        "What did we decide about TalentSift?", [passage("past-reviews:rev-2024-017", REVIEW, kind="review")]
    )
    assert found.basis is FactBasis.REVIEW_DECISION


def test_amounts_and_dates_come_from_the_pack_fields() -> None:
    fine = plan("What is the maximum fine for a prohibited AI practice?", [passage("eu-ai-act:art-99-3")])
    assert fine.basis is FactBasis.PENALTY and fine.fact is not None
    assert "EUR 35,000,000" in fine.fact and "7%" in fine.fact
    when = plan("When do the prohibitions apply?", [passage("eu-ai-act:art-5")])
    assert when.basis is FactBasis.APPLIES_FROM and when.fact is not None
    assert when.fact.startswith("From 2 February 2025")


def test_every_currency_a_pack_fines_in_reaches_the_lead() -> None:
    # Korea's ceiling is in won only: the amount must not come out empty ("Up to (...)").
    fine = plan("How much is the fine under Korea's AI Basic Act?", [passage("korea-ai-basic-act:art-43")])
    assert fine.basis is FactBasis.PENALTY and fine.fact is not None
    assert fine.fact.startswith("Up to KRW 30,000,000"), fine.fact


def test_a_stated_period_is_checked_against_the_time_limit() -> None:
    right = plan("Does the EU AI Act require keeping documents for ten years?", [passage("eu-ai-act:art-22")])
    assert right.verdict is Verdict.YES and right.basis is FactBasis.TIME_LIMIT
    wrong = plan(
        "Does the EU AI Act require keeping documents for five years?", [passage("eu-ai-act:art-22")]
    )
    assert wrong.verdict is Verdict.NO and wrong.fact is not None and "10 years" in wrong.fact


@pytest.mark.parametrize(
    ("question", "verdict", "regime"),
    [
        ("Is a chatbot that answers HR questions high-risk?", Verdict.NO, "eu-ai-act"),
        ("Is a CV screening tool high-risk?", Verdict.YES, "eu-ai-act"),
        ("Does the Colorado AI Act apply to our hiring tool?", Verdict.YES, "colorado-ai-act"),
        ("Does NYC Local Law 144 apply to a tool that only schedules interviews?", Verdict.NO, "nyc-ll144"),
        ("Is emotion recognition at work allowed?", Verdict.NO, "eu-ai-act"),
    ],
)
def test_yes_no_verdicts_come_from_the_triage_rules(question: str, verdict: Verdict, regime: str) -> None:
    found = plan(question, [passage(f"{regime}:x", "Unrelated text that says nothing either way here.")])
    assert found.basis is FactBasis.TRIAGE
    assert found.verdict is verdict


def test_no_internal_notation_reaches_the_reader() -> None:
    assert (
        clean_text("eu-ai-act:art-50: note -> The duties keep their date..") == "The duties keep their date."
    )
    assert "approved with conditions" in clean_text("Decision: approved_with_conditions")
    assert "eu-ai-act:" not in clean_text("Grounds: eu-ai-act:annex-iii-4-a; the system ranks CVs.")


def test_clipping_stops_at_a_sentence_end() -> None:
    text = "The first sentence is here and it is complete and whole. " + "word " * 40
    assert clip_words(text, 20) == "The first sentence is here and it is complete and whole."
    assert clip_words("short text", 20) == "short text"


def test_a_table_is_rendered_as_the_row_that_answers() -> None:
    text = (
        "Only the tools below may be used with confidential information.\n\n"
        "| Tool | Use | Data allowed |\n|---|---|---|\n"
        "| NorthwindGPT | Drafting and summarising | Up to Confidential |\n"
        "| CodeAssist | Writing code | Source code, no secrets |\n"
    )
    answer = compose_answer(
        "Which tool is for writing source code?",
        [passage("genai-acceptable-use-policy:tools", text, kind="policy")],
        grounded=True,
        as_of=None,
        contact="RAI",
    )
    lead = answer.answer.split("\n\n")[0]
    assert "CodeAssist: use: Writing code; data allowed: Source code, no secrets." in lead
    assert "|" not in answer.answer


def test_support_never_comes_from_an_unrelated_regime() -> None:
    analysis = analyse_question("What are the penalties under the Colorado AI Act?")
    lead = passage("colorado-ai-act:6-1-1706-2")
    kept = related_support(
        lead,
        [passage("eu-ai-act:art-99-3"), passage("colorado-ai-act:6-1-1706-1"), passage("gdpr:art-83")],
        analysis,
    )
    assert [p.source_id for p in kept] == ["colorado-ai-act"]


def test_wrapped_lines_stay_one_sentence() -> None:
    text = "Systems are re-reviewed on the cycle their\ntier sets (every 12 months for T1).\n\n- A bullet."
    assert (
        statements(text)[0]
        == "Systems are re-reviewed on the cycle their tier sets (every 12 months for T1)."
    )


def test_a_policy_that_contradicts_the_law_is_flagged_not_picked_silently() -> None:
    question = "Can our team leads use emotion recognition on agents' calls?"
    policy = passage(
        "call-centre-policy:monitoring",
        "Team leads may use emotion recognition on agents' calls to coach them on tone.",
        kind="policy",
        title="Call monitoring",
    )
    law = passage(
        "eu-ai-act:art-5-1-f", "Deployer: do not use an AI system to infer the emotions of people at work."
    )
    analysis = analyse_question(question)
    answer = compose_answer(
        question,
        [policy, law],
        grounded=True,
        as_of=None,
        contact="RAI",
        analysis=analysis,
        plan=AnswerPlan(),
        embedder=HashingEmbedder(),
    )
    lead = answer.answer.split("\n\n")[0]
    assert "the sources conflict" in lead
    assert "Call monitoring" in lead and "answers yes" in lead and "answers no" in lead


def test_a_what_is_question_leads_with_the_definition() -> None:
    found = plan("Who counts as a deployer?", [passage("eu-ai-act:art-26-1"), passage("eu-ai-act:art-3-4")])
    assert found.basis is FactBasis.DEFINITION and found.lead_index == 1


def test_a_list_item_reads_with_the_sentence_that_introduces_it() -> None:
    text = (
        "Never paste these into a public chatbot:\n\n"
        "- customer data: names, addresses;\n- claims data: claim files;"
    )
    assert statements(text)[-1] == "Never paste these into a public chatbot: claims data: claim files."


def test_a_status_question_is_answered_from_the_record_status() -> None:
    from assistant.lead import status_verdict
    from knowledge.packs.provenance import RecordStatus

    assert status_verdict("Are the guidelines final?", RecordStatus.PROPOSED) is Verdict.NO
    assert status_verdict("Is the rule final?", RecordStatus.ADOPTED) is Verdict.YES
    assert status_verdict("Is the law enforceable now?", RecordStatus.ADOPTED) is Verdict.NO
    assert status_verdict("Is the circular still in force?", RecordStatus.WITHDRAWN) is Verdict.NO
    assert status_verdict("Was the circular withdrawn?", RecordStatus.WITHDRAWN) is Verdict.YES
    # The number the question names picks the instrument among its siblings.
    found = plan(
        "Is Circular 2022-03 still in force?",
        [passage("ecoa-reg-b:cfpb-circular-2023-03"), passage("ecoa-reg-b:cfpb-circular-2022-03")],
    )
    assert (found.basis, found.verdict, found.cited) == (
        FactBasis.STATUS,
        Verdict.NO,
        ["ecoa-reg-b:cfpb-circular-2022-03"],
    )
    assert found.fact is not None and "withdrawn" in found.fact and found.lead_index == 1


def test_a_when_question_is_not_answered_by_a_definition() -> None:
    # The ADMT definition dates from the regulations' start (2026); the duties apply from 2027.
    found = plan(
        "When do the ADMT rules apply to significant decisions?",
        [passage("california-ccpa-admt:7001"), passage("california-ccpa-admt:7200")],
    )
    assert found.fact is not None and found.fact.startswith("From 1 January 2027"), found.fact


def test_what_a_regime_prohibits_and_what_a_role_must_do_come_from_typed_records() -> None:
    banned = plan(
        "What does TRAIGA prohibit?", [passage("texas-traiga:552-052"), passage("texas-traiga:552-105")]
    )
    assert banned.basis is FactBasis.PROHIBITIONS and banned.fact is not None
    assert "social scoring" in banned.fact and "§ 552.052" in banned.fact  # the rest of the pack's bans too
    duties = plan(
        "What must a large frontier developer publish under SB 53?",
        [passage("california-sb53:22757-11"), passage("california-sb53:22757-12-a")],
    )
    assert duties.basis is FactBasis.OBLIGATIONS and duties.cited == ["california-sb53:22757-12-a"]
    assert duties.fact is not None and "frontier AI framework" in duties.fact


def test_a_heading_that_denies_a_law_exists_answers_no() -> None:
    found = plan(
        "Does the UK have an AI act?", [passage("uk-ai:no-ai-bill-2026"), passage("uk-ai:principles")]
    )
    assert found.verdict is Verdict.NO and found.fact is not None and "no AI Act" in found.fact


def test_an_inserted_article_is_a_reference() -> None:
    from knowledge.references import find_references

    assert [r.anchor for r in find_references("What does Article 4a of the AI Act allow?")] == ["art-4a"]
    assert [r.anchor for r in find_references("Article 4 and Article 5(1)(ba)")] == ["art-4", "art-5-1-ba"]


def test_a_typed_obligation_answers_must_we_with_yes() -> None:
    from assistant.lead import duty_verdict

    question = analyse_question("Does ISO 42001 require an AI system impact assessment?")
    lead = passage("iso-42001:clause-8-4")
    said = (
        "Carry out AI system impact assessments at planned intervals and on significant change, "
        "and keep the results."
    )
    assert duty_verdict(question, lead, said) is Verdict.YES
    assert duty_verdict(question, lead, "The standard has ten clauses and four annexes.") is None


# --- a record's own words: a denial, the body that acts, a permission, a condition ----------------------


def test_a_record_that_denies_what_is_asked_answers_no_in_its_own_words() -> None:
    # Retrieval cites the order's parts; the order itself says it preempts nothing.
    found = plan(
        "Does EO 14365 preempt state AI laws?",
        [passage("us-federal-ai:eo-14365-agency-actions"), passage("us-federal-ai:eo-14365-task-force")],
    )
    assert found.verdict is Verdict.NO and found.basis is FactBasis.RECORD_WORDING
    assert found.cited == ["us-federal-ai:eo-14365"]
    assert found.fact is not None and found.fact.startswith("Executive Order 14365 preempts nothing")
    binding = plan(
        "Are the Commission's prohibited practices guidelines binding?",
        [passage("eu-ai-act:guidance-prohibited-practices")],
    )
    assert binding.verdict is Verdict.NO and binding.fact is not None and "not binding" in binding.fact
    ecoa = plan("Does ECOA allow disparate-impact claims?", [passage("ecoa-reg-b:1002-6-a")])
    assert ecoa.verdict is Verdict.NO and ecoa.fact is not None
    assert "does not authorise disparate-impact" in ecoa.fact and "21 July 2026" in ecoa.fact


def test_a_denial_needs_a_word_of_the_question_under_the_negation() -> None:
    from assistant.lead import denies

    assert denies({"bindi"}, "They are not binding, but courts take them into account.")
    assert not denies({"bindi"}, "They apply not only to high-risk systems but are binding.")
    assert not denies({"preem"}, "A challenge does not suspend a state law; only a court order does.")


def test_a_who_question_leads_with_the_body_that_acts() -> None:
    colorado = plan("Who enforces the Colorado AI Act?", [passage("colorado-ai-act:sb26-189-overview")])
    assert colorado.basis is FactBasis.RECORD_WORDING and colorado.cited == [
        "colorado-ai-act:sb26-189-enforcement"
    ]
    assert colorado.fact is not None and "only by the Attorney General" in colorado.fact
    korea = plan("Who enforces the Korean AI Basic Act?", [passage("korea-ai-basic-act:art-36")])
    assert korea.fact is not None and korea.fact.startswith("The Ministry of Science and ICT enforces"), (
        korea.fact
    )


def test_what_a_provision_allows_is_its_permission_sentence() -> None:
    found = plan("What does Article 4a allow?", [passage("eu-ai-act:art-4"), passage("eu-ai-act:art-4a")])
    assert found.basis is FactBasis.RECORD_WORDING and found.cited == ["eu-ai-act:art-4a"]
    assert found.fact is not None and "may process special categories" in found.fact


def test_a_when_is_it_required_question_leads_with_the_case_that_requires_it() -> None:
    found = plan(
        "When is a DPIA required under the GDPR?",
        [passage("gdpr:art-35-4"), passage("gdpr:art-35-3-b"), passage("gdpr:art-35-1")],
    )
    assert found.basis is FactBasis.RECORD_WORDING and found.fact is not None
    assert "likely to result in a high risk" in found.fact, found.fact


def test_every_penalty_tier_answers_what_are_the_penalties() -> None:
    found = plan("What are the civil penalties under NYC Local Law 144?", [passage("nyc-ll144:20-872")])
    assert found.basis is FactBasis.PENALTY and found.fact is not None
    assert "USD 500" in found.fact and "1,500" in found.fact
    # A point of a fines article takes the ceiling of the paragraph it belongs to.
    point = plan(
        "What is the top fine for violating the GDPR's basic principles?", [passage("gdpr:art-83-5-a")]
    )
    assert point.fact is not None and "EUR 20,000,000" in point.fact and "4%" in point.fact


def test_a_sentence_covering_the_question_answers_yes_and_one_putting_it_outside_no() -> None:
    from assistant.lead import coverage_verdict

    mention = analyse_question("Does the NIST generative AI profile mention prompt injection?")
    assert coverage_verdict(
        mention, "Red-team GAI systems, including prompt injection and data poisoning."
    ) is (Verdict.YES)
    assert coverage_verdict(mention, "Keep an inventory of components and their provenance.") is None
    footprint = analyse_question(
        "Does NIST's generative AI profile cover the environmental footprint of models?"
    )
    said = "Generative tasks cost more energy, and there is no agreed method to estimate the footprint."
    assert coverage_verdict(footprint, said) is None
    assert coverage_verdict(footprint, said, "Environmental impacts") is Verdict.YES
    military = analyse_question("Is AI developed only for military use covered by the AI Act?")
    said = "AI systems used only for military, defence or national security purposes are outside the Act."
    assert coverage_verdict(military, said) is Verdict.NO


def test_a_sentence_about_something_else_gives_no_verdict() -> None:
    from assistant.lead import coverage_verdict

    health = analyse_question("Is health information one of the special categories of personal data?")
    assert (
        coverage_verdict(health, "Systems not trained on data apply these rules to testing data sets only.")
        is None
    )


def test_the_limit_the_question_names_answers_how_long() -> None:
    found = plan(
        "How long must a creditor keep consumer credit applications and adverse action notices?",
        [passage("ecoa-reg-b:1002-12-b")],
    )
    assert found.basis is FactBasis.TIME_LIMIT and found.fact is not None
    assert found.fact.startswith("25 months"), found.fact


def test_a_tool_missing_from_our_allow_list_is_a_no() -> None:
    text = (
        "Only the tools below may be used with internal or confidential information.\n\n"
        "| Tool | Use |\n|---|---|\n| NorthwindGPT (chat) | Drafting |\n| CodeAssist (code) | Code |\n"
    )
    ours = passage("genai-policy:approved-tools", text, kind="policy", title="Approved tools")
    found = plan("Can we use ChatGPT to summarise customer complaints?", [ours])
    assert found.verdict is Verdict.NO and found.fact is not None
    assert found.fact.startswith("ChatGPT is not on our list.") and "NorthwindGPT, CodeAssist" in found.fact
    listed = plan("Can we use NorthwindGPT to summarise customer complaints?", [ours])
    assert listed.verdict is not Verdict.NO


def test_a_section_pointing_elsewhere_is_not_a_rule() -> None:
    from assistant.lead import _points_elsewhere

    names = ["Northwind Mutual Model Risk Tiering Standard", "Northwind Mutual AI Incident Response Runbook"]
    related = passage(
        "rai-policy:related-documents",
        "- Model Risk Tiering Standard\n- AI Incident Response Runbook",
        kind="policy",
    )
    blank = passage(
        "card:internal-tier", "*Tier from the standard, and the rule that set it.*", kind="policy"
    )
    rule = passage("standard:t1", "High-risk systems are T1 and need the board's approval.", kind="policy")
    assert _points_elsewhere(related, names) and _points_elsewhere(blank, names)
    assert not _points_elsewhere(rule, names)


def test_damages_caps_are_amounts_with_every_tier() -> None:
    found = plan("What caps apply to punitive damages under ECOA?", [passage("ecoa-reg-b:1691e-b")])
    assert found.basis is FactBasis.PENALTY and found.fact is not None
    assert "USD 10,000" in found.fact and "USD 500,000" in found.fact


def test_a_definition_leads_with_the_sentence_that_defines() -> None:
    found = plan(
        "What is an impact ratio in an NYC bias audit?", [passage("nyc-ll144:rules-5-300-impact-ratio")]
    )
    assert found.basis is FactBasis.DEFINITION and found.fact is not None
    assert found.fact.startswith("A category's selection rate divided by")


def test_of_two_bans_retrieved_the_closer_in_meaning_answers() -> None:
    lexical = passage("eu-ai-act:art-5-1-h")
    meant = passage("eu-ai-act:art-5-1-e").model_copy(update={"similarity": 0.7})
    found = plan(
        "May we build a face-recognition database by harvesting photos from social media?", [lexical, meant]
    )
    assert found.verdict is Verdict.NO and found.fact is not None and found.fact.startswith("Article 5(1)(e)")
