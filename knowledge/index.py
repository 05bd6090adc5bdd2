"""The knowledge index: documents and chunks in the database, vectors in Chroma, BM25 in memory.

A document's new version is written as a new generation beside the old one and becomes visible in a
single database commit, so no search ever sees half of one version and half of another.
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
import threading
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from core.db import Database
from core.models import Chunk, FlaggedPassage
from knowledge import store
from knowledge.access import Visibility, group_key
from knowledge.chunking import ChunkDraft, chunk_document
from knowledge.embedder import Embedder
from knowledge.lexical import CACHE_FORMAT, LexicalIndex, LexicalRow
from knowledge.screening import ScreeningFinding, passage_hash, screen
from knowledge.sections import ParsedDocument
from knowledge.sentence_vectors import KnownVectorsEmbedder, sentence_rows
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
    flagged: int = 0  # sections held back as possible prompt injection


class IngestOutcome(BaseModel):
    """What happened to one document."""

    key: str
    status: str  # "added" | "updated" | "unchanged"
    sections: int
    flagged: int = 0  # sections held back as possible prompt injection (`knowledge flagged`)


class FlaggedPassageInfo(BaseModel):
    """One passage held back by ingest-time screening, as `knowledge flagged` lists it."""

    citation_id: str
    document: str
    source_id: str
    title: str
    locator: str
    rules: list[str]
    excerpt: str
    flagged_at: str


# Documents from these origins are screened for instructions aimed at an AI; the built-in packs are ours.
SCREENED_ORIGINS = frozenset({"file"})


def vector_metadata(fields: dict[str, Any]) -> dict[str, Any]:
    """The Chroma metadata of a chunk, from its row fields (generation key, ids, kind, access)."""
    meta: dict[str, Any] = {
        "doc_id": fields["document_id"],
        "generation": fields["generation"],
        "gen_key": f"{fields['document_id']}@{fields['generation']}",
        "citation_id": fields["citation_id"],
        "source_id": fields["source_id"],
        "kind": fields["kind"],
        "visibility": fields["visibility"],
    }
    meta.update({group_key(g): True for g in fields["groups"]})
    return meta


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
        self.embedder = embedder  # see the property below
        self.cache_dir = cache_dir
        self._lexical: tuple[str, LexicalIndex] | None = None
        self._dense: tuple[str, ExactVectors] | None = None
        self._lock = threading.Lock()
        # Searches read the exact snapshot of the current revision (see knowledge/vectors.py).
        self.vectors.snapshot = self.dense

    @property
    def embedder(self) -> Embedder:
        """The embedder answers and searches use: the one the index was built with (`encoder`), reading
        the vectors of passage sentences stored at ingestion instead of encoding them again."""
        return self._reader

    @embedder.setter
    def embedder(self, encoder: Embedder) -> None:
        self.encoder = encoder
        self._reader = KnownVectorsEmbedder(encoder, self.db)

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
        on_sentences_planned: ProgressCallback | None = None,
    ) -> IngestOutcome:
        """Index `document` under `key`; unchanged content (same digest) is left alone. Progress: `on_planned`
        gets the number of sections to embed, `on_sentences_planned` the number of their sentences not
        stored yet, and `on_chunks` each batch of either as it is embedded."""
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

        all_drafts = chunk_document(document)
        findings = self._screen(all_drafts) if origin in SCREENED_ORIGINS else {}
        rows: list[Chunk] = []
        metadatas: list[dict[str, Any]] = []
        keys: list[str] = []
        drafts: list[ChunkDraft] = []
        kept: list[dict[str, Any]] = []
        flagged: list[FlaggedPassage] = []
        for ordinal, draft in enumerate(all_drafts):
            section = draft.section
            chunk_key = f"{doc_id}-g{generation}-{ordinal}-w{draft.window}"
            fields: dict[str, Any] = {
                "document_id": doc_id,
                "generation": generation,
                "chunk_key": chunk_key,
                "ordinal": ordinal,
                "window_index": draft.window,
                "citation_id": section.citation_id,
                "anchor": section.citation_id.split(":", 1)[-1],
                "source_id": document.source_id,
                "locator": section.locator,
                "title": section.title,
                "parents": section.parents,
                "parent_id": section.parent_id,
                "level": section.level.value,
                "kind": document.kind.value,
                "visibility": visibility.value,
                "groups": groups,
                "text": section.text,
            }
            found = findings.get(section.citation_id)
            if found:
                # Held back: stored with what a release needs, never embedded or searchable.
                flagged.append(
                    FlaggedPassage(
                        document_id=doc_id,
                        generation=generation,
                        chunk_key=chunk_key,
                        citation_id=section.citation_id,
                        text_hash=passage_hash(section.text),
                        rules=[f.rule.value for f in found],
                        excerpt=found[0].excerpt,
                        chunk=fields,
                        index_text=draft.index_text,
                        flagged_at=datetime.now().astimezone(),
                    )
                )
                continue
            drafts.append(draft)
            keys.append(chunk_key)
            rows.append(Chunk(**fields))
            kept.append(fields)
            metadatas.append(vector_metadata(fields))
        if on_planned:
            on_planned(len(drafts))

        # Embed in order of length, as the raw embedder does over a whole corpus: batches of similar
        # length waste little on padding. Storage order does not matter.
        order = sorted(range(len(drafts)), key=lambda i: len(drafts[i].index_text))
        for start in range(0, len(order), EMBED_BATCH * 4):
            batch = order[start : start + EMBED_BATCH * 4]
            vectors = self.encoder.embed([drafts[i].index_text for i in batch])
            self.vectors.add([keys[i] for i in batch], vectors, [metadatas[i] for i in batch])
            if on_chunks:
                on_chunks(len(batch))

        # The sentences answers compare with a question, embedded now rather than on every question.
        sentences = sentence_rows(
            db=self.db,
            embedder=self.encoder,
            document_id=doc_id,
            generation=generation,
            passages=kept,
            on_planned=on_sentences_planned,
            on_embedded=on_chunks,
        )
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
                flagged=flagged,
                sentences=sentences,
            )
        # Old vectors are invisible from the commit above on; now reclaim them.
        self.vectors.delete_document(doc_id, keep_generation=generation)
        return IngestOutcome(
            key=key,
            status=status,
            sections=len({d.section.citation_id for d in drafts}),
            flagged=len({f.citation_id for f in flagged}),
        )

    def _screen(self, drafts: list[ChunkDraft]) -> dict[str, list[ScreeningFinding]]:
        """Citation id -> what screening found in that section, for sections to hold back: those whose
        text reads as an instruction to an AI, unless an administrator released that exact text."""
        texts = {d.section.citation_id: d.section.text for d in drafts}
        with self.db.session() as session:
            released = store.released_passages(session=session, citation_ids=list(texts))
        held: dict[str, list[ScreeningFinding]] = {}
        for citation_id, text in texts.items():
            found = screen(text)
            if found and (citation_id, passage_hash(text)) not in released:
                held[citation_id] = found
        return held

    def flagged(self) -> list[FlaggedPassageInfo]:
        """Passages held back by ingest-time screening, one per section (a long section's windows are one
        passage)."""
        with self.db.session() as session:
            rows = store.flagged_passages(session=session)
            keys = {d.id: d.key for d in store.list_documents(session=session)}
            seen: dict[str, FlaggedPassageInfo] = {}
            for row in rows:
                seen.setdefault(
                    row.citation_id,
                    FlaggedPassageInfo(
                        citation_id=row.citation_id,
                        document=keys.get(row.document_id, "?"),
                        source_id=str(row.chunk.get("source_id", "")),
                        title=str(row.chunk.get("title", "")),
                        locator=str(row.chunk.get("locator", "")),
                        rules=list(row.rules),
                        excerpt=row.excerpt,
                        flagged_at=row.flagged_at.strftime("%Y-%m-%d %H:%M"),
                    ),
                )
            return list(seen.values())

    def release(self, citation_id: str, *, released_by: str) -> FlaggedPassageInfo | None:
        """Index the held-back passage `citation_id` after all (an administrator read it and judged it
        safe); None when nothing is held back under that id. The release holds for this exact text, so
        re-ingesting the unchanged file keeps it indexed."""
        listed = next((p for p in self.flagged() if p.citation_id == citation_id), None)
        if listed is None:
            return None
        with self.db.session() as session:
            rows = store.flagged_passages(session=session, citation_id=citation_id)
            batch = [(row.chunk_key, row.index_text, dict(row.chunk)) for row in rows]
        # Vectors first: they stay invisible until the chunk rows below are committed.
        vectors = self.encoder.embed([text for _, text, _ in batch])
        self.vectors.add([key for key, _, _ in batch], vectors, [vector_metadata(f) for _, _, f in batch])
        sentences = [
            row
            for _, _, fields in batch
            for row in sentence_rows(
                db=self.db,
                embedder=self.encoder,
                document_id=fields["document_id"],
                generation=fields["generation"],
                passages=[fields],
            )
        ]
        with self.db.session() as session:
            rows = store.flagged_passages(session=session, citation_id=citation_id)
            store.release_passage(
                session=session,
                rows=rows,
                released_by=released_by,
                released_at=datetime.now().astimezone(),
                sentences=sentences,
            )
        return listed

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
        """Every document with its section count, held-back sections and dates."""
        with self.db.session() as session:
            flagged = store.flagged_counts(session=session)
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
                    flagged=flagged.get(d.id, 0),
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
            cache = self.cache_dir / f"lexical{CACHE_FORMAT}-{revision}.pickle"
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
                self._write_cache(cache, index, prefix=f"lexical{CACHE_FORMAT}")
                # The first layout's files go, but the current revision's: an older checkout may share it.
                with contextlib.suppress(OSError):
                    for legacy in self.cache_dir.glob("lexical-*.pickle"):
                        if legacy.name != f"lexical-{revision}.pickle":
                            legacy.unlink(missing_ok=True)
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

    def _write_cache(self, path: Path, index: LexicalIndex | ExactVectors, *, prefix: str) -> None:
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
