"""knowledge tables

Revision ID: 0001
Revises: 
Create Date: 2026-11-24 12:53:29.239315
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=512), nullable=False),
    sa.Column('source_id', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('origin', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('path', sa.Text(), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('visibility', sa.String(length=32), nullable=False),
    sa.Column('groups', sa.JSON(), nullable=False),
    sa.Column('active_generation', sa.Integer(), nullable=False),
    sa.Column('chunk_count', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=True),
    sa.Column('ingested_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_documents_source_id'), ['source_id'], unique=False)

    op.create_table('meta',
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('chunks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('chunk_key', sa.String(length=128), nullable=False),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.Column('citation_id', sa.String(length=300), nullable=False),
    sa.Column('anchor', sa.String(length=300), nullable=False),
    sa.Column('source_id', sa.String(length=200), nullable=False),
    sa.Column('locator', sa.String(length=300), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('parents', sa.JSON(), nullable=False),
    sa.Column('parent_id', sa.String(length=300), nullable=True),
    sa.Column('level', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('visibility', sa.String(length=32), nullable=False),
    sa.Column('groups', sa.JSON(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('chunk_key', name='uq_chunks_chunk_key')
    )
    with op.batch_alter_table('chunks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chunks_anchor'), ['anchor'], unique=False)
        batch_op.create_index(batch_op.f('ix_chunks_citation_id'), ['citation_id'], unique=False)
        batch_op.create_index('ix_chunks_document_generation', ['document_id', 'generation'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('chunks', schema=None) as batch_op:
        batch_op.drop_index('ix_chunks_document_generation')
        batch_op.drop_index(batch_op.f('ix_chunks_citation_id'))
        batch_op.drop_index(batch_op.f('ix_chunks_anchor'))

    op.drop_table('chunks')
    op.drop_table('meta')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_documents_source_id'))

    op.drop_table('documents')
