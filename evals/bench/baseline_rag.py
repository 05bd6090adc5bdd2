"""govassist's retrieval side by side with a naive LangChain RAG baseline, on the official EU AI Act text.

    python -m evals.bench.baseline_rag [--chunk-size 1000] [--chunk-overlap 200] [--show-misses]

Both sides get the same source (the EUR-Lex HTML of Regulation (EU) 2024/1689 in ../shared/corpus), the
same embedder (the packaged all-MiniLM-L6-v2) and the same questions (the EU AI Act part of
evals/datasets/retrieval_official.jsonl), and both are scored by recall@5 at paragraph level
(`evals.retrieval.is_hit`).

- govassist: the file ingested as `govassist ingest` does (structure-aware sections, hybrid dense + BM25
  retrieval), no knowledge packs, top 5 passages of `knowledge.retrieval.search`.
- baseline: the document's plain text, split by LangChain's RecursiveCharacterTextSplitter into
  fixed-size chunks (1,000 characters, 200 overlap: the usual tutorial setting), embedded into a Chroma
  collection (chromadb directly, since langchain-chroma is not installed; cosine space, telemetry off),
  top 5 chunks by dense similarity. Nothing else: no reranking, no metadata.

Judging the baseline fairly: a chunk is plain text with no citation id, so each chunk is mapped back to
the provisions it came from by character offsets. The plain text is the official provisions laid end to
end (recitals, articles, annexes, in document order), and the span of every article, paragraph, point,
recital and annex section in it is known. Two readings are reported:
- lenient (the headline): a chunk stands for every provision it overlaps by at least 40 characters (or
  entirely, for shorter ones), so a chunk spanning points (e) to (g) of Article 5(1) counts for each;
- strict: a chunk stands for the smallest provision that contains it whole (a chunk crossing from
  Article 5(1) into 5(2) stands for Article 5, which counts for neither paragraph).
The ratio is govassist's recall@5 over the baseline's lenient recall@5.
"""

from __future__ import annotations

import argparse
import bisect
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

from evals.retrieval import is_hit
from evals.scratch import EU_AI_ACT_HTML, offline_environment, scratch_home

TOP_K = 5
MIN_OVERLAP = 40


@dataclass(frozen=True)
class Span:
    """Where one provision's text sits in the plain text."""

    citation_id: str
    start: int
    end: int
    depth: int


class SideScore(BaseModel):
    """Recall@5 of one side, and what it took."""

    name: str
    questions: int
    recall_at_5: float
    strict_recall_at_5: float | None = None
    chunks: int
    build_seconds: float
    misses: list[str]


class BaselineFigures(BaseModel):
    """Both sides and their ratio."""

    questions: int
    govassist: SideScore
    baseline: SideScore

    @property
    def ratio(self) -> float:
        """govassist recall@5 / baseline (lenient) recall@5."""
        return self.govassist.recall_at_5 / self.baseline.recall_at_5 if self.baseline.recall_at_5 else 0.0


def plain_text_with_spans(html: Path) -> tuple[str, list[Span]]:
    """The official text as one string (top-level units in document order, blank lines between), and the
    span of every provision in it. Children are located inside their parent's text, in order."""
    from knowledge.parsing import parse_file

    sections = parse_file(html).sections
    by_id = {s.citation_id: s for s in sections}
    parts: list[str] = []
    spans: dict[str, Span] = {}
    cursor: dict[str, int] = {}
    offset = 0
    for s in sections:
        if s.parent_id is None:
            start = offset
            parts.append(s.text)
            offset += len(s.text) + 2
            spans[s.citation_id] = Span(s.citation_id, start, start + len(s.text), 0)
            continue
        parent = spans.get(s.parent_id)
        if parent is None:
            continue
        parent_text = by_id[s.parent_id].text
        position = parent_text.find(s.text, cursor.get(s.parent_id, 0))
        if position < 0:
            position = parent_text.find(s.text)
        if position < 0:
            continue  # text reflowed differently in the child: leave it to its parent
        cursor[s.parent_id] = position + len(s.text)
        start = parent.start + position
        spans[s.citation_id] = Span(s.citation_id, start, start + len(s.text), parent.depth + 1)
    return "\n\n".join(parts), sorted(spans.values(), key=lambda sp: (sp.start, -sp.end))


