"""vouchers bought with points, the record of service hours, when points expire, and what paid for a meal

Revision ID: a7c9e1b3d5f8
Revises: f6b8d0e2a4c7
Create Date: 2026-12-06 19:04:44.010365

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c9e1b3d5f8'
down_revision = 'f6b8d0e2a4c7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('points_settings',
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('expire_after_months', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_points_settings_community_id_community')),
    sa.PrimaryKeyConstraint('community_id', name=op.f('pk_points_settings'))
    )
    op.create_table('voucher_kind',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('use', sa.String(length=20), nullable=False),
    sa.Column('value_fen', sa.Integer(), nullable=True),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('stock', sa.Integer(), nullable=True),
    sa.Column('issued', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('per_person', sa.Integer(), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('points > 0', name=op.f('ck_voucher_kind_has_a_price')),
    sa.CheckConstraint('stock IS NULL OR issued <= stock', name=op.f('ck_voucher_kind_in_stock')),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_voucher_kind_community_id_community')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voucher_kind'))
    )
    with op.batch_alter_table('voucher_kind', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_voucher_kind_community_id'), ['community_id'], unique=False)

    op.create_table('service_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('deed_key', sa.String(length=120), nullable=False),
    sa.Column('rule', sa.String(length=20), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_service_record_community_id_community')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_service_record_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_record')),
    sa.UniqueConstraint('deed_key', name=op.f('uq_service_record_deed_key'))
    )
    with op.batch_alter_table('service_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_record_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_record_on'), ['on'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_record_person_id'), ['person_id'], unique=False)

    op.create_table('voucher',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('holder_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('request_key', sa.String(length=40), nullable=False),
    sa.Column('slot_key', sa.String(length=60), nullable=True),
    sa.Column('transaction_id', sa.Integer(), nullable=False),
    sa.Column('bought_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.Column('used_by_id', sa.Integer(), nullable=True),
    sa.Column('booking_id', sa.Integer(), nullable=True),
    sa.Column('covered_fen', sa.Integer(), nullable=True),
    sa.Column('dish_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['booking_id'], ['booking.id'], name=op.f('fk_voucher_booking_id_booking')),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_voucher_community_id_community')),
    sa.ForeignKeyConstraint(['dish_id'], ['dish.id'], name=op.f('fk_voucher_dish_id_dish')),
    sa.ForeignKeyConstraint(['holder_id'], ['person.id'], name=op.f('fk_voucher_holder_id_person')),
    sa.ForeignKeyConstraint(['kind_id'], ['voucher_kind.id'], name=op.f('fk_voucher_kind_id_voucher_kind')),
    sa.ForeignKeyConstraint(['transaction_id'], ['points_transaction.id'], name=op.f('fk_voucher_transaction_id_points_transaction')),
    sa.ForeignKeyConstraint(['used_by_id'], ['person.id'], name=op.f('fk_voucher_used_by_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voucher')),
    sa.UniqueConstraint('request_key', name=op.f('uq_voucher_request_key')),
    sa.UniqueConstraint('slot_key', name=op.f('uq_voucher_slot_key'))
    )
    with op.batch_alter_table('voucher', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_voucher_booking_id'), ['booking_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_voucher_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_voucher_dish_id'), ['dish_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_voucher_holder_id'), ['holder_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_voucher_kind_id'), ['kind_id'], unique=False)

    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paid_with', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('paid_with_fen', sa.Integer(), nullable=False, server_default='0'))

    with op.batch_alter_table('points_transaction', schema=None) as batch_op:
        batch_op.add_column(sa.Column('detail', sa.JSON(), nullable=True))

    # Volunteers of a community are found by their role, for kitchen shifts and activity helpers.
    with op.batch_alter_table('role_grant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_role_grant_role'), ['role'], unique=False)



def downgrade():
    with op.batch_alter_table('role_grant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_role_grant_role'))

    with op.batch_alter_table('points_transaction', schema=None) as batch_op:
        batch_op.drop_column('detail')

    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.drop_column('paid_with_fen')
        batch_op.drop_column('paid_with')

    with op.batch_alter_table('voucher', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_voucher_kind_id'))
        batch_op.drop_index(batch_op.f('ix_voucher_holder_id'))
        batch_op.drop_index(batch_op.f('ix_voucher_dish_id'))
        batch_op.drop_index(batch_op.f('ix_voucher_community_id'))
        batch_op.drop_index(batch_op.f('ix_voucher_booking_id'))

    op.drop_table('voucher')
    with op.batch_alter_table('service_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_record_person_id'))
        batch_op.drop_index(batch_op.f('ix_service_record_on'))
        batch_op.drop_index(batch_op.f('ix_service_record_community_id'))

    op.drop_table('service_record')
    with op.batch_alter_table('voucher_kind', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_voucher_kind_community_id'))

    op.drop_table('voucher_kind')
    op.drop_table('points_settings')
