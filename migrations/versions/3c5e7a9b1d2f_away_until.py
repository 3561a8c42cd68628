"""a worker or volunteer on leave until a day is not told of their grid's new requests

Revision ID: 3c5e7a9b1d2f
Revises: 9e2d4f6a8b0c
Create Date: 2026-12-06 09:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c5e7a9b1d2f'
down_revision = '9e2d4f6a8b0c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('away_until', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('away_until')
