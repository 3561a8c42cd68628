"""care visits indexed by resident and time, with their outcome, to find who was last seen when

Revision ID: 5e7a9c1b3d6f
Revises: 3a5c7e9b1d4f
Create Date: 2026-12-07 09:40:00.000000

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "5e7a9c1b3d6f"
down_revision = "3a5c7e9b1d4f"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("care_visit", schema=None) as batch_op:
        batch_op.create_index(
            "ix_care_visit_resident_id_at", ["resident_id", "at", "outcome"], unique=False
        )
        batch_op.drop_index("ix_care_visit_resident_id")


def downgrade():
    with op.batch_alter_table("care_visit", schema=None) as batch_op:
        batch_op.create_index("ix_care_visit_resident_id", ["resident_id"], unique=False)
        batch_op.drop_index("ix_care_visit_resident_id_at")
