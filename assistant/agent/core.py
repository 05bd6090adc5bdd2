"""The conversational agent: one turn of a thread in, a reply out, remembered and audited.

    agent = Agent.open(settings)
    reply = agent.respond(thread_id="t1", message="What must deployers of high-risk AI do?",
                          user=UserContext(user_id="ana", groups=frozenset({"legal"})))
    agent.respond(thread_id="t1", message="and for providers?", user=...)   # a follow-up
    agent.close()

Offline mode (the default, no language model): the router picks the intent from the user's own words
and the thread's state, a tool does the work through `run_tool`, and the reply is composed from the tool's
output. Every turn is stored in the thread (`assistant.agent.memory`) and recorded in the audit log with
the message, the tools called and their arguments, the citations, the decisions, the model (none offline)
and the knowledge version.

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

import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from assistant.agent import replies
from assistant.agent.memory import (
    PendingQuiz,
    PendingTriage,
    ThreadMemory,
    ThreadState,
    Turn,
    append_turn,
    check_thread_id,
    history,
    load_thread,
    save_state,
    summarise,
)
from assistant.agent.router import Intent, Route, Router, RouterState
from assistant.agent.schemas import AgentReply, UserContext
from assistant.agent.tools import (
    AnswerQuestionOutput,
    AnswerTrainingQuestionOutput,
    FileReviewTasksOutput,
    FindPastReviewsOutput,
    ListSystemsOutput,
    ListTasksOutput,
    NextTrainingQuestionOutput,
    StartTrainingOutput,
    ToolContext,
    TrainingTopicsOutput,
    TriageSystemOutput,
    cite_records,
    run_tool,
)
from assistant.schemas import Citation
from assistant.service import Assistant, validate_question
from core.config import Settings
from knowledge.retrieval import SearchFilters
from tools import inventory
from tools.audit import record_event
from tools.inventory import SystemPublic
from tools.triage.schemas import SystemProfile

if TYPE_CHECKING:
    # The model machinery (langchain) is imported only when a model is configured: offline turns,
    # which every cold `govassist ask` is by default, never load it.
    from langchain_core.language_models import BaseChatModel

AUDIT_ACTION = "agent.turn"
DESCRIBE_PROMPT = (
    "Tell me about the system: what it does, for whom, where it is used, and what decisions it makes or "
    "supports."
)
_STOP = frozenset("the a an of for to our my this that ai system systems tool model app service".split())
# Names match on word stems: 'the CV screener' names 'CV screening assistant'.
_STEM = 5
_NAME_MATCH = 0.6


@dataclass
class TurnOutcome:
    """What a turn came to, before it is stored: the reply's content and the thread's next state.

    The offline path fills it from tools and `replies`; the LLM path fills the same fields (with `mode`,
    `model` and `notice`), so storing and auditing are the same for both."""

    intent: str
    question: str
    answer: str
    state: ThreadState
    grounded: bool = True
    citations: list[Citation] = field(default_factory=list)
    triage: dict[str, Any] | None = None
    pending_question: str | None = None
    decisions: dict[str, Any] = field(default_factory=dict)
    matched_by: str | None = None
    mode: str = "offline"
    model: str | None = None
    notice: str | None = None


class Agent:
    """govassist in conversation: threads, tools, memory and the audit trail."""

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

    # --- a turn ----------------------------------------------------------------------------------------

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
            outcome, notice = self._model_turn(ctx, memory, text, route, filters)
        if outcome is None:
            outcome = self._offline_turn(ctx, memory, text, route, filters=filters)
            outcome.notice = notice
        return self._finish(ctx, memory, text, self._remind_pending(outcome))

    def history(self, thread_id: str) -> list[Turn]:
        """Every message of a thread, oldest first."""
        with self.assistant.index.db.session() as session:
            return history(session=session, thread_id=check_thread_id(thread_id))

    def _finish(self, ctx: ToolContext, memory: ThreadMemory, text: str, outcome: TurnOutcome) -> AgentReply:
        """Build the reply, store both messages and the new state, summarise if long, audit the turn."""
        reply = AgentReply(
            question=outcome.question,
            answer=outcome.answer,
            grounded=outcome.grounded,
            citations=outcome.citations,
            knowledge_as_of=self.assistant.index.knowledge_as_of(),
            thread_id=memory.thread_id,
            intent=str(outcome.intent),
            mode="llm" if outcome.mode == "llm" else "offline",
            model=outcome.model,
            notice=outcome.notice,
            tool_calls=list(ctx.calls),
            triage=outcome.triage,
            pending_question=outcome.pending_question,
        )
        user = ctx.user
        with self.assistant.index.db.session() as session:
            append_turn(
                session=session, thread_id=memory.thread_id, role="user", content=text, user_id=user.user_id
            )
            stored = append_turn(
                session=session,
                thread_id=memory.thread_id,
                role="assistant",
                content=reply.answer,
                payload=reply.model_dump(mode="json"),
            )
            reply.message_id = stored.id
            save_state(session=session, thread_id=memory.thread_id, state=outcome.state)
            summarise(session=session, thread_id=memory.thread_id)
            record_event(
                session=session,
                actor=user.user_id,
                action=AUDIT_ACTION,
                subject=f"thread:{memory.thread_id}",
                details={
                    "message": text,
                    "user": user.user_id,
                    "groups": sorted(user.groups),
                    "public_only": user.public_only,
                    "intent": str(outcome.intent),
                    "routed_by": outcome.matched_by,
                    "question": outcome.question,
                    "tool_calls": [call.model_dump(mode="json") for call in ctx.calls],
                    "citations": [c.id for c in reply.citations],
                    "grounded": reply.grounded,
                    "decisions": outcome.decisions,
                    "mode": reply.mode,
                    "model": reply.model,
                    "notice": reply.notice,
                },
            )
        return reply

    # --- offline mode ----------------------------------------------------------------------------------

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

    # --- LLM mode (question turns only) ---------------------------------------------------------------

    def _model_turn(
        self,
        ctx: ToolContext,
        memory: ThreadMemory,
        text: str,
        route: Route,
        filters: SearchFilters | None,
    ) -> tuple[TurnOutcome | None, str | None]:
        """A question answered by the configured model through the knowledge tools, guarded; or no outcome
        and a notice saying why the offline path answers instead: the model was unavailable, or nothing it
        wrote survived the guard."""
        from assistant.agent.llm import ModelUnavailable
        from assistant.agent.model_turn import answer_with_model, history_messages

        assert self.model is not None
        question = route.question or text
        try:
            answer = answer_with_model(
                self.model,
                ctx,
                question,
                history=history_messages(memory.recent, user_id=ctx.user.user_id),
                filters=filters,
            )
        except ModelUnavailable as exc:
            return None, f"The language model could not be used ({exc.reason}); answered offline."
        if not answer.guarded.grounded:
            return (
                None,
                f"{answer.model} wrote nothing the retrieved passages support; this is the offline answer.",
            )
        if answer.plan_check is not None and not answer.plan_check.ok:
            reason = answer.plan_check.reason
            return (
                None,
                f"{answer.model} disagreed with the structured facts ({reason}); this is the offline answer.",
            )
        state = memory.state.model_copy(deep=True)
        state.topic = question
        return TurnOutcome(
            intent=Intent.ASK,
            question=question,
            answer=answer.guarded.text,
            state=state,
            grounded=True,
            citations=answer.guarded.citations,
            decisions={"guard_dropped_sentences": answer.dropped}
            | ({"follow_up": route.follow_up} if route.follow_up else {}),
            matched_by=route.matched_by,
            mode="llm",
            model=answer.model,
        ), None

    # --- offline mode ----------------------------------------------------------------------------------

    def _offline_turn(
        self,
        ctx: ToolContext,
        memory: ThreadMemory,
        text: str,
        route: Route,
        *,
        filters: SearchFilters | None = None,
    ) -> TurnOutcome:
        """Call the tool the message's intent needs and compose the reply."""
        state = memory.state.model_copy(deep=True)
        handler = {
            Intent.ASK: self._ask,
            Intent.TRIAGE: self._triage_start,
            Intent.TRIAGE_ANSWER: self._triage_answer,
            Intent.RENAME: self._rename,
            Intent.CANCEL: self._cancel,
            Intent.SET_TIER: self._set_tier,
            Intent.FILE_TASKS: self._file_tasks,
            Intent.LIST_TASKS: self._list_tasks,
            Intent.LIST_SYSTEMS: self._list_systems,
            Intent.PAST_REVIEWS: self._past_reviews,
            Intent.HELP: self._help,
            Intent.TRAINING_TOPICS: self._training_topics,
            Intent.START_TRAINING: self._start_training,
            Intent.QUIZ_ANSWER: self._quiz_answer,
            Intent.QUIZ_NEXT: self._quiz_next,
            Intent.QUIZ_STOP: self._quiz_stop,
        }[route.intent]
        outcome = handler(ctx, state, text, route, filters)
        outcome.matched_by = route.matched_by
        return outcome

    @staticmethod
    def _remind_pending(outcome: TurnOutcome) -> TurnOutcome:
        """A triage question left waiting by a turn about something else is repeated at the end; a quiz
        question waiting is pointed to."""
        quiz = outcome.state.quiz
        if quiz is not None and outcome.pending_question is None:
            of = f" of {quiz.total}" if quiz.total else ""
            outcome.answer += (
                f"\n\n(Quiz question {quiz.position}{of} is waiting for your answer: 'next question' shows "
                "it again, 'stop the quiz' ends the quiz.)"
            )
        pending = outcome.state.triage
        if pending is None or outcome.pending_question is not None:
            return outcome
        waiting = pending.open_question or (DESCRIBE_PROMPT if pending.profile is None else None)
        if waiting:
            subject = pending.name or (pending.profile.name if pending.profile else "the new system")
            outcome.answer += f"\n\n(The triage of {subject} is waiting for your answer: {waiting})"
            outcome.pending_question = waiting
        return outcome

    def _ask(
        self, ctx: ToolContext, state: ThreadState, text: str, route: Route, filters: SearchFilters | None
    ) -> TurnOutcome:
        question = route.question or text
        args: dict[str, Any] = {"question": question}
        if filters is not None:
            args.update(sources=filters.sources, kinds=filters.kinds)
        result = run_tool(ctx, "answer_question", args)
        if not result.ok or not isinstance(result.output, AnswerQuestionOutput):
            return TurnOutcome(
                intent=Intent.ASK,
                question=question,
                answer=f"Sorry, I could not answer that: {result.error}",
                state=state,
                grounded=False,
            )
        answer = result.output.answer
        state.topic = answer.question
        return TurnOutcome(
            intent=Intent.ASK,
            question=answer.question,
            answer=answer.answer,
            state=state,
            grounded=answer.grounded,
            citations=answer.citations,
            decisions={"follow_up": route.follow_up} if route.follow_up else {},
        )

    # triage ------------------------------------------------------------------------------------------

    def _triage_start(
        self, ctx: ToolContext, state: ThreadState, text: str, route: Route, filters: SearchFilters | None
    ) -> TurnOutcome:
        name = route.name or (state.triage.name if state.triage else None)
        if not route.description:
            state.triage = PendingTriage(profile=None, name=name)
            return TurnOutcome(
                intent=Intent.TRIAGE,
                question=text,
                answer=DESCRIBE_PROMPT,
                state=state,
                pending_question=DESCRIBE_PROMPT,
            )
        args: dict[str, Any] = {"description": route.description, "record": "complete"}
        if name:
            args["name"] = name
        result = run_tool(ctx, "triage_system", args)
        if not result.ok or not isinstance(result.output, TriageSystemOutput):
            state.triage = None
            return TurnOutcome(
                intent=Intent.TRIAGE,
                question=text,
                answer=f"I could not triage that: {result.error}",
                state=state,
                grounded=False,
            )
        state.triage = PendingTriage(profile=result.output.profile, name=name)
        return self._continue_triage(ctx, state, text, result.output, intent=Intent.TRIAGE)

    def _triage_answer(
        self, ctx: ToolContext, state: ThreadState, text: str, route: Route, filters: SearchFilters | None
    ) -> TurnOutcome:
        pending = state.triage
        if pending is None or pending.profile is None or pending.open_field is None:
            return self._ask(ctx, state, text, route, filters)
        result = run_tool(
            ctx,
            "triage_system",
            {
                "profile": pending.profile.model_dump(mode="json", exclude_unset=True),
                "uncertain": pending.uncertain,
                "answers": [{"field": pending.open_field, "answer": text}],
                "record": "complete",
            },
        )
        if not result.ok or not isinstance(result.output, TriageSystemOutput):
            # Not an answer we could read: ask the same question again, saying why.
            reason = (result.error or "").split(": ", 1)[-1]
            question = pending.open_question or ""
            return TurnOutcome(
                intent=Intent.TRIAGE_ANSWER,
                question=text,
                answer=replies.triage_question(
                    name=pending.profile.name,
                    question=question,
                    number=pending.asked,
                    first=False,
                    profile=pending.profile,
                    retry_reason=reason,
                ),
                state=state,
                grounded=False,
                pending_question=question,
            )
        out = result.output
        if pending.open_field in {m.field for m in out.missing}:
            # 'Not sure' leaves the field unknown; asking it again would loop, so it stays open in the report.
            pending.skipped.append(pending.open_field)
        return self._continue_triage(ctx, state, text, out, intent=Intent.TRIAGE_ANSWER)

    def _continue_triage(
        self, ctx: ToolContext, state: ThreadState, text: str, out: TriageSystemOutput, *, intent: Intent
    ) -> TurnOutcome:
        """Ask the next open question, or, when none is left to ask, report (and record) the result."""
        pending = state.triage
        assert pending is not None
        following = next((m for m in out.missing if m.field not in pending.skipped), None)
        if following is not None:
            first = pending.asked == 0
            state.triage = pending.model_copy(
                update={
                    "profile": out.profile,
                    "uncertain": out.uncertain,
                    "open_field": following.field,
                    "open_question": following.question,
                    "asked": pending.asked + 1,
                }
            )
            return TurnOutcome(
                intent=intent,
                question=text,
                answer=replies.triage_question(
                    name=out.profile.name,
                    question=following.question,
                    number=pending.asked + 1,
                    first=first,
                    profile=out.profile,
                    retry_reason=None,
                ),
                state=state,
                triage=out.outcome.as_json(),
                pending_question=following.question,
                decisions=_triage_decisions(out),
            )
        if not out.recorded:
            # Only questions the user could not answer are left: record the result as it stands.
            final = run_tool(
                ctx,
                "triage_system",
                {
                    "profile": out.profile.model_dump(mode="json", exclude_unset=True),
                    "uncertain": out.uncertain,
                    "record": "always",
                },
            )
            if final.ok and isinstance(final.output, TriageSystemOutput):
                out = final.output
        state.triage = None
        if out.system_id:
            state.last_system = out.system_id
        cite_records(ctx, _cited_ids(out))
        notes = replies.Footnotes(ctx.retrieved)
        return TurnOutcome(
            intent=intent,
            question=text,
            answer=replies.triage_report(out.outcome, notes, skipped=pending.skipped),
            state=state,
            citations=notes.citations(),
            triage=out.outcome.as_json(),
            decisions=_triage_decisions(out),
        )

    def _rename(
        self, ctx: ToolContext, state: ThreadState, text: str, route: Route, filters: SearchFilters | None
    ) -> TurnOutcome:
        pending = state.triage
        name = (route.name or "").strip()
        if pending is None or not name:
            return _failed(Intent.RENAME, text, state, "There is no triage in progress to name.")
        profile = pending.profile
        if profile is not None:
            declared = profile.model_dump(mode="json", exclude_unset=True)
            profile = SystemProfile.model_validate({**declared, "name": name[:200]})
        state.triage = pending.model_copy(update={"name": name[:200], "profile": profile})
        return TurnOutcome(
            intent=Intent.RENAME,
            question=text,
            answer=f"I'll record the system as {name[:200]!r}.",
            state=state,
        )

    def _cancel(
        self, ctx: ToolContext, state: ThreadState, text: str, route: Route, filters: SearchFilters | None
    ) -> TurnOutcome:
        pending = state.triage
        if pending is None and state.quiz is not None:
            return self._quiz_stop(ctx, state, text, route, filters)
        if pending is None:
            answer = "There is no triage in progress to cancel."
        else:
            subject = pending.name or (pending.profile.name if pending.profile else "the new system")
            answer = f"Stopped the triage of {subject}; nothing was recorded."
            state.triage = None
        return TurnOutcome(intent=Intent.CANCEL, question=text, answer=answer, state=state)

    def _set_tier(
        self, ctx: ToolContext, state: ThreadState, text: str, route: Route, filters: SearchFilters | None
    ) -> TurnOutcome:
        answer = (
            "I can't set or change a tier: the tier comes only from the triage rules applied to the facts "
            "of the system, with the provisions they rest on. If a fact is wrong, tell me the fact (for "
            "example in a new triage, or as the answer to my question), and the rules will decide again."
        )
        return TurnOutcome(intent=Intent.SET_TIER, question=text, answer=answer, state=state, grounded=False)

    # tasks, systems, reviews --------------------------------------------------------------------------

    def _file_tasks(
        self, ctx: ToolContext, state: ThreadState, text: str, route: Route, filters: SearchFilters | None
    ) -> TurnOutcome:
        system = self._mentioned_system(text)
        target = system.id if system else state.last_system
        if target is None:
            return TurnOutcome(
                intent=Intent.FILE_TASKS,
                question=text,
                answer="Which system should I file the reviews for? Name it, or triage it first.",
                state=state,
                grounded=False,
            )
        result = run_tool(ctx, "file_review_tasks", {"system": target})
        if not result.ok or not isinstance(result.output, FileReviewTasksOutput):
            return TurnOutcome(
                intent=Intent.FILE_TASKS,
                question=text,
                answer=f"I could not file the reviews: {result.error}",
                state=state,
                grounded=False,
            )
        out = result.output
        state.last_system = out.system_id
        return TurnOutcome(
            intent=Intent.FILE_TASKS,
            question=text,
            answer=replies.filed_text(out),
            state=state,
            decisions={
                "system_id": out.system_id,
                "assessment_version": out.assessment_version,
                "tasks": [t.id for t in out.tasks],
                "filed": out.filed,
            },
        )

    def _list_tasks(
        self, ctx: ToolContext, state: ThreadState, text: str, route: Route, filters: SearchFilters | None
    ) -> TurnOutcome:
        system = self._mentioned_system(text)
        args: dict[str, Any] = {"open_only": route.open_only}
        if route.status is not None:
            args["status"] = route.status.value
        if system is not None:
            args["system"] = system.id
        result = run_tool(ctx, "list_tasks", args)
        if not result.ok or not isinstance(result.output, ListTasksOutput):
            return _failed(Intent.LIST_TASKS, text, state, f"I could not list the tasks: {result.error}")
        kind = (
            route.status.value.replace("_", " ") + " "
            if route.status
            else ("open " if route.open_only else "")
        )
        what = f"{kind}review task(s)" + (f" for {system.name}" if system else "")
        return TurnOutcome(
            intent=Intent.LIST_TASKS,
            question=text,
            answer=replies.tasks_text(result.output.tasks, result.output.total, what=what),
            state=state,
        )

    def _list_systems(
        self, ctx: ToolContext, state: ThreadState, text: str, route: Route, filters: SearchFilters | None
    ) -> TurnOutcome:
        args = {"eu_tier": route.eu_tier.value} if route.eu_tier else {}
        result = run_tool(ctx, "list_systems", args)
        if not result.ok or not isinstance(result.output, ListSystemsOutput):
            return _failed(Intent.LIST_SYSTEMS, text, state, f"I could not list the systems: {result.error}")
        what = "system(s) in the inventory" + (
            f" with EU tier {route.eu_tier.value}" if route.eu_tier else ""
        )
        return TurnOutcome(
            intent=Intent.LIST_SYSTEMS,
            question=text,
            answer=replies.systems_text(result.output.systems, what=what),
            state=state,
        )

    def _past_reviews(
        self, ctx: ToolContext, state: ThreadState, text: str, route: Route, filters: SearchFilters | None
    ) -> TurnOutcome:
        system = self._mentioned_system(text)
        args: dict[str, Any] = {"query": text}
        if system is not None:
            args["system"] = system.id
            state.last_system = system.id
        result = run_tool(ctx, "find_past_reviews", args)
        if not result.ok or not isinstance(result.output, FindPastReviewsOutput):
            return _failed(
                Intent.PAST_REVIEWS, text, state, f"I could not look up past reviews: {result.error}"
            )
        notes = replies.Footnotes(ctx.retrieved)
        return TurnOutcome(
            intent=Intent.PAST_REVIEWS,
            question=text,
            answer=replies.past_reviews_text(result.output, notes, query=text),
            state=state,
            citations=notes.citations(),
            grounded=bool(result.output.reviews or notes.order),
        )

    def _help(
        self, ctx: ToolContext, state: ThreadState, text: str, route: Route, filters: SearchFilters | None
    ) -> TurnOutcome:
        return TurnOutcome(intent=Intent.HELP, question=text, answer=replies.HELP_TEXT, state=state)

    # training quizzes ---------------------------------------------------------------------------------

    def _training_topics(
        self, ctx: ToolContext, state: ThreadState, text: str, route: Route, filters: SearchFilters | None
    ) -> TurnOutcome:
        result = run_tool(ctx, "training_topics", {})
        if not result.ok or not isinstance(result.output, TrainingTopicsOutput):
            return _failed(
                Intent.TRAINING_TOPICS, text, state, f"I could not list the topics: {result.error}"
            )
        return TurnOutcome(
            intent=Intent.TRAINING_TOPICS,
            question=text,
            answer=replies.training_topics_text(result.output.topics),
            state=state,
        )

    def _start_training(
        self, ctx: ToolContext, state: ThreadState, text: str, route: Route, filters: SearchFilters | None
    ) -> TurnOutcome:
        request = route.training
        if request is None or not request.topic:
            listed = self._training_topics(ctx, state, text, route, filters)
            listed.intent = Intent.START_TRAINING
            listed.answer = "On which topic? " + listed.answer
            listed.grounded = False
            return listed
        args: dict[str, Any] = {
            "topic": request.topic,
            "participants": request.participants,
            "for_channel": request.for_channel,
        }
        if request.questions is not None:
            args["questions"] = request.questions
        if request.difficulty is not None:
            args["difficulty"] = request.difficulty
        result = run_tool(ctx, "start_training", args)
        if not result.ok or not isinstance(result.output, StartTrainingOutput):
            return _failed(
                Intent.START_TRAINING, text, state, f"I could not start the training session: {result.error}"
            )
        out = result.output
        decisions: dict[str, Any] = {
            "training_session": out.session.id,
            "visibility": out.session.visibility.value,
        }
        intro = replies.quiz_started(out)
        if not out.for_requester:
            return TurnOutcome(
                intent=Intent.START_TRAINING, question=text, answer=intro, state=state, decisions=decisions
            )
        return self._show_next(ctx, state, text, out.session.id, [intro], Intent.START_TRAINING, decisions)

    def _quiz_answer(
        self, ctx: ToolContext, state: ThreadState, text: str, route: Route, filters: SearchFilters | None
    ) -> TurnOutcome:
        quiz = state.quiz
        if quiz is None or route.option is None:
            return self._ask(ctx, state, text, route, filters)
        args = {"session_id": quiz.session_id, "position": quiz.position, "answer": route.option}
        result = run_tool(ctx, "answer_training_question", args)
        if not result.ok or not isinstance(result.output, AnswerTrainingQuestionOutput):
            # Not an answer that could be recorded: say why and show the question again; when the session
            # itself is the reason (closed, not readable here), showing it fails the same way: say that once.
            reason = (result.error or "").split(": ", 1)[-1]
            intro = [f"I couldn't record that answer: {reason}."]
            return self._show_next(
                ctx, state, text, quiz.session_id, intro, Intent.QUIZ_ANSWER, {}, intro_on_failure=False
            )
        out = result.output
        notes = replies.Footnotes(ctx.retrieved)
        feedback = [replies.quiz_feedback(out, notes), *notes.lines(), ""]
        decisions = {
            "training_session": quiz.session_id,
            "position": out.feedback.position,
            "correct": out.feedback.correct,
            "already_answered": out.feedback.already_answered,
        }
        outcome = self._show_next(ctx, state, text, quiz.session_id, feedback, Intent.QUIZ_ANSWER, decisions)
        outcome.citations = notes.citations()
        outcome.grounded = True
        return outcome

    def _quiz_next(
        self, ctx: ToolContext, state: ThreadState, text: str, route: Route, filters: SearchFilters | None
    ) -> TurnOutcome:
        session_id = route.session_id or (state.quiz.session_id if state.quiz else None)
        if session_id is None:
            return _failed(
                Intent.QUIZ_NEXT,
                text,
                state,
                "There is no quiz in progress in this thread. Say 'quiz me on <topic>' to start one, or "
                "'take quiz <number>' to join a training session.",
            )
        return self._show_next(ctx, state, text, session_id, [], Intent.QUIZ_NEXT, {})

    def _quiz_stop(
        self, ctx: ToolContext, state: ThreadState, text: str, route: Route, filters: SearchFilters | None
    ) -> TurnOutcome:
        quiz = state.quiz
        if quiz is None:
            return _failed(Intent.QUIZ_STOP, text, state, "There is no quiz in progress to stop.")
        state.quiz = None
        return TurnOutcome(
            intent=Intent.QUIZ_STOP,
            question=text,
            answer=replies.quiz_stopped(quiz.session_id),
            state=state,
            decisions={"training_session": quiz.session_id},
        )

    def _show_next(
        self,
        ctx: ToolContext,
        state: ThreadState,
        text: str,
        session_id: int,
        intro: list[str],
        intent: Intent,
        decisions: dict[str, Any],
        *,
        intro_on_failure: bool = True,
    ) -> TurnOutcome:
        """After `intro`, the user's next question of the session (now pending in the thread), or the end
        of the quiz; a session the user cannot take (closed, not theirs, not readable here) ends it."""
        result = run_tool(ctx, "next_training_question", {"session_id": session_id})
        if not result.ok or not isinstance(result.output, NextTrainingQuestionOutput):
            if state.quiz is not None and state.quiz.session_id == session_id:
                state.quiz = None
            lines = intro if intro_on_failure else []
            message = "\n".join([*lines, f"I can't go on with that quiz: {result.error}"])
            return TurnOutcome(
                intent=intent, question=text, answer=message, state=state, grounded=False, decisions=decisions
            )
        out = result.output
        if out.question is None:
            state.quiz = None
            body, pending = replies.quiz_done(out), None
        else:
            state.quiz = PendingQuiz(session_id=session_id, position=out.question.position, total=out.total)
            body, pending = replies.quiz_question(out.question), out.question.prompt
        return TurnOutcome(
            intent=intent,
            question=text,
            answer="\n".join([*intro, body]),
            state=state,
            pending_question=pending,
            decisions=decisions,
        )

    def _mentioned_system(self, text: str) -> SystemPublic | None:
        """The inventory system the message names (by id or name, or most of the name's words)."""
        with self.assistant.index.db.session() as session:
            systems = inventory.list_systems(session=session)
        return mentioned_system(text, systems)


