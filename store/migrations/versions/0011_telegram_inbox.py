"""telegram inbox: webhook updates recorded before the 200, processed once

Revision ID: 0011
Revises: 0001
Create Date: 2026-12-03 13:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0011'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('telegram_inbox',
    sa.Column('update_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('payload', sa.Text(), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('update_id', name=op.f('pk_telegram_inbox'))
    )
    op.create_index('ix_telegram_inbox_pending', 'telegram_inbox', ['chat_id', 'update_id'],
                    unique=False, postgresql_where=sa.text('done_at IS NULL'),
                    sqlite_where=sa.text('done_at IS NULL'))


def downgrade() -> None:
    op.drop_index('ix_telegram_inbox_pending', table_name='telegram_inbox',
                  postgresql_where=sa.text('done_at IS NULL'),
                  sqlite_where=sa.text('done_at IS NULL'))
    op.drop_table('telegram_inbox')
