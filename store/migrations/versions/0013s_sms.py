"""sms: Brevo's webhooks (inbox keyed on the event) and each SMS's delivery state

Revision ID: 0013s
Revises: 0001
Create Date: 2026-12-03 23:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0013s'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sms_inbox',
    sa.Column('key', sa.String(length=128), nullable=False),
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('payload', sa.Text(), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_sms_inbox')),
    sa.UniqueConstraint('id', name=op.f('uq_sms_inbox_id'))
    )
    op.create_index(op.f('ix_sms_inbox_done_at'), 'sms_inbox', ['done_at'], unique=False)
    op.create_table('sms_deliveries',
    sa.Column('message_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('segments', sa.Integer(), nullable=False),
    sa.Column('choices', sa.Text(), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.String(length=120), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'],
                            name=op.f('fk_sms_deliveries_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('message_id', name=op.f('pk_sms_deliveries'))
    )
    op.create_index(op.f('ix_sms_deliveries_person_id'), 'sms_deliveries', ['person_id'],
                    unique=False)
    op.create_index(op.f('ix_sms_deliveries_sent_at'), 'sms_deliveries', ['sent_at'],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_sms_deliveries_sent_at'), table_name='sms_deliveries')
    op.drop_index(op.f('ix_sms_deliveries_person_id'), table_name='sms_deliveries')
    op.drop_table('sms_deliveries')
    op.drop_index(op.f('ix_sms_inbox_done_at'), table_name='sms_inbox')
    op.drop_table('sms_inbox')
