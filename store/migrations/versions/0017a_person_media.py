"""person_media: voice notes and photos passed to a counsellor, erased with the person

Revision ID: 0017a
Revises: 0001
Create Date: 2026-12-03 13:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0017a'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('person_media',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('mime_type', sa.String(length=60), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('duration_s', sa.Integer(), nullable=True),
    sa.Column('caption', sa.String(length=1024), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_person_media_person_created', 'person_media', ['person_id', 'created_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_person_media_person_created', table_name='person_media')
    op.drop_table('person_media')
