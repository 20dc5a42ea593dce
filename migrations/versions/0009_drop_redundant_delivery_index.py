"""drop ix_deliveries_activity_id: the unique (activity_id, inbox_url) index already serves look-ups by activity

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_deliveries_activity_id')


def downgrade() -> None:
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_deliveries_activity_id', ['activity_id'], unique=False)
