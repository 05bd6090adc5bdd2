"""Migrations and the knowledge tables on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, inspect, text
from sqlalchemy.orm import Session

from core.db import Database, alembic_config, create_db_engine, migrate
from knowledge import store


def test_migrations_create_the_schema_and_are_idempotent(database_url: str) -> None:
    engine = create_db_engine(database_url)
    migrate(engine)
    migrate(engine)
    tables = set(inspect(engine).get_table_names())
    assert {"documents", "chunks", "meta", "alembic_version"} <= tables
    engine.dispose()


def test_meta_and_revision_round_trip(make_settings, database_url: str) -> None:  # type: ignore[no-untyped-def]
    db = Database.open(make_settings(database_url=database_url))
    with db.session() as session:
        assert store.get_meta(session=session, key=store.REVISION_KEY) is None
        store.bump_revision(session=session)
    with db.session() as session:
        store.bump_revision(session=session)
    with db.session() as session:
        assert store.get_meta(session=session, key=store.REVISION_KEY) == "2"
        store.set_meta(session=session, key="k", value="v")
    with db.session() as session:
        assert store.get_meta(session=session, key="k") == "v"
    db.close()


def test_claim_meta_keeps_the_first_writers_value_when_two_openers_race(  # type: ignore[no-untyped-def]
    make_settings, database_url: str
) -> None:
    # Two processes opening one new index together both found no embedder recorded and both inserted it;
    # the second died on the primary key (tests/slack/test_scale_out.py saw it). Now the insert is
    # ON CONFLICT DO NOTHING and every opener reads back the value that won.
    first, second = (Database.open(make_settings(database_url=database_url)) for _ in range(2))
    with first.session() as a:
        assert store.claim_meta(session=a, key="embedder", value="minilm") == "minilm"
    with second.session() as b:
        assert store.claim_meta(session=b, key="embedder", value="hashing") == "minilm"
    with first.session() as a:
        assert store.get_meta(session=a, key="embedder") == "minilm"
    first.close()
    second.close()


def test_the_migrations_build_exactly_the_schema_the_models_describe(database_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from core.models import Base

    engine = create_db_engine(database_url)
    migrate(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == [], f"models and migrations disagree; add a migration: {differences}"


def test_the_fast_head_check_agrees_with_alembic(database_url: str) -> None:
    from alembic.script import ScriptDirectory

    from core.db import _at_head, alembic_config, head_revision

    engine = create_db_engine(database_url)
    # The migration files read without alembic name the head alembic itself finds.
    assert head_revision() == ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    assert not _at_head(engine)  # a new database: alembic must run
    migrate(engine)
    assert _at_head(engine)  # now every later open skips alembic
    engine.dispose()


def _insert(conn: Connection, table: str, **values: object) -> None:
    """A row written with plain SQL, as the schema of an older migration has it."""
    names = ", ".join(values)
    conn.execute(text(f"INSERT INTO {table} ({names}) VALUES ({', '.join(':' + n for n in values)})"), values)


def _json(value: object) -> dict[str, Any]:
    """A JSON column's value read with plain SQL: a dict on PostgreSQL, a string on SQLite."""
    found = json.loads(value) if isinstance(value, str) else value
    assert isinstance(found, dict)
    return found


