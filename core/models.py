"""SQLAlchemy 2.0 ORM rows. Rows stay here; pydantic schemas for the API live beside their users."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    """Declarative base for every table."""


class Document(Base):
    """One ingested file or built-in pack. Its chunks of `active_generation` are the searchable ones."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(512), unique=True)
    source_id: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    origin: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(500))
    path: Mapped[str | None] = mapped_column(Text, nullable=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    visibility: Mapped[str] = mapped_column(String(32))
    groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    active_generation: Mapped[int] = mapped_column(Integer, default=0)
    chunk_count: Mapped[int] = mapped_column(Integer, default=0)
    as_of: Mapped[date | None] = mapped_column(Date, nullable=True)
    ingested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    chunks: Mapped[list[Chunk]] = relationship(back_populates="document", cascade="all, delete-orphan")


class Chunk(Base):
    """One indexed piece of text. Several chunks may share a citation id (long sections, or a pack
    record and the official text of the same provision)."""

    __tablename__ = "chunks"
    __table_args__ = (
        UniqueConstraint("chunk_key", name="uq_chunks_chunk_key"),
        Index("ix_chunks_document_generation", "document_id", "generation"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    generation: Mapped[int] = mapped_column(Integer)
    chunk_key: Mapped[str] = mapped_column(String(128))
    ordinal: Mapped[int] = mapped_column(Integer)
    citation_id: Mapped[str] = mapped_column(String(300), index=True)
    # The part after "<source-id>:", for finding "Article 50(4)" in every source that has it.
    anchor: Mapped[str] = mapped_column(String(300), index=True)
    source_id: Mapped[str] = mapped_column(String(200))
    locator: Mapped[str] = mapped_column(String(300))
    title: Mapped[str] = mapped_column(String(500))
    parents: Mapped[list[str]] = mapped_column(JSON, default=list)
    parent_id: Mapped[str | None] = mapped_column(String(300), nullable=True)
    level: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    visibility: Mapped[str] = mapped_column(String(32))
    groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    text: Mapped[str] = mapped_column(Text)

    document: Mapped[Document] = relationship(back_populates="chunks")


class MetaValue(Base):
    """Small key/value facts about the installation (knowledge revision, packs fingerprint)."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
