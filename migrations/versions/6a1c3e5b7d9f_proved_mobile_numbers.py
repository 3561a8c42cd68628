"""text messages only to a mobile number proved with a code

Revision ID: 6a1c3e5b7d9f
Revises: 2f6b8d0a4c7e
Create Date: 2026-12-06 09:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6a1c3e5b7d9f'
down_revision = '2f6b8d0a4c7e'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notification_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sms_phone', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('sms_verified_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('sms_code_hash', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('sms_code_sent_at', sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column('sms_code_tries', sa.Integer(), server_default='0', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('notification_settings', schema=None) as batch_op:
        batch_op.drop_column('sms_code_tries')
        batch_op.drop_column('sms_code_sent_at')
        batch_op.drop_column('sms_code_hash')
        batch_op.drop_column('sms_verified_at')
        batch_op.drop_column('sms_phone')
