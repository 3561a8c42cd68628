"""residents' sex, floor, landline, language, care colour reason and emergency contacts

Revision ID: f4c2a9d7e1b3
Revises: e3b1d2c4f5a6
Create Date: 2026-12-06 02:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f4c2a9d7e1b3'
down_revision = 'e3b1d2c4f5a6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('floor', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('sex', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('landline', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('care_colour_reason', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))
    op.create_table(
        'emergency_contact',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('relation', sa.String(length=40), nullable=False),
        sa.Column('phone', sa.String(length=20), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_emergency_contact_person_id_person')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_emergency_contact')),
    )
    with op.batch_alter_table('emergency_contact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_emergency_contact_person_id'), ['person_id'], unique=False)


def downgrade():
    with op.batch_alter_table('emergency_contact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_emergency_contact_person_id'))
    op.drop_table('emergency_contact')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('language')
        batch_op.drop_column('care_colour_reason')
        batch_op.drop_column('landline')
        batch_op.drop_column('sex')
        batch_op.drop_column('floor')
