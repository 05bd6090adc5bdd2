"""Data access for documents and chunks: keyword-only functions that receive the session."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import ColumnElement, Select, delete, func, select, update
from sqlalchemy.orm import Session

from core.db import insert_or_ignore
from core.models import Chunk, Document, FlaggedPassage, MetaValue, PassageRelease, SentenceVector

REVISION_KEY = "knowledge_revision"


def get_document(*, session: Session, key: str) -> Document | None:
    """The document stored under `key`, if any."""
    return session.scalar(select(Document).where(Document.key == key))


def find_document(*, session: Session, path: str, content_hash: str) -> Document | None:
    """The searchable document ingested from `path` with `content_hash`, if any."""
    stmt = select(Document).where(
        Document.path == path, Document.content_hash == content_hash, Document.active_generation > 0
    )
    return session.scalars(stmt).first()


def list_documents(*, session: Session) -> list[Document]:
    """Every stored document, by source id then key."""
    return list(session.scalars(select(Document).order_by(Document.source_id, Document.key)))


def documents_for_source(*, session: Session, source: str) -> list[Document]:
    """Documents whose source id or key is `source`."""
    stmt = select(Document).where((Document.source_id == source) | (Document.key == source))
    return list(session.scalars(stmt))


def active_generations(*, session: Session) -> dict[int, int]:
    """Document id -> the generation searches may see (documents with nothing active are left out)."""
    rows = session.execute(
        select(Document.id, Document.active_generation).where(Document.active_generation > 0)
    )
    return {doc_id: gen for doc_id, gen in rows}


def create_document(
    *,
    session: Session,
    key: str,
    source_id: str,
    kind: str,
    origin: str,
    title: str,
    path: str | None,
    visibility: str,
    groups: list[str],
) -> Document:
    """A new document with nothing searchable yet (generation 0)."""
    document = Document(
        key=key,
        source_id=source_id,
        kind=kind,
        origin=origin,
        title=title,
        path=path,
        content_hash="",
        visibility=visibility,
        groups=groups,
        active_generation=0,
        chunk_count=0,
        ingested_at=datetime.now().astimezone(),
    )
    session.add(document)
    session.flush()
    return document


def activate_generation(
    *,
    session: Session,
    document: Document,
    generation: int,
    chunks: Sequence[Chunk],
    content_hash: str,
    title: str,
    source_id: str,
    kind: str,
    path: str | None,
    visibility: str,
    groups: list[str],
    as_of: date | None,
    flagged: Sequence[FlaggedPassage] = (),
    sentences: Sequence[SentenceVector] = (),
) -> None:
    """In one transaction: store `chunks` (and the passages held back by screening, and the vectors of the
    chunks' sentences), make `generation` the visible one, drop older chunk, held-back and sentence rows."""
    session.add_all(chunks)
    session.add_all(flagged)
    session.add_all(sentences)
    session.execute(delete(Chunk).where(Chunk.document_id == document.id, Chunk.generation != generation))
    session.execute(
        delete(FlaggedPassage).where(
            FlaggedPassage.document_id == document.id, FlaggedPassage.generation != generation
        )
    )
    session.execute(
        delete(SentenceVector).where(
            SentenceVector.document_id == document.id, SentenceVector.generation != generation
        )
    )
    document.active_generation = generation
    document.content_hash = content_hash
    document.title = title
    document.source_id = source_id
    document.kind = kind
    document.path = path
    document.visibility = visibility
    document.groups = groups
    document.as_of = as_of
    document.chunk_count = len({c.citation_id for c in chunks})
    document.ingested_at = datetime.now().astimezone()
    bump_revision(session=session)


def delete_documents(*, session: Session, documents: Sequence[Document]) -> None:
    """Remove documents and their chunks."""
    ids = [d.id for d in documents]
    if not ids:
        return
    session.execute(delete(Chunk).where(Chunk.document_id.in_(ids)))
    session.execute(delete(FlaggedPassage).where(FlaggedPassage.document_id.in_(ids)))
    session.execute(delete(SentenceVector).where(SentenceVector.document_id.in_(ids)))
    session.execute(delete(Document).where(Document.id.in_(ids)))
    bump_revision(session=session)


def bump_revision(*, session: Session) -> None:
    """Mark the searchable knowledge as changed, so caches (the lexical index) rebuild."""
    row = session.get(MetaValue, REVISION_KEY)
    if row is None:
        session.add(MetaValue(key=REVISION_KEY, value="1"))
    else:
        session.execute(
            update(MetaValue).where(MetaValue.key == REVISION_KEY).values(value=str(int(row.value) + 1))
        )


def get_meta(*, session: Session, key: str) -> str | None:
    """A stored meta value."""
    row = session.get(MetaValue, key)
    return row.value if row else None


def claim_meta(*, session: Session, key: str, value: str) -> str:
    """The stored value of `key`, storing `value` first when there is none. Safe between processes
    starting together on one database: the first writer wins and the others read its value."""
    insert_or_ignore(session, MetaValue, {"key": key, "value": value})
    stored = session.get(MetaValue, key, populate_existing=True)
    assert stored is not None
    return stored.value


def set_meta(*, session: Session, key: str, value: str) -> None:
    """Store a meta value."""
    row = session.get(MetaValue, key)
    if row is None:
        session.add(MetaValue(key=key, value=value))
    else:
        row.value = value


def _active(*conditions: ColumnElement[bool]) -> Select[Chunk]:
    """Chunks of their document's active generation that meet `conditions`."""
    return (
        select(Chunk)
        .join(Document, Document.id == Chunk.document_id)
        .where(Chunk.generation == Document.active_generation, *conditions)
    )


def _first_windows(*conditions: ColumnElement[bool]) -> Select[Chunk]:
    """Active chunks that are the first window of their section and meet `conditions`."""
    return _active(Chunk.window_index == 0, *conditions)


def active_chunks(*, session: Session) -> list[Chunk]:
    """Every chunk of every document's active generation."""
    return list(session.scalars(_active().order_by(Chunk.id)))


def chunks_by_key(*, session: Session, keys: Sequence[str]) -> dict[str, Chunk]:
    """Active chunks by chunk key (stale keys are simply absent)."""
    if not keys:
        return {}
    return {c.chunk_key: c for c in session.scalars(_active(Chunk.chunk_key.in_(list(keys))))}


def chunks_by_anchor(*, session: Session, anchors: Sequence[str]) -> list[Chunk]:
    """Active chunks whose citation anchor is one of `anchors` (first window only)."""
    if not anchors:
        return []
    return list(session.scalars(_first_windows(Chunk.anchor.in_(list(anchors)))))


def child_chunks(*, session: Session, parent_ids: Sequence[str]) -> list[Chunk]:
    """Active first-window chunks whose parent is one of `parent_ids`."""
    if not parent_ids:
        return []
    return list(session.scalars(_first_windows(Chunk.parent_id.in_(list(parent_ids)))))


def first_window_chunks(*, session: Session, citation_ids: Sequence[str]) -> list[Chunk]:
    """Active first-window chunks with these citation ids, in index order (any origin)."""
    if not citation_ids:
        return []
    stmt = _first_windows(Chunk.citation_id.in_(list(citation_ids))).order_by(Chunk.id)
    return list(session.scalars(stmt))


def document_origins(*, session: Session, document_ids: set[int]) -> dict[int, str]:
    """Document id -> origin ('pack' or 'file')."""
    if not document_ids:
        return {}
    rows = session.execute(select(Document.id, Document.origin).where(Document.id.in_(document_ids)))
    return {doc_id: origin for doc_id, origin in rows}


def official_chunks(*, session: Session, citation_ids: Sequence[str]) -> list[Chunk]:
    """Active first-window chunks with these citation ids from ingested files (not from packs)."""
    stmt = _first_windows(Chunk.citation_id.in_(list(citation_ids)), Document.origin != "pack")
    return list(session.scalars(stmt))


def searchable_documents(*, session: Session) -> list[Document]:
    """Every document with an active generation (what searches can find)."""
    return list(session.scalars(select(Document).where(Document.active_generation > 0)))


def documents_with_source_marker(*, session: Session, marker: str) -> list[Document]:
    """Searchable documents ingested from files (not packs) whose source id contains `marker`, the most
    recently ingested first."""
    stmt = (
        select(Document)
        .where(Document.source_id.contains(marker), Document.active_generation > 0, Document.origin != "pack")
        .order_by(Document.ingested_at.desc())
    )
    return list(session.scalars(stmt))


def active_chunks_of(*, session: Session, document_ids: Sequence[int]) -> list[Chunk]:
    """The active generation's chunks of these documents, in document then reading order."""
    if not document_ids:
        return []
    stmt = _active(Chunk.document_id.in_(list(document_ids)))
    return list(session.scalars(stmt.order_by(Chunk.document_id, Chunk.ordinal, Chunk.id)))


def citation_titles(*, session: Session, citation_ids: Sequence[str]) -> dict[str, tuple[str, str]]:
    """Citation id -> (title, locator) of a chunk stored under it, for the ids the index knows."""
    wanted = sorted(set(citation_ids))
    if not wanted:
        return {}
    stmt = (
        select(Chunk.citation_id, Chunk.title, Chunk.locator)
        .where(Chunk.citation_id.in_(wanted))
        .order_by(Chunk.id)
    )
    titles: dict[str, tuple[str, str]] = {}
    for citation_id, title, locator in session.execute(stmt).tuples():
        titles.setdefault(citation_id, (title, locator))
    return titles


def citation_visibilities(*, session: Session) -> dict[str, set[str]]:
    """Citation id -> the visibilities of its active chunks."""
    stmt = (
        select(Chunk.citation_id, Chunk.visibility)
        .join(Document, Document.id == Chunk.document_id)
        .where(Chunk.generation == Document.active_generation)
        .distinct()
    )
    found: dict[str, set[str]] = {}
    for citation_id, visibility in session.execute(stmt).tuples():
        found.setdefault(citation_id, set()).add(str(visibility))
    return found


def knowledge_as_of(*, session: Session) -> date | None:
    """The newest as-of date among searchable documents."""
    return session.scalar(select(func.max(Document.as_of)).where(Document.active_generation > 0))


# --- passages held back by ingest-time screening (knowledge.screening) ------------------------------------


def released_passages(*, session: Session, citation_ids: Sequence[str]) -> set[tuple[str, str]]:
    """(citation id, text hash) pairs an administrator released, among `citation_ids`."""
    if not citation_ids:
        return set()
    rows = session.execute(
        select(PassageRelease.citation_id, PassageRelease.text_hash).where(
            PassageRelease.citation_id.in_(list(citation_ids))
        )
    )
    return {(cid, digest) for cid, digest in rows}


def flagged_passages(*, session: Session, citation_id: str | None = None) -> list[FlaggedPassage]:
    """Held-back passages of every document's active generation (of one citation id if given), in
    document and ingest order."""
    stmt = (
        select(FlaggedPassage)
        .join(Document, Document.id == FlaggedPassage.document_id)
        .where(FlaggedPassage.generation == Document.active_generation)
        .order_by(FlaggedPassage.document_id, FlaggedPassage.id)
    )
    if citation_id is not None:
        stmt = stmt.where(FlaggedPassage.citation_id == citation_id)
    return list(session.scalars(stmt))


def flagged_counts(*, session: Session) -> dict[int, int]:
    """Document id -> how many of its sections (citation ids) are held back."""
    counts: dict[int, set[str]] = {}
    for row in flagged_passages(session=session):
        counts.setdefault(row.document_id, set()).add(row.citation_id)
    return {doc_id: len(ids) for doc_id, ids in counts.items()}


def release_passage(
    *,
    session: Session,
    rows: Sequence[FlaggedPassage],
    released_by: str,
    released_at: datetime,
    sentences: Sequence[SentenceVector] = (),
) -> None:
    """Move held-back `rows` (already embedded by the caller) into `chunks`, with their `sentences`'
    vectors, remember the release for their text, and count the sections again."""
    session.add_all(sentences)
    for row in rows:
        session.add(Chunk(**row.chunk))
        known = released_passages(session=session, citation_ids=[row.citation_id])
        if (row.citation_id, row.text_hash) not in known:
            session.add(
                PassageRelease(
                    citation_id=row.citation_id,
                    text_hash=row.text_hash,
                    released_by=released_by,
                    released_at=released_at,
                )
            )
        session.delete(row)
        session.flush()
    for doc_id in {row.document_id for row in rows}:
        document = session.get(Document, doc_id)
        if document is not None:
            ids = session.scalars(
                select(Chunk.citation_id).where(
                    Chunk.document_id == doc_id, Chunk.generation == document.active_generation
                )
            )
            document.chunk_count = len(set(ids))
    bump_revision(session=session)


# Hashes per query: well under every database's limit on bound parameters.
_LOOKUP_BATCH = 500


def sentence_vectors(*, session: Session, embedder: str, text_hashes: Sequence[str]) -> dict[str, bytes]:
    """The stored vectors (raw float32 bytes) of the texts with these hashes, embedded by `embedder`. The
    caller hashes texts it already holds (passages its reader may read), and a vector depends on its text
    alone, so whichever document's row answers makes no difference."""
    found: dict[str, bytes] = {}
    wanted = list(dict.fromkeys(text_hashes))
    for start in range(0, len(wanted), _LOOKUP_BATCH):
        batch = wanted[start : start + _LOOKUP_BATCH]
        stmt = select(SentenceVector.text_hash, SentenceVector.vector).where(
            SentenceVector.embedder == embedder, SentenceVector.text_hash.in_(batch)
        )
        for text_hash, vector in session.execute(stmt):
            found.setdefault(text_hash, vector)
    return found
