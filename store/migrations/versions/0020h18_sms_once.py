"""SMS once: send_started_at on the outbox, why an account is unreachable, channel pauses

Revision ID: 0020h18
Revises: 0002
Create Date: 2026-12-04 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0020h18'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox') as batch:
        batch.add_column(sa.Column('send_started_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('channel_accounts') as batch:
        batch.add_column(sa.Column('unreachable_reason', sa.String(length=120), nullable=True))
    op.create_table('channel_pauses',
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('until', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.String(length=120), nullable=False),
    sa.Column('paused_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('channel', name=op.f('pk_channel_pauses'))
    )


def downgrade() -> None:
    op.drop_table('channel_pauses')
    with op.batch_alter_table('channel_accounts') as batch:
        batch.drop_column('unreachable_reason')
    with op.batch_alter_table('outbox') as batch:
        batch.drop_column('send_started_at')
