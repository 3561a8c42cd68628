"""a partner may serve other communities of its street

Revision ID: ebf22502853c
Revises: 77f4e9bd0926
Create Date: 2026-12-06 23:23:47.597164

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ebf22502853c'
down_revision = '77f4e9bd0926'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('partner_community',
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_partner_community_community_id_community')),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], name=op.f('fk_partner_community_partner_id_partner')),
    sa.PrimaryKeyConstraint('partner_id', 'community_id', name=op.f('pk_partner_community'))
    )


def downgrade():
    op.drop_table('partner_community')
