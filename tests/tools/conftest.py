"""Fixtures the tools tests share: the knowledge basis triage reads and a migrated database per backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.config import Settings
from core.db import Database
from tools.inventory import KnowledgeBasis, current_knowledge


@pytest.fixture(scope="module")
def knowledge() -> KnowledgeBasis:
    """The knowledge packs as they are on disk."""
    return current_knowledge()


@pytest.fixture
def db(database_url: str, tmp_path: Path) -> Iterator[Database]:
    """A database on SQLite or PostgreSQL (see `database_url`), migrated, closed afterwards."""
    database = Database.open(Settings(home=tmp_path / "home", database_url=database_url))
    yield database
    database.close()
