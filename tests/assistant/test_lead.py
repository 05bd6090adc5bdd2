"""The answer plan: verdicts, dates, periods, amounts and decisions from structured facts (pack fields,
the triage rules, a review record), and the clean rendering of the lead."""

from __future__ import annotations

import numpy as np
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
from assistant.question import (
    Ask,
    QuestionType,
    analyse_question,
    asks_condition,
    asks_for_set,
    counted_thing,
    question_type,
)
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


def answer_text(question: str, passages: list[Passage], lead_plan: AnswerPlan | None = None) -> str:
    """The answer composed as `Assistant.ask` composes it, with the question's analysis and a plan."""
    return compose_answer(
        question,
        passages,
        grounded=True,
        as_of=None,
        contact="RAI",
        analysis=analyse_question(question),
        plan=lead_plan or AnswerPlan(),
        embedder=HashingEmbedder(),
    ).answer


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
    # A row's quoted id and markdown marks are not prose; a quoted command reads as words.
    assert clean_text("Access check (`access-check`): owner queue: security; r4: 5.") == (
        "Access check: owner queue: security; r4: 5."
    )
    assert clean_text("Questions marked **(critical)** are answered first.") == (
        "Questions marked (critical) are answered first."
    )
    assert clean_text("Ask in `#ai-help` or run `tool triage`.") == "Ask in #ai-help or run tool triage."


def test_a_what_question_naming_our_code_is_answered_by_the_row_with_that_code() -> None:
    from assistant.answering import _TABLE_ROW
    from assistant.organisation import best_statement

    rows = [
        "Access review: owner queue: security; r2: 15; r3: 10.",
        "Privacy check: owner queue: privacy; r3: 10.",
        "Privacy assessment: owner queue: privacy; r1: 15; r2: 15.",
    ]
    assert all(_TABLE_ROW.match(row) for row in rows)
    embedder = HashingEmbedder()
    question = "What is the target for the privacy assessment of an R3 product?"
    found = best_statement(
        question, rows, title="Targets", embedder=embedder, vector=embedder.embed([question])[0]
    )
    # The privacy assessment's row names R1 and R2 only: of the rows naming R3, the closest answers.
    assert found == rows[1]
    # A yes/no question may name the code to be told it is another: no restriction.
    polar = "Is the privacy assessment due for an R3 product?"
    said = best_statement(polar, rows, title="Targets", embedder=embedder, vector=embedder.embed([polar])[0])
    assert said == rows[2]


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


def test_a_table_rows_empty_cells_are_left_out() -> None:
    from knowledge.statements import table_rows

    rows = table_rows(
        [
            "| Review | Owner | T1 | T2 | T3 |",
            "|---|---|---|---|---|",
            "| Fairness audit | fairness | 20 | - | n/a |",
        ]
    )
    assert rows == ["Fairness audit: owner: fairness; t1: 20."]
    # "none" is a value ("data allowed: none"), not an empty cell.
    assert table_rows(["| Tool | Data allowed |", "|---|---|", "| Chat | none |"]) == [
        "Chat: data allowed: none."
    ]


def test_who_is_answered_by_the_sentence_naming_who_acts() -> None:
    from assistant.organisation import best_statement

    embedder = HashingEmbedder()
    sentences = [
        "Evidence: system card, a model card for each model and the DPIA for the system.",
        "Approval by the AI Review Board with the Chief Risk Officer's sign-off.",
        "Re-reviewed every 12 months, and whenever the system changes.",
    ]
    question = "Who decides on T1 systems?"
    vector = embedder.embed([question])[0]
    found = best_statement(question, sentences, title="T1 Critical", embedder=embedder, vector=vector)
    assert found == sentences[1]


@pytest.mark.parametrize(
    "sentence",
    ["It reports to the Group Risk Committee every quarter.", "Updates go out daily.", "It meets monthly."],
)
def test_a_frequency_is_a_period(sentence: str) -> None:
    from assistant.lead.verdicts import _PERIOD

    assert _PERIOD.search(sentence)


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
    # What the question negates itself is restated, not denied.
    question = "Is a supplier that cannot say which model it uses a red flag?"
    stems = {"suppl", "model", "uses", "flag"}
    assert denies(stems, "Red flags: the supplier cannot say which model it uses.")
    assert not denies(stems, "Red flags: the supplier cannot say which model it uses.", question)
    assert denies(stems, "A supplier is not a red flag for that.", question)
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


def test_our_sentence_answers_yes_or_no_only_about_what_was_asked() -> None:
    from assistant.lead import our_coverage_verdict

    board = analyse_question("Does the AI Review Board include an external adviser?")
    said = "It includes the Data Protection Officer, the Customer Advocate and an external adviser on ethics."
    assert our_coverage_verdict(board, said, "AI Review Board") is Verdict.YES
    red_team = analyse_question("Is a red-team exercise required for T1 systems?")
    said = "For T1 this includes a red-team exercise covering prompt injection and data extraction."
    assert our_coverage_verdict(red_team, said, "Security review and red team") is Verdict.YES
    exception = analyse_question("Can an exception cover a prohibited use?")
    said = "An exception is limited in time and never covers a prohibited use or a legal obligation."
    assert our_coverage_verdict(exception, said, "Exceptions") is Verdict.NO
    # Another of our identifiers: the sentence is about T1 systems, the question about T4.
    tier = analyse_question("Does a T4 system need AI Review Board approval?")
    said = "It decides on T1 systems, hears appeals, rules on exceptions and confirms every rejection."
    assert our_coverage_verdict(tier, said, "AI Review Board") is None
    # "Always" against a rule that decides case by case: not always.
    always = analyse_question("Is a full DPIA always needed for a T3 system?")
    said = "For T3 a shorter privacy screening decides whether a full DPIA is needed."
    assert our_coverage_verdict(always, said, "Privacy review and DPIA") is Verdict.NO
    # A permission is the rule's wording to decide, not coverage.
    assert our_coverage_verdict(analyse_question("Can a bot pretend to be a named employee?"), said) is None


def test_a_permission_is_read_in_the_clause_that_shares_most_of_the_question() -> None:
    from assistant.lead import wording_verdict

    rule = (
        "Reviewers may raise a class with written reasons; only the Board may lower one, and never below "
        "the floor."
    )
    assert wording_verdict(analyse_question("Can a reviewer raise a product's class?"), rule) is Verdict.YES
    assert wording_verdict(
        analyse_question("Can a reviewer lower a product's class below the floor?"), rule
    ) is (Verdict.NO)
    # A clause that decides nothing leaves the sentence whole to decide: "no real people" excludes it.
    row = "Picture tool: use: Marketing imagery; data allowed: No customer images, no real people."
    assert wording_verdict(
        analyse_question("Can I use the picture tool for a picture of real people?"), row
    ) is (Verdict.NO)


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
    # An instruction wrapped over lines, or two of them, is a blank all the same.
    wrapped = passage(
        "card:overseers",
        "*Roles that oversee the system, their authority, the training they completed, and how many cases\n"
        "each handles.*\n\n*Who may stop the system.*",
        kind="policy",
    )
    assert _points_elsewhere(wrapped, names)
    emphasis = passage("standard:t2", "*Note:* T2 systems need the RAI Lead's approval.", kind="policy")
    assert not _points_elsewhere(emphasis, names)


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


