"""Question analysis: type, regimes named, organisation or law, subject use case, stated periods."""

from __future__ import annotations

import pytest

from assistant.question import (
    Ask,
    Focus,
    QuestionType,
    analyse_question,
    asks_which_thing,
    named_regimes,
    question_type,
)
from tools.triage.catalogue import Jurisdiction


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Is a chatbot that answers HR questions high-risk?", QuestionType.YES_NO),
        ("Does NYC Local Law 144 apply to a tool that only schedules interviews?", QuestionType.YES_NO),
        ("When must GPAI models placed on the market before August 2025 comply?", QuestionType.WHEN),
        ("What is our incident response deadline for a serious AI incident?", QuestionType.HOW_LONG),
        ("How often must we re-review a T1 system?", QuestionType.HOW_LONG),
        ("What is the maximum fine for using a prohibited AI practice?", QuestionType.HOW_MUCH),
        ("What are the penalties under the Colorado AI Act?", QuestionType.HOW_MUCH),
        ("What did we decide about the TalentSift CV ranking module?", QuestionType.PAST_DECISION),
        ("What must a model card contain according to our policy?", QuestionType.WHAT_MUST),
        ("Who counts as a deployer?", QuestionType.WHAT_IS),
        ("Who is responsible for the AI inventory?", QuestionType.WHO),
        ("Which systems need a fairness audit?", QuestionType.LIST),
        # "when is X required" asks in which cases, not from which date
        ("When is a DPIA required under the GDPR?", QuestionType.OTHER),
        # ... and so does "when is X regulated / covered"
        ("When is AI software regulated by the FDA as a medical device?", QuestionType.OTHER),
        # "what kind of X counts as Y" asks what Y is
        ("What kind of tool counts as an automated employment decision tool in NYC?", QuestionType.WHAT_IS),
    ],
)
def test_question_types(question: str, expected: QuestionType) -> None:
    assert question_type(question) is expected


def test_named_regimes_use_the_pack_aliases_and_do_not_confuse_colorado_with_the_eu() -> None:
    assert named_regimes("Does the Colorado AI Act apply to our hiring tool?") == ["colorado-ai-act"]
    assert named_regimes("Does NYC Local Law 144 require a bias audit?") == ["nyc-ll144"]
    assert named_regimes("What does Reg B require in an adverse action notice?") == ["ecoa-reg-b"]
    assert named_regimes("What does GOVERN 1.1 in the NIST AI RMF ask for?") == ["nist-ai-rmf"]
    assert named_regimes("Is this allowed under the EU AI Act and the GDPR?") == ["eu-ai-act", "gdpr"]
    assert named_regimes("What is the best pizza topping?") == []


def test_an_acronym_spelt_like_a_word_names_its_act_only_in_capitals() -> None:
    # "RAISE" (the New York RAISE Act) is also the verb the packs' prose uses.
    assert named_regimes("Can a reviewer raise a system's tier?") == []
    assert named_regimes("Who does the RAISE Act cover?") == ["ny-raise"]
    # An acronym no prose uses as a word is named in any case.
    assert named_regimes("does gdpr apply to our chatbot?") == ["gdpr"]


def test_focus_regime_then_organisation_then_law() -> None:
    regime = analyse_question("Does the Colorado AI Act apply to our hiring tool?")
    assert regime.focus is Focus.REGIME and regime.organisational
    assert regime.use_cases == ["recruitment"]
    assert regime.ask is Ask.APPLIES
    assert Jurisdiction.US_CO in regime.jurisdictions
    ours = analyse_question("Can I paste claims data into ChatGPT?")
    assert ours.focus is Focus.ORGANISATION and ours.ask is Ask.PERMISSION
    named = analyse_question(
        "What did they decide about TalentSift?", internal_names=["TalentSift CV ranking module"]
    )
    assert named.focus is Focus.ORGANISATION and named.internal_names == ["TalentSift CV ranking module"]
    law = analyse_question("What is the maximum fine for using a prohibited AI practice?")
    assert law.focus is Focus.LAW and not law.organisational


