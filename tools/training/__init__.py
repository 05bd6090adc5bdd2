"""Training sessions and AI-literacy records: topics, offline (and model-assisted, checked) question
generation from the knowledge packs and the organisation's documents, session records, CSV and HTML
reports. `assistant.training.TrainingService` is the entry point for the CLI, Slack and the agent."""

from tools.training.access import SourceAccess
from tools.training.errors import (
    AnswerError,
    QuestionCountError,
    SessionAccessError,
    SessionClosedError,
    SessionNotFoundError,
    TopicError,
    TrainingError,
)
from tools.training.schemas import (
    AnswerFeedback,
    Difficulty,
    GeneratedQuestion,
    ParticipantScore,
    QuestionKind,
    QuestionView,
    SessionStatus,
    SessionSummary,
    TopicInfo,
    TrainingReport,
)
from tools.training.topics import TOPICS, Topic, find_topic, match_topic

__all__ = [
    "TOPICS",
    "AnswerError",
    "AnswerFeedback",
    "Difficulty",
    "GeneratedQuestion",
    "ParticipantScore",
    "QuestionCountError",
    "QuestionKind",
    "QuestionView",
    "SessionAccessError",
    "SessionClosedError",
    "SessionNotFoundError",
    "SessionStatus",
    "SessionSummary",
    "SourceAccess",
    "Topic",
    "TopicError",
    "TopicInfo",
    "TrainingError",
    "TrainingReport",
    "find_topic",
    "match_topic",
]
