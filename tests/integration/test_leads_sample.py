"""Issue 13's "what goes wrong" examples 1-6 on the sample organisation, in the `make demo` configuration
(built-in packs and Northwind Mutual, packaged MiniLM, real Chroma and SQLite): the text before the first
blank line gives the verdict, date, figure or decision, from the right source, in clean prose."""

from __future__ import annotations

import re

import pytest

from assistant.service import Assistant

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("minilm-demo")]

_LEAK = re.compile(r"\b[a-z0-9-]+:(?:art|annex|rev)-[a-z0-9-]+\b|->|\|")


@pytest.fixture(scope="module")
def assistant(demo: Assistant) -> Assistant:
    """This module's copy of the demo home (tests/integration/conftest.py)."""
    return demo


@pytest.mark.parametrize(
    ("question", "lead_says", "first_source"),
    [
        # 1. the organisation's own documents win when the question is about us
        (
            "What is our incident response deadline for a serious AI incident?",
            "hour",
            "ai-incident-response-runbook",
        ),
        ("Can I paste claims data into ChatGPT?", "No.", "genai-acceptable-use-policy"),
        # 2. the regime the question names
        ("What are the penalties under the Colorado AI Act?", "20,000", "colorado-ai-act"),
        ("Does the Colorado AI Act apply to our hiring tool?", "Yes.", "colorado-ai-act"),
        # 3. polar questions get a verdict
        ("Is a chatbot that answers HR questions high-risk?", "No.", "eu-ai-act"),
        ("Does NYC Local Law 144 apply to a tool that only schedules interviews?", "No.", "nyc-ll144"),
        # A provision the question names leads, however close another passage's wording comes.
        ("What does GOVERN 1.1 in the NIST AI RMF ask for?", "laws and regulations", "nist-ai-rmf"),
        # 4. the sentence that answers, whole
        ("How often must we re-review a T1 system?", "every 12 months", None),
        # 5. the right date, no internal notation
        (
            "When must GPAI models placed on the market before August 2025 comply?",
            "2 August 2027",
            "eu-ai-act",
        ),
        ("Does the EU AI Act require us to keep documentation for ten years?", "Yes.", "eu-ai-act"),
        # Asked without "we" or a name: our documents are clearly closer than the law, so they lead.
        ("How often does the AI Review Board meet?", "monthly", "responsible-ai-policy"),
        (
            "How long are incident records for high-risk systems kept?",
            "10 years",
            "ai-incident-response-runbook",
        ),
        # Our section sounds no closer than the law as a whole, but one of its sentences answers exactly.
        (
            "How soon must the on-call responder open an incident record?",
            "1 hour",
            "ai-incident-response-runbook",
        ),
        ("Who keeps the AI literacy completion records?", "RAI Lead", "responsible-ai-policy"),
        # A 'when' our rules answer with a period from an event, not a date.
        (
            "By when must the post-incident review of a SEV1 incident be held?",
            "20 working days",
            "ai-incident-response-runbook",
        ),
        # Our sentence that says what the question asks answers yes without a rule's modal verb.
        ("Does the AI Review Board include an external adviser?", "Yes.", "responsible-ai-policy"),
        ("Is a full DPIA always needed for a T3 system?", "No.", "model-risk-tiering-standard"),
        # "Should I ...?" is answered by our rule that denies the very action asked about.
        (
            "Should I delete the chatbot conversation after pasting restricted data into it by mistake?",
            "No.",
            "genai-acceptable-use-policy",
        ),
        (
            "Should I try to fix the model myself when I spot an AI incident?",
            "No.",
            "ai-incident-response-runbook",
        ),
        ("Does buying an AI product move our duties to the vendor?", "No.", "responsible-ai-policy"),
        # A permission under a condition: the condition is the answer, not a yes or a no.
        (
            "Can I use my personal ChatGPT account to rephrase a published press release?",
            "Only with information that is already public.",
            "genai-acceptable-use-policy",
        ),
        # "The policy": one of ours, pointed at by its kind.
        ("Does the policy cover a small proof of concept?", "Yes.", "responsible-ai-policy"),
        # A document named by its title: its section on what is asked, not its introduction or the law.
        (
            "What does the Generative AI Acceptable Use Policy say about deep fakes?",
            "deep fakes",
            "genai-acceptable-use-policy",
        ),
        # A 'which / what <kind>' question: our section headed by that kind and listing them answers,
        # with the row or the list that answers.
        (
            "What severity is it when someone pastes restricted data into a public AI tool?",
            "SEV3",
            "ai-incident-response-runbook",
        ),
        (
            "Which generative AI tools may Northwind staff use with confidential information?",
            "NorthwindGPT",
            "genai-acceptable-use-policy",
        ),
        # The heading is the answer: the tier a section is about, the role a terse sentence leaves out.
        (
            "Which internal tier does a system with only Article 50 transparency duties get?",
            "T3",
            "model-risk-tiering-standard",
        ),
        # Both say it: the standard's T3 section and the policy's RAI Partners ("approves T3 systems").
        ("Who approves a T3 system?", "RAI Partner", "model-risk-tiering-standard|responsible-ai-policy"),
        # The named document's section whose sentence answers, not the one that repeats the asked word
        # ("System owners" for "owns").
        ("Who owns the Responsible AI Policy?", "Chief Risk Officer", "responsible-ai-policy"),
        # Our sections ranked by the sentence that uses the question's words, not by a heading it names.
        ("Who approves external statements during an AI incident?", "Communications and Legal", None),
        ("Who decides on T1 systems?", "AI Review Board", None),
        (
            "Who carries out containment in the business during an incident?",
            "System owner",
            "ai-incident-response-runbook",
        ),
        # A code only our documents use (T3) makes the question ours, whatever the law's periods sound like.
        (
            "How many days does the security review of a T3 system get?",
            "t3: 10",
            "model-risk-tiering-standard",
        ),
        # A table row reads whole, by its cell that states the period asked for.
        (
            "Within how many hours must the AI Review Board chair hear about a SEV1 incident?",
            "chair informed within 4 hours",
            "ai-incident-response-runbook",
        ),
        # In scope by the sentence the verdict rests on, though the section as a whole sounds far.
        ("Can an exception be granted from a legal obligation?", "No.", "responsible-ai-policy"),
        # Our rule says no about what is asked, in other words than the question's.
        (
            "Can a supplier be the system owner of one of our AI systems?",
            "No. Ownership cannot be delegated",
            "responsible-ai-policy",
        ),
        ("Can a model alone reject a job candidate?", "No.", "responsible-ai-policy"),
        # "Exempt from" is answered by what our rule includes; a tier question naming our code by our rule.
        ("Are pilots exempt from the Model Risk Tiering Standard?", "No.", "model-risk-tiering-standard"),
        ("Is a limited-risk system ever tiered below T3?", "No.", "model-risk-tiering-standard"),
        # A tier the question names among its sibling tiers: silent where a sibling says what is asked.
        ("Does a T4 system need AI Review Board approval?", "No. T4 Low:", "model-risk-tiering-standard"),
        ("Does a T3 system need sign-off from the Chief Risk Officer?", "No.", "model-risk-tiering-standard"),
        # Stop 25: "how many days" by the figure in the code's cell; "what happens when" by the sentence
        # naming that case; a denial holding the question's words; a permission read in its clause; the
        # section as a whole; the documents a question names left out when choosing our sentence.
        (
            "How many days does the AI Review Board get for a T1 decision?",
            "t1: 30",
            "model-risk-tiering-standard",
        ),
        ("What happens when a review misses its due-day target?", "escalates", "model-risk-tiering-standard"),
        ("Can an exception to the AI policy cover a prohibited use?", "No.", "responsible-ai-policy"),
        ("Can a reviewer raise a system's tier?", "Yes.", "model-risk-tiering-standard"),
        (
            "What happens to a system's reviews when its tier goes up?",
            "missing reviews",
            "model-risk-tiering-standard",
        ),
        ("Are personal devices covered by the generative AI policy?", "Yes.", "genai-acceptable-use-policy"),
        ("Who runs fairness audits?", "Fairness team", "responsible-ai-policy"),
        # Stop 26: a document named by its kind, not its title: its section on the rest of the question.
        (
            "How many points does a partial answer score on the supplier questionnaire?",
            "1 (partial)",
            "supplier-ai-due-diligence-questionnaire",
        ),
        # A tool our table lists by name: its row answers, before its review.
        ("May I put special-category data into NorthwindGPT?", "No.", "genai-acceptable-use-policy"),
        ("What data may go into CodeAssist?", "data allowed: Source code", "genai-acceptable-use-policy"),
        # A case among the examples of what is asked is one.
        (
            "If our chatbot gives a customer wrong info about their cover, is that an AI incident?",
            "Yes.",
            "ai-incident-response-runbook",
        ),
        # A question about a reviewed system is in scope and led by the condition that answers it.
        (
            "After how many failed attempts does Nora hand over to a person?",
            "Hand over to a person on request and after two failed attempts",
            "past-reviews",
        ),
        # 6. past reviews lead with the decision and its conditions
        (
            "What did we decide about the TalentSift CV ranking module?",
            "approved with conditions",
            "past-reviews",
        ),
    ],
)
def test_issue_examples_get_direct_leads(
    assistant: Assistant, question: str, lead_says: str, first_source: str | None
) -> None:
    answer = assistant.ask(question)
    lead = answer.answer.split("\n\n", 1)[0]
    assert answer.grounded
    assert lead_says.lower() in lead.lower(), lead
    assert not _LEAK.search(lead), lead
    assert not re.match(r"^(?:\([a-z0-9]+\)|[a-z])", lead), lead  # never a list fragment
    if first_source:  # one source, or several that each say it ("a|b")
        assert answer.citations[0].source in first_source.split("|"), [c.id for c in answer.citations]


