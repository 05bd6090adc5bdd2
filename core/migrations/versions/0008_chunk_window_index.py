"""chunk window index

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 07:00:00.000000

A chunk's window within its section becomes a typed column, `chunks.window_index`, instead of being read
from the end of its key (`<doc>-g<generation>-<ordinal>-w<window>`). The upgrade fills it from the keys of
the chunks already stored, and adds it to the chunk row each held-back passage keeps for its release; the
downgrade takes both away again (the keys still carry the window).
"""

from __future__ import annotations

from typing import Any

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

# Lightweight tables for the data migration: the migration must not depend on today's ORM models.
_chunks = sa.table(
    'chunks',
    sa.column('id', sa.Integer()),
    sa.column('chunk_key', sa.String()),
    sa.column('window_index', sa.Integer()),
)
_flagged = sa.table(
    'flagged_passages',
    sa.column('id', sa.Integer()),
    sa.column('chunk_key', sa.String()),
    sa.column('chunk', sa.JSON()),
)


def window_of(chunk_key: str) -> int:
    """The window number at the end of a chunk key: '12-g3-40-w2' -> 2."""
    return int(chunk_key.rpartition('-w')[2])


def _update_flagged(change: Any) -> None:
    """Rewrite every held-back passage's stored chunk row with `change(row, chunk_key)`."""
    connection = op.get_bind()
    rows = connection.execute(sa.select(_flagged.c.id, _flagged.c.chunk_key, _flagged.c.chunk)).all()
    for row_id, chunk_key, chunk in rows:
        changed = change(dict(chunk or {}), chunk_key)
        connection.execute(_flagged.update().where(_flagged.c.id == row_id).values(chunk=changed))


def upgrade() -> None:
    with op.batch_alter_table('chunks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('window_index', sa.Integer(), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.select(_chunks.c.id, _chunks.c.chunk_key)).all()
    if rows:
        fill = _chunks.update().where(_chunks.c.id == sa.bindparam('row_id'))
        connection.execute(
            fill.values(window_index=sa.bindparam('window')),
            [{'row_id': row_id, 'window': window_of(key)} for row_id, key in rows],
        )
    with op.batch_alter_table('chunks', schema=None) as batch_op:
        batch_op.alter_column('window_index', existing_type=sa.Integer(), nullable=False)
    _update_flagged(lambda chunk, key: {**chunk, 'window_index': window_of(key)})


def downgrade() -> None:
    _update_flagged(lambda chunk, key: {k: v for k, v in chunk.items() if k != 'window_index'})
    with op.batch_alter_table('chunks', schema=None) as batch_op:
        batch_op.drop_column('window_index')
