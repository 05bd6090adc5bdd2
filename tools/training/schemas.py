"""Pydantic models of training sessions: generated questions, what participants see, feedback, scores
and reports. These are the boundary types the CLI, the Slack app and the agent use."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from knowledge.access import Visibility
from knowledge.packs import Pack
from tools.training.access import PUBLIC, SourceAccess
from tools.training.evidence import Claim

TRUE_FALSE_OPTIONS = ("True", "False")
MIN_QUESTIONS = 1
MAX_QUESTIONS = 50


class Difficulty(StrEnum):
    """How hard a session is: the question mix and how close the wrong options are."""

    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


class QuestionKind(StrEnum):
    """Multiple choice (3 or 4 options) or a true/false statement."""

    MULTIPLE_CHOICE = "multiple_choice"
    TRUE_FALSE = "true_false"


class SessionStatus(StrEnum):
    """An open session takes answers; a closed one does not."""

    OPEN = "open"
    CLOSED = "closed"


class SourcePassage(BaseModel):
    """A citable passage questions may be built from (a pack record or a policy section)."""

    model_config = ConfigDict(frozen=True)

    citation_id: str
    source_id: str
    title: str = Field(description="The section's title.")
    document_title: str
    text: str
    access: SourceAccess = Field(
        default=PUBLIC, description="Who may read it: its document's visibility and groups."
    )


class TopicMaterial(BaseModel):
    """What a topic's questions are generated from: the knowledge packs and the organisation's documents."""

    model_config = ConfigDict(frozen=True)

    packs: list[Pack] = Field(default_factory=list)
    policies: list[SourcePassage] = Field(default_factory=list)
    pack_access: dict[str, SourceAccess] = Field(
        default_factory=dict,
        description="Each indexed pack's access by regime id (packs are public; absent means public).",
    )

    def passage_text(self, citation_id: str) -> str | None:
        """The text the index holds for `citation_id`, from a pack record or a policy section."""
        for pack in self.packs:
            if pack.has_record(citation_id):
                return pack.record_text(citation_id)
        for passage in self.policies:
            if passage.citation_id == citation_id:
                return passage.text
        return None

    def access_of(self, citation_id: str) -> SourceAccess | None:
        """Who may read the passage `citation_id` (the same one `passage_text` returns); None if unknown."""
        for pack in self.packs:
            if pack.has_record(citation_id):
                return self.pack_access.get(pack.regime_id, PUBLIC)
        for passage in self.policies:
            if passage.citation_id == citation_id:
                return passage.access
        return None


class GeneratedQuestion(BaseModel):
    """One question, ready to store: options, the right one, its citation and an explanation.

    `claims` says what each option asserts (for true/false: the one claim the statement makes) and
    `answer` the fact itself; both are checked against the cited passage when the question is made and
    are not stored (the stored question is what people saw).
    """

    model_config = ConfigDict(frozen=True)

    kind: QuestionKind
    prompt: str = Field(min_length=1)
    options: list[str] = Field(min_length=2, max_length=5)
    correct_option: int = Field(ge=0, description="0-based index into options.")
    citation_id: str
    explanation: str = Field(min_length=1)
    family: str = Field(description="The kind of fact tested: date, fine, term, table...")
    fact_key: str = Field(description="Which fact it tests; one question per fact in a session.")
    origin: Literal["offline", "llm"] = "offline"
    claims: list[Claim] = Field(default_factory=list)
    answer: Claim | None = None

    @model_validator(mode="after")
    def _consistent(self) -> GeneratedQuestion:
        if self.correct_option >= len(self.options):
            raise ValueError(f"correct_option {self.correct_option} is out of range")
        if len({o.strip().lower() for o in self.options}) != len(self.options):
            raise ValueError("options must differ")
        if self.kind is QuestionKind.TRUE_FALSE and tuple(self.options) != TRUE_FALSE_OPTIONS:
            raise ValueError("a true/false question has the options True and False")
        return self


class TopicInfo(BaseModel):
    """A topic as `train topics` lists it, with whether its knowledge is indexed here."""

    id: str
    title: str
    description: str
    sources: list[str] = Field(description="Packs and organisation documents it draws on.")
    available: bool
    questions_available: int = Field(description="How many distinct questions it can make now.")
    note: str | None = Field(default=None, description="Why it is unavailable and how to fix that.")


class QuestionView(BaseModel):
    """A question as a participant sees it: no right answer, no citation (that comes as feedback)."""

    session_id: int
    question_id: int
    position: int = Field(description="1-based position in the session.")
    total: int
    kind: QuestionKind
    prompt: str
    options: list[str]

    def option_label(self, index: int) -> str:
        """'A'..'E' for multiple choice, 'True'/'False' for true/false."""
        return self.options[index] if self.kind is QuestionKind.TRUE_FALSE else chr(ord("A") + index)


class AnswerFeedback(BaseModel):
    """What a participant gets after answering: right or wrong, the right option, and why (cited)."""

    session_id: int
    question_id: int
    position: int
    user_id: str
    chosen_option: int = Field(description="0-based; with already_answered, the first answer's option.")
    chosen_text: str
    correct: bool
    correct_option: int
    correct_text: str
    explanation: str
    citation_id: str
    citation_title: str | None = None
    already_answered: bool = Field(
        default=False, description="True when this person had answered before: the first answer counts."
    )
    answered: int = Field(description="How many of the session's questions this person has answered.")
    correct_so_far: int
    total: int
    completed: bool


class ParticipantScore(BaseModel):
    """One person's attendance and score in one session."""

    user_id: str
    display_name: str | None = None
    joined_at: datetime
    answered: int
    correct: int
    total: int
    score_percent: float = Field(description="Correct answers over the session's questions, 0-100.")
    completed_at: datetime | None = None

    @property
    def completed(self) -> bool:
        """Whether every question was answered."""
        return self.completed_at is not None


