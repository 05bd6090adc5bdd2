"""The lexical index scores a query itself from bm25s's precomputed arrays: the same floats as bm25s, and
no bm25s (nor SciPy) imported to search a cached index."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import bm25s
import numpy as np
import pytest

from knowledge.access import Audience
from knowledge.lexical import LexicalIndex, LexicalRow, tokenize
from knowledge.packs import load_packs

ROOT = Path(__file__).resolve().parents[2]

QUERIES = [
    "Do we have to tell customers they are talking to a chatbot?",
    "maximum fine prohibited practice prohibited fine",  # a repeated token counts twice, as in bm25s
    "emotion recognition workplace",
    "bias audit automated employment decision tool",
    "zzzunknownword and another zzzunknown",  # no known token: every score zero
]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    packs = load_packs()
    return [f"{r.locator} {r.title} {r.summary}" for pack in packs[:6] for r in pack.records]


def _index(texts: list[str]) -> LexicalIndex:
    rows = [
        LexicalRow(key=f"k{i}", text=t, source_id="s", kind="regulation", visibility="public", groups=[])
        for i, t in enumerate(texts)
    ]
    return LexicalIndex(rows)


def test_scores_are_bm25s_scores_exactly(texts: list[str]) -> None:
    reference = bm25s.BM25()
    reference.index([tokenize(t) or ["_"] for t in texts], show_progress=False)
    index = _index(texts)
    for query in QUERIES:
        tokens = tokenize(query)
        ours = index.scores(tokens)
        known = [t for t in tokens if t in reference.vocab_dict]
        theirs = reference.get_scores(known) if known else np.zeros(len(texts), dtype=np.float32)
        assert ours.dtype == theirs.dtype
        assert np.array_equal(ours, theirs), query
    assert index.search("emotion recognition workplace", n=3, audience=Audience())


def test_an_empty_index_finds_nothing() -> None:
    assert LexicalIndex([]).search("anything at all", n=5, audience=Audience()) == []


def test_searching_a_pickled_index_imports_no_bm25s(texts: list[str], tmp_path: Path) -> None:
    path = tmp_path / "lexical.pickle"
    path.write_bytes(pickle.dumps(_index(texts[:50])))
    probe = (
        "import json, pickle, sys\n"
        "from knowledge.access import Audience\n"
        f"index = pickle.loads(open({str(path)!r}, 'rb').read())\n"
        "hits = index.search('prohibited practices', n=3, audience=Audience())\n"
        "print(json.dumps([len(hits), sorted({m.split('.')[0] for m in sys.modules})]))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=ROOT, check=True
    )
    found, modules = json.loads(out.stdout.strip().splitlines()[-1])
    assert found > 0
    assert not {"bm25s", "scipy"} & set(modules)