class ChunkMapper:
    """Maps a chunk's character range to the provisions it came from."""

    def __init__(self, spans: list[Span]) -> None:
        self.spans = spans
        self.starts = [sp.start for sp in spans]

    def _overlapping(self, start: int, end: int) -> list[tuple[int, Span]]:
        found = []
        last = bisect.bisect_left(self.starts, end)
        for sp in self.spans[:last]:
            overlap = min(end, sp.end) - max(start, sp.start)
            if overlap > 0:
                found.append((overlap, sp))
        return found

    def lenient(self, start: int, end: int) -> list[str]:
        """Every provision the chunk overlaps enough, largest overlap first, deeper first on ties."""
        found = [
            (overlap, sp)
            for overlap, sp in self._overlapping(start, end)
            if overlap >= min(MIN_OVERLAP, sp.end - sp.start)
        ]
        found.sort(key=lambda pair: (-pair[0], -pair[1].depth))
        return [sp.citation_id for _, sp in found]

    def strict(self, start: int, end: int) -> list[str]:
        """The smallest provision containing the whole chunk (none if it spans two top-level units)."""
        containing = [sp for _, sp in self._overlapping(start, end) if sp.start <= start and end <= sp.end]
        if not containing:
            return []
        return [min(containing, key=lambda sp: sp.end - sp.start).citation_id]


def _recall(retrieved: list[list[str]], expected: list[list[str]]) -> tuple[float, list[int]]:
    misses = [
        i
        for i, (got, want) in enumerate(zip(retrieved, expected, strict=True))
        if not any(is_hit(r, e) for r in got for e in want)
    ]
    return (len(expected) - len(misses)) / len(expected), misses


