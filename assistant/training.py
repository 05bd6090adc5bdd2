"""Training sessions with AI-literacy records: the one service the CLI, the Slack app and the agent call.

Usage::

    service = TrainingService(settings, assistant=assistant)        # or TrainingService(settings)
    started = service.start_session(topic="EU AI Act basics", questions=5, difficulty="easy",
                                    trainer="Priya", participants=["alice", "bob"])
    view = service.get_question(started.session.id, 1)              # what participants see
    feedback = service.submit_answer(started.session.id, "alice", 1, option=2)   # 0-based option
    service.ask(started.session.id, "alice", "Who must ensure AI literacy?")      # cited answer
    service.close_session(started.session.id, actor="Priya")
    html = service.render_html(service.report(session_id=started.session.id))

Questions are built offline from the knowledge packs and the organisation's indexed documents; with a
chat model configured (`assistant.agent.llm.make_chat_model`), up to half come from the model, each
checked against the passage it cites. Opening the knowledge index (and its embedder) happens only for
what needs it: starting a session, listing topics and open questions; answering, closing and reports
need only the database.

Access: a session is as confidential as the most restricted document its questions cite (packs are
public; the organisation's documents are internal or restricted to groups). Every method that shows a
session's questions or takes answers has an `audience` (`knowledge.access.Audience`: the reader's groups
and whether the place is public; None means the default reader, who sees public and internal documents)
and refuses with a one-line SessionAccessError when that audience may not read the sources.
"""

from __future__ import annotations

import importlib
import secrets
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from knowledge import store
from knowledge.access import Audience
from tools.training import report as reports
from tools.training import sessions
from tools.training.access import require_readable
from tools.training.errors import TopicError, TrainingError
from tools.training.llm import Rejection
from tools.training.material import load_material, questions_access
from tools.training.questions import build_facts, compose_questions
from tools.training.schemas import (
    AnswerFeedback,
    Difficulty,
    ParticipantScore,
    QuestionView,
    SessionStatus,
    SessionSummary,
    TopicInfo,
    TrainingReport,
)
from tools.training.topics import TOPICS, find_topic

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from assistant.schemas import Answer
    from assistant.service import Assistant
    from core.config import Settings
    from core.db import Database


class StartedSession(BaseModel):
    """A new session, and anything the trainer should know about how its questions were made."""

    session: SessionSummary
    notice: str | None = Field(
        default=None, description="E.g. 'the model was unreachable; offline questions'."
    )
    rejected_drafts: list[Rejection] = Field(
        default_factory=list,
        description="Model-written questions that failed the check against their source.",
    )


def configured_chat_model(settings: Settings) -> tuple[BaseChatModel | None, str | None]:
    """The chat model the settings configure, via `assistant.agent.llm.make_chat_model` when that module
    exists; (None, None) when none is configured, (None, reason) when it cannot be built."""
    if settings.llm.strip().lower() in {"", "none"}:
        return None, None
    try:
        module = importlib.import_module("assistant.agent.llm")
    except ImportError:
        return None, "no model support is installed (assistant.agent.llm); questions are offline"
    make = getattr(module, "make_chat_model", None)
    if make is None:
        return None, "assistant.agent.llm has no make_chat_model; questions are offline"
    try:
        return make(settings), None
    except Exception as exc:  # a misconfigured model must not stop a training session
        return (
            None,
            f"the configured model cannot be used ({str(exc).splitlines()[0][:200]}); offline questions",
        )


def parse_difficulty(value: Difficulty | str) -> Difficulty:
    """A Difficulty from 'easy'/'medium'/'hard'; TrainingError otherwise."""
    try:
        return Difficulty(str(value).strip().lower())
    except ValueError:
        allowed = ", ".join(d.value for d in Difficulty)
        raise TrainingError(f"difficulty must be one of {allowed}, got {value!r}") from None


