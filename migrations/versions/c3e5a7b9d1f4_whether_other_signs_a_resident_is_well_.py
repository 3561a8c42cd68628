"""whether other signs a resident is well count as a visit

Revision ID: c3e5a7b9d1f4
Revises: b2d4f6a8c0e1
Create Date: 2026-12-06 12:14:50.616882

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3e5a7b9d1f4'
down_revision = 'b2d4f6a8c0e1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('care_settings',
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('other_contacts_count', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_care_settings_community_id_community')),
    sa.PrimaryKeyConstraint('community_id', name=op.f('pk_care_settings'))
    )


def downgrade():
    op.drop_table('care_settings')