# --- issue #13e: heading-named terms, counts, whole sets, conditions, the law's rule behind "we" ------------


def test_a_record_headed_by_the_term_asked_about_leads_with_its_opening() -> None:
    # "Confabulation" is no defined term of the profile, but its record's heading is the very term asked.
    found = plan(
        "What does NIST mean by confabulation in generative AI?",
        [passage("nist-ai-600-1:appendix-a"), passage("nist-ai-600-1:risk-confabulation")],
    )
    assert found.basis is FactBasis.DEFINITION and found.lead_index == 1
    assert found.fact is not None and "hallucinations" in found.fact
    # A heading the question does not name whole gives no such lead.
    other = plan("What does NIST mean by provenance?", [passage("nist-ai-600-1:risk-confabulation")])
    assert other.basis is not FactBasis.DEFINITION


def test_a_count_is_read_from_the_record_the_parts_belong_to() -> None:
    assert counted_thing("How many risks are listed in NIST's Generative AI Profile?") == "risk"
    assert counted_thing("How many days do we have to answer?") is None
    found = plan(
        "How many risks are listed in NIST's Generative AI Profile?",
        [passage("nist-ai-600-1:risk-confabulation"), passage("nist-ai-600-1:risk-data-privacy")],
    )
    assert found.basis is FactBasis.RECORD_WORDING and found.cited == ["nist-ai-600-1:risk"]
    assert found.fact is not None and "12 risks" in found.fact


def test_a_question_for_the_whole_set_is_answered_by_the_record_listing_it() -> None:
    assert asks_for_set("According to NIST, what characteristics make an AI system trustworthy?")
    assert asks_for_set("How are the Annex A controls of ISO 42001 organised?")
    assert not asks_for_set("What is the statement of applicability in ISO 42001?")
    found = plan(
        "According to NIST, what characteristics make an AI system trustworthy?",
        [
            passage("nist-ai-rmf:trustworthy-fair-harmful-bias-managed"),
            passage("nist-ai-rmf:trustworthy-explainable-interpretable"),
        ],
    )
    assert found.cited == ["nist-ai-rmf:trustworthy"]
    assert found.fact is not None and "valid and reliable" in found.fact
    # The parts' container must say in its heading what is asked: a set question on another topic
    # takes nothing from it.
    unrelated = plan(
        "What kinds of penalties does NIST list?",
        [passage("nist-ai-rmf:trustworthy-fair-harmful-bias-managed")],
    )
    assert unrelated.cited != ["nist-ai-rmf:trustworthy"]


def test_when_is_it_regulated_asks_in_which_cases_not_from_which_date() -> None:
    question = "When is AI software regulated by the FDA as a medical device?"
    assert asks_condition(question)
    assert analyse_question(question).type is not QuestionType.WHEN
    # Under a heading saying when, the sentence stating the case answers, though it has no 'if'.
    found = plan(
        question, [passage("us-health-ai:fda-cds-criteria"), passage("us-health-ai:fda-device-software")]
    )
    assert found.basis is FactBasis.RECORD_WORDING and found.fact is not None
    assert "diagnose" in found.fact


def test_the_law_answers_a_we_question_our_rules_leave_open() -> None:
    question = "Do pictures produced by our image generator need a machine-readable AI marking?"
    assert analyse_question(question).ask is Ask.OBLIGATION
    ours = passage(
        "genai-acceptable-use-policy:marking",
        "Images we publish that were generated by AI carry a visible label where the tool supports it.",
        kind="policy",
        title="Marking generated content",
    ).model_copy(update={"similarity": 0.47})
    law = passage(
        "eu-ai-act:art-50-2",
        "Providers of systems that generate synthetic images must make sure the outputs are marked in a "
        "machine-readable format.",
    ).model_copy(update={"similarity": 0.53})
    found = plan(question, [ours, law])
    assert found.verdict is Verdict.YES and found.lead_index == 1
    # A law passage less close than our own passage does not take the lead from it.
    farther = plan(question, [ours, law.model_copy(update={"similarity": 0.4})])
    assert farther.lead_index == 0 and farther.verdict is None


def test_of_two_records_typing_duties_the_one_closer_as_a_whole_answers_what_must() -> None:
    # Illinois (L)(1) ranks first, but (L)(2), the notice to employees, is what "tell employees" asks for:
    # its passage as a whole is closer to the question.
    question = "What must employers tell employees about AI under the Illinois Human Rights Act amendment?"
    first = passage("illinois-hra-ai:2-102-l-1").model_copy(update={"similarity": 0.4})
    notice = passage("illinois-hra-ai:2-102-l-2").model_copy(update={"similarity": 0.8})
    found = plan(question, [first, notice])
    assert found.basis is FactBasis.OBLIGATIONS and found.cited == ["illinois-hra-ai:2-102-l-2"]
    # The other way round, the first passage keeps it: closeness as a whole decides, not the duties' words.
    reverse = plan(
        question,
        [first.model_copy(update={"similarity": 0.9}), notice.model_copy(update={"similarity": 0.1})],
    )
    assert reverse.cited == ["illinois-hra-ai:2-102-l-1"]


def test_between_two_limits_as_close_as_each_other_retrieval_order_decides() -> None:
    question = "How long is the deadline?"

    class NearTie:
        """Hears Article 14(3)'s limit ("Latest time to inform people ...") a hair closer than any other."""

        def embed(self, texts: list[str]) -> np.ndarray:
            if texts == [question]:
                return np.array([[1.0, 0.0]], dtype=np.float32)
            return np.array([[0.5 + 0.005 * t.startswith("Latest"), 0.0] for t in texts], dtype=np.float32)

    # Neither limit shares a word with the question, and the embedder barely tells them apart: the
    # provision retrieval ranked first answers, whichever it is.
    for first, second in (("gdpr:art-12-3", "gdpr:art-14-3"), ("gdpr:art-14-3", "gdpr:art-12-3")):
        passages = [passage(first), passage(second)]
        found = plan_answer(analyse_question(question), passages, embedder=NearTie())  # type: ignore[arg-type]
        assert found.basis is FactBasis.TIME_LIMIT and found.lead_index == 0, (first, found)


