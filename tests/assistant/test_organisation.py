"""The organisation's own documents in an answer: its names, its past reviews read by what their fields
mean, a yes/no question about a review, two-ask questions, lists and tables, and the heading signal."""

from __future__ import annotations

import pytest

from assistant.lead import FactBasis, Verdict, plan_answer
from assistant.organisation import (
    clause_verdict,
    decision_head,
    denies_asked_verb,
    heading_overlap,
    list_items,
    own_codes,
    own_names,
    read_review,
    review_decision_text,
    split_asks,
    with_items,
    without_title,
)
from assistant.question import Focus, analyse_question, mentioned_names, without_names
from knowledge.embedder import HashingEmbedder
from knowledge.retrieval import Passage
from knowledge.statements import plain_markdown

# A review record in another organisation's words: the fields are recognised by what their names mean.
OTHER_REVIEW = (
    "Ref: B-2025-07\nName: Routefinder dispatch optimiser\nDecided on: 2025-03-04\n"
    "Risk class: Lantern\nEU tier: minimal\nOutcome: approved_subject_to_conditions\n"
    "Required changes: Drivers can override every route.; Quarterly accuracy check.\n"
    "Reasons: It plans routes for vehicles and does not evaluate drivers, so no Annex III point applies.\n"
    "Supporting grounds: eu-ai-act:annex-iii-4-b"
)


def review(text: str, title: str = "Routefinder dispatch optimiser") -> Passage:
    return Passage(
        citation_id="board-decisions:b-2025-07",
        source_id="board-decisions",
        title=title,
        locator=title,
        parents=[],
        kind="review",
        level="record",
        visibility="internal",
        text=text,
        score=0.03,
        similarity=0.6,
    )


def test_names_only_the_organisation_uses_make_a_question_ours() -> None:
    names = own_names(
        documents=["Acme Freight AI Charter", "Acme Freight Vendor Assessment"],
        reviews=["Routefinder dispatch optimiser"],
        law_words={"charter", "vendor", "assessment", "freight"},
    )
    assert names.words == ["Acme", "Routefinder"]
    assert names.organisation == ["Acme"]
    assert (
        without_names("Which tools may Acme's staff use?", names.organisation) == "Which tools may staff use?"
    )
    found = mentioned_names("Why did we approve Routefinder?", names.names, names.words)
    assert found == ["Routefinder dispatch optimiser"]
    analysis = analyse_question(
        "Which tools may Acme staff use?", internal_names=names.names, own_words=names.words
    )
    assert analysis.focus is Focus.ORGANISATION
    # A common word written in lower case is not the system that bears it as a name.
    assert (
        mentioned_names("Can we use AI for brand imagery?", ["Brand Studio image generator"], ["Brand"]) == []
    )


def test_a_code_only_the_organisation_uses_makes_the_question_ours() -> None:
    # Its tiers and levels ("H2", "SEV1") are its own; a code the law also uses ("GPAI" has no digit,
    # "A1" names an annex point in this law text) is not.
    codes = own_codes(
        ["Tier H2 gets a privacy review.", "SEV1 incidents page the lead.", "See A1 of the questionnaire."],
        ["Point A1 of the annex lists the machinery."],
    )
    assert codes == ["H2", "SEV1"]
    ours = analyse_question("How many days does the privacy review of an H2 system get?", own_codes=codes)
    assert ours.focus is Focus.ORGANISATION
    law = analyse_question("What does point A1 of the annex cover?", own_codes=codes)
    assert law.focus is Focus.LAW
    # A code is a word of its own, written as the documents write it: "sev1" or "H20" is not "SEV1"/"H2".
    assert analyse_question("How many days does H20 take?", own_codes=codes).focus is Focus.LAW


