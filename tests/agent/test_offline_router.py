"""The offline router: phrasing rules, the thread's state, follow-up rewriting and similarity to the
example utterances, deterministic for a given embedder."""

from __future__ import annotations

import pytest

from assistant.agent.router import (
    SIMILARITY_INTENTS,
    Intent,
    Router,
    RouterState,
    load_examples,
    refers_back,
    rewrite_follow_up,
    triage_request,
)
from knowledge.embedder import get_embedder
from tools.tasks import TaskStatus
from tools.triage.schemas import EuTier

TOPIC = "What must providers of high-risk AI systems do?"
FRESH = RouterState()
PENDING = RouterState(pending_question=True, topic=TOPIC)
AFTER_QUESTION = RouterState(topic=TOPIC)


@pytest.fixture(scope="module")
def router() -> Router:
    return Router(get_embedder("hashing"))


@pytest.mark.parametrize(
    ("message", "state", "intent"),
    [
        ("help", FRESH, Intent.HELP),
        ("What can you do?", FRESH, Intent.HELP),
        ("cancel", PENDING, Intent.CANCEL),
        ("never mind the triage", PENDING, Intent.CANCEL),
        ("I want to triage a new feature: a chatbot for claims", FRESH, Intent.TRIAGE),
        ("Can you classify our new pricing model?", FRESH, Intent.TRIAGE),
        ("triage a new system", FRESH, Intent.TRIAGE),
        ("How do I classify a system?", FRESH, Intent.ASK),
        ("A bot that answers claims questions", RouterState(awaiting_description=True), Intent.TRIAGE),
        ("It's minimal risk, trust me", PENDING, Intent.SET_TIER),
        ("classify every system as minimal risk", FRESH, Intent.TRIAGE),
        ("please set the tier to limited risk", FRESH, Intent.SET_TIER),
        ("Is it high-risk?", FRESH, Intent.ASK),
        ("call it Claims Buddy", PENDING, Intent.RENAME),
        ("call it minimal risk", PENDING, Intent.SET_TIER),
        ("file the reviews", FRESH, Intent.FILE_TASKS),
        ("OK, please file the review tasks for the CV screener", FRESH, Intent.FILE_TASKS),
        ("Do we have to file a DPIA?", FRESH, Intent.ASK),
        ("list tasks", FRESH, Intent.LIST_TASKS),
        ("What tasks are open?", FRESH, Intent.LIST_TASKS),
        ("show me approved tasks", FRESH, Intent.LIST_TASKS),
        ("list systems", FRESH, Intent.LIST_SYSTEMS),
        ("what systems do we have?", FRESH, Intent.LIST_SYSTEMS),
        ("which of our systems are high-risk?", FRESH, Intent.LIST_SYSTEMS),
        ("Which systems are high-risk under the AI Act?", FRESH, Intent.ASK),
        ("what happened to the review of the CV screener?", FRESH, Intent.PAST_REVIEWS),
        ("have we reviewed a chatbot before?", FRESH, Intent.PAST_REVIEWS),
        ("any precedent for emotion recognition?", FRESH, Intent.PAST_REVIEWS),
        ("no", PENDING, Intent.TRIAGE_ANSWER),
        ("not sure", PENDING, Intent.TRIAGE_ANSWER),
        ("only in the US", PENDING, Intent.TRIAGE_ANSWER),
        ("we are the deployer", PENDING, Intent.TRIAGE_ANSWER),
        ("What does Annex III say?", PENDING, Intent.ASK),
        ("no", FRESH, Intent.ASK),
        ("and for deployers?", AFTER_QUESTION, Intent.ASK),
        ("Is emotion recognition at work allowed?", AFTER_QUESTION, Intent.ASK),
    ],
)
def test_intents(router: Router, message: str, state: RouterState, intent: Intent) -> None:
    route = router.route(message, state)
    assert route.intent is intent, route
    assert router.route(message, state) == route  # deterministic


def test_arguments(router: Router) -> None:
    triage = router.route("Please classify our CV screener called Hire Helper, which ranks applicants", FRESH)
    assert triage.name == "Hire Helper" and triage.description is not None
    assert "ranks applicants" in triage.description
    assert router.route("triage a new feature", FRESH).description is None
    colon = router.route("I want to triage a new feature: A chatbot for claims.", FRESH)
    assert colon.description == "A chatbot for claims."

    approved = router.route("show me approved tasks", FRESH)
    assert approved.status is TaskStatus.APPROVED and not approved.open_only
    assert router.route("which review tasks are still open", FRESH).open_only
    assert router.route("which of our systems are high-risk?", FRESH).eu_tier is EuTier.HIGH

    follow = router.route("and for deployers?", AFTER_QUESTION)
    assert follow.follow_up and follow.question == "What must deployers of high-risk AI systems do?"
    plain = router.route("What must deployers do?", AFTER_QUESTION)
    assert not plain.follow_up and plain.question == "What must deployers do?"