class TrainingService:
    """Start sessions, serve questions, record answers, answer open questions, report."""

    def __init__(
        self,
        settings: Settings,
        *,
        assistant: Assistant | None = None,
        db: Database | None = None,
        assistant_factory: Callable[[], Assistant] | None = None,
        chat_model: BaseChatModel | None = None,
        use_llm: bool = True,
    ) -> None:
        """`assistant` (if given) is used for the index and open questions; otherwise it is opened on
        first need, by `assistant_factory` when given. `chat_model` overrides the configured model;
        `use_llm=False` keeps question generation offline."""
        from core.db import Database

        self.settings = settings
        self._assistant = assistant
        self._assistant_factory = assistant_factory
        self.db: Database = db or (assistant.index.db if assistant is not None else Database.open(settings))
        # A caller's assistant keeps its database open; close() releases only what this service holds.
        self._owns_db = db is not None or assistant is None
        self._chat_model = chat_model
        self._use_llm = use_llm

    # --- plumbing ---------------------------------------------------------------------------------------

    def assistant(self) -> Assistant:
        """The assistant (index, embedder, built-in knowledge current), opened on first use."""
        if self._assistant is None and self._assistant_factory is not None:
            self._assistant = self._assistant_factory()
        if self._assistant is None:
            from assistant.service import Assistant
            from knowledge.builtin import ensure_builtin_knowledge
            from knowledge.factory import open_index

            index = open_index(self.settings, db=self.db)
            if self.settings.load_builtin_knowledge:
                ensure_builtin_knowledge(index)
            self._assistant = Assistant(self.settings, index)
        return self._assistant

    def close(self) -> None:
        """Release the database connections this service opened or was given (not a caller's assistant's)."""
        if self._owns_db:
            self.db.close()

    # --- topics and sessions ----------------------------------------------------------------------------

    def topics(self, *, audience: Audience | None = None) -> list[TopicInfo]:
        """Every topic, with whether its knowledge is indexed here and how many questions it offers."""
        index = self.assistant().index
        infos = []
        for topic in TOPICS:
            sources = [
                *topic.regimes,
                *(f"organisation documents matching '{s}'" for s in topic.policy_sources),
            ]
            try:
                count = len(build_facts(topic, load_material(index, topic, audience=audience)))
                note = None if count else "no questions can be built from the knowledge indexed"
            except TopicError as exc:
                count, note = 0, str(exc)
            infos.append(
                TopicInfo(
                    id=topic.id,
                    title=topic.title,
                    description=topic.description,
                    sources=sources,
                    available=count > 0,
                    questions_available=count,
                    note=note,
                )
            )
        return infos

    def start_session(
        self,
        *,
        topic: str,
        questions: int,
        difficulty: Difficulty | str,
        trainer: str,
        channel: str | None = None,
        participants: Sequence[str] = (),
        display_names: Mapping[str, str] | None = None,
        seed: int | None = None,
        audience: Audience | None = None,
    ) -> StartedSession:
        """Generate the questions and store an open session for a channel or a list of people.

        `audience` is who will see the questions (a public Slack channel: `Audience(public_only=True)`;
        None: the default reader), so organisation documents they may not read are never used. The
        session records the most restricted source its questions cite, and later shows them only to
        readers who may read it. The seed (random when None) makes offline questions reproducible and is
        stored with the session. Raises TrainingError subclasses: TopicError (unknown topic, or its
        knowledge not indexed or not readable by `audience`), QuestionCountError, SessionAccessError.
        """
        chosen = find_topic(topic)
        level = parse_difficulty(difficulty)
        if channel is None and not participants:
            raise TrainingError("a session is for a channel or a list of participants; give one of them")
        if seed is not None:
            sessions.check_seed(seed)
        reader = audience or Audience()
        material = load_material(self.assistant().index, chosen, audience=reader)
        model, notice = self._chat_model, None
        if model is None and self._use_llm:
            model, notice = configured_chat_model(self.settings)
        used_seed = seed if seed is not None else secrets.randbelow(2**31)
        made = compose_questions(
            chosen, material, count=questions, difficulty=level, seed=used_seed, chat_model=model
        )
        access = questions_access(made.questions, material)
        # The material was read as `reader`, so this holds; checked again so no later change can slip.
        require_readable(access, reader, what=f"a session on '{chosen.title}'")
        with self.db.session() as session:
            summary = sessions.create_session(
                session=session,
                topic=chosen,
                trainer=trainer,
                difficulty=level,
                questions=made.questions,
                seed=used_seed,
                access=access,
                channel=channel,
                participants=participants,
                display_names=display_names,
                generator=made.generator,
            )
        return StartedSession(session=summary, notice=made.notice or notice, rejected_drafts=made.rejected)

    def get_session(self, session_id: int, *, audience: Audience | None = None) -> SessionSummary:
        """A session's record with participants' scores; SessionNotFoundError if unknown,
        SessionAccessError if `audience` may not read its sources."""
        with self.db.session() as session:
            return sessions.get_summary(session=session, session_id=session_id, audience=audience)

    def list_sessions(
        self,
        *,
        person: str | None = None,
        status: SessionStatus | str | None = None,
        audience: Audience | None = None,
    ) -> list[SessionSummary]:
        """Sessions `audience` may see, newest first, optionally only one person's or those open/closed."""
        wanted = SessionStatus(status) if status is not None else None
        with self.db.session() as session:
            return sessions.list_sessions(session=session, person=person, status=wanted, audience=audience)

    def add_participants(
        self, session_id: int, users: Sequence[str], *, display_names: Mapping[str, str] | None = None
    ) -> SessionSummary:
        """Add people to an open session."""
        with self.db.session() as session:
            return sessions.add_participants(
                session=session, session_id=session_id, users=users, display_names=display_names
            )

    def close_session(self, session_id: int, *, actor: str) -> SessionSummary:
        """Close a session: no more answers are recorded."""
        with self.db.session() as session:
            return sessions.close_session(session=session, session_id=session_id, actor=actor)

    # --- taking part ------------------------------------------------------------------------------------

    def get_question(
        self, session_id: int, position: int, *, audience: Audience | None = None
    ) -> QuestionView:
        """Question `position` (1-based) as participants see it (no answer, no citation);
        SessionAccessError if `audience` may not read the session's sources."""
        with self.db.session() as session:
            return sessions.question_view(
                session=session, session_id=session_id, position=position, audience=audience
            )

    def next_question(
        self, session_id: int, user_id: str, *, audience: Audience | None = None
    ) -> QuestionView | None:
        """The first question `user_id` has not answered, or None when they are done;
        SessionAccessError if `audience` (who and where `user_id` is) may not read the sources."""
        with self.db.session() as session:
            return sessions.next_question(
                session=session, session_id=session_id, user_id=user_id, audience=audience
            )

    @staticmethod
    def parse_option(view: QuestionView, raw: str) -> int:
        """The 0-based option meant by what a person typed ('2', 'B', 'true'); AnswerError otherwise."""
        return sessions.parse_option(view, raw)

    def submit_answer(
        self,
        session_id: int,
        user_id: str,
        position: int,
        option: int,
        *,
        display_name: str | None = None,
        audience: Audience | None = None,
    ) -> AnswerFeedback:
        """Record an answer (0-based `option` to question `position`) and return the cited feedback.

        The first answer counts (`already_answered` on repeats). Raises SessionNotFoundError,
        SessionAccessError (`audience` may not read the session's sources), SessionClosedError,
        AnswerError.
        """
        with self.db.session() as session:
            feedback = sessions.record_answer(
                session=session,
                session_id=session_id,
                user_id=user_id,
                position=position,
                option=option,
                display_name=display_name,
                audience=audience,
            )
            return feedback.model_copy(
                update={"citation_title": self._citation_title(session, feedback.citation_id)}
            )

    def ask(
        self, session_id: int, user_id: str, question: str, *, audience: Audience | None = None
    ) -> Answer:
        """An open question during a session, answered by the normal cited answering (as `audience`) and
        logged; the session must exist and be one `audience` may take part in."""
        with self.db.session() as session:
            sessions.get_summary(session=session, session_id=session_id, audience=audience)
        answer = self.assistant().ask(question, audience=audience)
        with self.db.session() as session:
            sessions.record_open_question(
                session=session,
                session_id=session_id,
                user_id=user_id,
                question=answer.question,
                citations=[c.id for c in answer.citations],
                grounded=answer.grounded,
            )
        return answer

    def session_scores(self, session_id: int) -> list[ParticipantScore]:
        """Every participant's attendance and score."""
        with self.db.session() as session:
            return sessions.scores(session=session, session_id=session_id)

    # --- reports ------------------------------------------------------------------------------------------

    def report(
        self, *, session_id: int | None = None, person: str | None = None, audience: Audience | None = None
    ) -> TrainingReport:
        """One session, one person's sessions, or all sessions, with questions, answers and scores.

        Sessions `audience` may not read are refused (one session asked for) or left out and counted
        in `withheld`."""
        with self.db.session() as session:
            return sessions.build_report(
                session=session, session_id=session_id, person=person, audience=audience
            )

    @staticmethod
    def render_csv(report: TrainingReport) -> str:
        """Attendance and scores as CSV."""
        return reports.render_csv(report)

    @staticmethod
    def render_html(report: TrainingReport) -> str:
        """The printable HTML report (Art. 4 AI-literacy evidence)."""
        return reports.render_html(report)

    @staticmethod
    def _citation_title(session: Session, citation_id: str) -> str | None:
        found = store.citation_titles(session=session, citation_ids=[citation_id]).get(citation_id)
        if found is None:
            return None
        title, locator = found
        return title if locator in {title, ""} else f"{locator}: {title}"
