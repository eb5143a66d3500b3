"""console sessions on the server; throttled sign-in attempts

Revision ID: 0014a
Revises: 0005
Create Date: 2026-12-03 13:30:00

Sessions were only a signed cookie (not revocable): they now live in ``console_sessions``
and the cookie holds an opaque token. Sign-in attempts refused by the throttle are marked
``throttled`` and no longer count as failures (a stranger could renew a lock-out);
attempts are also counted per address (index on ``ip``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0014a'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('console_sessions',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=False),
    sa.Column('user_agent', sa.String(length=200), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_reason', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_console_sessions_staff_id_staff'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_console_sessions'))
    )
    with op.batch_alter_table('console_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_console_sessions_staff_id'), ['staff_id'], unique=False)
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('throttled', sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.create_index(batch_op.f('ix_login_attempts_ip'), ['ip'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_attempts_ip'))
        batch_op.drop_column('throttled')
    with op.batch_alter_table('console_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_console_sessions_staff_id'))
    op.drop_table('console_sessions')