def test_the_set_is_listed_by_the_record_above_the_one_whose_heading_names_it() -> None:
    # "The six lawful bases" (Article 6(1)) names the set but points to its points; Article 6 names them.
    found = plan(
        "List the lawful bases on which personal data may be processed.",
        [passage("gdpr:art-5-1-a"), passage("gdpr:art-4-1"), passage("gdpr:art-6-1-d")],
    )
    assert found.cited == ["gdpr:art-6"] and found.fact is not None
    assert "consent" in found.fact and "legitimate interests" in found.fact
    # The regime's own name is no topic: "risk management" of the AI RMF does not make every category
    # heading with those words name "the four functions".
    functions = plan(
        "Name the four functions of NIST's AI Risk Management Framework.",
        [passage("nist-ai-rmf:core"), passage("nist-ai-rmf:govern-1-4")],
    )
    assert functions.cited == ["nist-ai-rmf:core"]


def test_a_term_of_the_law_named_whole_is_answered_by_the_law_when_we_is_only_the_setting() -> None:
    ours = passage(
        "responsible-ai-policy:principles-privacy",
        "We use the least personal data that does the job and protect models and data against misuse.",
        kind="policy",
        title="Privacy and security",
    ).model_copy(update={"similarity": 0.34})
    law = passage("gdpr:art-5-1-c").model_copy(update={"similarity": 0.42})
    found = plan("What does the data minimisation principle mean when we build a model?", [ours, law])
    assert found.basis is FactBasis.DEFINITION and found.lead_index == 1
    assert found.fact is not None and "adequate, relevant" in found.fact
    # "our" asks about our own rule: the law's heading does not take the lead.
    owned = plan("What does our data minimisation principle mean?", [ours, law])
    assert owned.basis is not FactBasis.DEFINITION


def test_who_counts_as_is_answered_with_the_definition_and_its_edge() -> None:
    found = plan(
        "Who counts as an independent auditor for an NYC bias audit?",
        [passage("nyc-ll144:rules-5-300-independent-auditor")],
    )
    assert found.basis is FactBasis.DEFINITION and found.fact is not None
    assert "objectively" in found.fact and "financial interest" in found.fact
    # "What is" asks for the definition only.
    plain = plan("What is an independent auditor?", [passage("nyc-ll144:rules-5-300-independent-auditor")])
    assert plain.fact is not None and "financial interest" not in plain.fact
    # The lead keeps the whole edge: a definition is read up to DEFINITION_MAX_WORDS.
    answer = compose_answer(
        "Who counts as an independent auditor for an NYC bias audit?",
        [passage("nyc-ll144:rules-5-300-independent-auditor")],
        grounded=True,
        as_of=None,
        contact="RAI",
        analysis=analyse_question("Who counts as an independent auditor for an NYC bias audit?"),
        plan=found,
        embedder=HashingEmbedder(),
    )
    assert "financial interest" in answer.answer.split("\n\n")[0]


def test_a_term_no_record_defines_is_answered_by_the_sentence_that_uses_it() -> None:
    found = plan(
        "What is the statement of applicability in ISO 42001?",
        [passage("iso-42001:overview"), passage("iso-42001:clause-6-1-3")],
    )
    assert found.basis is FactBasis.RECORD_WORDING and found.cited == ["iso-42001:clause-6-1-3"]
    assert found.fact is not None and "statement of applicability" in found.fact


def test_the_words_a_question_asks_weigh_by_how_few_sentences_use_them() -> None:
    from assistant.organisation import asked_words

    sentences = [
        "External statements are approved by Communications and Legal.",
        "Every incident is logged; the incident record is kept for five years.",
        "The incident commander runs the response.",
    ]
    shares = asked_words("Who approves external statements during an AI incident?", sentences)
    # "incident" is in two sentences of three and singles out less than "external" or "statements".
    assert shares[0] > shares[1] and shares[0] > shares[2]
    assert shares[1] == shares[2] > 0
    # Names and the words of a known heading choose nothing.
    named = asked_words(
        "Does Northwind's policy cover it?", ["Northwind's policy covers it."], known="policy"
    )
    assert named == pytest.approx(asked_words("Does it cover?", ["It covers."]))


def test_our_sections_rank_by_the_sentence_that_says_what_is_asked() -> None:
    from assistant.organisation import rank_by_statement

    embedder = HashingEmbedder()
    incidents = passage(
        "genai-acceptable-use-policy:incidents",
        "Report an AI incident at once to the operations centre. The incident runbook applies to every "
        "incident, and personal data exposure is assessed under the breach process too.",
        kind="policy",
        title="Incidents",
    )
    communication = passage(
        "ai-incident-response-runbook:communication",
        "External statements are approved by Communications and Legal. Customers hear from their usual "
        "contact first.",
        kind="policy",
        title="Communication",
    )
    question = "Who approves external statements during an AI incident?"
    vector = embedder.embed([question])[0]
    ranked = rank_by_statement(question, [incidents, communication], vector, embedder)
    # The heading "Incidents" is named by the question, but only the other section says who approves.
    assert ranked[0].citation_id == communication.citation_id


def test_a_sections_own_closeness_counts_beside_its_best_statement() -> None:
    from assistant.organisation import SECTION_WEIGHT, rank_by_statement

    embedder = HashingEmbedder()
    question = "What happens when a class goes up?"
    vector = embedder.embed([question])[0]
    texts = ["A higher class files the missing checks.", "A class changes what is checked."]
    first, second = (
        passage(f"standard:s{n}", text, kind="policy", title=f"Section {n}") for n, text in enumerate(texts)
    )
    statement = rank_by_statement(question, [first, second], vector, embedder)
    # Equal closeness: the statements decide. A section as a whole closer by more than their difference
    # (over SECTION_WEIGHT) leads instead.
    behind = statement[1]
    closer = behind.model_copy(update={"similarity": statement[0].similarity + 1.0 / SECTION_WEIGHT})
    reranked = rank_by_statement(question, [statement[0], closer], vector, embedder)
    assert reranked[0].citation_id == behind.citation_id


@pytest.mark.parametrize(
    ("question", "text", "title", "lead"),
    [
        # A pronoun standing for the heading.
        (
            "Who decides on T1 systems?",
            "It meets monthly and on demand. It decides on T1 systems, hears appeals and rules on "
            "exceptions.",
            "AI Review Board",
            "AI Review Board: It decides on T1 systems",
        ),
        # A sentence opening with its verb, even when it shares a word ("system") with the heading.
        (
            "Who carries out containment in the business during an incident?",
            "Provides knowledge of the system, carries out containment in the business, and writes the "
            "customer remediation plan.",
            "System owner",
            "System owner: Provides knowledge of the system",
        ),
    ],
)
def test_a_who_lead_without_its_subject_is_named_by_its_role_heading(
    question: str, text: str, title: str, lead: str
) -> None:
    answer = answer_text(question, [passage("responsible-ai-policy:role", text, kind="policy", title=title)])
    assert answer.startswith(lead), answer


