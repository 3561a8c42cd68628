"""paperwork kinds, cases, documents and dues

Revision ID: 84d4a6aa3d46
Revises: fd610362fb35
Create Date: 2026-12-07 02:10:27.560632

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '84d4a6aa3d46'
down_revision = 'fd610362fb35'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('paperwork_kind',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('names', sa.JSON(), nullable=False),
    sa.Column('documents', sa.JSON(), nullable=False),
    sa.Column('every_months', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_paperwork_kind_community_id_community')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paperwork_kind')),
    sa.UniqueConstraint('community_id', 'code', name=op.f('uq_paperwork_kind_community_id'))
    )
    op.create_table('paperwork_due',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('kind_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('last_done_on', sa.Date(), nullable=True),
    sa.Column('month_reminder_for', sa.Date(), nullable=True),
    sa.Column('week_reminder_for', sa.Date(), nullable=True),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['person.id'], name=op.f('fk_paperwork_due_by_id_person')),
    sa.ForeignKeyConstraint(['kind_id'], ['paperwork_kind.id'], name=op.f('fk_paperwork_due_kind_id_paperwork_kind')),
    sa.ForeignKeyConstraint(['resident_id'], ['person.id'], name=op.f('fk_paperwork_due_resident_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paperwork_due')),
    sa.UniqueConstraint('resident_id', 'kind_id', name=op.f('uq_paperwork_due_resident_id'))
    )
    with op.batch_alter_table('paperwork_due', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_paperwork_due_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_paperwork_due_resident_id'), ['resident_id'], unique=False)

    op.create_table('paperwork_case',
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('kind_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('outcome_note', sa.String(length=300), nullable=True),
    sa.Column('result_due_on', sa.Date(), nullable=True),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('outcome_by_id', sa.Integer(), nullable=True),
    sa.Column('outcome_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['kind_id'], ['paperwork_kind.id'], name=op.f('fk_paperwork_case_kind_id_paperwork_kind')),
    sa.ForeignKeyConstraint(['outcome_by_id'], ['person.id'], name=op.f('fk_paperwork_case_outcome_by_id_person')),
    sa.ForeignKeyConstraint(['request_id'], ['help_request.id'], name=op.f('fk_paperwork_case_request_id_help_request')),
    sa.PrimaryKeyConstraint('request_id', name=op.f('pk_paperwork_case'))
    )
    with op.batch_alter_table('paperwork_case', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_paperwork_case_kind_id'), ['kind_id'], unique=False)

    op.create_table('case_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('names', sa.JSON(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=True),
    sa.Column('received_by_id', sa.Integer(), nullable=True),
    sa.Column('received_confirmed_at', sa.DateTime(), nullable=True),
    sa.Column('received_confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('returned_at', sa.DateTime(), nullable=True),
    sa.Column('returned_by_id', sa.Integer(), nullable=True),
    sa.Column('return_confirmed_at', sa.DateTime(), nullable=True),
    sa.Column('return_confirmed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['received_by_id'], ['person.id'], name=op.f('fk_case_document_received_by_id_person')),
    sa.ForeignKeyConstraint(['received_confirmed_by_id'], ['person.id'], name=op.f('fk_case_document_received_confirmed_by_id_person')),
    sa.ForeignKeyConstraint(['request_id'], ['paperwork_case.request_id'], name=op.f('fk_case_document_request_id_paperwork_case')),
    sa.ForeignKeyConstraint(['return_confirmed_by_id'], ['person.id'], name=op.f('fk_case_document_return_confirmed_by_id_person')),
    sa.ForeignKeyConstraint(['returned_by_id'], ['person.id'], name=op.f('fk_case_document_returned_by_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_document'))
    )
    with op.batch_alter_table('case_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_document_request_id'), ['request_id'], unique=False)



def downgrade():
    with op.batch_alter_table('case_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_document_request_id'))

    op.drop_table('case_document')
    with op.batch_alter_table('paperwork_case', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paperwork_case_kind_id'))

    op.drop_table('paperwork_case')
    with op.batch_alter_table('paperwork_due', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paperwork_due_resident_id'))
        batch_op.drop_index(batch_op.f('ix_paperwork_due_due_on'))

    op.drop_table('paperwork_due')
    op.drop_table('paperwork_kind')
