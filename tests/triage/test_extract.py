"""The offline free-text extractor: phrase rules with negation, evidence, the never-downgrade rule, the
follow-up questions, and `apply_answer`.

Phrase-rule tests switch similarity off (thresholds of 1.0 with the hashing embedder) so that only the
rules speak; the never-downgrade tests use a stub embedder whose similarities are set exactly.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from knowledge.embedder import HashingEmbedder
from tools.triage.answers import apply_answer
from tools.triage.catalogue import CATALOGUE, UseCaseCategory, use_case
from tools.triage.extract import ExtractedProfile, extract_profile, follow_up_questions, triage_extracted
from tools.triage.figures import parse_flops
from tools.triage.phrases import load_phrasebook, split_sentences
from tools.triage.questions import uncertain_use_case, use_case_question
from tools.triage.schemas import AnnexIProduct, Derogation, ExcludedPurpose, Role, SystemProfile

HASHING = HashingEmbedder()


def phrases_only(text: str) -> ExtractedProfile:
    """Extraction with similarity switched off: only the phrase rules speak."""
    return extract_profile(text, name="test", embedder=HASHING, threshold=1.0, suspicion=1.0)


# --- phrase rules ------------------------------------------------------------------------------------

POSITIVE = [
    ("We screen CVs for our open engineering roles.", "use_cases", "recruitment"),
    ("It ranks résumés of job applicants.", "use_cases", "recruitment"),
    ("Screening job applicants before the first interview.", "use_cases", "recruitment"),
    ("A chatbot on the help page.", "use_cases", "customer_chatbot"),
    ("A virtual agent answers billing questions.", "use_cases", "customer_chatbot"),
    ("A virtual agent answers billing questions.", "interacts_with_people", True),
    ("The app generates images from a short prompt.", "generates_synthetic_content", True),
    ("The app generates images from a short prompt.", "use_cases", "content_generation"),
    ("A face swap filter for party videos.", "deep_fake", True),
    ("We voice clone our CEO for internal videos.", "deep_fake", True),
    ("Produces a credit score used for loan approval.", "use_cases", "creditworthiness"),
    ("Assesses creditworthiness of small businesses' owners.", "use_cases", "creditworthiness"),
    ("The creditor's model denies credit to some applicants.", "use_cases", "creditworthiness"),
    ("Used by the municipality's social services team.", "public_body_or_public_service", True),
    ("Deployed for the benefits agency.", "public_body_or_public_service", True),
    ("It is only used in the US.", "in_eu_scope", False),
    ("Customers in Germany and France use it.", "jurisdictions", ["EU"]),
    ("Hiring for our NYC office.", "jurisdictions", ["US-NYC"]),
    ("Insurance customers in Colorado.", "jurisdictions", ["US-CO"]),
    ("It profiles customers by their purchases.", "profiling", True),
    ("The model scores applicants on reliability.", "profiling", True),
    ("We trained it with about 3e24 FLOP.", "training_compute_flops", 3e24),
    ("Flags fraudulent card payments for analysts.", "use_cases", "fraud_detection"),
    ("Unlock the phone with Face ID.", "use_cases", "biometric_verification"),
    ("Built for military purposes only.", "excluded_purpose", ExcludedPurpose.MILITARY_DEFENCE),
    ("A medical device that reads retina scans.", "annex_i_product", AnnexIProduct.MEDICAL_DEVICE),
    ("Live facial recognition for police on city streets.", "use_cases",
     "realtime_remote_biometric_id_law_enforcement"),
    ("Detects stress and frustration in employees' voices.", "use_cases",
     "emotion_recognition_workplace_education"),
    ("Online proctoring for university exams.", "use_cases", "exam_proctoring"),
    ("We are the deployer; the vendor built it.", "role", Role.DEPLOYER),
    ("Weights released under Apache 2.0.", "open_source", True),
]  # fmt: skip


@pytest.mark.parametrize(("text", "field", "expected"), POSITIVE)
def test_phrase_rule_sets_the_field(text: str, field: str, expected: object) -> None:
    profile = phrases_only(text).profile
    value = getattr(profile, field)
    if field == "use_cases":
        assert expected in value
    else:
        assert value == expected


NEGATIVE = [
    ("It does not profile anyone.", "profiling", False),
    ("No profiling of users takes place.", "profiling", False),
    ("It does not generate images or text.", "generates_synthetic_content", False),
    ("There is no chatbot; it runs as a nightly batch job.", "interacts_with_people", False),
    ("This product is not offered in the EU.", "in_eu_scope", False),
    ("Not only in the US: we also sell it in France.", "in_eu_scope", True),
    ("Tell us what you think of the new design.", "jurisdictions", []),
    ("It does not create deepfakes of anyone.", "deep_fake", False),
    ("A safety camera in the warehouse.", "profiling", None),
    ("Research ideas for blog posts.", "excluded_purpose", ExcludedPurpose.NONE),
]


@pytest.mark.parametrize(("text", "field", "expected"), NEGATIVE)
def test_phrase_rule_negation_and_near_misses(text: str, field: str, expected: object) -> None:
    assert getattr(phrases_only(text).profile, field) == expected


ABSENT_USE_CASES = [
    ("We do not screen CVs with it.", "recruitment"),
    ("It never decides on loans.", "creditworthiness"),
    ("Sentiment analysis of written product reviews.", "emotion_recognition"),
    ("We promote our products on social media.", "employment_decisions"),
    ("A spam filter for the support inbox.", "customer_chatbot"),
    ("Flags fraudulent card payments for analysts.", "creditworthiness"),
    ("Unlock the phone with Face ID.", "remote_biometric_identification"),
    ("Forecasts electricity demand; it does not control the grid.", "critical_infrastructure_safety"),
]


@pytest.mark.parametrize(("text", "code"), ABSENT_USE_CASES)
def test_phrase_rules_do_not_fire(text: str, code: str) -> None:
    extracted = phrases_only(text)
    assert code not in extracted.profile.use_cases
    assert uncertain_use_case(code) not in extracted.uncertain


def test_a_denied_use_case_is_recorded_as_not_asked() -> None:
    """An explicit denial is evidence: the denied use case is neither set nor asked about."""
    extracted = phrases_only("Customer chatbot. It does not make any decisions about credit.")
    assert extracted.profile.use_cases == ["customer_chatbot"]
    assert extracted.uncertain == []


def test_every_risky_catalogue_code_has_a_phrase_rule() -> None:
    book = load_phrasebook()
    covered = {rule.sets.get("use_cases") for rule in book.rules}
    risky = {entry.code for entry in CATALOGUE if entry.category is not UseCaseCategory.OTHER}
    assert risky <= covered, sorted(risky - covered)


def test_phrasebook_rejects_unknown_fields_and_codes(tmp_path: Path) -> None:
    base = "negation: {cues: 'not', false_cues: 'x', window: 3, clause_breaks: ','}\nrules:\n"
    bad_field = tmp_path / "bad_field.yaml"
    bad_field.write_text(base + "  - {id: r1, pattern: 'x', sets: {colour: red}, confidence: 0.9}\n")
    with pytest.raises(ValueError, match=r"r1.*colour"):
        load_phrasebook(bad_field)
    bad_code = tmp_path / "bad_code.yaml"
    bad_code.write_text(base + "  - {id: r2, pattern: 'x', sets: {use_cases: teleport}, confidence: 0.9}\n")
    with pytest.raises(ValueError, match=r"r2.*teleport"):
        load_phrasebook(bad_code)
    bad_value = tmp_path / "bad_value.yaml"
    bad_value.write_text(base + "  - {id: r3, pattern: 'x', sets: {role: boss}, confidence: 0.9}\n")
    with pytest.raises(ValueError, match=r"r3.*role"):
        load_phrasebook(bad_value)


def test_sentences_split_on_stops_and_dashes_but_not_abbreviations() -> None:
    texts = [s.text for s in split_sentences("Used e.g. in France. quick q - is it high risk?\nYes")]
    assert texts == ["Used e.g. in France.", "quick q", "is it high risk?", "Yes"]


# --- evidence -----------------------------------------------------------------------------------------

DESCRIPTIONS = [
    "We're building TalentLens for our HR team in Berlin: it reads résumés and scores each applicant.",
    "Chatbot that answers customer questions and generates product images. Customers in Spain and NYC.",
    "We pre-train a general-purpose foundation model with about 4e24 FLOP and publish the weights.",
    "Credit limit model for card customers in Colorado only; it does not profile anyone.",
]


@pytest.mark.parametrize("text", DESCRIPTIONS)
def test_every_extracted_field_has_evidence_and_confidence(text: str) -> None:
    extracted = extract_profile(text, name="x", embedder=HASHING, threshold=0.9, suspicion=0.6)
    profile = extracted.profile
    set_fields = profile.model_fields_set - {"name", "description"}
    assert set_fields, "the description should settle some fields"
    for field in set_fields:
        records = [e for e in extracted.evidence if e.field == field]
        assert records, f"no evidence for {field}"
        for record in records:
            assert 0.0 < record.confidence <= 1.0
            assert record.method in {"phrase", "similarity"}
            for words in record.evidence.split(" / "):
                assert words in text, (field, words)
    for code in profile.use_cases:
        assert any(e.field == "use_cases" and e.value == code for e in extracted.evidence), code
    for field in extracted.uncertain:
        assert any(e.field == field for e in extracted.evidence), field


def test_fields_without_evidence_are_left_unknown() -> None:
    """Nothing said, nothing set: yes/no facts stay None (triage asks) and the defaults stay protective."""
    extracted = phrases_only("A model for the operations team.")
    profile = extracted.profile
    assert profile.model_fields_set == {"name", "description"}
    assert profile.in_eu_scope is True
    assert profile.excluded_purpose is ExcludedPurpose.NONE
    assert profile.derogation is Derogation.NONE
    assert profile.profiling is None and profile.interacts_with_people is None


# --- never downgrade ------------------------------------------------------------------------------------


class StubEmbedder:
    """Catalogue sentences embed as one axis per code; a probe embeds with a chosen cosine to one code."""

    name = "stub"

    def __init__(self, probe_similarity: dict[str, float]) -> None:
        self.codes = [entry.code for entry in CATALOGUE]
        self.dimension = len(self.codes) + 1
        self.probe_similarity = probe_similarity
        self.reference: dict[str, str] = {}
        for code, sentences in load_phrasebook().examples.items():
            for sentence in sentences:
                self.reference[sentence] = code
        for entry in CATALOGUE:
            self.reference[entry.description] = entry.code

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            if text in self.reference:
                out[row, self.codes.index(self.reference[text])] = 1.0
                continue
            for code, cosine in self.probe_similarity.items():
                out[row, self.codes.index(code)] = cosine
            out[row, -1] = np.sqrt(max(0.0, 1.0 - float(np.sum(out[row] ** 2))))
        return out


NEUTRAL = "The team wants to roll this out next quarter."


def test_a_suspected_high_risk_use_case_is_asked_not_dropped() -> None:
    extracted = extract_profile(NEUTRAL, embedder=StubEmbedder({"recruitment": 0.48}))
    assert "recruitment" not in extracted.profile.use_cases
    assert extracted.uncertain == [uncertain_use_case("recruitment")]
    evidence = [e for e in extracted.evidence if e.field == uncertain_use_case("recruitment")]
    assert evidence and evidence[0].method == "similarity" and evidence[0].confidence == pytest.approx(0.48)

    result = triage_extracted(extracted)
    assert result.status == "needs_information"
    question = next(q for q in result.missing_information if q.field == uncertain_use_case("recruitment"))
    assert question.question.startswith("Does the system recruit or select people")
    assert "eu-ai-act:annex-iii-4-a" in question.question


def test_a_suspected_prohibited_use_case_is_asked() -> None:
    stub = StubEmbedder({"social_scoring": 0.45})
    extracted = extract_profile(NEUTRAL, embedder=stub)
    result = triage_extracted(extracted)
    asked = {q.field: q.question for q in result.missing_information}
    assert "prohibited (eu-ai-act:art-5-1-c)" in asked[uncertain_use_case("social_scoring")]


def test_a_clear_similarity_is_accepted_and_a_faint_one_dropped() -> None:
    accepted = extract_profile(NEUTRAL, embedder=StubEmbedder({"recruitment": 0.7}))
    assert accepted.profile.use_cases == ["recruitment"]
    assert accepted.uncertain == []
    faint = extract_profile(NEUTRAL, embedder=StubEmbedder({"recruitment": 0.2, "spam_filtering": 0.21}))
    assert faint.profile.use_cases == [] and faint.uncertain == []


def test_two_close_codes_are_both_asked_rather_than_one_guessed() -> None:
    """Above the threshold but without a margin over a rival: ask about both, accept neither."""
    stub = StubEmbedder({"offending_risk_assessment": 0.58, "crime_prediction_profiling": 0.57})
    extracted = extract_profile(NEUTRAL, embedder=stub)
    assert extracted.profile.use_cases == []
    assert set(extracted.uncertain) == {
        uncertain_use_case("offending_risk_assessment"),
        uncertain_use_case("crime_prediction_profiling"),
    }


def test_an_unsettled_ordinary_use_case_is_not_a_question() -> None:
    extracted = extract_profile(NEUTRAL, embedder=StubEmbedder({"spam_filtering": 0.5}))
    assert extracted.uncertain == []


def test_a_weak_phrase_raises_a_question_only() -> None:
    extracted = phrases_only("We are exploring predictive policing for the region.")
    assert "crime_prediction_profiling" not in extracted.profile.use_cases
    assert uncertain_use_case("crime_prediction_profiling") in extracted.uncertain


def test_conflicting_scope_keeps_in_scope_and_asks() -> None:
    extracted = phrases_only("Only used in the US for now. Launching in Germany next quarter.")
    assert extracted.profile.in_eu_scope is True
    assert "in_eu_scope" in extracted.uncertain
    result = triage_extracted(extracted)
    assert result.eu_ai_act.tier.value != "out_of_scope"
    assert "in_eu_scope" in {q.field for q in result.missing_information}


def test_a_hint_of_an_exclusion_is_asked_not_applied() -> None:
    extracted = phrases_only("A research prototype that screens CVs.")
    assert extracted.profile.excluded_purpose is ExcludedPurpose.NONE
    assert "excluded_purpose" in extracted.uncertain
    assert triage_extracted(extracted).eu_ai_act.tier.value == "high"


def test_follow_up_questions_cover_every_uncertain_entry() -> None:
    extracted = phrases_only(
        "A research prototype. Only in the US, also sold in France. Predictive policing."
    )
    questions = follow_up_questions(extracted)
    assert [q.field for q in questions] == extracted.uncertain
    assert all(q.question.endswith("?") or q.question.endswith(").") for q in questions)


@pytest.mark.parametrize("entry", [e for e in CATALOGUE if e.category is not UseCaseCategory.OTHER])
def test_use_case_questions_read_as_questions(entry: object) -> None:
    code = entry.code  # type: ignore[attr-defined]
    question = use_case_question(code)
    assert re.match(r"^Does the system [a-z]", question)
    assert "?" in question and use_case(code).citation in question
    first_verb = question.split()[3]
    assert not first_verb.endswith("s") or first_verb.endswith("ss"), question


# --- apply_answer ------------------------------------------------------------------------------------------

BASE = SystemProfile(name="demo", description="A demo system.", use_cases=["customer_chatbot"])

ANSWERS = [
    ("profiling", "yes", {"profiling": True}),
    ("profiling", "No.", {"profiling": False}),
    ("profiling", "not sure", {"profiling": None}),
    ("interacts_with_people", "Yep, customers chat with it", {"interacts_with_people": True}),
    ("public_body_or_public_service", "we don't know yet", {"public_body_or_public_service": None}),
    ("in_eu_scope", "only in the US", {"in_eu_scope": False, "jurisdictions": ["US"]}),
    ("in_eu_scope", "in the EU and NYC", {"in_eu_scope": True, "jurisdictions": ["EU", "US-NYC"]}),
    ("in_eu_scope", "not sure", {"in_eu_scope": True}),
    ("in_eu_scope", "no", {"in_eu_scope": False}),
    ("jurisdictions", "Colorado and Germany", {"in_eu_scope": True, "jurisdictions": ["EU", "US-CO"]}),
    ("training_compute_flops", "about 3e24 FLOP", {"training_compute_flops": 3e24}),
    ("training_compute_flops", "roughly 3 x 10^25", {"training_compute_flops": 3e25}),
    ("training_compute_flops", "10^26 FLOPs", {"training_compute_flops": 1e26}),
    ("training_compute_flops", "3×10²⁴", {"training_compute_flops": 3e24}),
    ("training_compute_flops", "don't know", {"training_compute_flops": None}),
    ("role", "we are the deployer", {"role": Role.DEPLOYER}),
    ("role", "We built it and sell it to banks", {"role": Role.PROVIDER}),
    ("role", "both", {"role": Role.PROVIDER_AND_DEPLOYER}),
    ("role", "we import it into the EU", {"role": Role.IMPORTER}),
    ("annex_i_product", "it is a medical device", {"annex_i_product": AnnexIProduct.MEDICAL_DEVICE}),
    ("annex_i_product", "no, it's not a medical device", {"annex_i_product": AnnexIProduct.NONE}),
    ("annex_i_product", "yes", {"annex_i_product": AnnexIProduct.OTHER_ANNEX_I}),
    ("excluded_purpose", "research only", {"excluded_purpose": ExcludedPurpose.SCIENTIFIC_RESEARCH}),
    ("excluded_purpose", "no", {"excluded_purpose": ExcludedPurpose.NONE}),
    ("excluded_purpose", "not sure", {"excluded_purpose": ExcludedPurpose.NONE}),
    ("derogation", "a narrow procedural task", {"derogation": Derogation.NARROW_PROCEDURAL_TASK}),
    ("use_cases:recruitment", "yes", {"use_cases": ["customer_chatbot", "recruitment"]}),
    ("use_cases:customer_chatbot", "no", {"use_cases": []}),
    ("use_cases:recruitment", "not sure", {"use_cases": ["customer_chatbot", "recruitment"]}),
    ("use_cases", "recruitment, creditworthiness",
     {"use_cases": ["customer_chatbot", "recruitment", "creditworthiness"]}),
]  # fmt: skip


@pytest.mark.parametrize(("field", "answer", "expected"), ANSWERS)
def test_apply_answer(field: str, answer: str, expected: dict[str, object]) -> None:
    updated = apply_answer(BASE, field, answer)
    for name, value in expected.items():
        assert getattr(updated, name) == value, name
    unchanged = set(SystemProfile.model_fields) - set(expected)
    for name in unchanged:
        assert getattr(updated, name) == getattr(BASE, name), name


def test_apply_answer_keeps_unknown_fields_unknown() -> None:
    """Triage tells a declared 'none' from an unknown one: answering one question must not declare others."""
    profile = SystemProfile(name="x", description="Reads X-rays.", use_cases=["medical_diagnosis"])
    updated = apply_answer(profile, "profiling", "yes")
    assert "annex_i_product" not in updated.model_fields_set
    assert apply_answer(profile, "annex_i_product", "yes").annex_i_product is AnnexIProduct.MEDICAL_DEVICE
    assert apply_answer(profile, "annex_i_product", "not sure") == profile


ERRORS = [
    ("profiling", "purple"),
    ("profiling", "   "),
    ("training_compute_flops", "lots"),
    ("training_compute_flops", "less than 1e25"),
    ("jurisdictions", "somewhere nice"),
    ("in_eu_scope", "on the moon"),
    ("use_cases:teleportation", "yes"),
    ("use_cases", "teleportation"),
    ("role", "the boss"),
    ("annex_i_product", "a spaceship"),
    ("derogation", "because we say so"),
    ("name", "New name"),
]


@pytest.mark.parametrize(("field", "answer"), ERRORS)
def test_apply_answer_names_the_field_it_cannot_understand(field: str, answer: str) -> None:
    with pytest.raises(ValueError, match=re.escape(field)):
        apply_answer(BASE, field, answer)


def test_parse_flops_forms() -> None:
    assert parse_flops("1.2e25") == pytest.approx(1.2e25)
    assert parse_flops("3,000,000,000,000,000,000,000,000 FLOP") == pytest.approx(3e24)
    assert parse_flops("no number here") is None


def test_extract_profile_rejects_empty_text_and_bad_thresholds() -> None:
    with pytest.raises(ValueError, match="description"):
        extract_profile("  ", embedder=HASHING)
    with pytest.raises(ValueError, match="threshold"):
        extract_profile("A chatbot.", embedder=HASHING, threshold=0.3, suspicion=0.5)


def test_every_question_triage_asks_can_be_answered() -> None:
    """The engine's own questions and the extractor's use the same field names apply_answer takes."""
    profile = SystemProfile(
        name="x",
        description="A vendor tool that reads X-rays, screens CVs and writes summaries.",
        role=Role.DEPLOYER,
        use_cases=["medical_diagnosis", "recruitment", "content_generation"],
        derogation=Derogation.PREPARATORY_TASK,
        gpai_model=True,
    )
    extracted = ExtractedProfile(profile=profile, evidence=[], uncertain=[uncertain_use_case("polygraph")])
    questions = triage_extracted(extracted).missing_information
    fields = {question.field for question in questions}
    assert {"profiling", "rebrands_or_modifies", uncertain_use_case("polygraph")} <= fields
    for field in fields - {"training_compute_flops"}:
        for answer in ("yes", "no", "not sure"):
            apply_answer(profile, field, answer)
    assert apply_answer(profile, "training_compute_flops", "2e25").training_compute_flops == 2e25
