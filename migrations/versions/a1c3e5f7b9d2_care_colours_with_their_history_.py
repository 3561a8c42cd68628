"""care colours with their history, cadences, pauses and visits

Revision ID: a1c3e5f7b9d2
Revises: 9d1f3b5c7e2a
Create Date: 2026-12-06 11:55:39.483606

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1c3e5f7b9d2'
down_revision = '9d1f3b5c7e2a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('care_cadence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('colour', sa.String(length=10), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_care_cadence_community_id_community')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_cadence')),
    sa.UniqueConstraint('community_id', 'colour', name=op.f('uq_care_cadence_community_id'))
    )
    op.create_table('care_pause',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('resumes_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['person.id'], name=op.f('fk_care_pause_by_id_person')),
    sa.ForeignKeyConstraint(['resident_id'], ['person.id'], name=op.f('fk_care_pause_resident_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_pause'))
    )
    with op.batch_alter_table('care_pause', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_pause_resident_id'), ['resident_id'], unique=False)

    op.create_table('colour_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('colour', sa.String(length=10), nullable=True),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['person.id'], name=op.f('fk_colour_change_by_id_person')),
    sa.ForeignKeyConstraint(['resident_id'], ['person.id'], name=op.f('fk_colour_change_resident_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_colour_change'))
    )
    with op.batch_alter_table('colour_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_colour_change_resident_id'), ['resident_id'], unique=False)

    op.create_table('care_visit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('outcome', sa.String(length=12), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('colour', sa.String(length=10), nullable=True),
    sa.Column('help_request_id', sa.Integer(), nullable=True),
    sa.Column('welfare_check_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['by_id'], ['person.id'], name=op.f('fk_care_visit_by_id_person')),
    sa.ForeignKeyConstraint(['help_request_id'], ['help_request.id'], name=op.f('fk_care_visit_help_request_id_help_request')),
    sa.ForeignKeyConstraint(['resident_id'], ['person.id'], name=op.f('fk_care_visit_resident_id_person')),
    sa.ForeignKeyConstraint(['welfare_check_id'], ['help_request.id'], name=op.f('fk_care_visit_welfare_check_id_help_request')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_visit'))
    )
    with op.batch_alter_table('care_visit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_visit_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_care_visit_resident_id'), ['resident_id'], unique=False)



def downgrade():
    with op.batch_alter_table('care_visit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_care_visit_resident_id'))
        batch_op.drop_index(batch_op.f('ix_care_visit_at'))

    op.drop_table('care_visit')
    with op.batch_alter_table('colour_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_colour_change_resident_id'))

    op.drop_table('colour_change')
    with op.batch_alter_table('care_pause', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_care_pause_resident_id'))

    op.drop_table('care_pause')
    op.drop_table('care_cadence')
