"""console admin: agenda rows owned by the files or the console; Telegram staff identities

Revision ID: 0006c
Revises: 0003
Create Date: 2026-11-25 10:00:00

Existing agenda rows were written by the file sync: they become ``managed_by = 'config'``
(the default), active, without a ``config_key`` (the next sync replaces them by keyed rows,
as it always rewrote them).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0006c'
down_revision = '0003'
branch_labels = None
depends_on = None


def managed() -> sa.Column[str]:
    return sa.Column('managed_by', sa.String(length=10), nullable=False, server_default='config')


def upgrade() -> None:
    with op.batch_alter_table('espaces', schema=None) as batch_op:
        batch_op.add_column(sa.Column('address', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('phone', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('opening_hours', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('access_notes', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('latitude', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('longitude', sa.Float(), nullable=True))
        batch_op.add_column(managed())
    with op.batch_alter_table('motifs', schema=None) as batch_op:
        batch_op.add_column(managed())
    for table in ('opening_periods', 'closures'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column('active', sa.Boolean(), nullable=False, server_default=sa.true())
            )
            batch_op.add_column(managed())
            batch_op.add_column(sa.Column('config_key', sa.String(length=160), nullable=True))
            batch_op.create_index(f'uq_{table}_config_key', ['config_key'], unique=True)
    op.create_table('telegram_senders',
    sa.Column('user_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('first_name', sa.String(length=80), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=True),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_telegram_senders'))
    )
    op.create_table('telegram_link_codes',
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_telegram_link_codes_staff_id_staff'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('code_hash', name=op.f('pk_telegram_link_codes'))
    )
    with op.batch_alter_table('telegram_link_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_telegram_link_codes_staff_id'), ['staff_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('telegram_link_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_telegram_link_codes_staff_id'))
    op.drop_table('telegram_link_codes')
    op.drop_table('telegram_senders')
    for table in ('closures', 'opening_periods'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f'uq_{table}_config_key')
            batch_op.drop_column('config_key')
            batch_op.drop_column('managed_by')
            batch_op.drop_column('active')
    with op.batch_alter_table('motifs', schema=None) as batch_op:
        batch_op.drop_column('managed_by')
    with op.batch_alter_table('espaces', schema=None) as batch_op:
        batch_op.drop_column('managed_by')
        batch_op.drop_column('longitude')
        batch_op.drop_column('latitude')
        batch_op.drop_column('access_notes')
        batch_op.drop_column('opening_hours')
        batch_op.drop_column('phone')
        batch_op.drop_column('address')