def test_requires_states_a_duty_only_with_what_it_requires() -> None:
    from assistant.lead.verdicts import wording_verdict

    must = analyse_question("Is the supplier questionnaire needed when we buy an AI product?")
    assert wording_verdict(must, "Every purchase requires the supplier questionnaire.") is Verdict.YES
    # A relative clause ending in "requires" says nothing of the questionnaire.
    assert wording_verdict(must, "The answers feed the reviews the system's tier requires.") is None


@pytest.mark.parametrize(
    ("question", "sentence", "verdict"),
    [
        # The rule requires what the question would do without.
        (
            "Can generated code be merged without a pull-request review?",
            "Generated code goes through the normal pull-request review and tests.",
            Verdict.NO,
        ),
        # The rule orders the very action asked about.
        (
            "Should I keep the link to the chat after pasting restricted data into it?",
            "Do not delete the conversation: take a screenshot and keep the link.",
            Verdict.YES,
        ),
    ],
)
def test_our_rule_answers_what_it_requires_or_orders(question: str, sentence: str, verdict: Verdict) -> None:
    from assistant.lead.verdicts import wording_verdict

    assert wording_verdict(analyse_question(question), sentence) is verdict


def test_neither_an_unrelated_order_nor_a_denied_one_answers_yes() -> None:
    from assistant.lead.verdicts import orders_asked_action, requires_what_is_skipped

    assert not orders_asked_action("Should I keep the link?", "Do not keep the link.")
    # An order under a condition is the condition's answer, not a yes.
    assert not orders_asked_action("Can I use NorthwindGPT for drafting?", "Use only approved AI tools.")
    assert not orders_asked_action("Should I keep the link?", "Take a screenshot of the chat.")
    # What the rule says of something else, or denies, is no requirement of what is skipped.
    question = "Can generated code be merged without a pull-request review?"
    assert not requires_what_is_skipped(question, "Generated code is tested before it is merged.")
    assert not requires_what_is_skipped(question, "Generated code needs no pull-request review.")


def test_who_is_answered_by_a_sentence_using_the_asked_verb() -> None:
    from assistant.organisation import best_statement

    embedder = HashingEmbedder()
    sentences = [
        "The supplier answers every question of the due diligence questionnaire in writing.",
        "The RAI Partner scores it with Procurement and Information Security.",
    ]
    question = "Who scores a supplier's answers to the due diligence questionnaire?"
    vector = embedder.embed([question])[0]
    found = best_statement(question, sentences, title="How to use it", embedder=embedder, vector=vector)
    assert found == sentences[1]


def test_a_question_naming_our_code_is_answered_only_by_what_names_it() -> None:
    cycle = passage(
        "responsible-ai-policy:in-production",
        "Systems are re-reviewed at the interval their tier sets (every 12 months for T1 and T2, every 24 "
        "months for T3) and whenever they change materially.",
        kind="policy",
        title="In production",
    )
    low = passage(
        "model-risk-tiering-standard:t4-low",
        "Minimal risk, internal or low impact. The system owner approves after a security baseline check. "
        "Reviewed on change.",
        kind="policy",
        title="T4 Low",
    )
    targets = passage(
        "model-risk-tiering-standard:due-day-targets",
        "Each review has a target in calendar days.\n\n"
        "| Review | Owner queue | T1 | T2 |\n|---|---|---|---|\n"
        "| Legal review | legal | 10 | 10 |\n| Fairness audit | fairness | 20 | 20 |\n",
        kind="policy",
        title="Due-day targets",
    )
    # The periods of T1 to T3 say nothing of T4: the section T4 heads answers, after its heading.
    found = plan("How often is a T4 system reviewed?", [cycle, low])
    assert found.fact is not None and found.fact.startswith("T4 Low: "), found.fact
    assert found.lead_index == 1
    # A table row's figure in the code's column answers for that code.
    counted = plan("How many days is the fairness audit target for a T2 system?", [targets, cycle])
    assert counted.fact is not None and "Fairness audit" in counted.fact and "t2: 20" in counted.fact
    # "How many days" is answered by a figure in days or in the code's cell: not by the section the code
    # heads when it has no figure, nor by its period in another unit.
    baseline = passage(
        "model-risk-tiering-standard:due-day-targets",
        "| Review | Owner queue | T3 | T4 |\n|---|---|---|---|\n"
        "| Security baseline check | security | - | 5 |\n",
        kind="policy",
        title="Due-day targets",
    )
    for section in (low, low.model_copy(update={"text": low.text + " Looked at again every 24 months."})):
        days = plan("How many days does the security baseline check of a T4 system get?", [section, baseline])
        assert days.fact is not None and "t4: 5" in days.fact, days.fact
        assert days.lead_index == 1


def test_a_code_no_sentence_names_is_answered_by_the_rule_naming_its_siblings() -> None:
    learn = passage(
        "playbook:learn",
        "Within 15 working days of closing a P1 or P2 outage, the lead runs a review of what happened.",
        kind="policy",
        title="Learn",
    )
    found = plan("When is the review held for a P3 outage?", [learn])
    assert found.fact is not None
    assert found.fact.startswith("Our rule names P1 and P2, not P3: Within 15 working days"), found.fact
    # A sentence naming the code itself answers as before.
    own = learn.model_copy(
        update={"text": "Within 5 working days of closing a P3 outage, the lead files a note."}
    )
    said = plan("When is the review held for a P3 outage?", [learn, own])
    assert said.fact is not None and said.fact.startswith("Within 5 working days") and said.lead_index == 1


def test_a_table_row_reads_whole_and_by_its_clause_that_states_the_period() -> None:
    from knowledge.statements import statements

    table = (
        "| Level | Meaning | Response |\n|---|---|---|\n"
        "| SEV1 | Serious harm | Commander within 1 hour; Board chair informed within 4 hours |\n"
        "| SEV2 | Contained harm | Commander within 4 hours |\n"
    )
    # The cell's own "; " does not cut the row: the chair's 4 hours still belong to SEV1.
    assert statements(table) == [
        "SEV1: meaning: Serious harm; response: Commander within 1 hour; "
        "Board chair informed within 4 hours.",
        "SEV2: meaning: Contained harm; response: Commander within 4 hours.",
    ]
    learn = passage(
        "runbook:learn",
        "Within 20 working days of closing a SEV1 or SEV2 incident, the commander runs a blameless review.",
        kind="policy",
        title="Step 7: Learn",
    )
    levels = passage("runbook:severity-levels", table, kind="policy", title="Severity levels")
    # The row is read by its clause that states a period, not blurred by its other cells.
    question = "Within how many hours must the Board chair be informed of a SEV1 incident?"
    found = plan(question, [learn, levels])
    assert found.fact is not None and "Board chair informed within 4 hours" in found.fact, found.fact
    assert found.lead_index == 1


def test_who_decides_what_counts_as_asks_who_not_what() -> None:
    assert question_type("Who decides borderline cases of what counts as an AI system?") is QuestionType.WHO
    assert question_type("Who counts as an independent auditor?") is QuestionType.WHAT_IS


