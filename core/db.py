"""Engine, sessions and migrations. Nothing is built at import time."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from core.config import ConfigError, Settings

if TYPE_CHECKING:
    from alembic.config import Config

    from core.models import Base

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def create_db_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets foreign keys, WAL and a busy timeout for concurrent processes."""
    sa_url = make_url(url)
    if sa_url.get_backend_name() == "sqlite":
        if sa_url.database:
            Path(sa_url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config(engine: Engine) -> Config:
    """Alembic configuration pointing at our migrations and bound to `engine`."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the schema to the latest migration (idempotent).

    A database already at the head is recognised with one query, without importing alembic: every
    command opens the database, and alembic's import and environment cost a cold command ~0.3 s."""
    if _at_head(engine):
        return
    from alembic import command

    command.upgrade(alembic_config(engine), "head")


_REVISION = re.compile(r"^revision(?:\s*:\s*str)?\s*=\s*['\"]([^'\"]+)['\"]\s*$", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision(?:\s*:[^=]+)?\s*=\s*(.+?)\s*$", re.MULTILINE)
_QUOTED = re.compile(r"['\"]([^'\"]+)['\"]")


def head_revision() -> str | None:
    """The head of our migration chain, read from the migration files; None when they are anything but
    a plain chain with one head (a merge, an unusual layout), so that alembic decides instead."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        revision, down = _REVISION.search(source), _DOWN_REVISION.search(source)
        if revision is None or down is None:
            return None
        revisions.add(revision.group(1))
        if down.group(1) == "None":
            continue
        parent = _QUOTED.fullmatch(down.group(1))
        if parent is None:
            return None
        parents.add(parent.group(1))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def _at_head(engine: Engine) -> bool:
    head = head_revision()
    if head is None:
        return False
    try:
        with engine.connect() as connection:
            stamped = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except SQLAlchemyError:
        return False  # no version table yet: a new database
    return list(stamped) == [head]


class Database:
    """The application's database: an engine, a session factory, migrated on open."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, settings: Settings) -> Database:
        """Connect and migrate, or raise ConfigError with a one-line reason."""
        settings.ensure_home()
        engine = create_db_engine(settings.sqlalchemy_url)
        try:
            migrate(engine)
        except SQLAlchemyError as exc:
            where = engine.url.render_as_string(hide_password=True)
            raise ConfigError(f"database {where}: {getattr(exc, 'orig', None) or exc}") from exc
        return cls(engine)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success and rolled back on error."""
        with self.sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def close(self) -> None:
        """Release connections."""
        self.engine.dispose()


def insert_or_ignore(session: Session, model: type[Base], values: dict[str, Any]) -> Any | None:
    """Insert one row unless it would break a unique constraint (`INSERT ... ON CONFLICT DO NOTHING`);
    the new row's primary key, or None when a row already held the unique values.

    Safe between processes: the database decides, so two writers racing for the same unique values
    end with one row and no exception.
    """
    dialect = session.get_bind().dialect.name
    primary_key = inspect(model).primary_key[0]
    if dialect == "sqlite":
        stmt: Any = sqlite_insert(model).values(values).on_conflict_do_nothing()
    elif dialect == "postgresql":
        stmt = postgresql_insert(model).values(values).on_conflict_do_nothing()
    else:
        raise ValueError(f"unsupported database {dialect!r}: govassist runs on SQLite and PostgreSQL")
    return session.execute(stmt.returning(primary_key)).scalar_one_or_none()