@pytest.mark.parametrize(
    ("topic", "message", "question"),
    [
        (TOPIC, "and for deployers?", "What must deployers of high-risk AI systems do?"),
        (TOPIC, "deployers?", "What must deployers of high-risk AI systems do?"),
        (TOPIC, "what about importers?", "What must importers of high-risk AI systems do?"),
        (
            "What must providers do under the AI Act?",
            "and under GDPR?",
            "What must providers do under GDPR?",
        ),
        (
            TOPIC,
            "and for general-purpose AI models?",
            "What must providers of general-purpose AI models do?",
        ),
        (
            "When do the obligations apply?",
            "and for medical devices?",
            "When do the obligations apply, regarding medical devices?",
        ),
        (TOPIC, "and?", TOPIC),
        # A follow-up asking its own what / who question is answered as asked, the earlier question in
        # brackets for what "that ban" is (it had been answered as the earlier yes/no question again).
        (
            "Is emotion recognition of employees at work prohibited under the AI Act?",
            "And what is the fine if we break that ban?",
            "What is the fine if we break that ban? (Is emotion recognition of employees at work prohibited "
            "under the AI Act)",
        ),
        (
            "Does a creditor have to give reasons when it denies credit under ECOA?",
            "Does that still apply if the decision comes from a machine-learning model?",
            "Does a creditor have to give reasons when it denies credit under ECOA, regarding does that "
            "still apply if the decision comes from a machine-learning model?",
        ),
    ],
)
def test_follow_up_rewriting(topic: str, message: str, question: str) -> None:
    assert rewrite_follow_up(topic, message) == question


def test_triage_request_parsing() -> None:
    assert triage_request(" a new feature") == (None, None)
    assert triage_request(": A chatbot called Nora, for claims") == (
        "A chatbot called Nora, for claims",
        "Nora",
    )
    assert triage_request(" our CV screener that ranks applicants") == (
        "CV screener that ranks applicants",
        None,
    )


def test_similarity_reaches_only_read_only_intents(router: Router) -> None:
    examples = load_examples()
    assert set(examples.intents) == SIMILARITY_INTENTS | {Intent.ASK}
    for intent, texts in examples.intents.items():
        for text in texts:
            nearest, score = router.nearest(text)
            assert nearest is intent and score == pytest.approx(1.0, abs=1e-5), text
    # An example utterance no phrasing rule claims goes where its examples point.
    route = router.route("what reviews are pending", FRESH)
    assert route.intent is Intent.LIST_TASKS and route.matched_by.startswith("similarity:")


@pytest.mark.slow
def test_similarity_with_minilm() -> None:
    router = Router(get_embedder("minilm"))
    for message, intent in [
        ("anything still waiting for a reviewer?", Intent.LIST_TASKS),
        ("which AI tools do we run", Intent.LIST_SYSTEMS),
        ("remind me what you can help with", Intent.HELP),
        ("did legal sign off on the pricing model", Intent.PAST_REVIEWS),
        ("what are the obligations of deployers under the AI Act", Intent.ASK),
        ("can customers opt out of automated decisions", Intent.ASK),
    ]:
        route = router.route(message, FRESH)
        assert route.intent is intent, (message, route)


@pytest.mark.parametrize(
    "message",
    [
        "What conditions came with that approval?",
        "And what has to be in that notification?",
        "Does that still apply if the decision comes from a machine-learning model?",
        "Who can enforce it, and can consumers sue?",
        "Who do I report it to?",
        "Are there exceptions where it is allowed anyway?",
    ],
)
def test_a_short_question_pointing_back_is_a_follow_up(router: Router, message: str) -> None:
    assert refers_back(message)
    route = router.route(message, AFTER_QUESTION)
    assert route.follow_up and route.question is not None and TOPIC.rstrip("?") in route.question


@pytest.mark.parametrize(
    "message",
    [
        # The pronoun's noun is in the question itself, or "this" is a time, or it is a new question.
        "What does a Candle-class algorithm need before we use it?",
        "Where is this week's canteen menu?",
        "If someone died because of our AI system, how soon must we report it?",
        "Is it legal to use facial recognition in shops?",
        "Is AI RMF 1.0 still the current version?",
        "What must deployers do?",
        # A scenario of several sentences resolves its own references.
        "Marketing wants an AI that nudges shoppers with cues they won't notice. Is that legal?",
    ],
)
def test_a_question_that_names_its_own_subject_is_not_a_follow_up(router: Router, message: str) -> None:
    assert not refers_back(message)
    assert not router.route(message, AFTER_QUESTION).follow_up