def test_a_stated_period_is_checked_against_our_own_sentence() -> None:
    help_desk = passage(
        "responsible-ai-policy:getting-help",
        "Ask in the help channel or write to the RAI office. The RAI office answers within 2 working days.",
        kind="policy",
        title="Getting help",
    )
    wrong = plan("Is the RAI office's answer time three working days?", [help_desk])
    assert wrong.verdict is Verdict.NO and wrong.basis is FactBasis.WORDING
    assert wrong.fact is not None
    assert wrong.fact.startswith("the period is 2 working days, not 3 working days"), wrong.fact
    right = plan("Is the RAI office's answer time two working days?", [help_desk])
    assert right.verdict is Verdict.YES
    # Two periods in one sentence depend on a case the sentence draws: shown whole, no verdict.
    records = passage(
        "ai-incident-response-runbook:records",
        "Keep the incident record for at least 10 years for high-risk systems and 6 years otherwise.",
        kind="policy",
        title="Records",
    )
    both = plan("Are incident records for systems that are not high-risk kept for 10 years?", [records])
    assert both.verdict is None and both.fact is not None and "6 years otherwise" in both.fact
    answer = answer_text("Is the RAI office's answer time three working days?", [help_desk], wrong)
    assert answer.startswith("No. The period is 2 working days"), answer


@pytest.mark.parametrize(
    ("question", "sentence", "verdict"),
    [
        (
            "Does a T2 system need the AI Review Board's approval?",
            "Approval by the RAI Lead and the business line's Chief Risk Officer; the AI Review Board is "
            "informed at its next meeting.",
            Verdict.NO,
        ),
        (
            "Does a T1 system need AI Review Board approval?",
            "Approval by the AI Review Board with the Chief Risk Officer's sign-off.",
            Verdict.YES,
        ),
        (
            "Does a T4 system need AI Review Board approval?",
            "The system owner approves after a check.",
            Verdict.NO,
        ),
        (
            "Does a T3 system need approval by the RAI Partner?",
            "Approval by the business line's RAI Partner.",
            Verdict.YES,
        ),
        # No approver asked about, or none stated: no verdict from approval.
        ("Is a T3 system high-risk?", "Approval by the RAI Partner.", None),
        (
            "Does a T3 system need the RAI Partner's approval?",
            "T3 systems are re-reviewed every 24 months.",
            None,
        ),
        # Asked in the passive: "cleared by", "approved by".
        (
            "Should external statements about an incident be cleared by Legal?",
            "External statements are approved by Communications and Legal.",
            Verdict.YES,
        ),
        (
            "Should external statements be approved by the Data Protection Officer?",
            "External statements are approved by Communications and Legal.",
            Verdict.NO,
        ),
    ],
)
def test_an_asked_approval_is_checked_against_the_approvers_the_rule_names(
    question: str, sentence: str, verdict: Verdict | None
) -> None:
    from assistant.lead.verdicts import approver_verdict

    assert approver_verdict(question, sentence) is verdict


def test_a_sentence_kept_to_another_of_our_codes_answers_no() -> None:
    from assistant.lead.verdicts import our_coverage_verdict

    sentence = "For T1 this includes a red-team exercise covering prompt injection and data extraction."
    heading = "Security review and red team"
    other = analyse_question("Is a red-team exercise part of the security review for T2 systems?")
    assert our_coverage_verdict(other, sentence, heading) is Verdict.NO
    same = analyse_question("Is a red-team exercise part of the security review for T1 systems?")
    assert our_coverage_verdict(same, sentence, heading) is Verdict.YES
    # About something else than what is asked: no verdict.
    unrelated = analyse_question("Is a DPIA needed for T2 systems?")
    assert our_coverage_verdict(unrelated, sentence, heading) is None


def test_our_sentence_denying_what_a_may_question_asks_answers_no() -> None:
    from assistant.lead.verdicts import wording_verdict

    asked = analyse_question("May marketing publish a realistic deep fake of a real person?")
    denial = (
        "Realistic depictions of real people that could be taken as genuine (deep fakes) are not produced "
        "for marketing at all."
    )
    assert wording_verdict(asked, denial) is Verdict.NO
    # The question's own "not" restated by the rule is no denial.
    restated = analyse_question(
        "Can the RAI Lead stop the launch of a system that has not finished its reviews?"
    )
    rule = (
        "The RAI Lead may stop the launch of any system that has not completed the reviews its tier requires."
    )
    assert wording_verdict(restated, rule) is not Verdict.NO


def test_behind_our_section_only_a_ban_about_as_close_answers() -> None:
    ours = passage(
        "genai-acceptable-use-policy:marking",
        "Images we publish that were generated by AI carry a visible label.",
        kind="policy",
        title="Marking generated content",
    )
    far_ban = passage("eu-ai-act:art-5-1-a").model_copy(update={"similarity": 0.3})
    found = plan("May marketing publish a realistic deep fake of a real person?", [ours, far_ban])
    assert found.basis is not FactBasis.PROHIBITED_RECORD
    near_ban = far_ban.model_copy(update={"similarity": 0.58})
    found = plan("May marketing publish a realistic deep fake of a real person?", [ours, near_ban])
    assert found.basis is FactBasis.PROHIBITED_RECORD and found.verdict is Verdict.NO


def test_a_when_our_rules_answer_by_an_event_is_answered_by_it() -> None:
    retiering = passage(
        "model-risk-tiering-standard:re-tiering",
        "A system is triaged again when its purpose, model, training data, supplier or users change. A "
        "higher tier files the missing reviews.",
        kind="policy",
        title="Re-tiering",
    )
    found = plan("When is a system triaged again?", [retiering])
    assert found.fact is not None and "when its purpose" in found.fact, found.fact


def test_a_when_asking_a_duty_is_answered_by_the_rule_that_says_must() -> None:
    tools = passage(
        "genai-acceptable-use-policy:enterprise-tools",
        "New tools are triaged and added to the AI inventory before use.",
        kind="policy",
        title="Enterprise tools",
    )
    duty = passage(
        "responsible-ai-policy:inventory-duty",
        "Every AI system must be in the AI inventory before any personal or customer data touches it.",
        kind="policy",
        title="Inventory duty",
    )
    found = plan("When does a new AI tool have to be entered in the AI inventory?", [tools, duty])
    assert found.fact is not None and found.fact.startswith("Every AI system must"), found.fact
    assert found.lead_index == 1


