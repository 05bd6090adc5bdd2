"""Training quizzes through the agent: "quiz me on ..." starts a session and shows its first question; while
a question is pending in the thread, plain answers ("B", "2", "true") are recorded and answered with the
cited explanation, then the next question follows; "stop the quiz" leaves it. Without a pending question
the same words are ordinary questions. Sessions built from internal or restricted documents are refused to
readers who may not see those documents. Real SQLite (and PostgreSQL for the full quiz), real index."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.agent.agent import Agent
from assistant.agent.memory import PendingQuiz, ThreadState
from assistant.agent.router import Intent, Router, RouterState, TrainingRequest
from assistant.agent.schemas import AgentReply, UserContext
from assistant.agent.toolkit import StartTrainingOutput, ToolContext, run_tool
from assistant.training import TrainingService
from knowledge.access import Visibility
from knowledge.builtin import SAMPLES_DIR, load_sample_organisation
from knowledge.embedder import get_embedder
from tests.agent.offline import ingest_markdown, open_agent, packed_settings, user
from tools import audit
from tools.training.schemas import QuestionKind, QuestionRecord, SessionSummary


@pytest.fixture
def agent(tmp_path: Path) -> Iterator[Agent]:
    opened = open_agent(packed_settings(tmp_path))
    yield opened
    opened.close()


@pytest.fixture
def any_db_agent(make_settings, database_url: str) -> Iterator[Agent]:  # type: ignore[no-untyped-def]
    opened = open_agent(make_settings(load_builtin_knowledge=True, database_url=database_url))
    yield opened
    opened.close()


def _service(agent: Agent) -> TrainingService:
    return TrainingService(agent.settings, assistant=agent.assistant, use_llm=False)


def _session_of(agent: Agent, person: str) -> SessionSummary:
    """The newest session `person` takes part in (as the default reader: staff)."""
    sessions = _service(agent).list_sessions(person=person)
    assert sessions, f"{person} takes part in no session"
    return sessions[0]


def _questions(agent: Agent, session_id: int, **reader: object) -> list[QuestionRecord]:
    """The stored questions with their right options (read from the records, not from the reply)."""
    from knowledge.access import Audience

    audience = Audience(**reader) if reader else None  # type: ignore[arg-type]
    return _service(agent).report(session_id=session_id, audience=audience).sessions[0].questions


def _word(question: QuestionRecord, index: int) -> str:
    """How a person types option `index`: a letter, or true/false."""
    if question.kind is QuestionKind.TRUE_FALSE:
        return question.options[index].lower()
    return chr(ord("A") + index)


def _wrong(question: QuestionRecord) -> int:
    return (question.correct_option + 1) % len(question.options)


def _names(reply: AgentReply) -> list[str]:
    return [call.name for call in reply.tool_calls]


def test_a_quiz_over_several_turns_with_cited_feedback(any_db_agent: Agent) -> None:
    agent, ana = any_db_agent, user("ana")

    def say(message: str) -> AgentReply:
        return agent.respond(thread_id="t-quiz", message=message, user=ana)

    first = say("quiz me on EU AI Act basics with 3 questions")
    assert first.intent == "start_training" and _names(first) == ["start_training", "next_training_question"]
    session = _session_of(agent, "ana")
    assert session.topic == "EU AI Act basics" and session.question_count == 3
    assert session.channel is None and [p.user_id for p in session.participants] == ["ana"]
    assert session.visibility is Visibility.PUBLIC  # the packs are public
    questions = _questions(agent, session.id)
    assert f"training session {session.id}" in first.answer and "Question 1 of 3" in first.answer
    assert first.pending_question == questions[0].prompt and questions[0].prompt in first.answer

    # A wrong answer: told so, with the right option and the cited explanation, then question 2.
    one = questions[0]
    wrong = say(_word(one, _wrong(one)))
    assert wrong.intent == "quiz_answer" and _names(wrong) == [
        "answer_training_question",
        "next_training_question",
    ]
    assert (
        wrong.answer.startswith("Not quite: the answer is")
        and one.options[one.correct_option] in wrong.answer
    )
    assert [c.id for c in wrong.citations] == [one.citation_id]
    assert f"{one.explanation} [1]" in wrong.answer and f"({one.citation_id})" in wrong.answer
    assert wrong.citations[0].snippet  # the cited passage itself, as indexed
    assert "Question 2 of 3" in wrong.answer and wrong.pending_question == questions[1].prompt

    # An open question in between is answered as a question; the quiz waits.
    aside = say("What does Article 4 of the AI Act require?")
    assert aside.intent == "ask" and _names(aside) == ["answer_question"]
    assert "Quiz question 2 of 3 is waiting" in aside.answer

    # A right answer by its number.
    two = questions[1]
    right = say(str(two.correct_option + 1))
    assert right.answer.startswith("Right:") and [c.id for c in right.citations] == [two.citation_id]
    assert "Score so far: 1 of 2 right" in right.answer and "Question 3 of 3" in right.answer

    three = questions[2]
    last = say(_word(three, three.correct_option))
    assert last.answer.startswith("Right:") and last.pending_question is None
    assert "You have answered all 3 questions" in last.answer and "2 right" in last.answer

    [score] = _service(agent).session_scores(session.id)
    assert (score.user_id, score.answered, score.correct, score.completed) == ("ana", 3, 2, True)
    # The quiz is over: the same words are a question again, and nothing more is recorded.
    after = say("B")
    assert after.intent == "ask" and _names(after) == ["answer_question"]
    assert _service(agent).session_scores(session.id)[0].answered == 3
    with agent.assistant.index.db.session() as db:
        turns = audit.list_events(session=db, action="agent.turn", subject="thread:t-quiz", limit=50)
    recorded = [call["name"] for event in turns for call in event.details["tool_calls"]]
    assert recorded.count("answer_training_question") == 3 and "start_training" in recorded


def test_stop_take_up_again_and_bad_answers(agent: Agent) -> None:
    ana = user("ana")

    def say(message: str, thread: str = "t-stop") -> AgentReply:
        return agent.respond(thread_id=thread, message=message, user=ana)

    say("please quiz me on GDPR basics, 2 questions, hard")
    session = _session_of(agent, "ana")
    assert session.difficulty.value == "hard" and session.question_count == 2
    questions = _questions(agent, session.id)

    # An option the question does not have: said why, asked again, nothing recorded.
    bad = say("E")
    assert bad.intent == "quiz_answer" and "I couldn't record that answer" in bad.answer
    assert "out of range" in bad.answer and "Question 1 of 2" in bad.answer
    assert _service(agent).session_scores(session.id)[0].answered == 0

    say(_word(questions[0], questions[0].correct_option))
    stopped = say("stop the quiz")
    assert stopped.intent == "quiz_stop" and f"take quiz {session.id}" in stopped.answer
    assert not stopped.tool_calls and stopped.pending_question is None
    plain = say("true")
    assert plain.intent == "ask"  # no quiz pending any more
    assert _service(agent).session_scores(session.id)[0].answered == 1

    # Taken up again (here in another thread): it goes on at the first unanswered question.
    again = say(f"take quiz {session.id}", thread="t-later")
    assert again.intent == "quiz_next" and "Question 2 of 2" in again.answer
    done = say(_word(questions[1], _wrong(questions[1])), thread="t-later")
    assert done.answer.startswith("Not quite") and "You have answered all 2 questions" in done.answer

    nothing = say("next question", thread="t-fresh")
    assert nothing.intent == "quiz_next" and "no quiz in progress" in nothing.answer


def test_answers_without_a_pending_quiz_are_ordinary_questions(agent: Agent) -> None:
    for message in ("B", "2", "true", "my answer is c"):
        reply = agent.respond(thread_id="t-none", message=message, user=user("ana"))
        assert reply.intent == "ask" and _names(reply) == ["answer_question"], message
    assert _service(agent).list_sessions() == []


def test_sessions_for_a_channel_and_for_named_people(agent: Agent) -> None:
    trainer = user("priya")
    started = agent.respond(
        thread_id="t-chan",
        message="start a training session on how triage works with 2 questions",
        user=trainer,
        channel="C-onboarding",
    )
    channel_session = _service(agent).list_sessions()[0]
    assert channel_session.channel == "C-onboarding" and channel_session.trainer == "priya"
    assert "everyone in this channel" in started.answer and "Question 1 of 2" in started.answer
    # Someone else in the channel joins from their own thread.
    bob = agent.respond(thread_id="t-bob", message=f"take quiz {channel_session.id}", user=user("bob"))
    assert "Question 1 of 2" in bob.answer and bob.pending_question is not None
    # Once the trainer closes the session, answers are no longer taken and the quiz ends.
    _service(agent).close_session(channel_session.id, actor="priya")
    late = agent.respond(thread_id="t-bob", message="A", user=user("bob"))
    assert late.intent == "quiz_answer" and "is closed" in late.answer and late.pending_question is None
    assert late.answer.count("closed") == 1 and "Quiz question" not in late.answer

    named = agent.respond(
        thread_id="t-named", message="Start a quiz on GDPR basics for @carla, 2 questions", user=trainer
    )
    session = _service(agent).list_sessions()[0]
    assert session.channel is None and [p.user_id for p in session.participants] == ["carla"]
    assert named.pending_question is None and f"take quiz {session.id}" in named.answer  # not priya's quiz
    carla = agent.respond(thread_id="t-carla", message=f"take quiz {session.id}", user=user("carla"))
    assert "Question 1 of 2" in carla.answer
    dave = agent.respond(thread_id="t-dave", message=f"take quiz {session.id}", user=user("dave"))
    assert "dave is not a participant" in dave.answer and dave.pending_question is None


def test_an_internal_policy_quiz_is_refused_to_public_only_readers(agent: Agent) -> None:
    load_sample_organisation(agent.assistant.index)  # its policies are internal documents
    ana, in_public = user("ana"), user("pat", public_only=True)
    started = agent.respond(
        thread_id="t-int", message="quiz me on our acceptable use policy with 2 questions", user=ana
    )
    session = _session_of(agent, "ana")
    assert session.topic_id == "genai-acceptable-use" and session.visibility is Visibility.INTERNAL
    assert started.pending_question is not None
    prompts = [q.prompt for q in _questions(agent, session.id)]

    # Joining from a public channel: refused in one line, no question shown.
    joined = agent.respond(thread_id="t-pub", message=f"take quiz {session.id}", user=in_public)
    assert "cannot be used in a public channel" in joined.answer and joined.pending_question is None
    assert not any(p in joined.answer for p in prompts)
    # Starting one there: the policy is not readable in public, so there is nothing to draw on.
    there = agent.respond(thread_id="t-pub2", message="quiz me on the acceptable use policy", user=in_public)
    assert there.intent == "start_training" and "may not read" in there.answer
    assert there.pending_question is None
    # Answering the pending question from a public place is refused and not recorded.
    answered = agent.respond(thread_id="t-int", message="A", user=user("ana", public_only=True))
    assert answered.intent == "quiz_answer" and "public channel" in answered.answer
    assert _service(agent).session_scores(session.id)[0].answered == 0
    # Public topics still work in public.
    public_quiz = agent.respond(thread_id="t-pub3", message="quiz me on GDPR basics", user=in_public)
    assert "Question 1 of 5" in public_quiz.answer


def test_a_restricted_policy_quiz_reaches_only_its_group(agent: Agent, tmp_path: Path) -> None:
    policy = (SAMPLES_DIR / "genai-acceptable-use-policy.md").read_text(encoding="utf-8")
    ingest_markdown(
        agent,
        tmp_path / "legal",
        "legal-acceptable-use-policy.md",
        policy,
        visibility=Visibility.RESTRICTED,
        groups=("legal",),
    )
    lena = user("lena", "legal")
    started = agent.respond(
        thread_id="t-legal", message="start a quiz on the acceptable use policy with 2 questions", user=lena
    )
    session = _service(agent).list_sessions(audience=lena.audience)[0]
    assert (session.visibility, session.groups) == (Visibility.RESTRICTED, ["legal"])
    assert started.pending_question is not None
    prompts = [q.prompt for q in _questions(agent, session.id, groups=frozenset({"legal"}))]
    for outsider in (user("hana", "hr"), user("otto")):
        refused = agent.respond(
            thread_id=f"t-{outsider.user_id}", message=f"take quiz {session.id}", user=outsider
        )
        assert "restricted documents you may not read" in refused.answer
        assert not any(p in refused.answer for p in prompts) and "legal" not in refused.answer
        own = agent.respond(
            thread_id=f"t-{outsider.user_id}-2", message="quiz me on the acceptable use policy", user=outsider
        )
        assert "may not read" in own.answer and own.pending_question is None


def test_training_tools_validate_and_fail_as_messages(agent: Agent) -> None:
    ctx = ToolContext(
        settings=agent.settings, assistant=agent.assistant, user=UserContext(user_id="ana"), actor="ana"
    )
    bad = run_tool(ctx, "start_training", {"topic": "GDPR basics", "questions": 0, "colour": "red"})
    assert not bad.ok and bad.error is not None and "invalid arguments" in bad.error
    assert "questions" in bad.error and "colour" in bad.error
    unknown = run_tool(ctx, "answer_training_question", {"session_id": 999, "position": 1, "answer": "A"})
    assert not unknown.ok and unknown.error == (
        "answer_training_question: no training session 999 (see 'govassist train list')"
    )
    started = run_tool(ctx, "start_training", {"topic": "nist", "questions": 2, "seed": 7})
    assert started.ok and isinstance(started.output, StartTrainingOutput)
    assert started.output.session.topic == "NIST AI RMF basics" and started.output.for_requester
    assert started.output.session.seed == 7
    assert [(c.name, c.ok) for c in ctx.calls] == [
        ("start_training", False),
        ("answer_training_question", False),
        ("start_training", True),
    ]


QUIZ = RouterState(quiz_pending=True)
FRESH = RouterState()


@pytest.mark.parametrize(
    ("message", "state", "intent"),
    [
        ("quiz me on EU AI Act basics", FRESH, Intent.START_TRAINING),
        ("start a training session on how triage works with 5 questions", FRESH, Intent.START_TRAINING),
        ("let's do a quiz about NIST AI RMF basics for the channel", FRESH, Intent.START_TRAINING),
        ("Do training sessions count as AI literacy measures?", FRESH, Intent.ASK),
        ("what training topics are there?", FRESH, Intent.TRAINING_TOPICS),
        ("What AI literacy training do staff need?", FRESH, Intent.ASK),
        ("B", QUIZ, Intent.QUIZ_ANSWER),
        ("2", QUIZ, Intent.QUIZ_ANSWER),
        ("true", QUIZ, Intent.QUIZ_ANSWER),
        ("I think it's (a)", QUIZ, Intent.QUIZ_ANSWER),
        ("B", FRESH, Intent.ASK),
        ("What is AI literacy?", QUIZ, Intent.ASK),
        ("stop the quiz", QUIZ, Intent.QUIZ_STOP),
        ("next question", QUIZ, Intent.QUIZ_NEXT),
        ("take quiz 12", FRESH, Intent.QUIZ_NEXT),
    ],
)
def test_quiz_phrasings_route(message: str, state: RouterState, intent: Intent) -> None:
    assert Router(get_embedder("hashing")).route(message, state).intent is intent


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("quiz me on EU AI Act basics", TrainingRequest(topic="EU AI Act basics")),
        (
            "start a training session on how triage works with 5 questions",
            TrainingRequest(topic="how triage works", questions=5, for_channel=True),
        ),
        (
            "Start a quiz on GDPR basics for @ana and <@U0BEN|ben>, 3 questions, hard",
            TrainingRequest(
                topic="GDPR basics", questions=3, difficulty="hard", participants=["ana", "U0BEN"]
            ),
        ),
        ("start a quiz on GDPR basics for me", TrainingRequest(topic="GDPR basics")),
        ("quiz me", TrainingRequest()),
    ],
)
def test_what_a_start_request_asks_for(message: str, expected: TrainingRequest) -> None:
    route = Router(get_embedder("hashing")).route(message, FRESH)
    assert route.training == expected


def test_thread_state_without_a_quiz_still_loads() -> None:
    assert ThreadState.model_validate({"topic": "x", "triage": None}).quiz is None
    state = ThreadState(quiz=PendingQuiz(session_id=3, position=2, total=5))
    assert ThreadState.model_validate(state.model_dump(mode="json")) == state
