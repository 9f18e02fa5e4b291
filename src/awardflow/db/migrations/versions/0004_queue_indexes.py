"""queue indexes

The appraiser's queue reads its page in index order and counts its total from the index alone;
the office queue (proposed, unassigned) gets a small partial index. bench/queue.py measures
both at 1,000,000 nominations on PostgreSQL, with and without these indexes.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 23:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNASSIGNED = sa.text('assignee_id IS NULL')


def upgrade() -> None:
    with op.batch_alter_table('nominations', schema=None) as batch_op:
        batch_op.drop_index('ix_nominations_queue')
        batch_op.create_index(
            'ix_nominations_queue',
            ['state', 'assignee_id', 'due_at', 'id', 'campaign_id'],
            unique=False,
        )
        batch_op.create_index(
            'ix_nominations_unassigned',
            ['state', 'due_at', 'id', 'campaign_id'],
            unique=False,
            sqlite_where=UNASSIGNED,
            postgresql_where=UNASSIGNED,
        )


def downgrade() -> None:
    with op.batch_alter_table('nominations', schema=None) as batch_op:
        batch_op.drop_index('ix_nominations_unassigned')
        batch_op.drop_index('ix_nominations_queue')
        batch_op.create_index(
            'ix_nominations_queue', ['state', 'assignee_id', 'due_at'], unique=False
        )
