"""whether a resident's family see their care visits

Revision ID: d4f6b8c0e2a5
Revises: c3e5a7b9d1f4
Create Date: 2026-12-06 12:17:12.813001

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4f6b8c0e2a5'
down_revision = 'c3e5a7b9d1f4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('care_sharing',
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('family_sees_visits', sa.Boolean(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['person.id'], name=op.f('fk_care_sharing_by_id_person')),
    sa.ForeignKeyConstraint(['resident_id'], ['person.id'], name=op.f('fk_care_sharing_resident_id_person')),
    sa.PrimaryKeyConstraint('resident_id', name=op.f('pk_care_sharing'))
    )


def downgrade():
    op.drop_table('care_sharing')