def test_a_document_pointed_at_by_its_kind_makes_the_question_ours() -> None:
    documents = ["Acme Freight AI Charter", "Acme Freight Vendor Assessment", "Acme Driver Safety Charter"]
    found = mentioned_names("Does the charter cover a proof of concept?", documents, documents=documents)
    # Every one of ours of that kind: which charter is meant is for retrieval to say.
    assert found == ["Acme Freight AI Charter", "Acme Driver Safety Charter"]
    analysis = analyse_question(
        "Does this assessment cover cloud suppliers?", internal_names=documents, documents=documents
    )
    assert analysis.focus is Focus.ORGANISATION
    assert analysis.internal_names == ["Acme Freight Vendor Assessment"]
    # A kind of document the question does not point at with "the", "this", "that" or "our" is no name.
    unnamed = mentioned_names("Is a fundamental rights assessment required?", documents, documents=documents)
    assert unnamed == []
    # With up to two words before the kind ("the AI charter"), when no title of ours is used whole: the
    # charter whose title holds one of those words, when one does.
    loose = mentioned_names("Is a spreadsheet in scope of the AI charter?", documents, documents=documents)
    assert loose == ["Acme Freight AI Charter"]
    either = mentioned_names("Is a spreadsheet in scope of our new charter?", documents, documents=documents)
    assert either == ["Acme Freight AI Charter", "Acme Driver Safety Charter"]
    titled = mentioned_names(
        "Does the Driver Safety Charter cover vans?", documents, organisation=["Acme"], documents=documents
    )
    assert titled == ["Acme Driver Safety Charter"]


def test_a_review_is_read_by_what_its_field_names_mean() -> None:
    fields = read_review(OTHER_REVIEW)
    assert fields.decision == "approved subject to conditions"
    assert fields.date == "2025-03-04"
    assert fields.conditions == ["Drivers can override every route", "Quarterly accuracy check"]
    assert fields.conditions_label == "Required changes"
    assert fields.rationale is not None and fields.rationale.startswith("It plans routes")
    assert fields.tiers == ["risk class Lantern", "minimal-risk under the EU AI Act"]


def test_a_review_answers_with_its_conditions_or_its_reasons() -> None:
    p = review(OTHER_REVIEW)
    decided = review_decision_text(p, analyse_question("What did we decide about Routefinder?"))
    assert decided is not None
    assert decided.startswith(
        "Routefinder dispatch optimiser was approved subject to conditions on 2025-03-04 "
        "(risk class Lantern; minimal-risk under the EU AI Act). Required changes: Drivers can override"
    )
    why = review_decision_text(p, analyse_question("Why was Routefinder classed Lantern?"))
    assert why is not None and "does not evaluate drivers" in why and "Required changes" not in why


def test_a_yes_no_question_about_a_review_takes_the_clause_about_what_it_asks() -> None:
    texts = ["The profiling override does not apply, so the Article 6(3)(d) derogation was accepted."]
    assert clause_verdict("Did it get an Article 6(3) derogation?", texts) == (True, texts[0])
    refused = ["It profiles candidates, so no Article 6(3) derogation was available."]
    assert clause_verdict("Did it get an Article 6(3) derogation?", refused) == (False, refused[0])
    names = ["Routefinder dispatch optimiser"]
    analysis = analyse_question("Was Routefinder approved?", internal_names=names, own_words=["Routefinder"])
    planned = plan_answer(analysis, [review(OTHER_REVIEW)], embedder=HashingEmbedder())
    assert planned.verdict is Verdict.YES and planned.basis is FactBasis.REVIEW_DECISION
    rejected = plan_answer(
        analyse_question("Did we reject Routefinder?", internal_names=names, own_words=["Routefinder"]),
        [review(OTHER_REVIEW)],
        embedder=HashingEmbedder(),
    )
    assert rejected.verdict is Verdict.NO


def test_two_asks_and_a_denied_verb() -> None:
    assert split_asks("Who chairs the board and how often does it meet?") == [
        "Who chairs the board",
        "how often does it meet",
    ]
    assert split_asks("What are the terms and conditions?") == ["What are the terms and conditions?"]
    assert denies_asked_verb(
        "Can generative AI decide whether a claim is paid?", "Generative AI does not decide claims."
    )
    assert not denies_asked_verb("Can generative AI draft a letter?", "Generative AI does not decide claims.")
    # The action behind "try to", and a short verb, are denied as asked.
    assert denies_asked_verb("Should I try to fix the model myself?", "Do not try to fix the model yourself.")
    # "not all" and "not use" deny no action asked.
    assert not denies_asked_verb("Are all tools approved?", "These are not all approved for claims.")
    assert not denies_asked_verb(
        "Can I use CodeAssist for code?", "Do not use public chatbots for claims data."
    )
    # An action the question denies itself is restated by the rule, not denied.
    assert not denies_asked_verb(
        "Is a supplier that cannot say which model it uses a red flag?",
        "Red flags: the supplier cannot say which model it uses.",
    )