def test_subject_tier_and_period() -> None:
    chatbot = analyse_question("Is a chatbot that answers HR questions high-risk?")
    assert chatbot.ask is Ask.CLASSIFICATION and chatbot.tier_asked == "high"
    assert chatbot.use_cases == ["customer_chatbot"]
    kept = analyse_question("Does the EU AI Act require us to keep documentation for ten years?")
    assert kept.durations == [(10, "years")] and kept.ask is Ask.OBLIGATION
    # "us" the pronoun is not the United States
    assert Jurisdiction.US not in kept.jurisdictions


@pytest.mark.parametrize(
    ("question", "regimes"),
    [
        ("What does TRAIGA prohibit?", ["texas-traiga"]),
        ("When does SB 53 take effect?", ["california-sb53"]),
        ("When does SB 942 become operative?", ["california-ai-transparency"]),
        ("When does the RAISE Act take effect?", ["ny-raise"]),
        ("What is the maximum fine under the Korea AI Basic Act?", ["korea-ai-basic-act"]),
        ("When do the ADMT rules apply to significant decisions?", ["california-ccpa-admt"]),
        ("What does Illinois HB 3773 require employers to do?", ["illinois-hra-ai"]),
        ("Does EO 14365 preempt state AI laws?", ["us-federal-ai"]),
        # Another place's "AI act" is not the EU's; the EU's own name still is.
        ("Does the UK have an AI act?", ["uk-ai"]),
        ("Does the EU AI Act reach a UK company?", ["eu-ai-act", "uk-ai"]),
        ("What replaced Colorado SB 24-205?", ["colorado-ai-act"]),
        # A generic word of a title ("AI-enabled" in the health pack's) names no regime.
        ("Is the code of practice on marking AI-generated content final?", []),
    ],
)
def test_new_regimes_are_named_by_their_short_names(question: str, regimes: list[str]) -> None:
    assert named_regimes(question) == regimes


def test_status_existence_and_prohibition_asks() -> None:
    assert analyse_question("Are the Article 6 classification guidelines final?").ask is Ask.STATUS
    assert analyse_question("Is Circular 2022-03 still in force?").ask is Ask.STATUS
    assert analyse_question("Is Colorado's AI law enforceable right now?").ask is Ask.STATUS
    # NIST's publications are instruments too: a framework's version, a draft profile, a numbered report.
    assert analyse_question("Is NIST AI RMF 1.0 still the current version?").ask is Ask.STATUS
    assert analyse_question("Is the Cyber AI Profile final?").ask is Ask.STATUS
    assert analyse_question("Is NIST IR 8596 final?").ask is Ask.STATUS
    # A question about a rule's content is not one about where the instrument stands.
    assert analyse_question("Does Regulation B still impose an effects test?").ask is not Ask.STATUS
    assert analyse_question("Does the UK have an AI act?").ask is Ask.EXISTS
    assert analyse_question("What does TRAIGA prohibit?").asks_prohibitions
    assert not analyse_question("What does TRAIGA require?").asks_prohibitions


def test_a_bare_nist_means_both_nist_packs_and_need_a_asks_an_obligation() -> None:
    assert named_regimes("Should risk assessments involve independent people, per NIST?") == [
        "nist-ai-rmf",
        "nist-ai-600-1",
    ]
    assert named_regimes("Name the four functions of NIST's AI Risk Management Framework.") == ["nist-ai-rmf"]
    assert analyse_question("Do we need a bias audit before using the tool in NYC?").ask is Ask.OBLIGATION
    # "Is it needed / necessary?" asks the same.
    for question in (
        "Is the supplier questionnaire needed when we buy an AI product?",
        "Are two reviewers still necessary for a T3 system?",
    ):
        assert analyse_question(question).ask is Ask.OBLIGATION, question
    assert analyse_question("Is the supplier questionnaire long?").ask is not Ask.OBLIGATION


