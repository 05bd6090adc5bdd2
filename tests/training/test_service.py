"""The assistant-layer training service over a real index (packs and the sample organisation indexed in
SQLite and a local Chroma, hashing embedder): questions resolve to indexed text, topics whose knowledge
is missing say how to load it, open questions go through the cited answering."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from assistant.training import StartedSession, TrainingService, configured_chat_model
from core.config import Settings
from core.models import Chunk, Document
from knowledge.access import Audience, Visibility
from knowledge.builtin import SAMPLES_DIR, load_sample_organisation
from knowledge.ingest import IngestRequest, ingest_paths
from knowledge.sections import DocumentKind
from tests.training import check_question
from tests.training.test_llm import PassageReadingFake
from tools.audit import list_events
from tools.training import sessions
from tools.training.errors import QuestionCountError, SessionAccessError, TopicError, TrainingError
from tools.training.material import load_material
from tools.training.questions import generate_questions
from tools.training.schemas import Difficulty, SourcePassage, TopicMaterial
from tools.training.topics import TOPICS, find_topic


def _settings(home: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "home": home,
        "embedder": "hashing",
        "load_builtin_knowledge": True,
        "database_url": f"sqlite:///{home / 'govassist.db'}",
        "llm": "none",
        **overrides,
    }
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TrainingService]:
    # abstain_below=0: the hashing embedder is no judge of relevance; open questions always get an answer.
    settings = _settings(tmp_path_factory.mktemp("training-home"), abstain_below=0.0)
    training = TrainingService(settings, use_llm=False)
    load_sample_organisation(training.assistant().index)
    yield training
    training.close()


def test_every_topic_is_available_with_the_sample_organisation(service: TrainingService) -> None:
    infos = {info.id: info for info in service.topics()}
    assert set(infos) == {t.id for t in TOPICS}
    for info in infos.values():
        assert info.available and info.questions_available >= 20, info


@pytest.mark.parametrize("topic", TOPICS, ids=lambda t: t.id)
def test_questions_are_supported_by_the_indexed_text_they_cite(
    service: TrainingService, topic: object
) -> None:
    index = service.assistant().index
    chosen = find_topic(topic.id)  # type: ignore[attr-defined]
    material = load_material(index, chosen)
    for seed in (1, 2):
        for question in generate_questions(
            chosen, material, count=20, difficulty=Difficulty.MEDIUM, seed=seed
        ):
            with index.db.session() as session:
                texts = session.scalars(
                    select(Chunk.text).where(Chunk.citation_id == question.citation_id)
                ).all()
            assert texts, f"{question.citation_id} is not in the index"
            # The first window holds the whole record or section for these sources.
            indexed = TopicMaterial(
                policies=[
                    SourcePassage(
                        citation_id=question.citation_id,
                        source_id="x",
                        title="x",
                        document_title="x",
                        text=texts[0],
                    )
                ]
            )
            check_question(question, indexed)


def test_a_session_from_start_to_report(service: TrainingService) -> None:
    started = service.start_session(
        topic="how triage works",
        questions=5,
        difficulty="hard",
        trainer="Priya",
        participants=["ana", "ben"],
        seed=99,
    )
    assert isinstance(started, StartedSession) and started.notice is None
    session_id = started.session.id
    assert started.session.seed == 99 and started.session.question_count == 5
    for position in range(1, 6):
        view = service.get_question(session_id, position)
        assert view.position == position and view.total == 5
        assert "citation" not in view.model_dump()  # no hint before answering
        feedback = service.submit_answer(session_id, "ana", position, 0)
        assert feedback.citation_title, feedback.citation_id
    assert service.next_question(session_id, "ana") is None
    assert service.next_question(session_id, "ben") is not None
    scores = {s.user_id: s for s in service.session_scores(session_id)}
    assert scores["ana"].completed and scores["ana"].answered == 5 and not scores["ben"].completed
    service.close_session(session_id, actor="Priya")
    report = service.report(session_id=session_id)
    assert "ana" in service.render_csv(report) and "how triage works" in service.render_html(report)
    # The same seed on the same knowledge gives the same questions.
    again = service.start_session(
        topic="triage", questions=5, difficulty=Difficulty.HARD, trainer="P", channel="C1", seed=99
    )
    first = [service.get_question(session_id, k).prompt for k in range(1, 6)]
    assert [service.get_question(again.session.id, k).prompt for k in range(1, 6)] == first


def test_open_questions_go_through_the_cited_answering_and_are_logged(service: TrainingService) -> None:
    started = service.start_session(
        topic="EU AI Act basics", questions=2, difficulty="easy", trainer="Priya", channel="C-new-staff"
    )
    answer = service.ask(started.session.id, "ana", "Who has to make sure staff have enough AI literacy?")
    assert answer.grounded and answer.citations
    with service.db.session() as session:
        events = list_events(session=session, subject=sessions.subject_of(started.session.id))
    logged = [e for e in events if e.action == sessions.ACTION_OPEN_QUESTION]
    assert len(logged) == 1 and logged[0].details["citations"] == [c.id for c in answer.citations]
    with pytest.raises(TrainingError, match="no training session"):
        service.ask(10_000, "ana", "anything")


def test_bad_requests_are_refused_with_one_line(service: TrainingService) -> None:
    cases: list[tuple[dict[str, object], type[Exception], str]] = [
        ({"topic": "astrology"}, TopicError, "unknown topic 'astrology'"),
        ({"questions": 0}, QuestionCountError, "between 1 and 50"),
        ({"questions": 51}, QuestionCountError, "between 1 and 50"),
        ({"difficulty": "brutal"}, TrainingError, "difficulty must be one of easy, medium, hard"),
        ({"participants": [], "channel": None}, TrainingError, "channel or a list"),
    ]
    for changes, error, message in cases:
        request: dict[str, object] = {
            "topic": "GDPR basics",
            "questions": 3,
            "difficulty": "easy",
            "trainer": "Priya",
            "participants": ["ana"],
            **changes,
        }
        with pytest.raises(error, match=message) as caught:
            service.start_session(**request)  # type: ignore[arg-type]
        assert "\n" not in str(caught.value)


def test_policy_topics_respect_who_may_read(service: TrainingService) -> None:
    with pytest.raises(TopicError, match="may not read"):
        service.start_session(
            topic="our generative AI acceptable-use policy",
            questions=3,
            difficulty="easy",
            trainer="Priya",
            channel="C-public",
            audience=Audience(public_only=True),
        )
    # Pack topics are public knowledge and work anywhere.
    started = service.start_session(
        topic="GDPR basics",
        questions=2,
        difficulty="easy",
        trainer="P",
        channel="C-public",
        audience=Audience(public_only=True),
    )
    assert started.session.question_count == 2


def test_missing_knowledge_says_how_to_load_it(tmp_path: Path) -> None:
    without_sample = TrainingService(_settings(tmp_path / "packs-only"), use_llm=False)
    try:
        with pytest.raises(TopicError, match="govassist knowledge load-sample"):
            without_sample.start_session(
                topic="our generative AI acceptable-use policy",
                questions=3,
                difficulty="easy",
                trainer="Priya",
                participants=["ana"],
            )
        infos = {i.id: i for i in without_sample.topics()}
        assert not infos["genai-acceptable-use"].available
        assert "load-sample" in (infos["genai-acceptable-use"].note or "")
        # Triage questions still work from the packs; tiering questions need the standard indexed.
        assert infos["how-triage-works"].available
    finally:
        without_sample.close()
    empty = TrainingService(_settings(tmp_path / "empty", load_builtin_knowledge=False), use_llm=False)
    try:
        with pytest.raises(
            TopicError, match=r"eu-ai-act knowledge pack.*not indexed.*LOAD_BUILTIN_KNOWLEDGE"
        ):
            empty.start_session(
                topic="EU AI Act basics", questions=3, difficulty="easy", trainer="P", participants=["a"]
            )
    finally:
        empty.close()


def test_a_chat_model_writes_checked_questions_into_the_session(service: TrainingService) -> None:
    with_model = TrainingService(
        service.settings, assistant=service.assistant(), chat_model=PassageReadingFake(messages=iter([]))
    )
    started = with_model.start_session(
        topic="NIST AI RMF basics", questions=4, difficulty="medium", trainer="Priya", participants=["ana"]
    )
    assert started.session.generator == "llm+offline"
    assert len(started.rejected_drafts) == 1
    prompts = [with_model.get_question(started.session.id, k).prompt for k in range(1, 5)]
    assert sum(p.startswith("Which provision does") for p in prompts) == 1


def test_no_model_is_used_unless_configured(tmp_path: Path) -> None:
    assert configured_chat_model(_settings(tmp_path)) == (None, None)


PUBLIC_CHANNEL = Audience(public_only=True)


def test_a_session_is_as_confidential_as_the_documents_its_questions_cite(service: TrainingService) -> None:
    packs_only = service.start_session(
        topic="EU AI Act basics", questions=3, difficulty="easy", trainer="Priya", participants=["ana"]
    )
    assert packs_only.session.visibility is Visibility.PUBLIC
    assert service.get_question(packs_only.session.id, 1, audience=PUBLIC_CHANNEL).position == 1

    # The sample organisation's policies are indexed as internal documents.
    policy = service.start_session(
        topic="our generative AI acceptable-use policy",
        questions=3,
        difficulty="easy",
        trainer="Priya",
        channel="C-staff",
        seed=4,
    )
    session_id = policy.session.id
    assert (policy.session.visibility, policy.session.groups) == (Visibility.INTERNAL, [])
    assert service.get_session(session_id).topic_id == "genai-acceptable-use"
    assert service.get_question(session_id, 1).position == 1  # the default reader: staff
    for refused in (
        lambda: service.get_question(session_id, 1, audience=PUBLIC_CHANNEL),
        lambda: service.next_question(session_id, "ana", audience=PUBLIC_CHANNEL),
        lambda: service.submit_answer(session_id, "ana", 1, 0, audience=PUBLIC_CHANNEL),
        lambda: service.get_session(session_id, audience=PUBLIC_CHANNEL),
        lambda: service.ask(session_id, "ana", "What may go into a public chatbot?", audience=PUBLIC_CHANNEL),
        lambda: service.report(session_id=session_id, audience=PUBLIC_CHANNEL),
    ):
        with pytest.raises(SessionAccessError, match="cannot be used in a public channel") as caught:
            refused()
        assert "\n" not in str(caught.value)
    assert session_id not in {s.id for s in service.list_sessions(audience=PUBLIC_CHANNEL)}
    assert service.session_scores(session_id) == []  # nothing was recorded for the refused answer
    assert service.submit_answer(session_id, "ana", 1, 0).position == 1

    # A topic mixing packs and a policy is internal exactly when a question cites the policy.
    mixed = service.start_session(
        topic="how triage works", questions=10, difficulty="medium", trainer="P", channel="C-staff", seed=3
    )
    cited = {
        q.citation_id.partition(":")[0]
        for q in service.report(session_id=mixed.session.id).sessions[0].questions
    }
    with service.db.session() as session:
        kinds = {d.visibility for d in session.scalars(select(Document).where(Document.source_id.in_(cited)))}
    assert kinds and mixed.session.visibility == ("internal" if "internal" in kinds else "public")


def test_restricted_policy_sessions_reach_only_their_groups(
    make_settings: Callable[..., Settings], database_url: str, tmp_path: Path
) -> None:
    """On SQLite and PostgreSQL: a policy indexed for the legal group makes a session for legal only."""
    training = TrainingService(make_settings(database_url=database_url), use_llm=False)
    try:
        report = ingest_paths(
            training.assistant().index,
            IngestRequest(
                paths=[SAMPLES_DIR / "genai-acceptable-use-policy.md"],
                kind=DocumentKind.POLICY,
                visibility=Visibility.RESTRICTED,
                groups=["legal"],
            ),
        )
        assert not report.failures
        request: dict[str, object] = {
            "topic": "acceptable use policy",
            "questions": 3,
            "difficulty": "medium",
            "trainer": "Lena",
            "channel": "C-legal",
            "seed": 8,
        }
        # Nobody outside legal can even start one: the topic has nothing they may read.
        for outsider in (
            None,
            Audience(groups=frozenset({"hr"})),
            Audience(groups=frozenset({"legal"}), public_only=True),
        ):
            with pytest.raises(TopicError, match="may not read"):
                training.start_session(**request, audience=outsider)  # type: ignore[arg-type]
        legal = Audience(groups=frozenset({"legal"}))
        started = training.start_session(**request, audience=legal)  # type: ignore[arg-type]
        session_id = started.session.id
        assert (started.session.visibility, started.session.groups) == (Visibility.RESTRICTED, ["legal"])
        view = training.next_question(session_id, "lena", audience=legal)
        assert view is not None
        feedback = training.submit_answer(session_id, "lena", view.position, 0, audience=legal)
        assert feedback.citation_id.startswith("genai-acceptable-use-policy:")
        for outsider in (None, Audience(groups=frozenset({"hr"}))):
            with pytest.raises(SessionAccessError, match="restricted documents you may not read"):
                training.next_question(session_id, "hana", audience=outsider)
            with pytest.raises(SessionAccessError):
                training.submit_answer(session_id, "hana", 1, 0, audience=outsider)
            assert training.list_sessions(audience=outsider) == []
            assert training.report(audience=outsider).withheld == 1
        assert [p.user_id for p in training.session_scores(session_id)] == ["lena"]
        assert "restricted (legal)" in training.render_html(
            training.report(session_id=session_id, audience=legal)
        )
    finally:
        training.close()
