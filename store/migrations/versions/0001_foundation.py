"""foundation

Revision ID: 0001
Revises: 
Create Date: 2026-11-21 21:50:29.965684
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    
    op.create_table('people',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=True),
    sa.Column('consent', sa.String(length=10), nullable=False),
    sa.Column('consent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('proactive_opt_out', sa.Boolean(), nullable=False),
    sa.Column('display_name', sa.String(length=80), nullable=True),
    sa.Column('commune', sa.String(length=60), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_people'))
    )
    op.create_table('processed_updates',
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('update_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('processed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('channel', 'update_id', name=op.f('pk_processed_updates'))
    )
    op.create_table('channel_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('external_ref', sa.String(length=64), nullable=False),
    sa.Column('language_code', sa.String(length=16), nullable=True),
    sa.Column('unreachable_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_channel_accounts_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_channel_accounts')),
    sa.UniqueConstraint('channel', 'external_ref', name=op.f('uq_channel_accounts_channel'))
    )
    with op.batch_alter_table('channel_accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_channel_accounts_person_id'), ['person_id'], unique=False)

    op.create_table('conversations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('flow', sa.String(length=32), nullable=True),
    sa.Column('step', sa.String(length=32), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('nonce', sa.String(length=8), nullable=True),
    sa.Column('misunderstood', sa.Integer(), nullable=False),
    sa.Column('handoff', sa.String(length=10), nullable=False),
    sa.Column('handoff_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('handoff_by', sa.String(length=64), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_conversations_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversations')),
    sa.UniqueConstraint('person_id', name=op.f('uq_conversations_person_id'))
    )
    op.create_table('handoff_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_handoff_requests_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handoff_requests'))
    )
    with op.batch_alter_table('handoff_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handoff_requests_person_id'), ['person_id'], unique=False)

    op.create_table('messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('direction', sa.String(length=3), nullable=False),
    sa.Column('author', sa.String(length=40), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('payload', sa.String(length=64), nullable=True),
    sa.Column('intent', sa.String(length=40), nullable=True),
    sa.Column('confidence', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_messages_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_messages'))
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index('ix_messages_person_created', ['person_id', 'created_at'], unique=False)




def downgrade() -> None:
    
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index('ix_messages_person_created')

    op.drop_table('messages')
    with op.batch_alter_table('handoff_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handoff_requests_person_id'))

    op.drop_table('handoff_requests')
    op.drop_table('conversations')
    with op.batch_alter_table('channel_accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_channel_accounts_person_id'))

    op.drop_table('channel_accounts')
    op.drop_table('processed_updates')
    op.drop_table('people')

