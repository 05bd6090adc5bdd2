"""Errors of the training tools. Every message is one line a person can act on."""

from __future__ import annotations


class TrainingError(ValueError):
    """Base class: a training request that cannot be carried out as given."""


class TopicError(TrainingError):
    """Unknown topic, or its knowledge is not indexed (the message says how to load it)."""


class QuestionCountError(TrainingError):
    """The number of questions asked for is out of range or more than the topic offers."""


class SessionNotFoundError(TrainingError, LookupError):
    """No training session with that id."""


class SessionClosedError(TrainingError):
    """The session is closed: no more answers."""


class AnswerError(TrainingError):
    """An answer that cannot be recorded: unknown question, option out of range, not a participant."""


class SessionAccessError(TrainingError):
    """The session's questions come from documents this reader (or this place) may not see."""
