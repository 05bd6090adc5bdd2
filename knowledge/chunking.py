"""Turns a parsed document's sections into index chunks.

A section with children is indexed by its own lead (its title and first words): its children carry the
rest, and embedding the whole parent again would triple the cost and let parents crowd out the precise
paragraph. A long leaf is split into overlapping windows that all cite the same section.
"""

from __future__ import annotations

from pydantic import BaseModel

from knowledge.sections import ParsedDocument, Section

PARENT_LEAD_WORDS = 60
# A point makes sense only with its paragraph's opening ("The following practices are prohibited:").
CONTEXT_LEAD_WORDS = 14
WINDOW_WORDS = 180
WINDOW_OVERLAP = 30


class ChunkDraft(BaseModel):
    """A chunk before storage: what to show (`section`), what to embed and match (`index_text`)."""

    section: Section
    window: int
    index_text: str


def _heading(section: Section, parent_lead: str) -> str:
    context = [p for p in section.parents[-2:] if p and p != section.title]
    parts = [section.locator, *context, section.title, parent_lead]
    seen: list[str] = []
    for part in parts:
        if part and part not in seen:
            seen.append(part)
    return " | ".join(seen)


def _lead(text: str) -> str:
    """A parent's opening words, up to its first point marker."""
    words: list[str] = []
    for word in text.split()[:CONTEXT_LEAD_WORDS]:
        if word in ("(a)", "(i)", "(1)"):
            break
        words.append(word)
    return " ".join(words)


def _windows(words: list[str]) -> list[list[str]]:
    if len(words) <= WINDOW_WORDS:
        return [words]
    step = WINDOW_WORDS - WINDOW_OVERLAP
    return [words[i : i + WINDOW_WORDS] for i in range(0, len(words) - WINDOW_OVERLAP, step)]


def _own_intro(section: Section, first_child: Section | None) -> str:
    """The words a container says before its first child (e.g. "The following practices are prohibited:")."""
    if first_child is None:
        return section.text
    at = section.text.find(first_child.text[:40])
    intro = section.text[:at] if at >= 0 else ""
    return " ".join(intro.split()[:PARENT_LEAD_WORDS])


def chunk_document(document: ParsedDocument) -> list[ChunkDraft]:
    """Chunks for every section of `document`, in document order."""
    by_id = {s.citation_id: s for s in document.sections}
    first_child: dict[str, Section] = {}
    for s in document.sections:
        if s.parent_id and s.parent_id not in first_child:
            first_child[s.parent_id] = s
    drafts: list[ChunkDraft] = []
    for section in document.sections:
        parent = by_id.get(section.parent_id or "")
        heading = _heading(section, _lead(parent.text) if parent else "")
        if section.citation_id in first_child:
            # A container is found by its title and its own opening words; its children carry the rest.
            intro = _own_intro(section, first_child[section.citation_id])
            drafts.append(
                ChunkDraft(section=section, window=0, index_text=f"{heading}: {intro}".rstrip(": "))
            )
            continue
        words = section.text.split()
        for number, window in enumerate(_windows(words)):
            drafts.append(
                ChunkDraft(section=section, window=number, index_text=f"{heading}: {' '.join(window)}")
            )
    return drafts
