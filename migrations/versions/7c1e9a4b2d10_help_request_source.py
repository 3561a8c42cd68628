"""help requests know their source

Revision ID: 7c1e9a4b2d10
Revises: 556b9f2899b8
Create Date: 2026-12-05 11:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c1e9a4b2d10'
down_revision = '556b9f2899b8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('help_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=20), server_default='tap', nullable=False))
    op.execute(
        "UPDATE help_request SET source = 'delivery' WHERE id IN "
        "(SELECT help_request_id FROM delivery WHERE help_request_id IS NOT NULL)"
    )


def downgrade():
    with op.batch_alter_table('help_request', schema=None) as batch_op:
        batch_op.drop_column('source')
