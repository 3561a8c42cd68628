"""when a person agreed to the privacy notice, and when they asked for their data to be deleted

Revision ID: c3dc333ab0cd
Revises: 072ab88b4aa8
Create Date: 2026-12-06 05:44:22.816442

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3dc333ab0cd'
down_revision = '072ab88b4aa8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('privacy_consent_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('deletion_requested_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('deletion_requested_at')
        batch_op.drop_column('privacy_consent_at')

