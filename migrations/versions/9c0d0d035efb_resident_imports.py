"""resident spreadsheets kept from upload to import, and the columns a community imports with

Revision ID: 9c0d0d035efb
Revises: c9f5a7b1e4d3
Create Date: 2026-12-06 05:08:03.270275

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9c0d0d035efb'
down_revision = 'c9f5a7b1e4d3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('import_columns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('columns', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_import_columns_community_id_community')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_columns')),
    sa.UniqueConstraint('community_id', name=op.f('uq_import_columns_community_id'))
    )
    op.create_table('resident_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('header', sa.JSON(), nullable=False),
    sa.Column('rows', sa.JSON(), nullable=False),
    sa.Column('columns', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('imported_at', sa.DateTime(), nullable=True),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('added_ids', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_resident_import_community_id_community')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['person.id'], name=op.f('fk_resident_import_uploaded_by_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resident_import'))
    )
    with op.batch_alter_table('resident_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resident_import_community_id'), ['community_id'], unique=False)



def downgrade():
    with op.batch_alter_table('resident_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resident_import_community_id'))

    op.drop_table('resident_import')
    op.drop_table('import_columns')
