"""What a topic's questions are built from, read from the knowledge index: the packs it needs (checked to
be indexed, so every citation resolves) and the organisation's documents the reader may see, each with
its document's visibility, from which a session's own visibility follows (`questions_access`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from knowledge import store
from knowledge.access import Audience, Visibility
from knowledge.packs import Pack, load_packs, packs_fingerprint
from tools.training.access import SourceAccess, most_restricted
from tools.training.errors import TopicError, TrainingError
from tools.training.schemas import GeneratedQuestion, SourcePassage, TopicMaterial
from tools.training.topics import Topic

if TYPE_CHECKING:
    from core.models import Chunk, Document
    from knowledge.index import KnowledgeIndex

_PACKS: dict[str, list[Pack]] = {}


def current_packs() -> list[Pack]:
    """The built-in packs, parsed once per content: parsing their YAML takes seconds, and the
    fingerprint (a hash of the files) notices an upgrade."""
    key = packs_fingerprint()
    if key not in _PACKS:
        _PACKS.clear()
        _PACKS[key] = load_packs()
    return _PACKS[key]


def load_material(
    index: KnowledgeIndex,
    topic: Topic,
    *,
    audience: Audience | None = None,
    packs: Sequence[Pack] | None = None,
) -> TopicMaterial:
    """The packs and readable policy sections `topic` draws on.

    Raises TopicError, saying how to load it, when a pack the topic needs is not indexed or when a
    topic that rests on the organisation's documents finds none (or none this audience may read).
    """
    reader = audience or Audience()
    with index.db.session() as session:
        documents = store.searchable_documents(session=session)
        indexed_packs = {d.source_id for d in documents if d.origin == "pack"}
        missing = [regime for regime in topic.regimes if regime not in indexed_packs]
        if missing:
            raise TopicError(
                f"topic '{topic.title}' needs the {', '.join(missing)} knowledge pack(s), which are not "
                f"indexed: {topic.how_to_load}"
            )
        wanted = {
            d.id: d
            for d in documents
            if d.kind == "policy" and any(s in d.source_id for s in topic.policy_sources)
        }
        chunks = store.active_chunks_of(session=session, document_ids=list(wanted))
        readable = [c for c in chunks if reader.can_read(c.visibility, list(c.groups))]
        policies = _sections(readable, wanted)
        pack_access = {
            d.source_id: document_access(d)
            for d in documents
            if d.origin == "pack" and d.source_id in topic.regimes
        }
    if topic.policy_required and not policies:
        if chunks:
            raise TopicError(
                f"topic '{topic.title}' rests on documents this audience may not read here "
                "(restricted, or a public channel)"
            )
        raise TopicError(f"topic '{topic.title}' has nothing to draw on: {topic.how_to_load}")
    return TopicMaterial(
        packs=list(packs) if packs is not None else current_packs(),
        policies=policies,
        pack_access=pack_access,
    )


def document_access(document: Document) -> SourceAccess:
    """A document's visibility and groups as a SourceAccess (an unknown visibility counts as restricted:
    when in doubt, show less)."""
    try:
        visibility = Visibility(document.visibility)
    except ValueError:
        visibility = Visibility.RESTRICTED
    return SourceAccess(visibility=visibility, groups=tuple(sorted(document.groups or [])))


def questions_access(questions: Sequence[GeneratedQuestion], material: TopicMaterial) -> SourceAccess:
    """The access of a session with these questions: the most restricted source they cite.

    Raises TrainingError when a question cites a passage that is not in `material` (its visibility would
    be unknown) or when restricted sources share no group.
    """
    accesses = []
    for question in questions:
        access = material.access_of(question.citation_id)
        if access is None:
            raise TrainingError(
                f"question cites {question.citation_id}, which is not among the topic's sources"
            )
        accesses.append(access)
    return most_restricted(accesses)


def _sections(chunks: Sequence[Chunk], documents: dict[int, Document]) -> list[SourcePassage]:
    """One passage per citation id; a long section's windows are joined (identical windows once). Its
    access is the most restricted of the documents its text came from."""
    texts: dict[str, list[str]] = {}
    first: dict[str, Chunk] = {}
    sources: dict[str, set[int]] = {}
    for chunk in chunks:
        first.setdefault(chunk.citation_id, chunk)
        sources.setdefault(chunk.citation_id, set()).add(chunk.document_id)
        parts = texts.setdefault(chunk.citation_id, [])
        if chunk.text not in parts:
            parts.append(chunk.text)
    return [
        SourcePassage(
            citation_id=citation_id,
            source_id=first[citation_id].source_id,
            title=first[citation_id].title,
            document_title=documents[first[citation_id].document_id].title,
            text="\n".join(parts),
            access=most_restricted(document_access(documents[d]) for d in sorted(sources[citation_id])),
        )
        for citation_id, parts in texts.items()
    ]