def test_the_question_is_read_in_the_sentence_that_asks_it() -> None:
    from assistant.question import asked_part

    conditional = analyse_question(
        "If we sell a vendor's high-risk system under our own brand, do we take on provider duties?"
    )
    assert conditional.type is QuestionType.YES_NO
    setting = analyse_question(
        "Our support bot talks to customers on the website. Do we have to say it is an AI?"
    )
    assert (setting.type, setting.ask) == (QuestionType.YES_NO, Ask.OBLIGATION)
    # An abbreviation is not a sentence end.
    assert asked_part("Does Art. 5 apply to us?") == "Does Art. 5 apply to us?"
    assert analyse_question("If someone died, how soon must it be reported?").type is QuestionType.HOW_LONG


def test_a_chat_message_is_read_in_the_part_that_asks() -> None:
    from assistant.question import asked_kind, asked_part

    # A chat opener is not the question.
    chatty = analyse_question("quick q: do contractors need to do the AI basics training too?")
    assert (chatty.type, chatty.ask) == (QuestionType.YES_NO, Ask.OBLIGATION)
    assert analyse_question("Hey, who do I talk to about a new AI tool?").type is QuestionType.WHO
    # A question asked after a statement in the same sentence.
    retrained = "My model was retrained last week, does it need to be triaged again?"
    assert asked_part(retrained) == "does it need to be triaged again?"
    assert analyse_question(retrained).type is QuestionType.YES_NO
    # A clause that asks nothing stays with the question it belongs to.
    assert asked_part("Which tools, if any, may I use?") == "Which tools, if any, may I use?"
    # The kind asked for is read in the sentence that asks.
    assert asked_kind("Someone pasted a claim file into ChatGPT. What severity is that?") == "severity"


def test_providers_of_general_purpose_models_are_gpai_providers() -> None:
    from knowledge.packs.schema import Role

    found = analyse_question("What do providers of general-purpose AI models have to make public?")
    assert Role.GPAI_PROVIDER in found.roles


def test_the_gdpr_is_named_by_its_terms_of_art() -> None:
    assert named_regimes("What is the deadline for responding to a data subject's access request?") == [
        "gdpr"
    ]
    assert named_regimes("Must we tell the data protection authority about a breach?") == ["gdpr"]
    assert named_regimes("List the lawful bases for processing.") == ["gdpr"]
    # The AI Act's authorities are not the GDPR's.
    assert named_regimes("Who is the market surveillance authority?") == []


def test_a_follow_ups_bracketed_earlier_question_names_things_but_does_not_set_the_ask() -> None:
    # The router's follow-up form: the new question, then the earlier one in brackets. The type once came
    # from "How quickly" in the brackets, and the answer was the earlier question's 72 hours again.
    analysis = analyse_question(
        "What has to be in that notification? (How quickly must a personal data breach be reported to the "
        "supervisory authority under the GDPR)"
    )
    assert analysis.type is QuestionType.WHAT_MUST
    assert analysis.regimes == ["gdpr"]
    # A bracket the asker typed inside the question is part of it.
    typed = analyse_question("Does the AI Act apply to us (a US company)?")
    assert typed.type is QuestionType.YES_NO and typed.ask is Ask.APPLIES


def test_a_document_named_without_the_organisations_name_makes_the_question_ours() -> None:
    names = ["Northwind Mutual Responsible AI Policy", "Nora customer-service chatbot"]
    organisation = ["Mutual", "Northwind"]
    ours = analyse_question(
        "Who owns the Responsible AI Policy?", internal_names=names, organisation=organisation
    )
    assert ours.focus is Focus.ORGANISATION
    assert ours.internal_names == ["Northwind Mutual Responsible AI Policy"]
    # Part of the title is not the title: "responsible AI" alone names the field, not our policy.
    law = analyse_question(
        "What does responsible AI governance involve?", internal_names=names, organisation=organisation
    )
    assert law.focus is Focus.LAW and not law.internal_names
    # Without the organisation's words the short title is never tried.
    assert not analyse_question("Who owns the Responsible AI Policy?", internal_names=names).internal_names


@pytest.mark.parametrize(
    ("question", "which"),
    [
        ("Which internal tier does a system with only Article 50 duties get?", True),
        ("What severity is it when someone pastes restricted data into a public tool?", True),
        ("And which step comes first?", True),
        ("What must a model card contain?", False),
        ("Which of the tiers needs a DPIA?", False),
        ("What happens when a review misses its target?", False),
        ("Who approves a T3 system?", False),
    ],
)
def test_which_one_of_a_kind_is_asked(question: str, which: bool) -> None:
    assert asks_which_thing(question) is which