def run_baseline(
    text: str, spans: list[Span], questions: list[str], *, chunk_size: int, overlap: int
) -> tuple[list[list[str]], list[list[str]], int, float]:
    """(lenient ids per question, strict ids per question, chunk count, build seconds)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from knowledge.embedder import get_embedder

    embedder = get_embedder("minilm")
    start = time.perf_counter()
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=chunk_size, chunk_overlap=overlap, add_start_index=True
    )
    chunks = splitter.create_documents([text])
    client = chromadb.PersistentClient(
        path=tempfile.mkdtemp(prefix="govassist-baseline-chroma-"),
        settings=ChromaSettings(anonymized_telemetry=False),
    )
    collection = client.create_collection("baseline", metadata={"hnsw:space": "cosine"})
    vectors = embedder.embed([c.page_content for c in chunks])
    batch = 1000
    for i in range(0, len(chunks), batch):
        part = chunks[i : i + batch]
        collection.add(
            ids=[str(i + n) for n in range(len(part))],
            documents=[c.page_content for c in part],
            embeddings=[v.tolist() for v in vectors[i : i + batch]],
            metadatas=[{"start": int(c.metadata["start_index"])} for c in part],
        )
    build = time.perf_counter() - start
    mapper = ChunkMapper(spans)
    found = collection.query(
        query_embeddings=[v.tolist() for v in embedder.embed(questions)], n_results=TOP_K
    )
    lenient, strict = [], []
    metadatas = found["metadatas"] or []
    documents = found["documents"] or []
    for metas, docs in zip(metadatas, documents, strict=True):
        ids_l: list[str] = []
        ids_s: list[str] = []
        for meta, doc in zip(metas, docs, strict=True):
            begin = int(meta["start"])  # type: ignore[arg-type]
            ids_l += mapper.lenient(begin, begin + len(doc))
            ids_s += mapper.strict(begin, begin + len(doc))
        lenient.append(ids_l)
        strict.append(ids_s)
    return lenient, strict, len(chunks), build


def measure(*, chunk_size: int = 1000, overlap: int = 200, govassist: bool = True) -> BaselineFigures:
    """Build both sides (or only the baseline) and score them on the EU AI Act questions."""
    from core.config import Settings
    from evals.datasets import retrieval_questions
    from knowledge.access import Audience
    from knowledge.factory import open_index
    from knowledge.ingest import IngestRequest, ingest_paths
    from knowledge.retrieval import search

    questions = [q for q in retrieval_questions() if q.regime == "eu-ai-act"]
    texts = [q.question for q in questions]
    expected = [q.expected for q in questions]

    text, spans = plain_text_with_spans(EU_AI_ACT_HTML)
    lenient, strict, chunks, build = run_baseline(text, spans, texts, chunk_size=chunk_size, overlap=overlap)
    recall_l, misses_l = _recall(lenient, expected)
    recall_s, _ = _recall(strict, expected)
    baseline = SideScore(
        name=f"LangChain RecursiveCharacterTextSplitter({chunk_size}, {overlap}) + Chroma + MiniLM",
        questions=len(questions),
        recall_at_5=recall_l,
        strict_recall_at_5=recall_s,
        chunks=chunks,
        build_seconds=build,
        misses=[questions[i].id for i in misses_l],
    )

    if not govassist:
        skipped = SideScore(
            name="govassist (not run)", questions=0, recall_at_5=0.0, chunks=0, build_seconds=0, misses=[]
        )
        return BaselineFigures(questions=len(questions), govassist=skipped, baseline=baseline)
    index = open_index(Settings(home=scratch_home("baseline"), load_builtin_knowledge=False))
    start = time.perf_counter()
    report = ingest_paths(index, IngestRequest(paths=[EU_AI_ACT_HTML]))
    build = time.perf_counter() - start
    assert not report.failures, report.failures
    got = [[p.citation_id for p in search(index, q, audience=Audience(), k=TOP_K)] for q in texts]
    recall, misses = _recall(got, expected)
    ours = SideScore(
        name="govassist (structure-aware sections, hybrid dense + BM25), official text only",
        questions=len(questions),
        recall_at_5=recall,
        chunks=index.vectors.count(),
        build_seconds=build,
        misses=[questions[i].id for i in misses],
    )
    index.db.close()
    return BaselineFigures(questions=len(questions), govassist=ours, baseline=baseline)


def main() -> None:
    """Print both sides and the ratio; skip cleanly without the official texts."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--chunk-size", type=int, default=1000)
    parser.add_argument("--chunk-overlap", type=int, default=200)
    parser.add_argument("--show-misses", action="store_true")
    parser.add_argument("--baseline-only", action="store_true", help="Skip govassist (chunking studies).")
    args, _ = parser.parse_known_args()
    if not EU_AI_ACT_HTML.is_file():
        print(f"naive RAG baseline: skipped (no official EU AI Act text at {EU_AI_ACT_HTML})")
        return
    offline_environment()
    f = measure(chunk_size=args.chunk_size, overlap=args.chunk_overlap, govassist=not args.baseline_only)
    print(f"Retrieval vs a naive LangChain RAG baseline (official EU AI Act, {f.questions} questions, top 5)")
    for side in (f.govassist, f.baseline) if not args.baseline_only else (f.baseline,):
        strict = f", strict {side.strict_recall_at_5:.3f}" if side.strict_recall_at_5 is not None else ""
        print(f"  {side.name}")
        print(
            f"    recall@5 {side.recall_at_5:.3f}{strict}; {side.chunks} chunks, "
            f"built in {side.build_seconds:.1f} s"
        )
    if not args.baseline_only:
        print(f"  ratio govassist / baseline: {f.ratio:.2f}")
    if args.show_misses:
        print(f"  govassist misses: {', '.join(f.govassist.misses)}")
        print(f"  baseline misses:  {', '.join(f.baseline.misses)}")


if __name__ == "__main__":
    main()
