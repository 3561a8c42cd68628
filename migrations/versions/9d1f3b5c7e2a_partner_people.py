"""a partner's people sign in and are told of the requests handed to it

Revision ID: 9d1f3b5c7e2a
Revises: 8c0e2a4b6d1f
Create Date: 2026-12-06 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9d1f3b5c7e2a'
down_revision = '8c0e2a4b6d1f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('role_grant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('partner_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_role_grant_partner_id'), ['partner_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_role_grant_partner_id_partner'), 'partner', ['partner_id'], ['id']
        )


def downgrade():
    with op.batch_alter_table('role_grant', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_role_grant_partner_id_partner'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_role_grant_partner_id'))
        batch_op.drop_column('partner_id')
