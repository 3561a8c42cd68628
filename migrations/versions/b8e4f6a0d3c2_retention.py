"""how long a street office keeps residents who left, and when a person was anonymised

Revision ID: b8e4f6a0d3c2
Revises: a7d3e5f9c2b1
Create Date: 2026-12-06 03:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b8e4f6a0d3c2'
down_revision = 'a7d3e5f9c2b1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('street_office', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retention_months', sa.Integer(), server_default='36', nullable=False))
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anonymised_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('anonymised_at')
    with op.batch_alter_table('street_office', schema=None) as batch_op:
        batch_op.drop_column('retention_months')
