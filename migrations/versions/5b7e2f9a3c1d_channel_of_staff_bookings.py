"""how a resident asked the staff member who booked a meal or signed them up for an activity

Revision ID: 5b7e2f9a3c1d
Revises: c3dc333ab0cd
Create Date: 2026-12-06 08:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b7e2f9a3c1d'
down_revision = 'c3dc333ab0cd'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=12), nullable=True))
    with op.batch_alter_table('sign_up', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=12), nullable=True))


def downgrade():
    with op.batch_alter_table('sign_up', schema=None) as batch_op:
        batch_op.drop_column('channel')
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.drop_column('channel')
