"""a points ledger per community: accounts, transactions and their entries

Revision ID: e5a7c9b1d3f6
Revises: d4f6b8c0e2a5
Create Date: 2026-12-06 16:59:48.566063

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5a7c9b1d3f6'
down_revision = 'd4f6b8c0e2a5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('points_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('balance', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind = 'issued' OR balance >= 0", name=op.f('ck_points_account_not_negative')),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_points_account_community_id_community')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_points_account_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_points_account')),
    sa.UniqueConstraint('key', name=op.f('uq_points_account_key'))
    )
    with op.batch_alter_table('points_account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_points_account_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_points_account_person_id'), ['person_id'], unique=False)

    op.create_table('points_transaction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('deed_key', sa.String(length=120), nullable=True),
    sa.Column('reverses_id', sa.Integer(), nullable=True),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['person.id'], name=op.f('fk_points_transaction_by_id_person')),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_points_transaction_community_id_community')),
    sa.ForeignKeyConstraint(['reverses_id'], ['points_transaction.id'], name=op.f('fk_points_transaction_reverses_id_points_transaction')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_points_transaction')),
    sa.UniqueConstraint('deed_key', name=op.f('uq_points_transaction_deed_key')),
    sa.UniqueConstraint('reverses_id', name=op.f('uq_points_transaction_reverses_id'))
    )
    with op.batch_alter_table('points_transaction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_points_transaction_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_points_transaction_community_id'), ['community_id'], unique=False)

    op.create_table('points_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('transaction_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['points_account.id'], name=op.f('fk_points_entry_account_id_points_account')),
    sa.ForeignKeyConstraint(['transaction_id'], ['points_transaction.id'], name=op.f('fk_points_entry_transaction_id_points_transaction')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_points_entry'))
    )
    with op.batch_alter_table('points_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_points_entry_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_points_entry_transaction_id'), ['transaction_id'], unique=False)



def downgrade():
    with op.batch_alter_table('points_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_points_entry_transaction_id'))
        batch_op.drop_index(batch_op.f('ix_points_entry_account_id'))

    op.drop_table('points_entry')
    with op.batch_alter_table('points_transaction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_points_transaction_community_id'))
        batch_op.drop_index(batch_op.f('ix_points_transaction_at'))

    op.drop_table('points_transaction')
    with op.batch_alter_table('points_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_points_account_person_id'))
        batch_op.drop_index(batch_op.f('ix_points_account_community_id'))

    op.drop_table('points_account')
