"""sentence vectors

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 13:00:00.000000

The vectors of the sentences an answer compares with a question, embedded once at ingestion instead of on
every question (issue #14). An index built before this revision has none: answers encode those sentences
as before until a document is ingested again, and give the same vectors either way.
"""

from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'sentence_vectors',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('generation', sa.Integer(), nullable=False),
        sa.Column('embedder', sa.String(length=64), nullable=False),
        sa.Column('text_hash', sa.String(length=64), nullable=False),
        sa.Column('vector', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_sentence_vectors_lookup', 'sentence_vectors', ['embedder', 'text_hash'], unique=False)
    op.create_index(
        'ix_sentence_vectors_document_generation', 'sentence_vectors', ['document_id', 'generation'], unique=False
    )


def downgrade() -> None:
    op.drop_index('ix_sentence_vectors_document_generation', table_name='sentence_vectors')
    op.drop_index('ix_sentence_vectors_lookup', table_name='sentence_vectors')
    op.drop_table('sentence_vectors')
