"""each community's catalogue of services, with their questions

Revision ID: 5f06dec61eed
Revises: ebf22502853c
Create Date: 2026-12-06 23:30:37.104428

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5f06dec61eed'
down_revision = 'ebf22502853c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('help_service',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('names', sa.JSON(), nullable=False),
    sa.Column('hints', sa.JSON(), nullable=False),
    sa.Column('handler', sa.String(length=20), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=True),
    sa.Column('charge', sa.String(length=20), nullable=False),
    sa.Column('price_fen', sa.Integer(), nullable=True),
    sa.Column('open_days', sa.String(length=7), nullable=False),
    sa.Column('opens', sa.Time(), nullable=True),
    sa.Column('closes', sa.Time(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('on_kiosk', sa.Boolean(), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_help_service_community_id_community')),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], name=op.f('fk_help_service_partner_id_partner')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_help_service')),
    sa.UniqueConstraint('community_id', 'code', name=op.f('uq_help_service_community_id'))
    )
    op.create_table('service_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('texts', sa.JSON(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('choices', sa.JSON(), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['help_service.id'], name=op.f('fk_service_question_service_id_help_service')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_question'))
    )
    with op.batch_alter_table('service_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_question_service_id'), ['service_id'], unique=False)

    with op.batch_alter_table('help_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('service_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('answers', sa.JSON(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_help_request_service_id_help_service'), 'help_service', ['service_id'], ['id'])



def downgrade():
    with op.batch_alter_table('help_request', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_help_request_service_id_help_service'), type_='foreignkey')
        batch_op.drop_column('answers')
        batch_op.drop_column('service_id')

    with op.batch_alter_table('service_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_question_service_id'))

    op.drop_table('service_question')
    op.drop_table('help_service')