def test_a_verdict_resting_on_our_close_sentence_answers_though_the_section_sounds_far() -> None:
    from assistant.answering import answers_question
    from assistant.lead import Prepared

    question = "Can an exception be granted from a legal obligation?"
    rule = "An exception is limited in time and never covers a prohibited use or a legal obligation."
    ours = passage("policy:exceptions", f"Exceptions are requested in writing. {rule}", kind="policy")
    ours = ours.model_copy(update={"title": "Exceptions", "similarity": 0.1})
    law = ours.model_copy(
        update={"citation_id": "gdpr:art-17-3-b", "source_id": "gdpr", "kind": "regulation"}
    )
    said = AnswerPlan(verdict=Verdict.NO, fact=rule, basis=FactBasis.WORDING, lead_index=0)
    embedder = HashingEmbedder()

    def answers(passages: list[Passage], lead_plan: AnswerPlan, threshold: float = 0.2) -> bool:
        prepared = Prepared(analysis=analyse_question(question), passages=passages, plan=lead_plan)
        return answers_question(question, prepared, threshold=threshold, embedder=embedder)

    # The section as a whole is below the threshold; the sentence the verdict rests on is not.
    assert answers([ours], said)
    # Only a verdict of our own sentence counts: not the law's, not a plan without a verdict, not a
    # sentence further away than the threshold.
    assert not answers([law], said)
    assert not answers([ours], said.model_copy(update={"verdict": None}))
    assert not answers([ours], said, threshold=0.99)


def test_our_rule_saying_no_about_what_is_asked_answers_a_may_question() -> None:
    owners = passage(
        "responsible-ai-policy:system-owners",
        "Each AI system has one system owner, a senior manager in the business line that benefits from it. "
        "The system owner registers the system and reports incidents. "
        "Ownership cannot be delegated to a supplier.",
        kind="policy",
        title="System owners",
    )
    found = plan("Can a supplier be the system owner of one of our AI systems?", [owners])
    assert found.verdict is Verdict.NO and found.fact == "Ownership cannot be delegated to a supplier.", found
    # Within DENIAL_MARGIN of our closest sentence, and only when it says no about what is asked.
    import numpy as np

    from assistant.lead.own_rules import DENIAL_MARGIN, _denial

    sentences = [
        (0, "Each AI system has one system owner."),
        (0, "Ownership cannot be delegated to a supplier."),
    ]
    asked = analyse_question("Can a supplier be the system owner of one of our AI systems?")
    near = np.array([0.7, 0.7 - DENIAL_MARGIN + 0.01])
    far = np.array([0.7, 0.7 - DENIAL_MARGIN - 0.01])
    assert _denial(asked, sentences, near) is not None
    assert _denial(asked, sentences, far) is None
    # "suppliers" alone is not what is asked.
    assert _denial(analyse_question("Can a supplier see our incident records?"), sentences, near) is None


def test_a_denial_holding_what_is_asked_answers_from_any_distance() -> None:
    import numpy as np

    from assistant.lead.own_rules import DENIAL_MARGIN, _denial

    sentences = [
        (0, "Waivers are requested in writing from the compliance office."),
        (0, "A waiver lasts at most 3 months and never covers a banned practice."),
    ]
    far = np.array([0.7, 0.7 - DENIAL_MARGIN - 0.2])
    # The question's words (waiver, cover, banned, practice) are all in the denial: it answers.
    asked = analyse_question("Can a waiver cover a banned practice?")
    found = _denial(asked, sentences, far)
    assert found is not None and found.verdict is Verdict.NO and "never covers" in (found.fact or "")
    # Fewer of them ("cover" and "waiver" of four): only within DENIAL_MARGIN.
    assert _denial(analyse_question("Can a waiver cover an urgent launch?"), sentences, far) is None


def test_no_noun_with_a_past_participle_denies_that_action() -> None:
    from assistant.organisation import denies_asked_verb

    rule = "No claim is declined, no policy cancelled and no candidate rejected by a model alone."
    assert denies_asked_verb("Can a model alone reject a job candidate?", rule)
    assert denies_asked_verb("Can a model decline a claim by itself?", rule)
    assert not denies_asked_verb("Can a model rank job candidates?", rule)


def test_an_exemption_question_is_answered_by_what_our_rule_includes() -> None:
    from assistant.lead import our_coverage_verdict

    question = analyse_question("Are pilots exempt from the Model Risk Tiering Standard?")
    included = "The standard applies to systems we build, buy or use, pilots included."
    assert our_coverage_verdict(question, included, "Purpose and scope") is Verdict.NO
    assert our_coverage_verdict(question, "Pilots are exempt from the standard.", "Scope") is Verdict.YES
    # A sentence that does not name the subject says nothing of it.
    assert our_coverage_verdict(question, "The standard applies to systems we buy.", "Scope") is None


def test_a_tier_question_naming_our_code_is_answered_by_our_rule() -> None:
    from assistant.lead import our_coverage_verdict

    floor = "No rule may place a system below the floor: high-risk is never below T2, limited never below T3."
    asked = analyse_question("Is a limited-risk system ever tiered below T3?")
    assert asked.ask is Ask.CLASSIFICATION
    assert our_coverage_verdict(asked, floor, "The floor rule") is Verdict.NO
    # Without one of our codes a classification is the triage's to decide.
    plain = analyse_question("Is a limited-risk system high-risk?")
    assert our_coverage_verdict(plain, floor, "The floor rule") is None


def test_a_cell_that_excludes_what_is_asked_answers_a_may_question_no() -> None:
    from assistant.lead import wording_verdict

    row = (
        "NorthwindGPT (enterprise chat assistant): use: Drafting, summarising; data allowed: Up to "
        "Confidential; no special-category data; review: T3, 2024."
    )
    asked = analyse_question("May I put special-category data into NorthwindGPT?")
    assert wording_verdict(asked, row) is Verdict.NO
    # A limit ("no later than") excludes nothing; a field named like the asked verb ("use:") orders nothing.
    assert wording_verdict(asked, "Report it to the board, no later than 15 days after.") is None
    studio = "Brand Studio (image generator): use: Marketing imagery; data allowed: No customer images."
    assert wording_verdict(analyse_question("Can I use Brand Studio for a brochure?"), studio) is None


def test_a_review_verdict_ignores_the_words_of_the_systems_name() -> None:
    from assistant.lead.verdicts import _review_plan

    review = passage(
        "past-reviews:rev-2025-004",
        "ID: rev-2025-004\nSystem: CodeAssist IDE code assistant\nDecision: approved\n"
        "Rationale: An internal productivity tool whose output is reviewed code.",
        kind="review",
        title="CodeAssist IDE code assistant",
    )
    asked = analyse_question(
        "Is it ok to use CodeAssist on code that has API keys in it?",
        internal_names=["CodeAssist IDE code assistant"],
        own_words=["CodeAssist"],
    )
    assert asked.internal_names == ["CodeAssist IDE code assistant"]
    # "code" is a word of the name: the rationale's "reviewed code" says nothing of API keys.
    assert _review_plan(asked, review, 0) is None


