"""Ingestion throughput against the raw throughput of the same embedder on the same chunks.

python -m evals.bench.ingest_throughput
"""

from __future__ import annotations

import time

from pydantic import BaseModel

from evals.scratch import EU_AI_ACT_HTML, offline_environment, require_corpus, scratch_home


class IngestFigures(BaseModel):
    """What the benchmark measured."""

    chunks: int
    raw_seconds: float
    ingest_seconds: float

    @property
    def raw_rate(self) -> float:
        return self.chunks / self.raw_seconds

    @property
    def ingest_rate(self) -> float:
        return self.chunks / self.ingest_seconds

    @property
    def ratio(self) -> float:
        return self.ingest_rate / self.raw_rate


def measure() -> IngestFigures:
    """Embed the EU AI Act's chunk texts directly, then ingest the HTML file through govassist."""
    offline_environment()
    require_corpus()
    from core.config import Settings
    from knowledge.chunking import chunk_document
    from knowledge.embedder import get_embedder
    from knowledge.factory import open_index
    from knowledge.ingest import IngestRequest, ingest_paths
    from knowledge.parsing import parse_file

    embedder = get_embedder("minilm")
    embedder.embed(["warm up the model"])
    texts = [d.index_text for d in chunk_document(parse_file(EU_AI_ACT_HTML))]
    start = time.perf_counter()
    embedder.embed(texts)
    raw = time.perf_counter() - start

    settings = Settings(home=scratch_home("ingest"), load_builtin_knowledge=False)
    index = open_index(settings)
    start = time.perf_counter()
    report = ingest_paths(index, IngestRequest(paths=[EU_AI_ACT_HTML]))
    ingest = time.perf_counter() - start
    assert not report.failures, report.failures
    return IngestFigures(chunks=len(texts), raw_seconds=raw, ingest_seconds=ingest)


def main() -> None:
    """Print the figures."""
    f = measure()
    print("Ingestion throughput (official EU AI Act, EUR-Lex HTML)")
    print(f"  chunks: {f.chunks}")
    print(f"  raw embedder:      {f.raw_rate:7.1f} chunks/s ({f.raw_seconds:.1f} s)")
    print(f"  govassist ingest:  {f.ingest_rate:7.1f} chunks/s ({f.ingest_seconds:.1f} s, target < 90 s)")
    print(f"  ratio: {f.ratio:.2f} (target >= 0.70)")


if __name__ == "__main__":
    main()
