"""govassist's library: cited answers (and, as it grows, triage and the agent). The CLI and Slack call it."""

from assistant.schemas import Answer, Citation
from assistant.service import Assistant, QuestionError

__all__ = ["Answer", "Assistant", "Citation", "QuestionError"]
