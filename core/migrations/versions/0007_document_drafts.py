"""document drafts

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 01:00:00.000000

Drafted review documents (system card, model card, FRIA, technical documentation), each stored as an
attachment of the assessment version it was drafted from, with the view model it was rendered from.
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('document_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('system_id', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('format', sa.String(length=16), nullable=False),
    sa.Column('filename', sa.String(length=300), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('draft', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], ),
    sa.ForeignKeyConstraint(['system_id'], ['ai_systems.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('document_drafts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_drafts_assessment_id'), ['assessment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_document_drafts_system_id'), ['system_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('document_drafts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_drafts_system_id'))
        batch_op.drop_index(batch_op.f('ix_document_drafts_assessment_id'))

    op.drop_table('document_drafts')
