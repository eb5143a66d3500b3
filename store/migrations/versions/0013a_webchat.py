"""web chat: the transcript a visitor's panel shows again, and the last message seen

Revision ID: 0013a
Revises: 0002
Create Date: 2026-12-03 13:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0013a'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('webchat_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('visitor', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=8), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['channel_accounts.id'], name=op.f('fk_webchat_messages_account_id_channel_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webchat_messages'))
    )
    with op.batch_alter_table('webchat_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webchat_messages_account_id'), ['account_id'], unique=False)
        batch_op.create_index('ix_webchat_messages_visitor', ['visitor', 'id'], unique=False)
    op.create_table('webchat_visitors',
    sa.Column('visitor', sa.String(length=64), nullable=False),
    sa.Column('seen_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('visitor', name=op.f('pk_webchat_visitors'))
    )


def downgrade() -> None:
    op.drop_table('webchat_visitors')
    with op.batch_alter_table('webchat_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_webchat_messages_visitor')
        batch_op.drop_index(batch_op.f('ix_webchat_messages_account_id'))
    op.drop_table('webchat_messages')