def test_the_laws_rule_behind_ours_is_read_without_its_record_fields() -> None:
    from assistant.lead.own_rules import _law_rule

    law = passage(
        "california-ai-transparency:22757-2",
        "Instrument: SB 942 (2024), as amended by AB 853 (2025)\nApplies from (base text): 2026-08-02\n"
        "Obligations: Provider: A covered provider must offer a free, publicly accessible AI detection tool.",
    )
    law = law.model_copy(update={"similarity": 0.7})
    asked = analyse_question("Must we offer a free AI detection tool?")
    embedder = HashingEmbedder()
    found = _law_rule(asked, [law], embedder.embed([asked.question])[0], embedder)
    assert found is not None and found.fact is not None
    assert "Instrument" not in found.fact and "Applies from" not in found.fact, found.fact


def test_the_triage_rules_cite_the_provisions_of_a_scenarios_use_case() -> None:
    from assistant.lead.conditioned import triage_articles

    cited = triage_articles(
        "A bank scores loan applicants' creditworthiness with a model.", ["creditworthiness"]
    )
    # Annex III's point, the deployer's duties and its fundamental rights impact assessment.
    assert {"eu-ai-act:annex-iii", "eu-ai-act:art-26", "eu-ai-act:art-27"} <= cited
    # Without a use case of Annex III, none of its high-risk duties.
    plain = triage_articles("A spam filter for the mailroom.", [])
    assert not plain & {"eu-ai-act:annex-iii", "eu-ai-act:art-26", "eu-ai-act:art-27"}


def test_a_case_listed_among_the_examples_of_what_is_asked_is_one() -> None:
    from assistant.lead import example_verdict

    examples = passage(
        "runbook:what-is-an-ai-incident-examples",
        "- The customer-service chatbot tells customers their travel claim is covered when it is not.",
        kind="policy",
        title="Examples",
    ).model_copy(update={"parents": ["What is an AI incident"]})
    sentence = "The customer-service chatbot tells customers their travel claim is covered when it is not."
    asked = analyse_question(
        "If our chatbot gives a customer wrong info about their cover, is that an AI incident?"
    )
    assert example_verdict(asked, examples, sentence) is Verdict.YES
    # Another kind asked, another case told, or a section that is no list of examples: no verdict.
    other_kind = analyse_question(
        "If our chatbot gives a customer wrong info about their cover, is that a breach?"
    )
    assert example_verdict(other_kind, examples, sentence) is None
    other_case = analyse_question("If a model drifts within tolerance, is that an AI incident?")
    assert example_verdict(other_case, examples, sentence) is None
    steps = examples.model_copy(update={"title": "Step 1: Report"})
    assert example_verdict(asked, steps, sentence) is None


def test_a_question_about_a_reviewed_system_leads_with_the_condition_that_answers() -> None:
    from assistant.lead.verdicts import _review_plan
    from assistant.question import QuestionAnalysis

    review = passage(
        "past-reviews:rev-2024-031",
        "ID: rev-2024-031\nSystem: Nora customer-service chatbot\nDate: 2024-11-19\n"
        "Decision: approved_with_conditions\n"
        "Conditions: The opening message says the customer is talking to an automated assistant.; "
        "Hand over to a person on request and after two failed attempts to answer.\n"
        "Rationale: The assistant interacts directly with customers.",
        kind="review",
        title="Nora customer-service chatbot",
    )

    def asked(question: str) -> QuestionAnalysis:
        return analyse_question(
            question, internal_names=["Nora customer-service chatbot"], own_words=["Nora"]
        )

    found = _review_plan(asked("After how many failed attempts does Nora hand over to a person?"), review, 0)
    assert found is not None and found.fact is not None
    assert found.fact.startswith("Hand over to a person on request and after two failed attempts"), found.fact
    assert "Nora customer-service chatbot was approved with conditions on 2024-11-19" in found.fact
    # What we decided is the decision with all its conditions.
    decided = _review_plan(asked("What did we decide about Nora?"), review, 0)
    assert (
        decided is not None and decided.fact is not None and decided.fact.startswith("Nora customer-service")
    )


def test_a_named_tool_or_system_is_in_scope_only_for_what_its_record_says() -> None:
    from assistant.lead import Prepared, leads_with_what_it_names

    row = passage(
        "genai-acceptable-use-policy:approved-tools",
        "| Tool | Data allowed |\n|---|---|\n| NorthwindGPT (chat assistant) | Up to Confidential; "
        "no special-category data |\n",
        kind="policy",
        title="Enterprise tools",
    ).model_copy(update={"similarity": 0.17})

    def in_scope(question: str, named: list[str]) -> bool:
        lead_plan = AnswerPlan(lead_index=0)
        prepared = Prepared(analysis=analyse_question(question), passages=[row], plan=lead_plan, named=named)
        return leads_with_what_it_names(prepared)

    named = [row.citation_id]
    assert in_scope("May I put special-category data into NorthwindGPT?", named)
    # The tool named, but nothing its row says asked about.
    assert not in_scope("When is the NorthwindGPT launch party?", named)
    # A lead the question does not name.
    assert not in_scope("May I put special-category data into NorthwindGPT?", [])
    # A "why" about a named review is answered by its reasons, however they are worded.
    record = passage(
        "decision-log:mgc-2025-19",
        "Outcome: Deferred\nReasons: The supplier had not agreed a remediation plan.",
        kind="review",
        title="MGC-2025-19: Auralis ambient clinical scribe",
    )
    why = "Why did the Auralis scribe get put on hold?"
    prepared = Prepared(
        analysis=analyse_question(why),
        passages=[record],
        plan=AnswerPlan(lead_index=0),
        named=[record.citation_id],
    )
    assert leads_with_what_it_names(prepared)
    silent = record.model_copy(update={"text": "Outcome: Deferred"})
    assert not leads_with_what_it_names(prepared.model_copy(update={"passages": [silent]}))


def test_a_question_about_decisions_is_told_apart() -> None:
    from knowledge.retrieval import asks_about_decisions

    assert asks_about_decisions("What band did KestrelChat get when the council reviewed it?")
    assert asks_about_decisions("Did we approve the CV screener?")
    assert not asks_about_decisions("Which data may go into KestrelChat?")


def test_a_question_in_our_own_words_is_ours_however_the_embedder_hears_it() -> None:
    from assistant.lead.conditioned import _says_it_in_our_words

    ours = passage(
        "desk-standard:blocked",
        "The use is banned outright. Counsel confirms the finding within 5 days and the board records it.",
        kind="policy",
        title="Blocked",
    )
    law = passage(
        "eu-ai-act:guidance-prohibited-practices",
        "The guidelines help decide whether a use case is prohibited; they are not binding.",
    )
    # "counsel", "confirm", "finding" and "blocked" (its heading): all of its words beyond "must".
    assert _says_it_in_our_words("Must Counsel confirm a blocked finding?", [ours], [law])
    # Half of the words only: the embedder decides, as before.
    assert not _says_it_in_our_words("Must Counsel publish the prohibited practices list?", [ours], [law])
    # The law holding as many of them: not ours.
    assert not _says_it_in_our_words("Must Counsel confirm a blocked finding?", [ours], [ours])


