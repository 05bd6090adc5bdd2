"""The knowledge index: documents and chunks in the database, vectors in Chroma, BM25 in memory.

A document's new version is written as a new generation beside the old one and becomes visible in a
single database commit, so no search ever sees half of one version and half of another.
"""

from __future__ import annotations

import hashlib
import pickle
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from core.db import Database
from core.models import Chunk
from knowledge import store
from knowledge.access import Visibility, group_key
from knowledge.chunking import chunk_document
from knowledge.embedder import Embedder
from knowledge.lexical import LexicalIndex, LexicalRow
from knowledge.sections import ParsedDocument
from knowledge.vectors import ExactVectors, VectorStore

ProgressCallback = Callable[[int], None]
EMBED_BATCH = 64


class DocumentStatus(BaseModel):
    """One row of `govassist knowledge status`."""

    key: str
    source_id: str
    title: str
    kind: str
    origin: str
    visibility: str
    groups: list[str]
    sections: int
    ingested_at: str
    as_of: date | None


class IngestOutcome(BaseModel):
    """What happened to one document."""

    key: str
    status: str  # "added" | "updated" | "unchanged"
    sections: int


def content_hash(*parts: bytes | str) -> str:
    """A sha256 over `parts` (content plus everything else that changes what is indexed)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8") if isinstance(part, str) else part)
        digest.update(b"\x00")
    return digest.hexdigest()


class KnowledgeIndex:
    """Ingest, remove and search documents. Build with the pieces it needs (see `open_index`)."""

    def __init__(self, *, db: Database, vectors: VectorStore, embedder: Embedder, cache_dir: Path) -> None:
        self.db = db
        self.vectors = vectors
        self.embedder = embedder
        self.cache_dir = cache_dir
        self._lexical: tuple[str, LexicalIndex] | None = None
        self._dense: tuple[str, ExactVectors] | None = None
        self._lock = threading.Lock()
        # Searches read the exact snapshot of the current revision (see knowledge/vectors.py).
        self.vectors.snapshot = self.dense

    # --- writing -------------------------------------------------------------------------------------

    def ingest(
        self,
        document: ParsedDocument,
        *,
        key: str,
        digest: str,
        origin: str,
        path: str | None = None,
        visibility: Visibility = Visibility.INTERNAL,
        groups: list[str] | None = None,
        on_chunks: ProgressCallback | None = None,
        on_planned: ProgressCallback | None = None,
    ) -> IngestOutcome:
        """Index `document` under `key`; unchanged content (same digest) is left alone."""
        groups = sorted(set(groups or []))
        with self.db.session() as session:
            existing = store.get_document(session=session, key=key)
            if existing is not None and existing.content_hash == digest and existing.active_generation > 0:
                return IngestOutcome(key=key, status="unchanged", sections=existing.chunk_count)
            if existing is None:
                existing = store.create_document(
                    session=session,
                    key=key,
                    source_id=document.source_id,
                    kind=document.kind.value,
                    origin=origin,
                    title=document.title,
                    path=path,
                    visibility=visibility.value,
                    groups=groups,
                )
            doc_id, status = existing.id, ("updated" if existing.active_generation else "added")
            generation = existing.active_generation + 1

        drafts = chunk_document(document)
        if on_planned:
            on_planned(len(drafts))
        rows: list[Chunk] = []
        metadatas: list[dict[str, Any]] = []
        keys: list[str] = []
        for ordinal, draft in enumerate(drafts):
            section = draft.section
            chunk_key = f"{doc_id}-g{generation}-{ordinal}-w{draft.window}"
            keys.append(chunk_key)
            rows.append(
                Chunk(
                    document_id=doc_id,
                    generation=generation,
                    chunk_key=chunk_key,
                    ordinal=ordinal,
                    citation_id=section.citation_id,
                    anchor=section.citation_id.split(":", 1)[-1],
                    source_id=document.source_id,
                    locator=section.locator,
                    title=section.title,
                    parents=section.parents,
                    parent_id=section.parent_id,
                    level=section.level.value,
                    kind=document.kind.value,
                    visibility=visibility.value,
                    groups=groups,
                    text=section.text,
                )
            )
            meta: dict[str, Any] = {
                "doc_id": doc_id,
                "generation": generation,
                "gen_key": f"{doc_id}@{generation}",
                "citation_id": section.citation_id,
                "source_id": document.source_id,
                "kind": document.kind.value,
                "visibility": visibility.value,
            }
            meta.update({group_key(g): True for g in groups})
            metadatas.append(meta)

        # Embed in order of length, as the raw embedder does over a whole corpus: batches of similar
        # length waste little on padding. Storage order does not matter.
        order = sorted(range(len(drafts)), key=lambda i: len(drafts[i].index_text))
        for start in range(0, len(order), EMBED_BATCH * 4):
            batch = order[start : start + EMBED_BATCH * 4]
            vectors = self.embedder.embed([drafts[i].index_text for i in batch])
            self.vectors.add([keys[i] for i in batch], vectors, [metadatas[i] for i in batch])
            if on_chunks:
                on_chunks(len(batch))

        with self.db.session() as session:
            target = store.get_document(session=session, key=key)
            assert target is not None and target.id == doc_id
            store.activate_generation(
                session=session,
                document=target,
                generation=generation,
                chunks=rows,
                content_hash=digest,
                title=document.title,
                source_id=document.source_id,
                kind=document.kind.value,
                path=path,
                visibility=visibility.value,
                groups=groups,
                as_of=document.as_of,
            )
        # Old vectors are invisible from the commit above on; now reclaim them.
        self.vectors.delete_document(doc_id, keep_generation=generation)
        return IngestOutcome(key=key, status=status, sections=len({d.section.citation_id for d in drafts}))

    def unchanged(self, *, path: str, digest: str) -> IngestOutcome | None:
        """The outcome for a file already indexed from `path` with the same `digest`, if there is one."""
        with self.db.session() as session:
            document = store.find_document(session=session, path=path, content_hash=digest)
            if document is None:
                return None
            return IngestOutcome(key=document.key, status="unchanged", sections=document.chunk_count)

    def remove(self, source: str) -> list[str]:
        """Remove every document whose source id or key is `source`; returns the removed keys."""
        with self.db.session() as session:
            documents = store.documents_for_source(session=session, source=source)
            removed = [(d.id, d.key) for d in documents]
            store.delete_documents(session=session, documents=documents)
        for doc_id, _ in removed:
            self.vectors.delete_document(doc_id)
        return [key for _, key in removed]

    # --- reading -------------------------------------------------------------------------------------

    def status(self) -> list[DocumentStatus]:
        """Every document with its section count and dates."""
        with self.db.session() as session:
            return [
                DocumentStatus(
                    key=d.key,
                    source_id=d.source_id,
                    title=d.title,
                    kind=d.kind,
                    origin=d.origin,
                    visibility=d.visibility,
                    groups=list(d.groups),
                    sections=d.chunk_count,
                    ingested_at=d.ingested_at.strftime("%Y-%m-%d %H:%M"),
                    as_of=d.as_of,
                )
                for d in store.list_documents(session=session)
            ]

    def revision(self) -> str:
        """Changes whenever searchable knowledge changes."""
        with self.db.session() as session:
            return store.get_meta(session=session, key=store.REVISION_KEY) or "0"

    def lexical(self) -> LexicalIndex:
        """The BM25 index for the current revision: from memory, from the disk cache, or rebuilt."""
        revision = self.revision()
        with self._lock:
            if self._lexical and self._lexical[0] == revision:
                return self._lexical[1]
            cache = self.cache_dir / f"lexical-{revision}.pickle"
            index: LexicalIndex | None = None
            if cache.is_file():
                try:
                    with cache.open("rb") as fh:
                        index = pickle.load(fh)
                except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
                    index = None  # a stale or torn cache is rebuilt, never trusted
            if index is None:
                with self.db.session() as session:
                    rows = [
                        LexicalRow(
                            key=c.chunk_key,
                            text=f"{c.locator} {c.title} {c.text}",
                            source_id=c.source_id,
                            kind=c.kind,
                            visibility=c.visibility,
                            groups=list(c.groups),
                        )
                        for c in store.active_chunks(session=session)
                    ]
                index = LexicalIndex(rows)
                self._write_cache(cache, index)
            self._lexical = (revision, index)
            return index

    def dense(self) -> ExactVectors:
        """The searchable vectors of the current revision: from memory, from the disk cache, or read from
        Chroma once (the first search after the knowledge changed writes the cache)."""
        revision = self.revision()
        with self._lock:
            if self._dense and self._dense[0] == revision:
                return self._dense[1]
            cache = self.cache_dir / f"dense-{revision}.pickle"
            snapshot: ExactVectors | None = None
            if cache.is_file():
                try:
                    with cache.open("rb") as fh:
                        snapshot = pickle.load(fh)
                except (OSError, pickle.UnpicklingError, EOFError, AttributeError, KeyError):
                    snapshot = None  # a stale or torn cache is rebuilt, never trusted
            if snapshot is None:
                snapshot = self.vectors.snapshot_of(self.active_gen_keys())
                self._write_cache(cache, snapshot, prefix="dense")
            self._dense = (revision, snapshot)
            return snapshot

    def _write_cache(self, path: Path, index: LexicalIndex | ExactVectors, prefix: str = "lexical") -> None:
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            for old in self.cache_dir.glob(f"{prefix}-*.pickle"):
                old.unlink(missing_ok=True)
            tmp = path.with_suffix(".tmp")
            with tmp.open("wb") as fh:
                pickle.dump(index, fh, protocol=pickle.HIGHEST_PROTOCOL)
            tmp.replace(path)
        except OSError:
            pass  # the cache only saves time; searching works without it

    def active_gen_keys(self) -> list[str]:
        """Chroma `gen_key`s of the generations searches may see."""
        with self.db.session() as session:
            return [f"{d}@{g}" for d, g in store.active_generations(session=session).items()]

    def knowledge_as_of(self) -> date | None:
        """The newest as-of date among searchable documents."""
        with self.db.session() as session:
            return store.knowledge_as_of(session=session)
