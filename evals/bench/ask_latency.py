"""`ask` latency, warm (in process) and cold (a fresh `govassist ask` process), at several index sizes.

    python -m evals.bench.ask_latency [--sizes 1000,10000,20000,50000] [--questions 60] [--cold 3]

Warm figures are given as wall time and as the CPU time the process used per question (ONNX Runtime's
threads included): on a shared machine the wall time grows with the load, the CPU time much less.

The index starts from the built-in packs (about 700 chunks), so that 1,000 chunks can be measured; from
the first size of 5,000 chunks or more on, the real EU AI Act and GDPR (about 2,700 chunks, when the
official texts are present) are in it too. Each size is topped up with filler policy chunks. Filler
vectors are random unit vectors: latency does not depend on what the vectors mean, and embedding 50,000
filler texts would take most of an hour on two cores.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time

import numpy as np

from evals.bench.common import positive_int, positive_int_list, summary_ms
from evals.scratch import CORPUS, EU_AI_ACT_HTML, offline_environment, require_corpus, scratch_home

WORDS = (
    "model data review policy approval risk owner vendor audit fairness privacy security incident customer "
    "claims underwriting training evaluation monitoring retention access logging escalation documentation"
).split()


class RandomEmbedder:
    """Unit vectors at random: only for filler chunks whose meaning the benchmark does not use."""

    name = "random-filler"
    dimension = 384

    def __init__(self, seed: int = 7) -> None:
        self.rng = np.random.default_rng(seed)

    def embed(self, texts: list[str]) -> np.ndarray:
        v = self.rng.standard_normal((len(texts), self.dimension)).astype(np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)


def _filler_document(number: int, sections: int):  # type: ignore[no-untyped-def]
    from knowledge.sections import DocumentKind, ParsedDocument, Section, SectionLevel

    rng = random.Random(number)
    return ParsedDocument(
        source_id=f"filler-{number}",
        title=f"Filler policy {number}",
        kind=DocumentKind.POLICY,
        sections=[
            Section(
                citation_id=f"filler-{number}:s-{i}",
                locator=f"Section {i}",
                title=f"Section {i}",
                level=SectionLevel.HEADING,
                text=" ".join(rng.choice(WORDS) for _ in range(60)),
            )
            for i in range(sections)
        ],
    )


# From this size on, the official texts are part of the index.
OFFICIAL_FROM = 5000


def base_index():  # type: ignore[no-untyped-def]
    """The default configuration (built-in packs) in a scratch home."""
    from assistant.service import Assistant
    from core.config import Settings

    return Assistant.open(Settings(home=scratch_home("ask")))


def add_official_texts(index) -> None:  # type: ignore[no-untyped-def]
    """Ingest the official EU AI Act and GDPR where present."""
    from knowledge.ingest import IngestRequest, ingest_paths

    gdpr = CORPUS / "gdpr" / "csa" / "eu-gdpr-act.html"
    ingest_paths(index, IngestRequest(paths=[p for p in (EU_AI_ACT_HTML, gdpr) if p.is_file()]))


def grow_to(index, size: int, first_number: int) -> int:  # type: ignore[no-untyped-def]
    """Add filler policies until the index holds about `size` chunks; returns the next filler number."""
    from knowledge.index import KnowledgeIndex

    filler = KnowledgeIndex(
        db=index.db, vectors=index.vectors, embedder=RandomEmbedder(), cache_dir=index.cache_dir
    )
    number, have = first_number, index.vectors.count()
    while have < size:
        sections = min(500, size - have)
        filler.ingest(
            _filler_document(number, sections), key=f"filler/{number}", digest=str(number), origin="file"
        )
        have += sections
        number += 1
    return number


def main() -> None:
    """Print warm and cold latency per index size."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=positive_int_list, default=[1000, 10000, 20000, 50000])
    parser.add_argument("--questions", type=positive_int, default=60)
    parser.add_argument("--cold", type=positive_int, default=3, help="Cold CLI runs per size (>= 1).")
    args, _ = parser.parse_known_args()
    offline_environment()
    require_corpus()
    from evals.datasets import retrieval_questions

    questions = [q.question for q in retrieval_questions()][: args.questions]
    assistant = base_index()
    index = assistant.index
    print("ask latency (offline answer engine, MiniLM, local Chroma + SQLite; packs, + EU AI Act + GDPR")
    print(f"  from {OFFICIAL_FROM:,} chunks on; filler policies up to each size)")
    number = 0
    official = False
    for size in sorted(args.sizes):
        if size >= OFFICIAL_FROM and not official:
            add_official_texts(index)
            official = True
        number = grow_to(index, size, number)
        assistant.ask("warm-up question about transparency")  # rebuilds the lexical index once
        timings, cpu = [], []
        for q in questions:
            start, start_cpu = time.perf_counter(), time.process_time()
            assistant.ask(q)
            timings.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        env = {**os.environ, "GOVASSIST_HOME": str(assistant.settings.home)}
        cold = []
        for q in questions[: args.cold]:
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "integrations.cli", "ask", "--json", q],
                env=env,
                check=True,
                capture_output=True,
            )
            cold.append(time.perf_counter() - start)
        print(
            f"  {index.vectors.count():>6} chunks  warm: {summary_ms(timings)}   cold CLI: {summary_ms(cold)}"
        )
        print(f"  {'':>6}         warm CPU time of the process: {summary_ms(cpu)}")
    print(f"  target: warm p95 < 100 ms at 20,000 chunks (load average now {_load()})")


def _load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


if __name__ == "__main__":
    main()
