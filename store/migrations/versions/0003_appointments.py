"""appointments: espaces, motifs, opening periods, closures, bookings, waiting list

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 21:59:59.723195
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('espaces',
    sa.Column('id', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('commune', sa.String(length=60), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_espaces'))
    )
    op.create_table('motifs',
    sa.Column('id', sa.String(length=12), nullable=False),
    sa.Column('label', sa.String(length=80), nullable=False),
    sa.Column('duration_min', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('rsa', sa.Boolean(), nullable=False),
    sa.Column('physical', sa.Boolean(), nullable=False),
    sa.Column('bring', sa.JSON(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint("kind IN ('individual', 'collective')", name=op.f('ck_motifs_kind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_motifs'))
    )
    op.create_table('agenda_locks',
    sa.Column('espace_id', sa.String(length=20), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['espace_id'], ['espaces.id'], name=op.f('fk_agenda_locks_espace_id_espaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('espace_id', 'day', name=op.f('pk_agenda_locks'))
    )
    op.create_table('bookings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('espace_id', sa.String(length=20), nullable=False),
    sa.Column('motif_id', sa.String(length=12), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('seat', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attendance', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_by', sa.String(length=20), nullable=True),
    sa.Column('moved_to_id', sa.Integer(), nullable=True),
    sa.Column('attendance_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attendance_by', sa.String(length=64), nullable=True),
    sa.CheckConstraint("attendance IN ('unknown', 'seen', 'excused', 'revoked', 'noshow')", name=op.f('ck_bookings_attendance')),
    sa.CheckConstraint("status IN ('booked', 'cancelled', 'moved')", name=op.f('ck_bookings_status')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_bookings_order')),
    sa.CheckConstraint('seat IS NULL OR seat >= 1', name=op.f('ck_bookings_seat')),
    sa.ForeignKeyConstraint(['espace_id'], ['espaces.id'], name=op.f('fk_bookings_espace_id_espaces')),
    sa.ForeignKeyConstraint(['motif_id'], ['motifs.id'], name=op.f('fk_bookings_motif_id_motifs')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_bookings_person_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_bookings_staff_id_staff'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bookings'))
    )
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.create_index('ix_bookings_espace_start', ['espace_id', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_bookings_person_id'), ['person_id'], unique=False)
        batch_op.create_index('uq_bookings_seat', ['espace_id', 'motif_id', 'starts_at', 'seat'], unique=True, sqlite_where=sa.text("status = 'booked' AND person_id IS NOT NULL AND seat IS NOT NULL"), postgresql_where=sa.text("status = 'booked' AND person_id IS NOT NULL AND seat IS NOT NULL"))
        batch_op.create_index('uq_bookings_staff_start', ['staff_id', 'starts_at'], unique=True, sqlite_where=sa.text("status = 'booked' AND person_id IS NOT NULL AND staff_id IS NOT NULL"), postgresql_where=sa.text("status = 'booked' AND person_id IS NOT NULL AND staff_id IS NOT NULL"))

    op.create_table('closures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('espace_id', sa.String(length=20), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('start', sa.Time(), nullable=True),
    sa.Column('end', sa.Time(), nullable=True),
    sa.Column('reason', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['espace_id'], ['espaces.id'], name=op.f('fk_closures_espace_id_espaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_closures'))
    )
    op.create_table('opening_periods',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('espace_id', sa.String(length=20), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('start', sa.Time(), nullable=False),
    sa.Column('end', sa.Time(), nullable=False),
    sa.Column('motif_id', sa.String(length=12), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('motif_ids', sa.JSON(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('example', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['espace_id'], ['espaces.id'], name=op.f('fk_opening_periods_espace_id_espaces'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['motif_id'], ['motifs.id'], name=op.f('fk_opening_periods_motif_id_motifs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opening_periods'))
    )
    op.create_table('waitlist',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('motif_id', sa.String(length=12), nullable=False),
    sa.Column('espace_id', sa.String(length=20), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('notified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['espace_id'], ['espaces.id'], name=op.f('fk_waitlist_espace_id_espaces'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['motif_id'], ['motifs.id'], name=op.f('fk_waitlist_motif_id_motifs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_waitlist_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waitlist'))
    )
    with op.batch_alter_table('waitlist', schema=None) as batch_op:
        batch_op.create_index('ix_waitlist_motif', ['motif_id', 'status', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_waitlist_person_id'), ['person_id'], unique=False)

    op.create_table('period_staff',
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['period_id'], ['opening_periods.id'], name=op.f('fk_period_staff_period_id_opening_periods'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_period_staff_staff_id_staff'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('period_id', 'staff_id', name=op.f('pk_period_staff'))
    )


def downgrade() -> None:
    op.drop_table('period_staff')
    with op.batch_alter_table('waitlist', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_waitlist_person_id'))
        batch_op.drop_index('ix_waitlist_motif')

    op.drop_table('waitlist')
    op.drop_table('opening_periods')
    op.drop_table('closures')
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_index('uq_bookings_staff_start', sqlite_where=sa.text("status = 'booked' AND person_id IS NOT NULL AND staff_id IS NOT NULL"), postgresql_where=sa.text("status = 'booked' AND person_id IS NOT NULL AND staff_id IS NOT NULL"))
        batch_op.drop_index('uq_bookings_seat', sqlite_where=sa.text("status = 'booked' AND person_id IS NOT NULL AND seat IS NOT NULL"), postgresql_where=sa.text("status = 'booked' AND person_id IS NOT NULL AND seat IS NOT NULL"))
        batch_op.drop_index(batch_op.f('ix_bookings_person_id'))
        batch_op.drop_index('ix_bookings_espace_start')

    op.drop_table('bookings')
    op.drop_table('agenda_locks')
    op.drop_table('motifs')
    op.drop_table('espaces')
