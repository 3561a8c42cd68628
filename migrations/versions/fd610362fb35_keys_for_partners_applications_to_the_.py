"""keys for partners' applications to the open API

Revision ID: fd610362fb35
Revises: 5f06dec61eed
Create Date: 2026-12-06 23:54:10.460123

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'fd610362fb35'
down_revision = '5f06dec61eed'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('api_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_api_key_community_id_community')),
    sa.ForeignKeyConstraint(['created_by_id'], ['person.id'], name=op.f('fk_api_key_created_by_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_key')),
    sa.UniqueConstraint('digest', name=op.f('uq_api_key_digest'))
    )
    with op.batch_alter_table('api_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_key_community_id'), ['community_id'], unique=False)

    with op.batch_alter_table('help_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('api_key_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_help_request_api_key_id'), ['api_key_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_help_request_api_key_id_api_key'), 'api_key', ['api_key_id'], ['id'])



def downgrade():
    with op.batch_alter_table('help_request', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_help_request_api_key_id_api_key'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_help_request_api_key_id'))
        batch_op.drop_column('api_key_id')

    with op.batch_alter_table('api_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_key_community_id'))

    op.drop_table('api_key')
