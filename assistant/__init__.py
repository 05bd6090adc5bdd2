"""govassist's library: cited answers (and, as it grows, triage and the agent). The CLI and Slack call it.

The names below are loaded on first use (PEP 562), not when the package is imported: importing any
`assistant.*` module, the CLI above all, must not pull in the answer engine, Chroma or the database.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.schemas import Answer, Citation
    from assistant.service import Assistant, QuestionError

_EXPORTS = {
    "Answer": "assistant.schemas",
    "Citation": "assistant.schemas",
    "Assistant": "assistant.service",
    "QuestionError": "assistant.service",
}

__all__ = ["Answer", "Assistant", "Citation", "QuestionError"]


def __getattr__(name: str) -> Any:
    """`from assistant import Assistant` still works; the module behind it is imported only then."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'assistant' has no attribute {name!r}")
    return getattr(import_module(module), name)
