"""The dense half of the index: a Chroma collection, local and persistent by default or a server, and
an exact in-memory snapshot of the searchable vectors that answers queries without Chroma.

Chroma stores the vectors; searches read the snapshot (`ExactVectors`, built from Chroma once per
knowledge revision and cached on disk by the index): an exact cosine search over the active chunks,
ties broken by chunk key, so the same knowledge ranks the same on every build, at 20,000 chunks in a few
milliseconds, and a cold command answers without importing chromadb at all.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from core.config import ConfigError, Settings

if TYPE_CHECKING:
    import chromadb

ADD_BATCH = 1000


def open_chroma_client(settings: Settings) -> chromadb.api.ClientAPI:
    """A Chroma client for `settings` with telemetry off: a server if CHROMA_HOST is set."""
    import chromadb

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
# Copies of matrix rows an exact snapshot keeps for repeated wheres, in whole matrices' worth.
SUBSET_COPIES = 2


def _hnsw_configuration() -> Any:
    from chromadb.api.collection_configuration import CreateCollectionConfiguration, CreateHNSWConfiguration

    hnsw = CreateHNSWConfiguration(space="cosine", ef_construction=200, ef_search=EF_SEARCH)
    return CreateCollectionConfiguration(hnsw=hnsw)


class VectorStore:
    """Vectors keyed by chunk key, with the metadata that filters them (access, generation, source)."""

    def __init__(
        self, client: chromadb.api.ClientAPI | Callable[[], chromadb.api.ClientAPI], collection: str
    ) -> None:
        # A callable client is opened on first use: a search served by the snapshot never opens Chroma.
        self._client = client
        self._name = collection
        self._collection: Any = None
        # Set by the index: the exact snapshot of the current revision, or None to ask Chroma.
        self.snapshot: Callable[[], ExactVectors | None] | None = None

    @property
    def collection(self) -> Any:
        """The Chroma collection, opened (and created if new) on first use."""
        if self._collection is None:
            from chromadb.api.collection_configuration import (
                UpdateCollectionConfiguration,
                UpdateHNSWConfiguration,
            )

            client = self._client() if callable(self._client) else self._client
            # embedding_function=None: we always pass vectors; Chroma's default embedder would download one.
            collection = client.get_or_create_collection(
                self._name, embedding_function=None, configuration=_hnsw_configuration()
            )
            # A collection made by an earlier version keeps its beam until told: it may change in place.
            current = (collection.configuration_json or {}).get("hnsw") or {}
            if current.get("ef_search") != EF_SEARCH:
                collection.modify(
                    configuration=UpdateCollectionConfiguration(
                        hnsw=UpdateHNSWConfiguration(ef_search=EF_SEARCH)
                    )
                )
            self._collection = collection
        return self._collection

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
        """The `n` nearest chunk keys passing `where`, with cosine similarity, best first: exact, from the
        snapshot, when the index provides one; else Chroma's HNSW search."""
        exact = self.snapshot() if self.snapshot is not None else None
        if exact is not None:
            return exact.query(vector, n=n, where=where)
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
        exact = self.snapshot() if self.snapshot is not None else None
        if exact is not None:
            found = exact.vectors(keys)
            missing = [key for key in keys if key not in found]
            return found if not missing else {**found, **self._stored_vectors(missing)}
        return self._stored_vectors(keys)

    def _stored_vectors(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
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

    def snapshot_of(self, gen_keys: Sequence[str]) -> ExactVectors:
        """Every stored vector of the generations `gen_keys`, with its metadata, as an exact snapshot."""
        keys: list[str] = []
        vectors: list[np.ndarray] = []
        metadatas: list[dict[str, Any]] = []
        for start in range(0, len(gen_keys), 100):  # bounded `$in` lists
            got = self.collection.get(
                where={"gen_key": {"$in": list(gen_keys[start : start + 100])}},
                include=["embeddings", "metadatas"],
            )
            keys += got["ids"]
            embeddings = got.get("embeddings")
            if embeddings is not None:
                vectors += [np.asarray(v, dtype=np.float32) for v in embeddings]
            metadatas += [dict(m or {}) for m in got.get("metadatas") or []]
        return ExactVectors(keys, vectors, metadatas)


class ExactVectors:
    """An exact cosine index over fixed vectors with their Chroma metadata.

    `query` evaluates the Chroma `where` clauses the index uses ($and, $or, $in, $nin, $eq, $ne and
    plain equality) with numpy, caching each clause's row mask (audience and filters repeat), and ranks
    by similarity, then chunk key: deterministic, and the same candidates Chroma's wide beam found.
    """

    def __init__(self, keys: list[str], vectors: list[np.ndarray], metadatas: list[dict[str, Any]]) -> None:
        order = sorted(range(len(keys)), key=keys.__getitem__)  # key order: ties resolve by key
        self.keys = [keys[i] for i in order]
        self.metadatas = [metadatas[i] for i in order]
        self.matrix = (
            np.vstack([vectors[i] for i in order]).astype(np.float32)
            if order
            else np.zeros((0, 0), dtype=np.float32)
        )
        self._row = {key: row for row, key in enumerate(self.keys)}
        self._masks: dict[str, np.ndarray] = {}
        self._subsets: OrderedDict[str, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._subsets_lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        return {"keys": self.keys, "metadatas": self.metadatas, "matrix": self.matrix}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.keys, self.metadatas, self.matrix = state["keys"], state["metadatas"], state["matrix"]
        self._row = {key: row for row, key in enumerate(self.keys)}
        self._masks = {}
        self._subsets = OrderedDict()
        self._subsets_lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.keys)

    def query(self, vector: np.ndarray, *, n: int, where: dict[str, Any]) -> list[tuple[str, float]]:
        """The `n` most similar keys passing `where`, best first; equal similarities in key order."""
        rows, matrix = self._rows(where)
        if not len(rows) or n <= 0:
            return []
        scores = matrix @ np.asarray(vector, dtype=np.float32)
        if len(rows) > n:
            # Everything scoring at least the n-th best score, so ties at the cut are decided by key.
            cut = np.partition(scores, len(scores) - n)[len(scores) - n]
            keep = scores >= cut
            rows, scores = rows[keep], scores[keep]
        # Rows are in key order, so a stable sort on -score breaks ties by key.
        best = np.argsort(-scores, kind="stable")[:n]
        return [(self.keys[rows[i]], float(scores[i])) for i in best]

    def _rows(self, where: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
        """The rows passing `where` and their vectors, kept for the wheres used lately (an audience and its
        filters repeat). Copying the rows out of the matrix took most of a query at 20,000 chunks. The
        vectors are scored as the same contiguous block every time: a matrix-vector product's float
        rounding depends on where a row sits in the block, so scoring the same rows out of a differently
        shaped block would not give the same scores to the bit."""
        cache_key = json.dumps(where, sort_keys=True, default=str)
        with self._subsets_lock:
            found = self._subsets.get(cache_key)
            if found is not None:
                self._subsets.move_to_end(cache_key)
                return found
        rows = np.flatnonzero(self._mask(where))
        matrix = self.matrix if len(rows) == len(self.keys) else self.matrix[rows]
        with self._subsets_lock:
            self._subsets[cache_key] = (rows, matrix)
            # At most SUBSET_COPIES matrices' worth of copied rows (the whole matrix is not a copy).
            budget = SUBSET_COPIES * len(self.keys)
            while len(self._subsets) > 1 and budget < sum(
                len(r) for r, m in self._subsets.values() if m is not self.matrix
            ):
                self._subsets.popitem(last=False)
        return rows, matrix

    def vectors(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """The vectors of those `keys` in the snapshot."""
        return {key: self.matrix[self._row[key]] for key in keys if key in self._row}

    def _mask(self, where: dict[str, Any]) -> np.ndarray:
        cache_key = json.dumps(where, sort_keys=True, default=str)
        mask = self._masks.get(cache_key)
        if mask is None:
            mask = self._evaluate(where)
            if len(self._masks) > 256:
                self._masks.clear()
            self._masks[cache_key] = mask
        return mask

    def _evaluate(self, where: dict[str, Any]) -> np.ndarray:
        mask = np.ones(len(self.keys), dtype=bool)
        for field, condition in where.items():
            if field == "$and":
                for clause in condition:
                    mask &= self._mask(clause)
            elif field == "$or":
                either = np.zeros(len(self.keys), dtype=bool)
                for clause in condition:
                    either |= self._mask(clause)
                mask &= either
            else:
                mask &= self._field(field, condition)
        return mask

    def _field(self, field: str, condition: Any) -> np.ndarray:
        values = [meta.get(field, _MISSING) for meta in self.metadatas]
        if not isinstance(condition, dict):
            condition = {"$eq": condition}
        ((operator, operand),) = condition.items()
        # A record without the field never matches a condition on it.
        if operator == "$eq":
            hits = (v is not _MISSING and v == operand for v in values)
        elif operator == "$ne":
            hits = (v is not _MISSING and v != operand for v in values)
        elif operator == "$in":
            allowed = set(operand)
            hits = (v is not _MISSING and v in allowed for v in values)
        elif operator == "$nin":
            banned = set(operand)
            hits = (v is not _MISSING and v not in banned for v in values)
        else:
            raise ValueError(f"unsupported where operator {operator!r} on {field!r}")
        return np.fromiter(hits, dtype=bool, count=len(values))


_MISSING = object()
