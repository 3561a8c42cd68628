"""people's names spelled again, each surname read as one (单 is shan, 曾 zeng), apart from the rest

Revision ID: 8d2f4a6c0e1b
Revises: 5e7a9c1b3d6f
Create Date: 2026-12-07 12:40:00.000000

"""

from alembic import op
import sqlalchemy as sa

from portal.web.collation import pinyin_spelling


# revision identifiers, used by Alembic.
revision = "8d2f4a6c0e1b"
down_revision = "5e7a9c1b3d6f"
branch_labels = None
depends_on = None


def upgrade():
    person = sa.table(
        "person",
        sa.column("id"),
        sa.column("name"),
        sa.column("name_pinyin"),
        sa.column("name_initials"),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(person.c.id, person.c.name, person.c.name_pinyin, person.c.name_initials)
    ).all()
    for row in rows:
        spelled, initials = pinyin_spelling(row.name)
        if (spelled, initials) != (row.name_pinyin, row.name_initials):
            connection.execute(
                person.update()
                .where(person.c.id == row.id)
                .values(name_pinyin=spelled, name_initials=initials)
            )


def downgrade():
    # The spellings stay: they are data, and the earlier reading of surnames was a mistake.
    pass
