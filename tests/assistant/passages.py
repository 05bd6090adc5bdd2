"""Hand-made passages of an organisation's own documents for the answer engine's tests."""

from __future__ import annotations

from collections.abc import Sequence

from knowledge.retrieval import Passage


def section(
    citation_id: str,
    text: str,
    *,
    title: str | None = None,
    kind: str = "policy",
    level: str = "section",
    parents: Sequence[str] = (),
    score: float = 0.03,
    similarity: float = 0.5,
) -> Passage:
    """One of our sections as retrieval returns it (internal, its title its locator)."""
    heading = title if title is not None else citation_id
    return Passage(
        citation_id=citation_id,
        source_id=citation_id.split(":")[0],
        title=heading,
        locator=heading,
        parents=list(parents),
        kind=kind,
        level=level,
        visibility="internal",
        text=text,
        score=score,
        similarity=similarity,
    )