def test_a_list_or_table_leads_with_its_items() -> None:
    table = (
        "Only the tools below may be used with confidential information.\n\n"
        "| Tool | Use |\n|---|---|\n| **HaulChat** (chat assistant) | Drafting |\n| `CodePilot` | Code |\n"
    )
    assert list_items(table) == ["HaulChat (chat assistant)", "CodePilot"]
    sentence = "Only the tools below may be used with confidential information."
    assert with_items(sentence, table, title="Tools", is_list_question=False) == (
        "Only the tools below may be used with confidential information: "
        "HaulChat (chat assistant); CodePilot."
    )
    bullets = "- No training on our data.\n- Incident notice within 24 hours\n  and cooperation.\n"
    assert with_items("No training on our data.", bullets, title="Contract terms", is_list_question=True) == (
        "Contract terms: No training on our data; Incident notice within 24 hours and cooperation."
    )
    # A sentence that neither announces the list nor is one of its items stands alone.
    assert (
        with_items("Suppliers answer within 10 days.", bullets, title="Terms", is_list_question=True) is None
    )
    # A sentence opening an item that goes on is that item; a heading that is a question is not repeated.
    tools = "- **Forge**, the code assistant. Source code only.\n- **Quill**, the writing assistant.\n"
    faq = "Q: Which tools may I use?"
    assert with_items("Forge, the code assistant.", tools, title=faq, is_list_question=True) == (
        "Forge, the code assistant. Source code only; Quill, the writing assistant."
    )


def test_a_heading_the_question_names_counts() -> None:
    assert heading_overlap("What should be done first to contain an incident?", "Step 3: Contain") == 1.0
    assert heading_overlap("What should be done first to contain an incident?", "Step 7: Learn") == 0.0


def test_readable_drops_markup_but_keeps_a_quoted_field_name_whole() -> None:
    # A list of field names in code quotes once read "customerfacing`: ..." (the quote and the
    # underscore were taken for one emphasis).
    listed = "suggests: `customer_facing`: customers; `personal_data` and `special_category_data` (health)"
    assert plain_markdown(listed) == (
        "suggests: customer facing: customers; personal data and special category data (health)"
    )
    assert (
        plain_markdown("**Approved** tools:  *only* the _listed_ ones")
        == "Approved tools: only the listed ones"
    )
    assert plain_markdown("snake_case_name and 2*3*4 stay") == "snake_case_name and 2*3*4 stay"


def test_a_named_document_is_asked_about_as_it() -> None:
    title, organisation = "Northwind Mutual Responsible AI Policy", ["Mutual", "Northwind"]
    assert (
        without_title("How long can an exception to the Responsible AI Policy last?", title, organisation)
        == "How long can an exception to it last?"
    )
    assert without_title(
        "Is our Northwind Mutual Responsible AI Policy's scope global?", title, organisation
    ) == ("Is it scope global?")
    # Nothing but question words would be left: the question stands.
    assert without_title("What is the Responsible AI Policy?", title, organisation) == (
        "What is the Responsible AI Policy?"
    )
    # A title it does not name, or a one-word one, changes nothing.
    assert without_title("Who chairs the board?", title, organisation) == "Who chairs the board?"
    assert without_title("What does the Policy say?", "Policy", organisation) == "What does the Policy say?"


def test_a_heading_word_many_headings_share_names_little() -> None:
    from assistant.organisation import heading_names

    titles = ["Incidents", "Serious incidents", "What is an AI incident", "Step 3: Contain", "Fairness audit"]
    named = heading_names("What should be done first to contain an AI incident?", titles)
    # "contain" heads one section; "incident" heads three and singles none of them out.
    assert named[3] == 1.0
    assert named[0] == pytest.approx(1 / 3)
    assert named[4] == 0.0


