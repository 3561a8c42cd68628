"""a person's WeChat, bound by scanning a code, receives their messages

Revision ID: 7b9d1f3a5c8e
Revises: 4d6f8b0c2e3a
Create Date: 2026-12-06 11:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7b9d1f3a5c8e'
down_revision = '4d6f8b0c2e3a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notification_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('wechat_openid', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('wechat_bound_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('wechat_scene', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('wechat_scene_until', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('wechat_code_url', sa.String(length=200), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f('uq_notification_settings_wechat_openid'), ['wechat_openid']
        )
        batch_op.create_unique_constraint(
            batch_op.f('uq_notification_settings_wechat_scene'), ['wechat_scene']
        )


def downgrade():
    with op.batch_alter_table('notification_settings', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('uq_notification_settings_wechat_scene'), type_='unique'
        )
        batch_op.drop_constraint(
            batch_op.f('uq_notification_settings_wechat_openid'), type_='unique'
        )
        batch_op.drop_column('wechat_code_url')
        batch_op.drop_column('wechat_scene_until')
        batch_op.drop_column('wechat_scene')
        batch_op.drop_column('wechat_bound_at')
        batch_op.drop_column('wechat_openid')
