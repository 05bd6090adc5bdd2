"""The exact snapshot answers as Chroma's wide-beam search does, deterministically, without Chroma."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.config import Settings
from knowledge.vectors import ExactVectors, VectorStore, open_chroma_client


def _unit(rng: np.random.Generator, n: int) -> np.ndarray:
    v = rng.standard_normal((n, 384)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.fixture
def store(tmp_path: Path) -> VectorStore:
    rng = np.random.default_rng(3)
    vectors = VectorStore(open_chroma_client(Settings(home=tmp_path)), "exact")
    keys = [f"{doc}-g1-{i}-w0" for doc in range(1, 5) for i in range(150)]
    metadatas = [
        {
            "gen_key": f"{key.split('-')[0]}@1",
            "source_id": f"source-{int(key.split('-')[0]) % 2}",
            "kind": "policy",
            "visibility": ["public", "internal", "restricted"][i % 3],
            **({"grp_legal": True} if i % 3 == 2 else {}),
        }
        for i, key in enumerate(keys)
    ]
    vectors.add(keys, _unit(rng, len(keys)), metadatas)
    return vectors


WHERES = [
    {"$and": [{"gen_key": {"$in": ["1@1", "2@1", "3@1"]}}, {"visibility": "public"}]},
    {
        "$and": [
            {"gen_key": {"$in": ["1@1", "2@1", "3@1", "4@1"]}},
            {"$or": [{"visibility": {"$in": ["public", "internal"]}}, {"grp_legal": True}]},
            {"source_id": {"$in": ["source-1"]}},
        ]
    },
    {"$and": [{"gen_key": {"$in": ["4@1"]}}, {"visibility": {"$in": ["public", "internal"]}}]},
]


def test_exact_search_finds_what_chroma_finds(store: VectorStore) -> None:
    exact = store.snapshot_of(["1@1", "2@1", "3@1", "4@1"])
    assert len(exact) == 600
    rng = np.random.default_rng(11)
    for where in WHERES:
        for query in _unit(rng, 5):
            chroma = store.query(query, n=20, where=where)  # no snapshot attached: Chroma's search
            ours = exact.query(query, n=20, where=where)
            assert [k for k, _ in ours] == [k for k, _ in chroma]
            assert np.allclose([s for _, s in ours], [s for _, s in chroma], atol=1e-5)


def test_the_index_serves_searches_from_the_snapshot(store: VectorStore) -> None:
    exact = store.snapshot_of(["1@1", "2@1"])
    store.snapshot = lambda: exact
    query = _unit(np.random.default_rng(5), 1)[0]
    where = {"gen_key": {"$in": ["1@1", "2@1", "3@1"]}}
    # Only the snapshot's generations can come back: the query did not reach Chroma.
    assert {k.split("-")[0] for k, _ in store.query(query, n=50, where=where)} <= {"1", "2"}
    some = ["1-g1-0-w0", "3-g1-0-w0"]
    got = store.vectors(some)  # a key outside the snapshot is read from Chroma
    assert set(got) == set(some)


def test_equal_similarities_rank_by_key_and_survive_the_cut() -> None:
    same = np.zeros(384, dtype=np.float32)
    same[0] = 1.0
    other = np.zeros(384, dtype=np.float32)
    other[1] = 1.0
    keys = ["k-3", "k-1", "k-2", "k-0", "z-far"]
    metas = [{"gen_key": "1@1"}] * 5
    exact = ExactVectors(keys, [same, same, same, same, other], metas)
    assert [k for k, _ in exact.query(same, n=2, where={"gen_key": {"$in": ["1@1"]}})] == ["k-0", "k-1"]
    assert exact.query(same, n=3, where={"gen_key": {"$in": ["2@1"]}}) == []
    with pytest.raises(ValueError, match="unsupported"):
        exact.query(same, n=1, where={"gen_key": {"$gt": 1}})


def test_repeated_wheres_score_the_same_rows_the_same_way() -> None:
    # The rows a where passes are kept between queries (copying them out took most of a query at 20,000
    # chunks); the scores and order must be those of a fresh snapshot, to the bit.
    rng = np.random.default_rng(3)
    keys_at = range(997)
    keys = [f"doc:{i:04d}" for i in keys_at]
    vectors = list(rng.standard_normal((len(keys), 384)).astype(np.float32))
    metadatas = [{"visibility": "public" if i % 3 == 0 else "internal", "kind": "policy"} for i in keys_at]
    wheres = [{"visibility": "public"}, {"kind": "policy"}, {"visibility": {"$in": ["internal"]}}]
    queries = rng.standard_normal((6, 384)).astype(np.float32)
    kept = ExactVectors(keys, vectors, metadatas)
    for _ in range(2):
        for where in wheres:
            for vector in queries:
                fresh = ExactVectors(keys, vectors, metadatas)
                assert kept.query(vector, n=40, where=where) == fresh.query(vector, n=40, where=where)
