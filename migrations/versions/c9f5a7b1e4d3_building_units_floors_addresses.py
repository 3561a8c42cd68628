"""a building's units, floors and address in each language

Revision ID: c9f5a7b1e4d3
Revises: b8e4f6a0d3c2
Create Date: 2026-12-06 05:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c9f5a7b1e4d3'
down_revision = 'b8e4f6a0d3c2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('building', schema=None) as batch_op:
        batch_op.add_column(sa.Column('units', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('floors', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('address_zh_hans', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('address_zh_hant', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('address_en', sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table('building', schema=None) as batch_op:
        batch_op.drop_column('address_en')
        batch_op.drop_column('address_zh_hant')
        batch_op.drop_column('address_zh_hans')
        batch_op.drop_column('floors')
        batch_op.drop_column('units')
