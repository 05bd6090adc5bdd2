"""Runs every benchmark in turn (`make bench`). One that needs the official texts says so and is skipped
when ../shared/corpus is absent; the others still run."""

from __future__ import annotations

import importlib
from collections.abc import Callable

# (title, module under evals.bench); each module has a main() that prints its figures.
BENCHMARKS: list[tuple[str, str]] = [
    ("ingestion throughput", "ingest_throughput"),
    ("retrieval quality", "retrieval_quality"),
    ("naive RAG baseline", "baseline_rag"),
    ("triage latency", "triage_latency"),
    ("ask latency", "ask_latency"),
    ("CLI start-up", "cli_startup"),
    ("Slack acknowledgement latency", "slack_ack"),
    ("text processing", "text_processing"),
]


def _main_of(module: str) -> Callable[[], None] | None:
    try:
        loaded = importlib.import_module(f"evals.bench.{module}")
    except ModuleNotFoundError as exc:
        if exc.name != f"evals.bench.{module}":
            raise
        return None
    main: Callable[[], None] = loaded.main
    return main


def main() -> None:
    """Print all figures."""
    for number, (name, module) in enumerate(BENCHMARKS):
        if number:
            print()
        bench = _main_of(module)
        if bench is None:
            print(f"{name}: skipped (evals/bench/{module}.py is not in this build)")
            continue
        try:
            bench()
        except SystemExit as exc:  # require_corpus(): the official texts are missing
            print(f"{name}: skipped ({exc})")


if __name__ == "__main__":
    main()