def test_the_tools_our_tables_list_are_names_only_we_use() -> None:
    from assistant.organisation import own_row_names

    table = (
        "| Tool | Use |\n|---|---|\n| **HaulChat** (chat assistant) | Drafting |\n| `CodePilot` | Code |\n"
        "| API gateway | Integration |\n| Customer portal | Self-service |\n"
    )
    # Header rows, acronyms and words the law uses are no names.
    assert own_row_names([table], law_words={"customer", "portal"}) == ["CodePilot", "HaulChat"]


def test_a_denial_in_a_relative_clause_describes_a_case_and_denies_nothing() -> None:
    from assistant.lead import denies

    example = "An AI tool is found in use that was never triaged."
    question = "Does a new AI tool need to be triaged first?"
    assert not denies_asked_verb(question, example)
    assert not denies({"triag", "tool"}, example)
    # The rule itself still denies.
    assert denies_asked_verb("Can we skip triage?", "Teams must never skip triage.")
    # A reported statement is no relative clause: "states that ECOA does not authorise ..." denies.
    reported = "The final rule states that ECOA does not authorise disparate-impact liability."
    assert denies({"autho", "dispa"}, reported)


def test_a_who_question_puts_first_the_section_whose_statement_acts() -> None:
    from assistant.organisation import acting_first

    def section(title: str, text: str) -> Passage:
        return review(text, title=title).model_copy(
            update={"kind": "policy", "citation_id": f"charter:{title}"}
        )

    register = section(
        "Model register", "Every model must be in the register before it touches customer data."
    )
    office = section(
        "Model office", "The Head of Model Risk runs the programme: keeps the model register up to date."
    )
    board = section("Oversight board", "The board meets monthly and keeps minutes.")
    ranked = acting_first("Who keeps the model register?", [register, board, office])
    # The office keeps the register; the board keeps something else; the register's section keeps nothing.
    assert [p.title for p in ranked] == ["Model office", "Model register", "Oversight board"]
    # A passive statement names who acts as well ("signed by ...").
    signed = section("Impact assessment", "The assessment is signed by the Data Protection Officer.")
    assert acting_first("Who signs the impact assessment?", [register, signed])[0] is signed
    # Not a "who <verb>" question: the order stands.
    assert acting_first("What is the model register?", [register, office]) == [register, office]


def test_what_happens_when_is_answered_by_the_sentence_naming_that_case() -> None:
    from assistant.organisation import best_statement
    from knowledge.embedder import HashingEmbedder

    embedder = HashingEmbedder()
    sentences = [
        "Each check has a target in working days from the day it is opened.",
        "The desk is told at once; the compliance head steps in when a target is missed by 3 days.",
    ]
    for question in (
        "What happens when a check misses its target?",
        "What happens if a check misses its target?",
    ):
        vector = embedder.embed([question])[0]
        found = best_statement(question, sentences, title="Check targets", embedder=embedder, vector=vector)
        assert found == sentences[1]


def test_a_who_question_about_a_review_is_answered_by_the_reviewer_whose_role_says_it() -> None:
    from assistant.lead.verdicts import _review_plan

    record = (
        OTHER_REVIEW + "\nPanel: Ada Okafor (Legal); Sam Reyes (Safety lead, panel chair); Lee Wong (Safety)"
    )
    assert read_review(record).people == [
        "Ada Okafor (Legal)",
        "Sam Reyes (Safety lead, panel chair)",
        "Lee Wong (Safety)",
    ]
    analysis = analyse_question(
        "Who chaired the panel when Routefinder was reviewed?",
        internal_names=["Routefinder dispatch optimiser"],
        own_words=["Routefinder"],
    )
    found = _review_plan(analysis, review(record), 0)
    assert found is not None and found.fact is not None
    assert found.fact.startswith("Sam Reyes (Safety lead, panel chair). Routefinder dispatch optimiser was")
    # No entry holds two of the question's words (two hold "safety"): no one is named, the decision leads.
    vague = analyse_question(
        "Who from safety looked at Routefinder?",
        internal_names=["Routefinder dispatch optimiser"],
        own_words=["Routefinder"],
    )
    plain = _review_plan(vague, review(record), 0)
    assert (
        plain is not None
        and plain.fact is not None
        and plain.fact.startswith("Routefinder dispatch optimiser")
    )


