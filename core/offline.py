"""The offline, no-telemetry environment every entry point sets before it imports a model library.

Standard library only: the CLI calls it before its heavy imports, so importing this must cost nothing.
"""

from __future__ import annotations

import os


def quiet_libraries() -> None:
    """Keep model-loading chatter and telemetry out of the terminal (and out of the network)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("RAGAS_DO_NOT_TRACK", "true")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
