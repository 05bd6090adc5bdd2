"""A cold `govassist ask` that finds the knowledge current writes nothing to the knowledge: no vector,
no cache file, no document, chunk or meta row changes; only the turn itself (thread, audit) is recorded,
as every ask is.

Chroma itself touches its files whenever a client opens and queries (its SQLite change counter, the HNSW
segment files rewritten with the same vectors), so for Chroma the test compares what it stores (the
embeddings and their metadata), not file times."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[2]


def _ask(home: Path, question: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "GOVASSIST_HOME": str(home),
        "GOVASSIST_EMBEDDER": "hashing",
    }
    return subprocess.run(
        [sys.executable, "-m", "integrations.cli", "ask", "--json", question],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )


def _files(directory: Path) -> dict[str, tuple[int, int]]:
    return {
        str(path.relative_to(directory)): (path.stat().st_mtime_ns, path.stat().st_size)
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def _knowledge_rows(home: Path) -> dict[str, list[tuple[object, ...]]]:
    engine = create_engine(f"sqlite:///{home / 'govassist.db'}")
    with engine.connect() as connection:
        rows = {
            table: [tuple(row) for row in connection.execute(text(f"SELECT * FROM {table} ORDER BY 1"))]
            for table in ("documents", "chunks", "meta")
        }
    engine.dispose()
    return rows


def _chroma_rows(home: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(f"file:{home / 'chroma' / 'chroma.sqlite3'}?mode=ro", uri=True) as connection:
        return connection.execute(
            "SELECT e.embedding_id, m.key, m.string_value, m.int_value FROM embeddings e "
            "JOIN embedding_metadata m ON m.id = e.id ORDER BY e.embedding_id, m.key"
        ).fetchall()


def test_a_cold_ask_on_current_knowledge_writes_nothing_to_it(tmp_path: Path) -> None:
    home = tmp_path / "home"
    first = _ask(home, "Do we have to tell customers they are talking to a chatbot?")  # indexes the packs
    assert '"grounded"' in first.stdout
    chroma, cache = _chroma_rows(home), _files(home / "cache")
    rows = _knowledge_rows(home)
    assert chroma and cache and rows["chunks"]

    again = _ask(home, "What is the maximum fine for using a prohibited AI practice?")
    assert '"citations"' in again.stdout
    assert "Indexing built-in knowledge pack" not in again.stderr
    assert _chroma_rows(home) == chroma
    assert _files(home / "cache") == cache
    assert _knowledge_rows(home) == rows