def mentioned_system(text: str, systems: list[SystemPublic]) -> SystemPublic | None:
    """The system whose id or name appears in `text`; else the one most of whose name's word stems do
    (at least 60%, and no tie). None when no system is named."""
    low = text.lower()
    exact = [s for s in systems if s.name.lower() in low or re.search(rf"\b{re.escape(s.id)}\b", low)]
    if exact:
        return max(exact, key=lambda s: len(s.name))
    stems = {w[:_STEM] for w in re.findall(r"[a-z0-9]+", low) if w not in _STOP}
    scored: list[tuple[float, SystemPublic]] = []
    for s in systems:
        words = {w[:_STEM] for w in re.findall(r"[a-z0-9]+", s.name.lower()) if w not in _STOP}
        if words:
            scored.append((len(words & stems) / len(words), s))
    scored.sort(key=lambda pair: -pair[0])
    if not scored or scored[0][0] < _NAME_MATCH:
        return None
    if len(scored) > 1 and scored[1][0] == scored[0][0]:
        return None
    return scored[0][1]


def _failed(intent: Intent, text: str, state: ThreadState, message: str) -> TurnOutcome:
    return TurnOutcome(intent=intent, question=text, answer=message, state=state, grounded=False)


def _triage_decisions(out: TriageSystemOutput) -> dict[str, Any]:
    return {
        "system_id": out.system_id,
        "eu_tier": out.tier.value,
        "internal_tier": out.internal_tier,
        "status": out.status,
        "recorded": out.recorded,
        "assessment_version": out.outcome.assessment_version,
    }


def _cited_ids(out: TriageSystemOutput) -> list[str]:
    r = out.outcome.result
    eu = r.eu_ai_act
    ids = [g.citation for g in eu.grounds] + [g.citation for g in eu.transparency]
    if eu.gpai:
        ids += [g.citation for g in eu.gpai.grounds]
    for finding in r.other_regimes:
        if finding.applies and finding.grounds:
            ids.append(finding.grounds[0].citation)
    ids += [o.citation for o in r.obligations]
    ids += [p.citation for p in out.outcome.precedents]
    return ids
