"""Makes ragas 0.4.3 importable next to the langchain-community we pin, without telemetry.

Why: `ragas/llms/base.py` (0.4.3) imports `ChatVertexAI` from `langchain_community.chat_models.vertexai`,
a module that no current langchain-community release ships (it moved to `langchain-google-vertexai`).
Importing anything from ragas therefore fails with ModuleNotFoundError. Upstream reports: ragas issues
#2745 and #2995 (also #2741, #2753), open at the time of writing; fixes proposed in PRs #2771 and #2957.

ragas uses the class only in an `isinstance` list (which chat models support n-completions), so a
stand-in class that nothing is an instance of changes no behaviour for the models we use. The stand-in
module is registered only while the real one is missing, so a langchain-community (or ragas) that fixes
the import path takes over by itself. `tests/evals/test_ragas_compat.py` fails, saying this module can
be deleted, on the day ragas imports without it.

Usage: `from evals.ragas_compat import ragas_ready; ragas_ready()` before any `import ragas...`.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import types

MISSING_MODULE = "langchain_community.chat_models.vertexai"


class ChatVertexAIUnavailable:
    """Stand-in for langchain-community's removed `ChatVertexAI`: ragas only tests `isinstance` against
    it, and nothing is an instance of this class. Constructing it says where the real one lives."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        raise ImportError(
            "ChatVertexAI is not in langchain-community any more; install langchain-google-vertexai"
        )


def _module_missing(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is None
    except ModuleNotFoundError:  # a parent package is missing too
        return True


def ragas_ready() -> bool:
    """Turn ragas telemetry off and register the stand-in module if (and only if) it is missing.

    Returns True when the stand-in was needed (now or by an earlier call in this process).
    """
    os.environ["RAGAS_DO_NOT_TRACK"] = "true"
    installed = sys.modules.get(MISSING_MODULE)
    if installed is not None:
        return getattr(installed, "__govassist_stand_in__", False) is True
    if not _module_missing(MISSING_MODULE):
        return False
    stand_in = types.ModuleType(MISSING_MODULE, "govassist stand-in, see evals/ragas_compat.py")
    stand_in.ChatVertexAI = ChatVertexAIUnavailable  # type: ignore[attr-defined]
    stand_in.__govassist_stand_in__ = True  # type: ignore[attr-defined]
    sys.modules[MISSING_MODULE] = stand_in
    return True
