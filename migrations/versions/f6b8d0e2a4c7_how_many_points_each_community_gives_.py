"""how many points each community gives for each kind of deed

Revision ID: f6b8d0e2a4c7
Revises: e5a7c9b1d3f6
Create Date: 2026-12-06 17:04:24.656138

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f6b8d0e2a4c7'
down_revision = 'e5a7c9b1d3f6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('points_rule',
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=20), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_points_rule_community_id_community')),
    sa.PrimaryKeyConstraint('community_id', 'rule', name=op.f('pk_points_rule'))
    )


def downgrade():
    op.drop_table('points_rule')
