"""passages held back at ingest as possible prompt injection, and their releases

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 00:20:00.000000

Passages that read as instructions to an AI are kept out of `chunks` (and the vector store) in
`flagged_passages` until an administrator releases them; `passage_releases` remembers each release for
that exact text, so re-ingesting an unchanged file keeps it released.
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('flagged_passages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('chunk_key', sa.String(length=128), nullable=False),
    sa.Column('citation_id', sa.String(length=300), nullable=False),
    sa.Column('text_hash', sa.String(length=64), nullable=False),
    sa.Column('rules', sa.JSON(), nullable=False),
    sa.Column('excerpt', sa.Text(), nullable=False),
    sa.Column('chunk', sa.JSON(), nullable=False),
    sa.Column('index_text', sa.Text(), nullable=False),
    sa.Column('flagged_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('chunk_key')
    )
    with op.batch_alter_table('flagged_passages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_flagged_passages_citation_id'), ['citation_id'], unique=False)
        batch_op.create_index('ix_flagged_passages_document_generation', ['document_id', 'generation'], unique=False)

    op.create_table('passage_releases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('citation_id', sa.String(length=300), nullable=False),
    sa.Column('text_hash', sa.String(length=64), nullable=False),
    sa.Column('released_by', sa.String(length=200), nullable=False),
    sa.Column('released_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('citation_id', 'text_hash', name='uq_passage_releases_passage')
    )


def downgrade() -> None:
    op.drop_table('passage_releases')
    with op.batch_alter_table('flagged_passages', schema=None) as batch_op:
        batch_op.drop_index('ix_flagged_passages_document_generation')
        batch_op.drop_index(batch_op.f('ix_flagged_passages_citation_id'))
    op.drop_table('flagged_passages')
