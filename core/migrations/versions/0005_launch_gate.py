"""launch gate: waivers, gate runs, review cycles

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 00:30:00.000000

`gate_waivers` and `gate_runs` for the launch gate, and `review_tasks.cycle` so that a scheduled
re-review of an assessment is a new task of the same review type (cycle 2, 3, ...): the unique
constraint one-task-per-review-and-assessment becomes one per review, assessment and cycle.
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The partial index is dropped and made again around the batch: SQLite rebuilds the table there,
    # and the index's WHERE clause must not depend on how reflection reads it back.
    op.drop_index('uq_review_tasks_open_cycle', table_name='review_tasks')
    with op.batch_alter_table('review_tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cycle', sa.Integer(), server_default=sa.text('1'), nullable=False))
        batch_op.drop_constraint('uq_review_tasks_assessment_review', type_='unique')
        batch_op.create_unique_constraint(
            'uq_review_tasks_assessment_review_cycle', ['assessment_id', 'review_type', 'cycle']
        )
    op.create_index('uq_review_tasks_open_cycle', 'review_tasks', ['system_id', 'review_type'], unique=True,
                    sqlite_where=sa.text('closed_at IS NULL'),
                    postgresql_where=sa.text('closed_at IS NULL'))

    op.create_table('gate_waivers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('system_id', sa.String(length=120), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('item', sa.String(length=200), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('granted_by', sa.String(length=200), nullable=False),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expiry_recorded_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], ),
    sa.ForeignKeyConstraint(['system_id'], ['ai_systems.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('gate_waivers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gate_waivers_system_id'), ['system_id'], unique=False)

    op.create_table('gate_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('system_id', sa.String(length=120), nullable=True),
    sa.Column('assessment_id', sa.Integer(), nullable=True),
    sa.Column('target', sa.String(length=500), nullable=False),
    sa.Column('profile_digest', sa.String(length=64), nullable=True),
    sa.Column('outcome', sa.String(length=32), nullable=False),
    sa.Column('report', sa.JSON(), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], ),
    sa.ForeignKeyConstraint(['system_id'], ['ai_systems.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('gate_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gate_runs_system_id'), ['system_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('gate_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gate_runs_system_id'))
    op.drop_table('gate_runs')
    with op.batch_alter_table('gate_waivers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gate_waivers_system_id'))
    op.drop_table('gate_waivers')

    op.drop_index('uq_review_tasks_open_cycle', table_name='review_tasks')
    # Re-reviews (cycle > 1) have no place in the older schema.
    op.execute('DELETE FROM review_tasks WHERE "cycle" > 1')
    with op.batch_alter_table('review_tasks', schema=None) as batch_op:
        batch_op.drop_constraint('uq_review_tasks_assessment_review_cycle', type_='unique')
        batch_op.create_unique_constraint('uq_review_tasks_assessment_review', ['assessment_id', 'review_type'])
        batch_op.drop_column('cycle')
    op.create_index('uq_review_tasks_open_cycle', 'review_tasks', ['system_id', 'review_type'], unique=True,
                    sqlite_where=sa.text('closed_at IS NULL'),
                    postgresql_where=sa.text('closed_at IS NULL'))
