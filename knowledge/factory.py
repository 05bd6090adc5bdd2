"""Builds a ready knowledge index from settings."""

from __future__ import annotations

from functools import partial

from core.config import ConfigError, Settings
from core.db import Database
from knowledge import store
from knowledge.embedder import get_embedder
from knowledge.index import KnowledgeIndex
from knowledge.vectors import VectorStore, open_chroma_client

EMBEDDER_KEY = "embedder"


def open_index(settings: Settings, *, db: Database | None = None) -> KnowledgeIndex:
    """A knowledge index over the configured database and Chroma, with the configured embedder."""
    database = db or Database.open(settings)
    with database.session() as session:
        # Vectors of two embedders cannot share an index; say so instead of failing deep inside Chroma.
        used = store.claim_meta(session=session, key=EMBEDDER_KEY, value=settings.embedder)
        if used != settings.embedder:
            raise ConfigError(
                f"the index in {settings.home} was built with the {used!r} embedder, not "
                f"{settings.embedder!r}: use the same embedder or another --home"
            )
    # A local Chroma opens on first use (a search served by the snapshot never needs it); a server is
    # connected now, so that an unreachable one is a one-line error at open.
    client = open_chroma_client(settings) if settings.chroma_host else partial(open_chroma_client, settings)
    vectors = VectorStore(client, settings.collection)
    return KnowledgeIndex(
        db=database, vectors=vectors, embedder=get_embedder(settings.embedder), cache_dir=settings.cache_dir
    )
