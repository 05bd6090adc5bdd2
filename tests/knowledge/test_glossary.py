"""The query-expansion glossary: the packaged file, pattern matching, expansion text, errors and speed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from knowledge.glossary import (
    REGEX_PREFIX,
    Glossary,
    GlossaryEntry,
    GlossaryError,
    compile_pattern,
    load_glossary,
    parse_glossary,
)

KNOWN_REGIMES = {
    "eu-ai-act",
    "gdpr",
    "nist-ai-rmf",
    "nist-ai-600-1",
    "colorado-ai-act",
    "nyc-ll144",
    "ecoa-reg-b",
    "eeoc-title-vii",
    "policy",
}

# (question, entry id that must match)
POSITIVE = [
    ("Do we have to tell users they're talking to a chatbot?", "chatbot"),
    ("Must the chat-bot say it is not a human?", "chatbot"),
    ("Are customers chatting with an AI entitled to know?", "chatbot"),
    ("Do we need to label images made with Midjourney?", "watermarking"),
    ("Can we publish a deepfake of our CEO for the town hall?", "deepfake"),
    ("Is voice cloning of call-centre agents allowed?", "deepfake"),
    ("What extra duties apply to LLM providers?", "foundation-model"),
    ("Is GPT-4o a general purpose model?", "foundation-model"),
    ("Does training compute above 10^25 FLOPs change anything?", "systemic-risk"),
    ("Do open-weight models get an exemption?", "open-source"),
    ("Which AI uses are banned outright?", "prohibited-practices"),
    ("Is a social credit system for customers legal?", "social-scoring"),
    ("Are dark patterns in our app's AI upsell a problem?", "manipulation"),
    ("Can we detect emotions of agents on calls?", "emotion-recognition"),
    ("Can the police use live facial recognition in stations?", "real-time-biometric-identification"),
    ("Can we build a database by scraping face images from social media?", "face-scraping"),
    ("We screen CVs automatically; is that high-risk?", "hiring"),
    ("Can AI decide who gets fired from the warehouse?", "worker-decisions"),
    ("Is online proctoring of exams allowed?", "proctoring"),
    ("Does credit scoring of consumers fall under Annex III?", "credit-scoring"),
    ("Our model only does a narrow procedural task; is it still high-risk?", "derogation-not-high-risk"),
    ("We put our logo on a white-label AI product. Who is the provider?", "rebranding"),
    ("What logs must a high-risk system keep?", "record-keeping"),
    ("How do we set up human-in-the-loop review?", "human-oversight"),
    ("Does the system need a kill switch?", "kill-switch"),
    ("Do we need a notified body for CE marking?", "notified-body"),
    ("Do we need a notified body for CE marking?", "ce-marking"),
    ("When does the AI Act apply to us?", "timeline"),
    ("How much can we be fined?", "penalties"),
    ("Is there a lighter regime for startups and SMEs?", "sme-startups"),
    ("What is our lawful basis for analytics?", "legal-basis"),
    ("Can we reuse support chat data to train a model?", "purpose-limitation"),
    ("A customer wants a copy of their data; what do we send?", "right-of-access"),
    ("Someone invoked the right to be forgotten; do we retrain?", "erasure"),
    ("Can claims be auto-rejected without a human?", "automated-decisions"),
    ("Our loan application was rejected by the model; can I contest it?", "automated-decisions"),
    ("A laptop with customer files was stolen: is 72 hours the deadline?", "breach-notification"),
    ("Can we send data to US servers?", "international-transfers"),
    ("The assistant keeps hallucinating policy numbers.", "hallucination"),
    ("What does Colorado require for consequential decisions?", "consequential-decision"),
    ("Does our resume tool need a bias audit in NYC?", "bias-audit"),
    ("How do we compute the impact ratio?", "impact-ratio"),
    ("What goes in an adverse action notice?", "adverse-action"),
    ("Does the four-fifths rule apply to our ranking model?", "four-fifths-rule"),
    ("Can I paste a customer email into ChatGPT?", "paste-confidential"),
    ("Can I paste a customer email into ChatGPT?", "public-genai-tools"),
    ("Can we use Copilot for customer letters?", "approved-tools"),
    ("Who do I ask before buying an AI tool?", "who-to-ask"),
    ("Do we need a fundamental rights impact assessment as a bank?", "fria"),
    ("Must staff get AI literacy training?", "ai-literacy"),
]

# (question, entry id that must NOT match): the everyday sense of a word is not the legal one.
NEGATIVE = [
    ("Can we fine-tune Llama on support tickets?", "penalties"),
    ("We fine tuned the model last week.", "penalties"),
    ("Is it fine to use the enterprise assistant for drafts?", "penalties"),
    ("Our deployment pipeline pushes models nightly.", "deployer"),
    ("What is the deployment schedule?", "deployer"),
    ("We use machine learning in a test environment.", "product-safety"),
    ("We use machine learning in a test environment.", "environmental-impact"),
    ("What are the precision and recall of the model?", "corrective-actions"),
    ("Is the model vulnerable to prompt injection?", "vulnerable-groups"),
    ("The vendor's affirmative defense under Colorado law", "military-exclusion"),
    ("We need object detection for the warehouse cameras.", "right-to-object"),
    ("Does our enterprise-grade plan include audit logs?", "education-access"),
    ("Does the premium plan of the chat assistant include SSO?", "insurance-pricing"),
    ("Let's use an LLM as a judge for evals.", "justice"),
    ("What does the retirement savings calculator need?", "manage-risk-response"),
    ("Can we diagnose why the pipeline fails?", "medical-devices"),
    ("The marketing team wants a new banner.", "right-to-object"),
    ("We have a minor change to the prompt.", "children"),
]

# Every `regex:` pattern must match at least one example listed for its entry.
REGEX_EXAMPLES: dict[str, list[str]] = {
    "chatbot": ["Do people know they are talking to an AI?"],
    "ai-disclosure": ["Should we tell customers that the letter was drafted by AI?"],
    "watermarking": ["Do we need to label generated images?"],
    "foundation-model": ["We built on GPT-4o and GPT 3.5."],
    "face-scraping": ["They scraped millions of profile pictures."],
    "worker-decisions": ["Can the model fire drivers automatically?"],
    "provider": ["Who are the providers here?"],
    "importer": ["We import an AI system into the EU from Japan."],
    "explanation-of-decisions": ["How do we explain to applicants why they failed?"],
    "automated-decisions": ["My claim was denied by an algorithm."],
    "reporting-deadlines": ["How soon do we have to notify the authority?"],
    "impact-assessment": ["Do we need an impact assessment every year?"],
    "penalties": ["Could we face a hefty fine?"],
    "timeline": ["When will the GPAI rules start?"],
    "legal-basis": ["Can we use call recordings for quality scoring?"],
    "purpose-limitation": [
        "Can we re-use CRM data for a churn model?",
        "Can we train the model on our customer chat logs?",
        "We want customer emails to fine-tune the assistant.",
    ],
    "retention": ["How long may we keep interview recordings and CVs?"],
    "privacy-notice": ["What must we tell customers about the new model?"],
    "right-of-access": ["She asked for a copy of her personal data."],
    "breach-notification": ["Do we have to notify a breach of pseudonymised data?"],
    "military-exclusion": ["Is defence work out of scope?"],
    "colorado-developer-duties": ["What must developers disclose under Colorado law?"],
    "approved-tools": ["Can I use Claude for meeting notes?", "Am I allowed to use it at home?"],
}


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return load_glossary()


def _full_scan(compiled: list[tuple[str, list[re.Pattern[str]]]], question: str) -> list[str]:
    """The matching entry ids found by trying every pattern everywhere: the reference for the index."""
    return [entry_id for entry_id, regexes in compiled if any(regex.search(question) for regex in regexes)]


def _matched_ids(glossary: Glossary, question: str) -> list[str]:
    return [match.entry_id for match in glossary.expand(question)]


def test_default_glossary_loads_once_with_unique_ids(glossary: Glossary) -> None:
    assert load_glossary() is glossary
    ids = [entry.id for entry in glossary.entries]
    assert 120 <= len(ids) <= 200
    assert len(set(ids)) == len(ids)
    for entry in glossary.entries:
        assert set(entry.regimes) <= KNOWN_REGIMES, entry.id


def test_every_plain_pattern_matches_its_own_phrase_in_a_question(glossary: Glossary) -> None:
    for entry in glossary.entries:
        for pattern in entry.patterns:
            if pattern.startswith(REGEX_PREFIX):
                continue
            question = f"Quick question about {pattern} for our team?"
            assert compile_pattern(pattern).search(question), (entry.id, pattern)
            assert entry.id in _matched_ids(glossary, question), (entry.id, pattern)


def test_every_regex_pattern_matches_a_listed_example(glossary: Glossary) -> None:
    with_regex = {
        entry.id: [p for p in entry.patterns if p.startswith(REGEX_PREFIX)] for entry in glossary.entries
    }
    with_regex = {entry_id: patterns for entry_id, patterns in with_regex.items() if patterns}
    assert set(with_regex) == set(REGEX_EXAMPLES)
    for entry_id, patterns in with_regex.items():
        for pattern in patterns:
            regex = compile_pattern(pattern)
            assert any(regex.search(example) for example in REGEX_EXAMPLES[entry_id]), (entry_id, pattern)
        for example in REGEX_EXAMPLES[entry_id]:
            assert entry_id in _matched_ids(glossary, example), (entry_id, example)


@pytest.mark.parametrize(("question", "entry_id"), POSITIVE)
def test_everyday_phrasing_matches_its_entry(glossary: Glossary, question: str, entry_id: str) -> None:
    assert entry_id in _matched_ids(glossary, question)


@pytest.mark.parametrize(("question", "entry_id"), NEGATIVE)
def test_other_senses_of_a_word_do_not_match(glossary: Glossary, question: str, entry_id: str) -> None:
    assert entry_id not in _matched_ids(glossary, question)


def test_index_finds_exactly_what_a_full_scan_finds(glossary: Glossary) -> None:
    compiled = [(entry.id, [compile_pattern(p) for p in entry.patterns]) for entry in glossary.entries]
    questions = [q for q, _ in POSITIVE + NEGATIVE] + [q for qs in REGEX_EXAMPLES.values() for q in qs]
    for question in questions:
        assert _matched_ids(glossary, question) == _full_scan(compiled, question), question


@pytest.mark.parametrize(
    ("pattern", "text", "matches"),
    [
        ("chat bot", "Chat-bots everywhere", True),
        ("scrape", "they were scraping sites", True),
        ("scrape", "the data was scraped", True),
        ("policy", "our AI policies", True),
        ("ban", "is it banned?", True),
        ("cv", "we screen CVs", True),
        ("opt out", "an opt-out link", True),
        ("hire", "hiring managers", True),
        ("ban", "a banner on the site", False),
        ("cv", "cvsloader", False),
        ("log files", "catalog files", False),
        ("80% rule", "the 80% rule applies", True),
    ],
)
def test_pattern_syntax(pattern: str, text: str, matches: bool) -> None:
    assert bool(compile_pattern(pattern).search(text)) is matches


def test_match_reports_entry_words_and_expansion(glossary: Glossary) -> None:
    (match,) = [m for m in glossary.expand("Do chatbots need a disclaimer?") if m.entry_id == "chatbot"]
    assert match.matched == "chatbots"
    assert "natural persons" in match.expansion
    assert "eu-ai-act" in match.regimes
    assert glossary.expand("What time is the team lunch?") == []
    assert glossary.expansion_text("What time is the team lunch?") == ""


def test_expansion_text_is_deduplicated_and_skips_words_of_the_question(glossary: Glossary) -> None:
    question = "Do our chatbots have to disclose to natural persons that they are AI systems?"
    text = glossary.expansion_text(question)
    terms = text.split()
    assert terms, "the chatbot entry should add terms"
    assert len(terms) == len(set(terms))
    for word in ("disclose", "natural", "persons", "ai", "system"):
        assert word not in terms, word
    assert "interact" in terms


def test_expansion_text_merges_entries_and_drops_repeats() -> None:
    glossary = Glossary(
        entries=[
            GlossaryEntry(id="one", patterns=["alpha"], expand="erasure controller general-purpose"),
            GlossaryEntry(id="two", patterns=["beta"], expand="controller processor erasure"),
        ]
    )
    assert glossary.expansion_text("alpha and beta") == "erasure controller general-purpose processor"
    # Plural in the question covers the singular term; a hyphenated term needs all its parts present.
    assert glossary.expansion_text("alpha controllers general purpose") == "erasure"
    assert glossary.expansion_text("alpha general") == "erasure controller general-purpose"
    assert glossary.expansion_text("alpha and beta", max_terms=2) == "erasure controller"


def test_curly_apostrophes_are_normalised(glossary: Glossary) -> None:
    assert "chatbot" in _matched_ids(glossary, "Are they talking to an AI? They\u2019re not sure.")
    assert "acceptable-use" in _matched_ids(glossary, "What are the do\u2019s and don\u2019ts?")


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "my-glossary.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            '- id: good\n  patterns: ["a b"]\n  expand: "x"\n- id: broken\n  patterns: ["regex:(unclosed"]\n'
            '  expand: "x"\n',
            r"my-glossary\.yaml: entry 1 \('broken'\): patterns: .*patterns\[0\]",
        ),
        (
            '- id: twice\n  patterns: ["a"]\n  expand: "x"\n- id: twice\n  patterns: ["b"]\n  expand: "y"\n',
            r"my-glossary\.yaml: entry 1 \('twice'\): duplicate id, first used by entry 0",
        ),
        ('- id: Bad Id\n  patterns: ["a"]\n  expand: "x"\n', r"entry 0 \('Bad Id'\): id: "),
        ('- id: empty\n  patterns: []\n  expand: "x"\n', r"entry 0 \('empty'\): patterns: "),
        ('- id: prose\n  patterns: ["a"]\n  expand: "Providers shall inform persons. Then"\n', "sentence"),
        ("- id: long\n  patterns: [a]\n  expand: " + "word " * 30 + "\n", "at most 24"),
        ('- id: extra\n  patterns: ["a"]\n  expand: "x"\n  colour: red\n', r"entry 0 \('extra'\): colour"),
        ("id: not-a-list\n", "expected a list of entries"),
        ("- id: [unclosed\n", "not valid YAML"),
    ],
)
def test_bad_files_raise_errors_naming_file_and_entry(tmp_path: Path, content: str, expected: str) -> None:
    with pytest.raises(GlossaryError, match=expected):
        load_glossary(_write(tmp_path, content))


def test_missing_file_is_a_glossary_error(tmp_path: Path) -> None:
    with pytest.raises(GlossaryError, match=r"absent\.yaml: cannot read glossary"):
        load_glossary(tmp_path / "absent.yaml")


def test_parse_glossary_accepts_a_minimal_document() -> None:
    glossary = parse_glossary(
        [{"id": "kill-switch", "patterns": ["kill switch"], "expand": "stop button halt"}], source="inline"
    )
    assert [m.entry_id for m in glossary.expand("Where is the kill-switch?")] == ["kill-switch"]


def test_expansions_are_vocabulary_not_sentences_of_the_law(glossary: Glossary, corpus_dir: Path) -> None:
    texts = [
        (corpus_dir / "eu-ai-act" / "cartho" / "EU_AI_Act.md").read_text(encoding="utf-8"),
        (corpus_dir / "nist-ai-rmf" / "page-text" / "NIST.AI.100-1.md").read_text(encoding="utf-8"),
        (corpus_dir / "nist-ai-600-1" / "csa" / "ai-600-1-1.0.md").read_text(encoding="utf-8"),
        (corpus_dir / "colorado-sb24-205" / "csa" / "ai-act.md").read_text(encoding="utf-8"),
    ]
    for name in ("gdpr-articles.json", "gdpr-recitals.json"):
        records = json.loads((corpus_dir / "gdpr" / "csa" / name).read_text(encoding="utf-8"))
        texts.extend(record["content"] for record in records)
    corpus = " " + " ".join(re.findall(r"[a-z0-9]+", " ".join(texts).lower())) + " "
    run_length = 6
    for entry in glossary.entries:
        words = re.findall(r"[a-z0-9]+", entry.expand.lower())
        for start in range(len(words) - run_length + 1):
            run = " ".join(words[start : start + run_length])
            assert f" {run} " not in corpus, f"{entry.id}: '{run}' is copied from the official text"
