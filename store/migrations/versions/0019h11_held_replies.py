"""held replies: a turn's answers kept until its webhook update is done

Revision ID: 0019h11
Revises: 0011
Create Date: 2026-12-04 11:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0019h11'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('held_replies',
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('update_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('replies', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'],
                            name=op.f('fk_held_replies_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('channel', 'update_id', name=op.f('pk_held_replies'))
    )
    op.create_index(op.f('ix_held_replies_person_id'), 'held_replies', ['person_id'], unique=False)
    op.create_index(op.f('ix_held_replies_created_at'), 'held_replies', ['created_at'],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_held_replies_created_at'), table_name='held_replies')
    op.drop_index(op.f('ix_held_replies_person_id'), table_name='held_replies')
    op.drop_table('held_replies')