def test_a_named_row_leads_only_when_it_says_what_is_asked_of_the_name() -> None:
    from assistant.lead.conditioned import rows_answering

    bands = passage(
        "standard:the-bands",
        "| Band | What it means |\n|---|---|\n| Amber | A person makes every decision about a system |\n"
        "| Green | Internal analytics about a system |",
        kind="policy",
    )
    cycles = passage(
        "standard:review-cycles",
        "| Band | Periodic review | Who reviews |\n|---|---|---|\n"
        "| Amber | Every 18 months | Council, system owner |",
        kind="policy",
    )
    needs = passage(
        "standard:what-each-band-needs",
        "| Need | Red | Amber |\n|---|---|---|\n| DPIA | Yes | Yes |\n| Sign-off | Council | Officer |",
        kind="policy",
    )
    ranked = [bands, cycles, needs]
    # "Amber" heads rows of two tables: the one whose cells or header say what is asked answers.
    assert rows_answering("When does the Council look again at an Amber system?", ["Amber"], ranked) == [
        cycles
    ]
    assert rows_answering("What does the Amber band mean for us?", ["Amber"], ranked) == [bands]
    # Nothing a row of "Amber" says is asked ("system" is in most passages and says little): none leads.
    dpia = "Do we need to carry out a DPIA before launching an Amber system?"
    assert rows_answering(dpia, ["Amber"], ranked) == []
    # A word most passages use still decides when the row holds half of what is asked.
    tools = passage(
        "policy:approved-tools",
        "| Tool | Data allowed |\n|---|---|\n| CodeAssist (IDE) | Source code; no production data |",
        kind="policy",
    )
    others = [passage(f"policy:s{n}", "Data rules for everyone.", kind="policy") for n in range(2)]
    assert rows_answering("Which data may CodeAssist receive?", ["CodeAssist"], [tools, *others]) == [tools]
    assert rows_answering("CodeAssist?", ["CodeAssist"], [tools]) == [tools]  # nothing else asked


def test_our_page_that_says_yes_or_no_in_so_many_words_gives_the_verdict() -> None:
    from assistant.lead.own_rules import stated_verdict

    def faq(text: str) -> list[Passage]:
        return [passage("faq:q-tender", text, kind="policy", title="Q: Can I put a tender into an AI tool?")]

    said = stated_verdict(faq("Yes in ChatTool, which is approved up to Confidential. Not in Quill."))
    assert said is not None and said.verdict is Verdict.YES
    assert said.fact == "In ChatTool, which is approved up to Confidential."
    refused = stated_verdict(faq("No. Pseudonymised records are still personal data."))
    assert refused is not None and refused.verdict is Verdict.NO
    assert refused.fact == "Pseudonymised records are still personal data."
    # "No" opening a rule is no verdict; nor is a law's passage.
    assert stated_verdict(faq("No other generative AI tool may be used with our information.")) is None
    assert stated_verdict([passage("eu-ai-act:art-50-1", "Yes, providers shall inform people.")]) is None


def test_a_question_using_every_word_of_one_of_our_longer_headings_is_about_us() -> None:
    from assistant.lead.conditioned import _names_our_heading

    terms = passage("supplier-check:contract-terms", "Incident notice within 36 hours.", kind="policy")
    terms = terms.model_copy(update={"title": "Contract terms we insist on"})
    oversight = passage(
        "policy:oversight", "A person checks outputs.", kind="policy", title="Human oversight"
    )
    assert _names_our_heading("What contract terms do we insist on with AI suppliers?", [terms])
    assert not _names_our_heading("Which contract terms does the AI Act suggest?", [terms])
    # Whole words: "Generative and general-purpose AI" is not named by a question on general-purpose AI.
    gpai = passage(
        "supplier-check:gpai", "Copyright policy.", kind="policy", title="Generative and general-purpose AI"
    )
    assert not _names_our_heading("What must general-purpose AI providers make public?", [gpai])
    # Two topic words are also the law's ("human oversight"): not enough to make a question ours.
    assert not _names_our_heading("What does human oversight mean?", [oversight])


def test_a_rule_that_only_someone_else_may_act_answers_no() -> None:
    from assistant.lead.own_rules import only_another_may

    rule = passage(
        "standard:override-rules",
        "The Ethics Officer may move a system up a band at any time. Only the Council may move a system "
        "down a band, and only on a written request.",
        kind="policy",
    )
    asked = analyse_question("Can the Ethics Officer knock a system down to a lower band?")
    found = only_another_may(asked, [rule])
    assert found is not None and found.verdict is Verdict.NO
    assert found.fact is not None and found.fact.startswith("Only the Council may move a system down")
    # The one the rule names may: no "no" from it.
    assert only_another_may(analyse_question("Can the Council move a system down a band?"), [rule]) is None
    # A rule about another act says nothing of this one.
    assert only_another_may(analyse_question("Can the Ethics Officer delete a passport?"), [rule]) is None


def test_a_duty_question_is_answered_by_our_order_to_do_it() -> None:
    from assistant.lead.own_rules import orders_duty

    question = "I pasted a patient's details into a chatbot. How long do I have to report it?"
    assert orders_duty(question, "Report it to the IT Service Desk within 1 hour.")
    assert orders_duty(question, "If in doubt: report it within 1 hour.")
    assert not orders_duty(question, "The Privacy Office reports a breach within 48 hours.")
    # "must" puts its subject first: no action read from it.
    assert not orders_duty("How soon must the responder open a record?", "The responder opens it.")


def test_a_when_question_naming_our_document_is_in_scope_when_that_document_gives_the_date() -> None:
    from assistant.lead import Prepared, dates_from_named_document

    intro = passage(
        "risk-banding-standard:intro",
        "Version 3 applies to new systems from 1 March 2026.",
        kind="policy",
        title="Acme Risk Banding Standard for Algorithmic Systems",
    ).model_copy(update={"similarity": 0.3})
    dated = AnswerPlan(fact="Version 3 applies to new systems from 1 March 2026.", basis=FactBasis.WORDING)
    question = "When did the new version of the banding standard kick in?"

    def in_scope(q: str, documents: list[str], plan: AnswerPlan = dated) -> bool:
        prepared = Prepared(analysis=analyse_question(q), passages=[intro], plan=plan, documents=documents)
        return dates_from_named_document(prepared)

    assert in_scope(question, ["risk-banding-standard"])
    # Not named, not a when / how long, or no date found: the usual closeness decides.
    assert not in_scope(question, [])
    assert not in_scope("Does the banding standard cover spreadsheets?", ["risk-banding-standard"])
    assert not in_scope(question, ["risk-banding-standard"], AnswerPlan())
