"""people's names spelled in pinyin, to find and sort them

Revision ID: e3b1d2c4f5a6
Revises: 7c1e9a4b2d10
Create Date: 2026-12-05 22:45:00

"""
from alembic import op
import sqlalchemy as sa

from portal.web.collation import pinyin_spelling


# revision identifiers, used by Alembic.
revision = 'e3b1d2c4f5a6'
down_revision = '7c1e9a4b2d10'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_pinyin', sa.String(length=240), server_default='', nullable=False))
        batch_op.add_column(sa.Column('name_initials', sa.String(length=80), server_default='', nullable=False))
        batch_op.create_index(batch_op.f('ix_person_name_pinyin'), ['name_pinyin'], unique=False)
    person = sa.table('person', sa.column('id'), sa.column('name'), sa.column('name_pinyin'), sa.column('name_initials'))
    connection = op.get_bind()
    for row in connection.execute(sa.select(person.c.id, person.c.name)).all():
        spelled, initials = pinyin_spelling(row.name)
        connection.execute(
            person.update().where(person.c.id == row.id).values(name_pinyin=spelled, name_initials=initials)
        )


def downgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_name_pinyin'))
        batch_op.drop_column('name_initials')
        batch_op.drop_column('name_pinyin')
