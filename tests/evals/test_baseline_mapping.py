"""How the naive RAG baseline's chunks are mapped back to provisions (evals/bench/baseline_rag.py), so that
its recall@5 is judged on the same citation ids as govassist's."""

from __future__ import annotations

from pathlib import Path

from evals.bench.baseline_rag import ChunkMapper, Span, plain_text_with_spans
from evals.retrieval import is_hit

SPANS = [
    Span("act:art-5", 0, 1000, 0),
    Span("act:art-5-1", 0, 700, 1),
    Span("act:art-5-1-e", 300, 500, 2),
    Span("act:art-5-1-f", 500, 700, 2),
    Span("act:art-5-2", 700, 1000, 1),
    Span("act:art-6", 1002, 2000, 0),
]


def test_lenient_mapping_credits_every_provision_overlapped() -> None:
    mapper = ChunkMapper(sorted(SPANS, key=lambda s: (s.start, -s.end)))
    ids = mapper.lenient(450, 760)
    # (e) overlaps by 50 characters, (f) wholly, 5(2) by 60: each counts; a 10-character brush does not.
    assert set(ids) == {"act:art-5", "act:art-5-1", "act:art-5-1-e", "act:art-5-1-f", "act:art-5-2"}
    assert "act:art-6" not in mapper.lenient(960, 1010)


def test_strict_mapping_is_the_smallest_provision_holding_the_chunk() -> None:
    mapper = ChunkMapper(sorted(SPANS, key=lambda s: (s.start, -s.end)))
    assert mapper.strict(510, 690) == ["act:art-5-1-f"]
    assert mapper.strict(450, 690) == ["act:art-5-1"]  # a paragraph counts for its points
    assert mapper.strict(600, 800) == ["act:art-5"]  # a bare article counts for nothing below it
    assert not is_hit("act:art-5", "act:art-5-1-f") and is_hit("act:art-5-1", "act:art-5-1-f")
    assert mapper.strict(900, 1500) == []


def test_official_text_spans_hold_their_provisions(corpus_dir: Path) -> None:
    text, spans = plain_text_with_spans(corpus_dir / "eu-ai-act" / "csa" / "eu-ai-act.html")
    by_id = {s.citation_id: s for s in spans}
    assert len(spans) > 1400
    for cid, opening in [
        ("eu-ai-act:art-5-1-f", "(f)"),
        ("eu-ai-act:art-50-1", "1."),
        ("eu-ai-act:annex-iii-4-a", "(a)"),
    ]:
        span = by_id[cid]
        assert text[span.start : span.end].startswith(opening), cid
    parent, child = by_id["eu-ai-act:art-5-1"], by_id["eu-ai-act:art-5-1-f"]
    assert parent.start <= child.start and child.end <= parent.end
