"""A yes/no question about one of a set of sibling sections: the named section answers by what it says,
or by its silence where a sibling says what is asked."""

from __future__ import annotations

from assistant.lead import Verdict
from assistant.lead.siblings import SiblingAnswer, named_section, sibling_plan
from knowledge.embedder import HashingEmbedder
from knowledge.retrieval import Passage
from tests.assistant.passages import section

# Another organisation's risk classes, in its own words.
CLASSES = {
    "R1 Severe": "A product of severe risk to customers. Sign-off by the Model Oversight Committee and the "
    "Group CFO. Evidence: impact assessment, bias test report, external validation. "
    "Looked at again every year.",
    "R2 Elevated": "A product of elevated risk. Sign-off by the Head of Model Risk; the Model Oversight "
    "Committee is informed each quarter. Evidence: impact assessment, bias test report. "
    "Looked at again every year.",
    "R3 Guarded": "A product of guarded risk. Sign-off by the product's risk champion. Evidence: the "
    "disclosure text. Looked at again every two years.",
    "R4 Low": "A product of low risk. Its owner signs off after an access check. Looked at again on change.",
}


def risk_class(title: str, text: str) -> Passage:
    return section(
        "risk-classes:" + title.lower().replace(" ", "-"),
        text,
        title=title,
        level="heading",
        parents=["Risk classes"],
        score=0.02,
    )


SECTIONS = [risk_class(title, text) for title, text in CLASSES.items()]


def plan(question: str) -> SiblingAnswer | None:
    embedder = HashingEmbedder()
    return sibling_plan(question, SECTIONS, embedder=embedder, vector=embedder.embed([question])[0])


def test_a_section_is_named_by_a_heading_word_its_siblings_lack() -> None:
    named = named_section("Does an R3 product need a bias test?", SECTIONS)
    assert named is not None and named.title == "R3 Guarded"
    assert named_section("Does a guarded product need a bias test?", SECTIONS) is SECTIONS[2]
    # "risk" is in no heading; naming two classes singles out none.
    assert named_section("Does a risky product need a bias test?", SECTIONS) is None
    assert named_section("Do R1 and R2 products need a bias test?", SECTIONS) is None


def test_silence_where_a_sibling_says_it_is_no() -> None:
    found = plan("Does an R3 product need a bias test report?")
    assert found is not None
    assert found.verdict is Verdict.NO
    assert found.section.title == "R3 Guarded"
    assert found.said_by == ["R1 Severe", "R2 Elevated"]
    assert "named under R1 Severe and R2 Elevated, not under R3 Guarded" in found.fact


def test_the_named_sections_counterpart_sentence_leads_a_no() -> None:
    found = plan("Does an R4 product need sign-off by the Group CFO?")
    assert found is not None and found.verdict is Verdict.NO
    # R4's sentence that answers is its own sign-off, the counterpart of R1's "Sign-off by ... the Group CFO".
    assert found.fact.startswith("R4 Low: Its owner signs off after an access check.")


def test_what_the_named_section_says_is_yes() -> None:
    found = plan("Is the Model Oversight Committee informed about an R2 product?")
    assert found is not None
    assert found.verdict is Verdict.YES
    assert found.section.title == "R2 Elevated"
    assert "informed each quarter" in found.fact


def test_no_verdict_when_no_sibling_says_it_or_the_section_half_says_it() -> None:
    # Nothing under any class speaks of a penetration test: no verdict from silence alone.
    assert plan("Does an R3 product need a penetration test?") is None
    # Fewer than three siblings: no set to compare against.
    embedder = HashingEmbedder()
    question = "Does an R3 product need a bias test report?"
    vector = embedder.embed([question])[0]
    assert sibling_plan(question, SECTIONS[1:3], embedder=embedder, vector=vector) is None


def test_a_denial_in_the_named_section_is_no_yes() -> None:
    denying = [
        *SECTIONS[:3],
        risk_class("R4 Low", "A product of low risk. No bias test report is kept for it."),
    ]
    embedder = HashingEmbedder()
    question = "Does an R4 product need a bias test report?"
    assert sibling_plan(question, denying, embedder=embedder, vector=embedder.embed([question])[0]) is None