# The same kind of record as a markdown decision log writes it: bold field names, a date under a name that
# says nothing of dates, conditions as a numbered list under a field of their own, values wrapped.
MARKDOWN_REVIEW = """**Meeting:** 11 February 2025
**System Custodian:** Director of Clinical Products
**Band:** Red
**Outcome:** Approved with conditions

Routefinder plans the routes of every van from the depot each morning.

Conditions set by the Board:

1. Drivers can override every
   route.
2. Quarterly accuracy check.

Panel: Ada Okafor (Legal, chair), Sam Reyes (Safety
lead), Lee Wong (Data Science).

Reasons: It plans routes for vehicles
and does not evaluate drivers.

Follow-up: none."""


def test_a_markdown_decision_record_is_read_like_any_other() -> None:
    fields = read_review(MARKDOWN_REVIEW)
    assert fields.decision == "Approved with conditions"
    assert fields.date == "11 February 2025"
    assert fields.tiers == ["band Red"]
    assert fields.conditions == ["Drivers can override every route", "Quarterly accuracy check"]
    assert fields.conditions_label == "Conditions set by the Board"
    assert fields.people == [
        "Ada Okafor (Legal, chair)",
        "Sam Reyes (Safety lead)",
        "Lee Wong (Data Science)",
    ]
    assert fields.rationale == "It plans routes for vehicles and does not evaluate drivers."
    # The custodian is a person answerable for the system, not its name: the heading names it.
    assert fields.system is None and fields.owner == "Director of Clinical Products"
    head = decision_head(fields, "RB-2025-02: Routefinder dispatch optimiser")
    assert (
        head == "Routefinder dispatch optimiser was approved with conditions on 11 February 2025 (band Red)"
    )


def test_a_who_question_naming_the_panel_or_the_custodian_gets_them() -> None:
    from assistant.lead.verdicts import _review_plan

    def fact(question: str) -> str:
        analysis = analyse_question(
            question, internal_names=["Routefinder dispatch optimiser"], own_words=["Routefinder"]
        )
        plan = _review_plan(analysis, review(MARKDOWN_REVIEW), 0)
        assert plan is not None and plan.fact is not None
        return plan.fact

    assert fact("Who sat on the panel that looked at Routefinder?").startswith(
        "Panel: Ada Okafor (Legal, chair), Sam Reyes (Safety lead) and Lee Wong (Data Science). Routefinder"
    )
    assert fact("Who is the system custodian of Routefinder?").startswith(
        "System Custodian: Director of Clinical Products. Routefinder"
    )


def test_a_document_pointed_at_by_its_kind_is_the_one_whose_title_holds_the_words_before_it() -> None:
    documents = [
        "Acme Risk Banding Standard for Algorithmic Systems",
        "Model Passport and Clinical Validation Standard",
        "Acme AI Ethics Charter",
    ]
    # The kind is the title's last word before "for ...": "Standard", not "Systems".
    assert mentioned_names("When did the banding standard start?", [], documents=documents) == [documents[0]]
    assert mentioned_names("When is our AI ethics charter reviewed?", [], documents=documents) == [
        documents[2]
    ]
    # No word before the kind says which: every standard.
    assert mentioned_names("Who owns the standard?", [], documents=documents) == documents[:2]


def test_a_yes_no_question_naming_one_column_of_a_row_is_answered_by_its_cell() -> None:
    from assistant.lead import Verdict, table_cell_verdict

    row = "Model Passport: red: Full passport; amber: Full passport; clear: Not required."
    assert table_cell_verdict("Does a Clear-band spam filter need a Model Passport?", row) is Verdict.NO
    dpia = "DPIA: red: Yes; amber: Yes; green: Only if personal data is used; clear: No."
    assert table_cell_verdict("Do we need a DPIA for an Amber system?", dpia) is Verdict.YES
    # A cell that says neither, no column named, or two named: no verdict from the row.
    assert table_cell_verdict("Does a Green system need a DPIA?", dpia) is None
    assert table_cell_verdict("Does every system need a DPIA?", dpia) is None
    assert table_cell_verdict("Do Red and Amber systems need a DPIA?", dpia) is None
