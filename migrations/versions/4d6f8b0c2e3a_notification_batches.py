"""messages of one batch to one reader close together are sent as one

Revision ID: 4d6f8b0c2e3a
Revises: 3c5e7a9b1d2f
Create Date: 2026-12-06 09:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4d6f8b0c2e3a'
down_revision = '3c5e7a9b1d2f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('batch', sa.String(length=40), nullable=True))


def downgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_column('batch')
