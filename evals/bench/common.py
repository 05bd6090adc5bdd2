"""Shared bits of the benchmarks: timing figures and argument types (scratch homes and the corpus location
are in evals/scratch.py)."""

from __future__ import annotations

import argparse
import statistics


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
