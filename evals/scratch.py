"""Where the evals and the benchmarks run: the official texts' location, scratch homes, the offline
environment (`python -m evals.abstention` and `make bench` both use them)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from core.offline import quiet_libraries

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
EU_AI_ACT_HTML = CORPUS / "eu-ai-act" / "csa" / "eu-ai-act.html"


def offline_environment() -> None:
    """The same offline, no-telemetry environment the CLI uses."""
    quiet_libraries()
    os.environ.setdefault("OMP_NUM_THREADS", str(os.cpu_count() or 1))


def scratch_home(name: str) -> Path:
    """A fresh directory for one run's state."""
    return Path(tempfile.mkdtemp(prefix=f"govassist-bench-{name}-"))


def require_corpus() -> None:
    """Stop with a clear message when the official texts are absent."""
    if not EU_AI_ACT_HTML.is_file():
        raise SystemExit(f"benchmark needs the official texts at {CORPUS}")
