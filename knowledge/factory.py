"""Builds a ready knowledge index from settings."""

from __future__ import annotations

from core.config import Settings
from core.db import Database
from knowledge.embedder import get_embedder
from knowledge.index import KnowledgeIndex
from knowledge.vectors import VectorStore, open_chroma_client


def open_index(settings: Settings, *, db: Database | None = None) -> KnowledgeIndex:
    """A knowledge index over the configured database and Chroma, with the configured embedder."""
    database = db or Database.open(settings)
    vectors = VectorStore(open_chroma_client(settings), settings.collection)
    return KnowledgeIndex(
        db=database, vectors=vectors, embedder=get_embedder(settings.embedder), cache_dir=settings.cache_dir
    )
