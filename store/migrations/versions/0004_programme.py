"""programme: participants, invitations, contact events, counsellor tasks

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-21 21:57:14.265430
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0004'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('counsellor_id', sa.Integer(), nullable=True),
    sa.Column('orientation_on', sa.Date(), nullable=False),
    sa.Column('programme_start', sa.Date(), nullable=True),
    sa.Column('programme_end', sa.Date(), nullable=True),
    sa.Column('cer_signed_on', sa.Date(), nullable=True),
    sa.Column('diagnosis_3m_on', sa.Date(), nullable=True),
    sa.Column('diagnosis_final_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('last_checkin_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['counsellor_id'], ['staff.id'], name=op.f('fk_participants_counsellor_id_staff'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_participants_person_id_people'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participants')),
    sa.UniqueConstraint('person_id', name=op.f('uq_participants_person_id'))
    )
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_participants_counsellor_id'), ['counsellor_id'], unique=False)
        batch_op.create_index('ix_participants_status_counsellor', ['status', 'counsellor_id'], unique=False)

    op.create_table('contact_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('answer', sa.String(length=12), nullable=True),
    sa.Column('period', sa.String(length=10), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_contact_events_participant_id_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_contact_events_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by'], ['staff.id'], name=op.f('fk_contact_events_recorded_by_staff'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_events'))
    )
    with op.batch_alter_table('contact_events', schema=None) as batch_op:
        batch_op.create_index('ix_contact_events_participant_at', ['participant_id', 'occurred_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_events_person_id'), ['person_id'], unique=False)

    op.create_table('counsellor_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=120), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=True),
    sa.Column('counsellor_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('rule', sa.String(length=40), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['counsellor_id'], ['staff.id'], name=op.f('fk_counsellor_tasks_counsellor_id_staff'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_counsellor_tasks_participant_id_participants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counsellor_tasks')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_counsellor_tasks_idempotency_key'))
    )
    with op.batch_alter_table('counsellor_tasks', schema=None) as batch_op:
        batch_op.create_index('ix_counsellor_tasks_open', ['counsellor_id', 'done_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_counsellor_tasks_participant_id'), ['participant_id'], unique=False)

    op.create_table('invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_invitations_participant_id_participants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitations')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_invitations_code_hash'))
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitations_participant_id'), ['participant_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitations_participant_id'))

    op.drop_table('invitations')
    with op.batch_alter_table('counsellor_tasks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_counsellor_tasks_participant_id'))
        batch_op.drop_index('ix_counsellor_tasks_open')

    op.drop_table('counsellor_tasks')
    with op.batch_alter_table('contact_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_events_person_id'))
        batch_op.drop_index('ix_contact_events_participant_at')

    op.drop_table('contact_events')
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_index('ix_participants_status_counsellor')
        batch_op.drop_index(batch_op.f('ix_participants_counsellor_id'))

    op.drop_table('participants')