class SessionSummary(BaseModel):
    """A session's record: topic, trainer, audience, settings, status and participants' scores."""

    id: int
    topic: str
    topic_id: str = Field(description="The topic's stable id, e.g. 'gdpr-basics'.")
    trainer: str
    channel: str | None
    difficulty: Difficulty
    question_count: int
    status: SessionStatus
    knowledge_version: str | None
    seed: int = Field(description="The question generator's seed (same seed, same offline questions).")
    generator: str = Field(description="'offline', or 'llm+offline' when a model wrote some questions.")
    visibility: Visibility = Field(
        default=Visibility.PUBLIC,
        description="The most restricted source its questions came from: who may be shown them.",
    )
    groups: list[str] = Field(default_factory=list, description="For restricted: the groups that may.")
    created_at: datetime
    closed_at: datetime | None = None
    participants: list[ParticipantScore] = Field(default_factory=list)

    @property
    def access(self) -> SourceAccess:
        """Who may be shown this session's questions."""
        return SourceAccess(visibility=self.visibility, groups=tuple(self.groups))


class QuestionRecord(BaseModel):
    """A stored question with the right option and how the session answered it."""

    question_id: int
    position: int
    kind: QuestionKind
    prompt: str
    options: list[str]
    correct_option: int
    citation_id: str
    explanation: str
    answers: int = 0
    correct_answers: int = 0


class PersonAnswer(BaseModel):
    """One answer of one person."""

    position: int
    prompt: str
    chosen_text: str
    correct_text: str
    correct: bool
    citation_id: str
    answered_at: datetime


class PersonRecord(BaseModel):
    """One person in one session: score and answers."""

    score: ParticipantScore
    answers: list[PersonAnswer]


class SessionReport(BaseModel):
    """A session with its questions and every participant's answers."""

    session: SessionSummary
    questions: list[QuestionRecord]
    people: list[PersonRecord]


class TrainingReport(BaseModel):
    """What `train report` exports: sessions (all, one, or one person's) with scores and answers."""

    generated_at: datetime
    person: str | None = Field(default=None, description="Set when the report is about one person.")
    sessions: list[SessionReport]
    withheld: int = Field(
        default=0, description="Sessions left out because the reader may not see the sources they draw on."
    )