def test_migration_0008_fills_window_index_from_the_keys_and_downgrades(database_url: str) -> None:
    """Chunks stored before 0008 get their window from the key's `-w<n>`; a held-back passage's stored
    chunk row gets it too, so releasing it later still builds a valid row; the downgrade removes both."""
    from alembic import command

    engine = create_db_engine(database_url)
    config = alembic_config(engine)
    command.upgrade(config, "0007")
    now = datetime(2026, 12, 1, tzinfo=UTC)
    section = {"document_id": 1, "generation": 1, "source_id": "demo", "locator": "l", "title": "T",
               "parents": "[]", "level": "section", "kind": "policy", "visibility": "public", "groups": "[]",
               "text": "text"}  # fmt: skip
    with engine.begin() as conn:
        _insert(conn, "documents", id=1, key="demo", source_id="demo", kind="policy", origin="file",
                title="D", content_hash="h", visibility="public", groups="[]", active_generation=1,
                chunk_count=4, ingested_at=now)  # fmt: skip
        for ordinal, key in enumerate(["1-g1-0-w0", "1-g1-1-w0", "1-g1-1-w1", "1-g1-12-w12"]):
            number = key.split("-")[2]
            _insert(conn, "chunks", chunk_key=key, ordinal=ordinal, citation_id=f"demo:s{number}",
                    anchor=f"s{number}", **section)  # fmt: skip
        for key, number in (("1-g1-2-w3", "2"), ("1-g1-3-w0", "3")):
            row = {**section, "parents": [], "groups": [], "chunk_key": key, "ordinal": int(number),
                   "citation_id": f"demo:s{number}", "anchor": f"s{number}", "parent_id": None}  # fmt: skip
            _insert(conn, "flagged_passages", document_id=1, generation=1, chunk_key=key,
                    citation_id=f"demo:s{number}", text_hash="h", rules="[]", excerpt="e",
                    chunk=json.dumps(row), index_text="i", flagged_at=now)  # fmt: skip

    command.upgrade(config, "head")
    with engine.connect() as conn:
        windows: dict[str, int] = dict(
            conn.execute(text("SELECT chunk_key, window_index FROM chunks")).tuples().all()
        )
        held = {k: _json(c) for k, c in conn.execute(text("SELECT chunk_key, chunk FROM flagged_passages"))}
    assert windows == {"1-g1-0-w0": 0, "1-g1-1-w0": 0, "1-g1-1-w1": 1, "1-g1-12-w12": 12}
    assert {key: row["window_index"] for key, row in held.items()} == {"1-g1-2-w3": 3, "1-g1-3-w0": 0}
    with Session(engine) as session:
        # The "first window only" queries read the column.
        by_anchor = store.chunks_by_anchor(session=session, anchors=["s1", "s12"])
        assert [c.chunk_key for c in by_anchor] == ["1-g1-1-w0"]
        firsts = store.first_window_chunks(session=session, citation_ids=["demo:s1", "demo:s12"])
        assert [c.chunk_key for c in firsts] == ["1-g1-1-w0"]
        # A passage held back before 0008 is released into a complete chunk row.
        rows = store.flagged_passages(session=session, citation_id="demo:s2")
        store.release_passage(session=session, rows=rows, released_by="admin", released_at=now)
        session.commit()
        assert store.chunks_by_key(session=session, keys=["1-g1-2-w3"])["1-g1-2-w3"].window_index == 3

    command.downgrade(config, "0007")
    assert "window_index" not in {c["name"] for c in inspect(engine).get_columns("chunks")}
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM chunks")).scalar_one() == 5
        still_held = _json(conn.execute(text("SELECT chunk FROM flagged_passages")).scalar_one())
    assert "window_index" not in still_held and still_held["chunk_key"] == "1-g1-3-w0"
    command.upgrade(config, "head")
    with engine.connect() as conn:
        released = text("SELECT window_index FROM chunks WHERE chunk_key = '1-g1-2-w3'")
        assert conn.execute(released).scalar_one() == 3
    engine.dispose()


def test_migration_0009_adds_the_sentence_vectors_and_downgrades(database_url: str) -> None:
    """An index from before 0009 keeps its documents and gets an empty `sentence_vectors` table (answers
    encode the sentences, as before, until a document is ingested again); the downgrade drops it."""
    from alembic import command

    engine = create_db_engine(database_url)
    config = alembic_config(engine)
    command.upgrade(config, "0008")
    now = datetime(2026, 12, 7, tzinfo=UTC)
    with engine.begin() as conn:
        _insert(conn, "documents", id=1, key="demo", source_id="demo", kind="policy", origin="file",
                title="D", content_hash="h", visibility="public", groups="[]", active_generation=1,
                chunk_count=0, ingested_at=now)  # fmt: skip
    assert "sentence_vectors" not in inspect(engine).get_table_names()
    command.upgrade(config, "head")
    assert "sentence_vectors" in inspect(engine).get_table_names()
    with engine.begin() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM sentence_vectors")).scalar_one() == 0
        _insert(conn, "sentence_vectors", document_id=1, generation=1, embedder="e", text_hash="a" * 64,
                vector=b"\x00" * 16)  # fmt: skip
    with Session(engine) as session:
        assert store.sentence_vectors(session=session, embedder="e", text_hashes=["a" * 64, "b" * 64]) == {
            "a" * 64: b"\x00" * 16
        }
        assert store.sentence_vectors(session=session, embedder="other", text_hashes=["a" * 64]) == {}
    command.downgrade(config, "0008")
    assert "sentence_vectors" not in inspect(engine).get_table_names()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM documents")).scalar_one() == 1
    engine.dispose()
