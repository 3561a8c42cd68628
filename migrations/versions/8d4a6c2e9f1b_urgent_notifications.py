"""notifications about someone's safety are marked urgent

Revision ID: 8d4a6c2e9f1b
Revises: 5b7e2f9a3c1d
Create Date: 2026-12-06 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8d4a6c2e9f1b'
down_revision = '5b7e2f9a3c1d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('urgent', sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_column('urgent')