def test_a_follow_ups_own_question_drops_only_the_earlier_one_it_carries() -> None:
    from assistant.question import own_question

    carried = "What has to be in that notification? (How quickly must a breach be reported)"
    assert own_question(carried) == "What has to be in that notification?"
    # A bracket inside a question, or one not after a question mark, is the user's own words.
    assert own_question("Is an LLM (a GPAI model) high-risk?") == "Is an LLM (a GPAI model) high-risk?"
    assert own_question("Tell me about Article 5 (the bans)") == "Tell me about Article 5 (the bans)"


def test_a_question_opening_with_must_asks_a_duty_whatever_words_follow() -> None:
    # "prohibited" and "Legal" are words of permission questions; the opening modal decides.
    assert analyse_question("Must Legal confirm a prohibited-practice finding?").ask is Ask.OBLIGATION
    assert analyse_question("Can Legal confirm a prohibited-practice finding?").ask is Ask.PERMISSION


def test_the_kind_a_which_question_asks_for_is_its_last_word_before_the_verb() -> None:
    from assistant.question import asked_kind

    assert (
        asked_kind("What severity is it when someone pastes restricted data into a public tool?")
        == "severity"
    )
    assert asked_kind("Which generative AI tools may staff use with confidential information?") == "tools"
    assert asked_kind("Which internal tier does a chatbot get?") == "tier"
    # Not a 'which one of a kind' question.
    assert asked_kind("What happens when a review misses its target?") is None
    assert asked_kind("What is a DPIA?") is None


def test_a_document_named_is_no_use_case_of_the_system_asked_about() -> None:
    documents = ["Acme Generative AI Rules"]
    named = {"internal_names": documents, "documents": documents, "organisation": ["Acme"]}
    # "the generative AI rules" names our document: no generative AI system is asked about.
    assert (
        analyse_question("Are personal devices covered by the generative AI rules?", **named).use_cases == []
    )
    # A system described beside the document's name still is.
    described = analyse_question(
        "Does our generative AI chatbot need a label under the Acme Generative AI Rules?", **named
    )
    assert "customer_chatbot" in described.use_cases
    # Without our documents, the words are the subject's.
    assert analyse_question("Are personal devices covered by the generative AI rules?").use_cases


@pytest.mark.parametrize(
    ("text", "periods"),
    [
        ("Report it within a 72-hour window.", [(72, "hours")]),
        ("Legal answers within fifteen working days.", [(15, "business_days")]),
        ("Records are kept for twenty-four months.", [(24, "months")]),
        ("The 30-day target applies.", [(30, "days")]),
    ],
)
def test_periods_are_read_as_policies_write_them(text: str, periods: list[tuple[int, str]]) -> None:
    from assistant.lead.verdicts import _PERIOD
    from assistant.question import stated_durations

    assert stated_durations(text) == periods
    assert _PERIOD.search(text) is not None


@pytest.mark.parametrize("text", ["Reviewed twice a year.", "Checked half-yearly.", "Audited every quarter."])
def test_a_period_without_a_figure_is_a_period(text: str) -> None:
    from assistant.lead.verdicts import _PERIOD

    assert _PERIOD.search(text) is not None


def test_the_documents_a_question_names_can_be_put_as_it() -> None:
    from assistant.question import without_documents

    titles = ["Acme Freight Generative AI Rules", "Acme Freight AI Rules"]
    question = "Are personal devices covered by the generative AI rules?"
    assert without_documents(question, titles, ["Acme"], placeholder="it") == (
        "Are personal devices covered by it?"
    )
    assert without_documents(
        "Does the Acme Freight AI Rules cover pilots?", titles, ["Acme"], placeholder="it"
    ) == ("Does it cover pilots?")
    # A question naming none of them is left as it is.
    assert without_documents("Who approves a new tool?", titles, ["Acme"], placeholder="it") == (
        "Who approves a new tool?"
    )
