"""each audit entry names its community, for the community's admins to read it through one index

Revision ID: 3a5c7e9b1d4f
Revises: 84d4a6aa3d46
Create Date: 2026-12-07 06:20:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "3a5c7e9b1d4f"
down_revision = "84d4a6aa3d46"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("community_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_audit_entry_community_id_community"),
            "community",
            ["community_id"],
            ["id"],
        )
    # The subject's community, or, for an entry about no one, the actor's.
    op.execute(
        "UPDATE audit_entry SET community_id = (SELECT person.community_id FROM person"
        " WHERE person.id = coalesce(audit_entry.subject_id, audit_entry.actor_id))"
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_entry_community_id_at", ["community_id", "at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entry_community_id_at")
        batch_op.drop_constraint(
            batch_op.f("fk_audit_entry_community_id_community"), type_="foreignkey"
        )
        batch_op.drop_column("community_id")