def test_a_question_about_our_policy_cites_the_policy_first(assistant: Assistant) -> None:
    answer = assistant.ask("What must a model card contain according to our policy?")
    assert answer.citations[0].source in {"model-card-template", "responsible-ai-policy"}
    assert not answer.citations[0].id.startswith("eu-ai-act:")
    chatgpt = assistant.ask("Can we use ChatGPT to summarise customer complaints?")
    assert chatgpt.citations[0].source == "genai-acceptable-use-policy"
    assert "|" not in chatgpt.answer  # a table is rendered as the row that answers, never as pipes


def test_a_past_review_lists_its_conditions(assistant: Assistant) -> None:
    lead = assistant.ask("What did we decide about the TalentSift CV ranking module?").answer.split("\n\n")[0]
    assert "No automatic rejection" in lead and "bias audit" in lead.lower()
    assert "Description:" not in lead


@pytest.mark.parametrize(
    "question", ["When is the NorthwindGPT launch party?", "Where is the Nora team's office?"]
)
def test_naming_our_tool_or_system_does_not_make_any_question_answerable(
    assistant: Assistant, question: str
) -> None:
    # Our table or review names it, but says nothing of what is asked: an honest "I don't know".
    answer = assistant.ask(question)
    assert not answer.grounded, answer.answer
