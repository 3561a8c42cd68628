"""a community's review panel scores each partner every month

Revision ID: 77f4e9bd0926
Revises: f5b4df90a64d
Create Date: 2026-12-06 23:18:39.844104

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '77f4e9bd0926'
down_revision = 'f5b4df90a64d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('partner_rating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('speed', sa.Integer(), nullable=False),
    sa.Column('quality', sa.Integer(), nullable=False),
    sa.Column('manner', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('by_id', sa.Integer(), nullable=False),
    sa.Column('panel', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('speed BETWEEN 1 AND 5 AND quality BETWEEN 1 AND 5 AND manner BETWEEN 1 AND 5', name=op.f('ck_partner_rating_scores_1_to_5')),
    sa.ForeignKeyConstraint(['by_id'], ['person.id'], name=op.f('fk_partner_rating_by_id_person')),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_partner_rating_community_id_community')),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], name=op.f('fk_partner_rating_partner_id_partner')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partner_rating')),
    sa.UniqueConstraint('partner_id', 'community_id', 'month', name=op.f('uq_partner_rating_partner_id'))
    )
    with op.batch_alter_table('partner_rating', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partner_rating_partner_id'), ['partner_id'], unique=False)



def downgrade():
    with op.batch_alter_table('partner_rating', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partner_rating_partner_id'))

    op.drop_table('partner_rating')
