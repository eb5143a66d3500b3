"""booking_contacts: the first name and, with consent, the phone number given while booking

Revision ID: 0018h18a
Revises: 0003
Create Date: 2026-12-03 23:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0018h18a'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('booking_contacts',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('first_name', sa.String(length=40), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('phone_consent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id')
    )


def downgrade() -> None:
    op.drop_table('booking_contacts')
