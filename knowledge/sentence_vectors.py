"""Sentence vectors kept with the chunks: the texts an answer compares with a question (a passage's
sentences, `knowledge.statements.compared_texts`) are embedded once, when their document is ingested, and
stored in `sentence_vectors` by the sha256 of the text; answering then reads them instead of encoding them.

A text's vector does not depend on the texts batched with it (tests/knowledge/test_onnx_embedder.py), so a
stored vector is the vector encoding the text at question time would give, to the bit, and answers do not
change. A text not stored (an index built before the table existed, a text no passage holds, another
embedder) is encoded as before.

Access: the store is looked up only by the hashes of texts the caller already holds, the sentences of
passages retrieval has handed out after its access checks; it never lists texts, and the vector it returns
is the one the caller could compute from the text it gave. A restricted document's rows therefore tell no
reader anything it did not have. Rows belong to their document's generation and are deleted with its
chunks (a new version, `knowledge remove`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from core.db import Database
from core.models import SentenceVector
from knowledge import store
from knowledge.embedder import Embedder, VectorMemo
from knowledge.statements import compared_texts

# Texts embedded per call at ingestion (the embedder batches them by length within a call).
EMBED_BATCH = 256


def text_hash(text: str) -> str:
    """The key of a text's vector: the sha256 of its UTF-8 bytes, in hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def vector_key(embedder: Embedder) -> str:
    """Which vectors an embedder gives, as stored beside them: the embedder's own `vector_key` when it has
    one (the ONNX MiniLM names its graph and runtime, whose arithmetic fixes the bits), else its class and
    name. Vectors under another key are never used."""
    key = getattr(embedder, "vector_key", None) or f"{type(embedder).__name__}:{embedder.name}"
    return str(key)[:64]


def _to_bytes(vector: np.ndarray) -> bytes:
    return np.ascontiguousarray(vector, dtype="<f4").tobytes()


def _from_bytes(data: bytes, dimension: int) -> np.ndarray | None:
    if len(data) != dimension * 4:
        return None  # not a vector of this embedder's size: encode the text instead
    return np.frombuffer(data, dtype="<f4").astype(np.float32)


def sentence_rows(
    *,
    db: Database,
    embedder: Embedder,
    document_id: int,
    generation: int,
    passages: Sequence[dict[str, Any]],
    on_planned: Callable[[int], None] | None = None,
    on_embedded: Callable[[int], None] | None = None,
) -> list[SentenceVector]:
    """The sentence-vector rows of `passages` (chunk fields: text, locator, title, kind) for one generation
    of a document: vectors already stored for the same text and embedder are reused (a new version of a
    document mostly repeats the old one), the rest are embedded, shortest first."""
    texts = list(
        dict.fromkeys(
            t
            for fields in passages
            for t in compared_texts(
                fields["text"], locator=fields["locator"], title=fields["title"], kind=fields["kind"]
            )
        )
    )
    if not texts:
        return []
    key = vector_key(embedder)
    hashes = {t: text_hash(t) for t in texts}
    with db.session() as session:
        stored = store.sentence_vectors(session=session, embedder=key, text_hashes=list(hashes.values()))
    vectors = {t: stored[hashes[t]] for t in texts if hashes[t] in stored}
    missing = sorted((t for t in texts if t not in vectors), key=len)
    # The sentences join the ingestion's progress: they take longer to embed than the sections.
    if on_planned and missing:
        on_planned(len(missing))
    for start in range(0, len(missing), EMBED_BATCH):
        batch = missing[start : start + EMBED_BATCH]
        for text, vector in zip(batch, embedder.embed(batch), strict=True):
            vectors[text] = _to_bytes(vector)
        if on_embedded:
            on_embedded(len(batch))
    return [
        SentenceVector(
            document_id=document_id,
            generation=generation,
            embedder=key,
            text_hash=hashes[t],
            vector=vectors[t],
        )
        for t in texts
    ]


class KnownVectorsEmbedder:
    """An index's embedder as answering uses it: a short list's texts are read from the sentence vectors
    stored at ingestion where they are there, and encoded by `encoder` where not; both kept in memory by
    text. Long lists (ingestion's) go straight to `encoder`."""

    def __init__(self, encoder: Embedder, db: Database) -> None:
        self.encoder = encoder
        self.db = db
        self.name = encoder.name
        self.dimension = encoder.dimension
        self.key = vector_key(encoder)
        self._memo = VectorMemo()

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed `texts`: the vectors `encoder` gives them, bit for bit."""
        return self._memo.embed(texts, self._stored_or_encoded, direct=self.encoder.embed)

    def _stored_or_encoded(self, texts: list[str]) -> np.ndarray:
        found = self._stored(texts)
        rest = [text for text in texts if text not in found]
        if rest:
            found.update(zip(rest, self.encoder.embed(rest), strict=True))
        return np.stack([found[text] for text in texts])

    def _stored(self, texts: list[str]) -> dict[str, np.ndarray]:
        hashes = {text: text_hash(text) for text in texts}
        with self.db.session() as session:
            stored = store.sentence_vectors(
                session=session, embedder=self.key, text_hashes=list(hashes.values())
            )
        found: dict[str, np.ndarray] = {}
        for text, digest in hashes.items():
            if digest in stored and (vector := _from_bytes(stored[digest], self.dimension)) is not None:
                found[text] = vector
        return found
