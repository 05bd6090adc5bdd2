"""Training tools: the topics, starting a session (a quiz), its next question and recording an answer,
always as the turn's reader."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from assistant.agent.schemas import RetrievedPassage
from assistant.agent.toolkit.context import ToolContext, ToolError, cite_records
from tools.training.schemas import (
    MAX_QUESTIONS,
    MIN_QUESTIONS,
    AnswerFeedback,
    Difficulty,
    QuestionView,
    SessionStatus,
    SessionSummary,
    TopicInfo,
)
from tools.training.topics import match_topic


class TrainingTopicsInput(BaseModel):
    """The training topics."""

    model_config = ConfigDict(extra="forbid")


class TrainingTopicsOutput(BaseModel):
    """Every topic, whether its knowledge is indexed and readable here, and how many questions it offers."""

    topics: list[TopicInfo]


def training_topics(ctx: ToolContext, args: TrainingTopicsInput) -> TrainingTopicsOutput:
    """The topics, counted from what the user may read here."""
    return TrainingTopicsOutput(topics=ctx.training().topics(audience=ctx.user.audience))


class StartTrainingInput(BaseModel):
    """Start a training session (a quiz) on a topic, recorded as AI-literacy training."""

    model_config = ConfigDict(extra="forbid")

    topic: str = Field(
        min_length=1,
        max_length=300,
        description="The topic as named, e.g. 'EU AI Act basics' (see training_topics).",
    )
    questions: int = Field(default=5, ge=MIN_QUESTIONS, le=MAX_QUESTIONS, description="How many questions.")
    difficulty: Difficulty = Difficulty.EASY
    participants: list[str] = Field(
        default_factory=list,
        max_length=200,
        description="User ids the session is for (only they may answer). Empty: see for_channel.",
    )
    for_channel: bool = Field(
        default=False,
        description="For anyone in the thread's channel; otherwise (or outside a channel) for the requester.",
    )
    seed: int | None = Field(default=None, description="Same seed, same offline questions.")


class StartTrainingOutput(BaseModel):
    """The new session, and whether the requester takes part in it."""

    session: SessionSummary
    for_requester: bool = Field(description="True when the requester may answer (the channel's, or theirs).")
    notice: str | None = Field(default=None, description="E.g. why model-written questions were not used.")
    rejected_drafts: int = Field(default=0, description="Model-written questions that failed their check.")


def start_training(ctx: ToolContext, args: StartTrainingInput) -> StartTrainingOutput:
    """Start a session with the requester as trainer, its questions drawn only from what the thread's
    reader may see (a public channel: public sources only)."""
    topic = match_topic(args.topic)
    people = list(dict.fromkeys(p.strip() for p in args.participants if p.strip()))
    channel = ctx.channel if (args.for_channel and not people and ctx.channel) else None
    if channel is None and not people:
        people = [ctx.user.user_id]
    names = {ctx.user.user_id: ctx.user.display_name} if ctx.user.display_name else None
    started = ctx.training().start_session(
        # An unknown topic goes through as named: the service's one-line error lists the topics.
        topic=topic.title if topic is not None else args.topic,
        questions=args.questions,
        difficulty=args.difficulty,
        trainer=ctx.actor,
        channel=channel,
        participants=people,
        display_names=names,
        seed=args.seed,
        audience=ctx.user.audience,
    )
    return StartTrainingOutput(
        session=started.session,
        for_requester=channel is not None or ctx.user.user_id in people,
        notice=started.notice,
        rejected_drafts=len(started.rejected_drafts),
    )


class NextTrainingQuestionInput(BaseModel):
    """The next question of a training session for the user (the first one they have not answered)."""

    model_config = ConfigDict(extra="forbid")

    session_id: int = Field(ge=1, description="The training session's number.")


class NextTrainingQuestionOutput(BaseModel):
    """The question to show (None when the user has answered them all) and their progress."""

    session_id: int
    topic: str
    question: QuestionView | None
    answered: int
    correct: int
    total: int


def next_training_question(ctx: ToolContext, args: NextTrainingQuestionInput) -> NextTrainingQuestionOutput:
    """The user's next unanswered question of an open session they may take part in."""
    service = ctx.training()
    user, reader = ctx.user.user_id, ctx.user.audience
    summary = service.get_session(args.session_id, audience=reader)
    if summary.status is not SessionStatus.OPEN:
        raise ToolError(f"training session {summary.id} is closed: answers are no longer recorded")
    me = next((p for p in summary.participants if p.user_id == user), None)
    if summary.channel is None and me is None:
        raise ToolError(f"{user} is not a participant of training session {summary.id}")
    return NextTrainingQuestionOutput(
        session_id=summary.id,
        topic=summary.topic,
        question=service.next_question(summary.id, user, audience=reader),
        answered=me.answered if me else 0,
        correct=me.correct if me else 0,
        total=summary.question_count,
    )


class AnswerTrainingQuestionInput(BaseModel):
    """The user's answer to a question of a training session."""

    model_config = ConfigDict(extra="forbid")

    session_id: int = Field(ge=1, description="The training session's number.")
    position: int = Field(ge=1, description="The question's number in the session.")
    answer: str = Field(
        min_length=1,
        max_length=50,
        description="The option as given: a letter ('B'), a number ('2'), true/false.",
    )


class AnswerTrainingQuestionOutput(BaseModel):
    """Right or wrong, the right option, and the explanation with the passage it cites (the first answer
    counts: answering again gives the first answer's feedback)."""

    question: QuestionView
    feedback: AnswerFeedback
    source: RetrievedPassage | None = Field(
        default=None, description="The cited passage, when it is indexed and readable here."
    )


def answer_training_question(
    ctx: ToolContext, args: AnswerTrainingQuestionInput
) -> AnswerTrainingQuestionOutput:
    """Record the user's answer and return the cited feedback."""
    service = ctx.training()
    reader = ctx.user.audience
    view = service.get_question(args.session_id, args.position, audience=reader)
    option = service.parse_option(view, args.answer)
    feedback = service.submit_answer(
        args.session_id,
        ctx.user.user_id,
        args.position,
        option,
        display_name=ctx.user.display_name,
        audience=reader,
    )
    cited = cite_records(ctx, [feedback.citation_id])
    return AnswerTrainingQuestionOutput(question=view, feedback=feedback, source=cited[0] if cited else None)
