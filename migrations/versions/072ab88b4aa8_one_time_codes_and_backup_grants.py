"""one-time codes to sign in with once, and backup grants that hold between two dates

Revision ID: 072ab88b4aa8
Revises: 9c0d0d035efb
Create Date: 2026-12-06 05:23:18.305504

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '072ab88b4aa8'
down_revision = '9c0d0d035efb'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_set_password', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('code_expires_at', sa.DateTime(), nullable=True))

    with op.batch_alter_table('role_grant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('starts_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('ends_on', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('role_grant', schema=None) as batch_op:
        batch_op.drop_column('ends_on')
        batch_op.drop_column('starts_on')

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('code_expires_at')
        batch_op.drop_column('must_set_password')

