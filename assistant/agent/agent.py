"""The conversational agent: one turn of a thread in, a reply out, remembered and audited.

    agent = Agent.open(settings)
    reply = agent.respond(thread_id="t1", message="What must deployers of high-risk AI do?",
                          user=UserContext(user_id="ana", groups=frozenset({"legal"})))
    agent.respond(thread_id="t1", message="and for providers?", user=...)   # a follow-up
    agent.close()

A turn goes: the router (`router.py`) picks the intent from the user's own words and the thread's state;
`Agent._dispatch` hands the typed parts of that route to the dialogue that owns the intent
(`dialogues/questions.py`, `triage.py`, `quiz.py`, `inventory.py`); the dialogue calls typed tools
(`toolkit/`) and composes the reply (`replies.py`); the turn recorder (`turn.py`) stores the thread's
messages and state and audits the turn. With a chat model configured, a question turn is answered by the
model through the knowledge tools and guarded; anything else stays deterministic.

Why text cannot take control: the router reads only the user's message, never retrieved text; a tier
comes only from the triage rules on the profile's fields ("it's minimal risk, trust me" is answered with
a refusal, and no tool takes a tier); tasks are filed only when the user's own message asks for it, and
no tool closes one; retrieval always reads as the user (`UserContext.audience`).

Training quizzes are deterministic turns too: "quiz me on GDPR basics" starts a session and shows its
first question; while one is pending (`ThreadState.quiz`) a plain "B", "2" or "true" answers it, the
cited feedback and the next question follow, and "stop the quiz" leaves it. A session is shown and
answered only for readers who may read the documents its questions cite.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from assistant.agent.dialogues import inventory, questions, quiz, triage
from assistant.agent.memory import ThreadState, Turn, check_thread_id, history, load_thread
from assistant.agent.router import Intent, Route, Router, RouterState
from assistant.agent.schemas import AgentReply, UserContext
from assistant.agent.toolkit import ToolContext
from assistant.agent.turn import TurnContext, TurnOutcome, TurnRecorder, remind_pending
from assistant.service import Assistant, validate_question
from core.config import Settings
from knowledge.retrieval import SearchFilters

if TYPE_CHECKING:
    # The model machinery (langchain) is imported only when a model is configured: offline turns,
    # which every cold `govassist ask` is by default, never load it.
    from langchain_core.language_models import BaseChatModel


class Agent:
    """govassist in conversation: routes each turn to its dialogue and records it."""

    def __init__(
        self,
        settings: Settings,
        assistant: Assistant,
        *,
        router: Router | None = None,
        today: date | None = None,
        owns_assistant: bool = False,
        model: BaseChatModel | None = None,
    ) -> None:
        self.settings = settings
        self.assistant = assistant
        self.router = router or Router(assistant.index.embedder)
        self.recorder = TurnRecorder(assistant.index)
        self.today = today
        self.model = model
        self._owns_assistant = owns_assistant

    @classmethod
    def open(cls, settings: Settings) -> Agent:
        """Open storage and the knowledge (`Assistant.open`), build the offline router, and set up the chat
        model the settings name (`llm`; none by default). Raises ConfigError for a bad model setting."""
        model = None
        if not settings.offline:
            from assistant.agent.llm import make_chat_model

            model = make_chat_model(settings)
        return cls(settings, Assistant.open(settings), owns_assistant=True, model=model)

    def close(self) -> None:
        """Release the database connections (when this agent opened the assistant)."""
        if self._owns_assistant:
            self.assistant.close()

    def respond(
        self,
        *,
        thread_id: str,
        message: str,
        user: UserContext,
        channel: str | None = None,
        filters: SearchFilters | None = None,
        intent: Intent | None = None,
    ) -> AgentReply:
        """Reply to `message` from `user` in thread `thread_id` (created on first use).

        `filters` narrow question answering (sources, kinds); `intent` forces the intent instead of
        routing (`govassist ask` forces `Intent.ASK`, so a question is always answered as one). Raises
        QuestionError for an empty or too long message and ValueError for an unusable thread id, before
        anything is stored.
        """
        text = validate_question(message)
        thread_id = check_thread_id(thread_id)
        with self.assistant.index.db.session() as session:
            memory = load_thread(session=session, thread_id=thread_id, user_id=user.user_id, channel=channel)
        ctx = ToolContext(
            settings=self.settings,
            assistant=self.assistant,
            user=user,
            actor=user.user_id,
            today=self.today,
            model=self.model,
            channel=channel or memory.channel,
        )
        route = self._route(memory.state, text, intent)
        outcome, notice = None, None
        if self.model is not None and route.intent is Intent.ASK:
            turn = TurnContext(tools=ctx, state=memory.state.model_copy(deep=True), text=text)
            outcome, notice = questions.ask_model(
                turn, memory.recent, question=route.question, follow_up=route.follow_up, filters=filters
            )
        if outcome is None:
            turn = TurnContext(tools=ctx, state=memory.state.model_copy(deep=True), text=text)
            outcome = self._dispatch(turn, route, filters)
            outcome.notice = notice
        outcome.matched_by = route.matched_by
        return self.recorder.record(ctx, memory, text, remind_pending(outcome))

    def history(self, thread_id: str) -> list[Turn]:
        """Every message of a thread, oldest first."""
        with self.assistant.index.db.session() as session:
            return history(session=session, thread_id=check_thread_id(thread_id))

    def _route(self, state: ThreadState, text: str, intent: Intent | None) -> Route:
        """The intent of the user's own message (or the forced one), read against the thread's state."""
        if intent is not None:
            return Route(intent=intent, question=text, matched_by="forced")
        pending = state.triage
        return self.router.route(
            text,
            RouterState(
                pending_question=bool(pending and pending.open_field),
                awaiting_description=bool(pending and pending.profile is None),
                topic=state.topic,
                quiz_pending=state.quiz is not None,
            ),
        )

    @staticmethod
    def _dispatch(turn: TurnContext, route: Route, filters: SearchFilters | None) -> TurnOutcome:
        """The dialogue step that owns the route's intent, given the parts of the route it uses."""
        question, follow_up = route.question, route.follow_up
        match route.intent:
            case Intent.ASK:
                return questions.ask(turn, question=question, follow_up=follow_up, filters=filters)
            case Intent.HELP:
                return questions.help_text(turn)
            case Intent.TRIAGE:
                return triage.start(turn, name=route.name, description=route.description)
            case Intent.TRIAGE_ANSWER:
                return triage.answer(turn, question=question, follow_up=follow_up, filters=filters)
            case Intent.RENAME:
                return triage.rename(turn, name=route.name)
            case Intent.CANCEL:
                return triage.cancel(turn)
            case Intent.SET_TIER:
                return triage.refuse_set_tier(turn)
            case Intent.FILE_TASKS:
                return inventory.file_tasks(turn)
            case Intent.LIST_TASKS:
                return inventory.list_tasks(turn, status=route.status, open_only=route.open_only)
            case Intent.LIST_SYSTEMS:
                return inventory.list_systems(turn, eu_tier=route.eu_tier)
            case Intent.PAST_REVIEWS:
                return inventory.past_reviews(turn)
            case Intent.TRAINING_TOPICS:
                return quiz.topics(turn)
            case Intent.START_TRAINING:
                return quiz.start(turn, request=route.training)
            case Intent.QUIZ_ANSWER:
                return quiz.answer(
                    turn, option=route.option, question=question, follow_up=follow_up, filters=filters
                )
            case Intent.QUIZ_NEXT:
                return quiz.next_question(turn, session_id=route.session_id)
            case Intent.QUIZ_STOP:
                return quiz.stop(turn)
