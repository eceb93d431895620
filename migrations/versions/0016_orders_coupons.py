"""orders placed by staff and personal coupons

Revision ID: 0016
Revises: 0013
Create Date: 2026-12-06 09:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import customers_plugin.types

revision: str = "0016"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COUPONS = "customers_coupons"
_ORDERS = "customers_staff_orders"
_INDEXES = (
    (_COUPONS, ("store_id", "code")),
    (_COUPONS, ("customer_id", "created_at", "id")),
    (_ORDERS, ("store_id", "order_id")),
    (_ORDERS, ("customer_id", "created_at", "id")),
)


def _index_name(table: str, columns: tuple[str, ...]) -> str:
    # the naming convention's ``ix_%(column_0_N_label)s``, as the model gets it
    return "ix_" + "_".join(f"{table}_{column}" for column in columns)


def _customer_key(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["customer_id"],
        ["customers_customers.id"],
        name=op.f(f"fk_{table}_customer_id_customers_customers"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    when = customers_plugin.types.UTCDateTime(timezone=True)
    op.create_table(
        _COUPONS,
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("store_id", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("expires_at", when, nullable=True),
        sa.Column("uses_per_customer", sa.Integer(), nullable=True),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("product_id", sa.String(length=128), nullable=True),
        sa.Column("discount_kind", sa.String(length=8), nullable=True),
        sa.Column("discount_value", customers_plugin.types.Money(), nullable=True),
        sa.Column("discount_currency", sa.String(length=3), nullable=True),
        sa.Column("assigned_by", sa.String(length=128), nullable=True),
        sa.Column("created_at", when, nullable=False),
        sa.Column("revoked_at", when, nullable=True),
        sa.Column("revoked_by", sa.String(length=128), nullable=True),
        sa.CheckConstraint("uses >= 0", name=op.f("ck_customers_coupons_uses")),
        _customer_key(_COUPONS),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers_coupons")),
    )
    op.create_table(
        _ORDERS,
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("store_id", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=128), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("order_id", sa.String(length=128), nullable=True),
        sa.Column("payment_status", sa.String(length=32), nullable=True),
        sa.Column("payment_url", sa.String(length=2000), nullable=True),
        sa.Column("coupon_code", sa.String(length=64), nullable=True),
        sa.Column("staff", sa.String(length=128), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("created_at", when, nullable=False),
        sa.Column("placed_at", when, nullable=True),
        sa.Column("linked_at", when, nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'placed')", name=op.f("ck_customers_staff_orders_status")
        ),
        _customer_key(_ORDERS),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers_staff_orders")),
        sa.UniqueConstraint(
            "store_id",
            "idempotency_key",
            name=op.f("uq_customers_staff_orders_store_id_idempotency_key"),
        ),
    )
    for table, columns in _INDEXES:
        op.create_index(op.f(_index_name(table, columns)), table, list(columns))


def downgrade() -> None:
    for table, columns in reversed(_INDEXES):
        op.drop_index(op.f(_index_name(table, columns)), table_name=table)
    op.drop_table(_ORDERS)
    op.drop_table(_COUPONS)
