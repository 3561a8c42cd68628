"""why and since when a resident is not at home, and the delivery pauses of a hospital stay

Revision ID: a7d3e5f9c2b1
Revises: f4c2a9d7e1b3
Create Date: 2026-12-06 03:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7d3e5f9c2b1'
down_revision = 'f4c2a9d7e1b3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('left_reason', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('left_on', sa.Date(), nullable=True))
    with op.batch_alter_table('delivery_pause', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason', sa.String(length=12), nullable=True))


def downgrade():
    with op.batch_alter_table('delivery_pause', schema=None) as batch_op:
        batch_op.drop_column('reason')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('left_on')
        batch_op.drop_column('left_reason')
