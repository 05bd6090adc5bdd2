"""Runs every benchmark in turn (`make bench`)."""

from __future__ import annotations

from evals.bench import ask_latency, ingest_throughput, retrieval_quality


def main() -> None:
    """Print all figures."""
    ingest_throughput.main()
    print()
    retrieval_quality.main()
    print()
    ask_latency.main()


if __name__ == "__main__":
    main()
