"""daily check-ins, and the residents who check in every day

Revision ID: b2d4f6a8c0e1
Revises: a1c3e5f7b9d2
Create Date: 2026-12-06 12:11:00.571268

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b2d4f6a8c0e1'
down_revision = 'a1c3e5f7b9d2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('check_in',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['by_id'], ['person.id'], name=op.f('fk_check_in_by_id_person')),
    sa.ForeignKeyConstraint(['resident_id'], ['person.id'], name=op.f('fk_check_in_resident_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_in')),
    sa.UniqueConstraint('resident_id', 'day', name=op.f('uq_check_in_resident_id'))
    )
    with op.batch_alter_table('check_in', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_check_in_resident_id'), ['resident_id'], unique=False)

    op.create_table('check_in_plan',
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('deadline', sa.Time(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['person.id'], name=op.f('fk_check_in_plan_by_id_person')),
    sa.ForeignKeyConstraint(['resident_id'], ['person.id'], name=op.f('fk_check_in_plan_resident_id_person')),
    sa.PrimaryKeyConstraint('resident_id', name=op.f('pk_check_in_plan'))
    )


def downgrade():
    op.drop_table('check_in_plan')
    with op.batch_alter_table('check_in', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_check_in_resident_id'))

    op.drop_table('check_in')
