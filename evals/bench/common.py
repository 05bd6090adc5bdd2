"""Shared bits of the benchmarks: timing, percentiles, a scratch home, the corpus location."""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"
EU_AI_ACT_HTML = CORPUS / "eu-ai-act" / "csa" / "eu-ai-act.html"


def offline_environment() -> None:
    """The same offline, no-telemetry environment the CLI uses."""
    from core.offline import quiet_libraries

    quiet_libraries()
    os.environ.setdefault("OMP_NUM_THREADS", str(os.cpu_count() or 1))


def percentile(values: list[float], pct: float) -> float:
    """The pct-th percentile (nearest-rank) of `values`."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def summary_ms(values: list[float]) -> str:
    """'p50 / p95 / mean' in milliseconds."""
    ms = [v * 1000 for v in values]
    return (
        f"p50 {percentile(ms, 50):.0f} ms, p95 {percentile(ms, 95):.0f} ms, mean {statistics.mean(ms):.0f} ms"
    )


def scratch_home(name: str) -> Path:
    """A fresh directory for one benchmark's state."""
    return Path(tempfile.mkdtemp(prefix=f"govassist-bench-{name}-"))


def require_corpus() -> None:
    """Stop with a clear message when the official texts are absent."""
    if not EU_AI_ACT_HTML.is_file():
        raise SystemExit(f"benchmark needs the official texts at {CORPUS}")


def positive_int(text: str) -> int:
    """argparse type: a whole number >= 1 (argparse turns the ValueError into a one-line usage error)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def positive_int_list(text: str) -> list[int]:
    """argparse type: comma-separated whole numbers >= 1, e.g. '1000,20000'."""
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not parts:
        raise argparse.ArgumentTypeError("give at least one number")
    return [positive_int(part) for part in parts]
