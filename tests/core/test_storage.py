"""Migrations and the knowledge tables on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import inspect

from core.db import Database, create_db_engine, migrate
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
