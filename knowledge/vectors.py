"""The dense half of the index: a Chroma collection, local and persistent by default or a server."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import chromadb
import numpy as np
from chromadb.api.collection_configuration import (
    CreateCollectionConfiguration,
    CreateHNSWConfiguration,
    UpdateCollectionConfiguration,
    UpdateHNSWConfiguration,
)

from core.config import ConfigError, Settings

ADD_BATCH = 1000


def open_chroma_client(settings: Settings) -> chromadb.api.ClientAPI:
    """A Chroma client for `settings` with telemetry off: a server if CHROMA_HOST is set."""
    chroma_settings = chromadb.Settings(anonymized_telemetry=False)
    if settings.chroma_host:
        try:
            return chromadb.HttpClient(
                host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
            )
        except Exception as exc:  # chromadb raises assorted errors for an unreachable server
            raise ConfigError(f"Chroma server {settings.chroma_host}:{settings.chroma_port}: {exc}") from exc
    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)


# A wide search beam: at our sizes (up to ~50k chunks) the search is then effectively exact, so the same
# knowledge ranks the same on every build. With Chroma's default beam, two builds of the same chunks (whose
# graphs differ) missed different borderline neighbours under a metadata filter.
EF_SEARCH = 1000
HNSW = CreateHNSWConfiguration(space="cosine", ef_construction=200, ef_search=EF_SEARCH)


class VectorStore:
    """Vectors keyed by chunk key, with the metadata that filters them (access, generation, source)."""

    def __init__(self, client: chromadb.api.ClientAPI, collection: str) -> None:
        # embedding_function=None: we always pass vectors; Chroma's default embedder would download a model.
        self.collection = client.get_or_create_collection(
            collection, embedding_function=None, configuration=CreateCollectionConfiguration(hnsw=HNSW)
        )
        # A collection made by an earlier version keeps its beam until told: the beam may change in place.
        current = (self.collection.configuration_json or {}).get("hnsw") or {}
        if current.get("ef_search") != EF_SEARCH:
            self.collection.modify(
                configuration=UpdateCollectionConfiguration(hnsw=UpdateHNSWConfiguration(ef_search=EF_SEARCH))
            )

    def add(self, keys: Sequence[str], vectors: np.ndarray, metadatas: Sequence[dict[str, Any]]) -> None:
        """Store `vectors` under `keys` (re-adding a key replaces it)."""
        for start in range(0, len(keys), ADD_BATCH):
            end = start + ADD_BATCH
            self.collection.upsert(
                ids=list(keys[start:end]),
                embeddings=vectors[start:end],
                metadatas=list(metadatas[start:end]),  # type: ignore[arg-type]
            )

    def delete_document(self, document_id: int, *, keep_generation: int | None = None) -> None:
        """Remove a document's vectors, except those of `keep_generation`."""
        where: dict[str, Any] = {"doc_id": document_id}
        if keep_generation is not None:
            where = {"$and": [where, {"generation": {"$ne": keep_generation}}]}
        self.collection.delete(where=where)

    def query(self, vector: np.ndarray, *, n: int, where: dict[str, Any]) -> list[tuple[str, float]]:
        """The `n` nearest chunk keys passing `where`, with cosine similarity, best first."""
        result = self.collection.query(
            query_embeddings=[vector], n_results=n, where=where, include=["distances"]
        )
        ids = result["ids"][0]
        distances = (result.get("distances") or [[]])[0]
        return [(key, 1.0 - float(d)) for key, d in zip(ids, distances, strict=True)]

    def vectors(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored vectors of `keys` (missing keys are absent)."""
        if not keys:
            return {}
        got = self.collection.get(ids=list(keys), include=["embeddings"])
        embeddings = got.get("embeddings")
        if embeddings is None:
            return {}
        return {
            key: np.asarray(vec, dtype=np.float32) for key, vec in zip(got["ids"], embeddings, strict=True)
        }

    def count(self) -> int:
        """How many vectors are stored (all generations)."""
        return self.collection.count()
