"""partners accept what is handed to them, within a time each community sets

Revision ID: f5b4df90a64d
Revises: a7c9e1b3d5f8
Create Date: 2026-12-06 23:01:32.788080

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f5b4df90a64d'
down_revision = 'a7c9e1b3d5f8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('help_settings',
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('partner_accept_minutes', sa.Integer(), nullable=False),
    sa.Column('partner_accept_minutes_urgent', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_help_settings_community_id_community')),
    sa.PrimaryKeyConstraint('community_id', name=op.f('pk_help_settings'))
    )
    with op.batch_alter_table('help_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('accepted_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('returned_at', sa.DateTime(), nullable=True))
        batch_op.create_index('ix_help_request_partner_status', ['partner_id', 'status'], unique=False)

    with op.batch_alter_table('partner', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=20), server_default='other', nullable=False))

    # Requests handed to a partner before partners could accept were being dealt with: count
    # them as accepted then, so that none goes back to its grid worker for want of an answer.
    op.execute(
        "UPDATE help_request SET handed_at = updated_at, accepted_at = updated_at "
        "WHERE partner_id IS NOT NULL"
    )


def downgrade():
    with op.batch_alter_table('partner', schema=None) as batch_op:
        batch_op.drop_column('kind')

    with op.batch_alter_table('help_request', schema=None) as batch_op:
        batch_op.drop_index('ix_help_request_partner_status')
        batch_op.drop_column('returned_at')
        batch_op.drop_column('accepted_at')
        batch_op.drop_column('handed_at')

    op.drop_table('help_settings')
