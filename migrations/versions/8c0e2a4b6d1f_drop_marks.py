"""doors marked on a phone without signal are kept once each, by the key the phone gave them

Revision ID: 8c0e2a4b6d1f
Revises: 7b9d1f3a5c8e
Create Date: 2026-12-06 11:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8c0e2a4b6d1f'
down_revision = '7b9d1f3a5c8e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'drop_mark',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('delivery_id', sa.Integer(), nullable=False),
        sa.Column('received_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['delivery_id'], ['delivery.id'], name=op.f('fk_drop_mark_delivery_id_delivery')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_drop_mark')),
        sa.UniqueConstraint('key', name=op.f('uq_drop_mark_key')),
    )
    with op.batch_alter_table('drop_mark', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_drop_mark_delivery_id'), ['delivery_id'], unique=False)


def downgrade():
    with op.batch_alter_table('drop_mark', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_drop_mark_delivery_id'))
    op.drop_table('drop_mark')
