"""outbox claims and retries, job locks

Revision ID: 556b9f2899b8
Revises: 24ed11f81f99
Create Date: 2026-12-05 04:45:05.954471

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '556b9f2899b8'
down_revision = '24ed11f81f99'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job_lock',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('held_at', sa.DateTime(), nullable=True),
    sa.Column('holder', sa.String(length=32), nullable=True),
    sa.Column('held_until', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_job_lock'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claim', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('claimed_until', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('failed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('last_error', sa.String(length=200), nullable=True))
        batch_op.create_index(batch_op.f('ix_notification_claim'), ['claim'], unique=False)



def downgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_claim'))
        batch_op.drop_column('last_error')
        batch_op.drop_column('failed_at')
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('attempts')
        batch_op.drop_column('claimed_until')
        batch_op.drop_column('claim')

    op.drop_table('job_lock')
