"""store settings overrides and shoppers' erasure requests

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import customers_plugin.types

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_REQUESTS = "customers_erasure_requests"
_INDEXES = (
    ("store_id", "requested_at", "id"),
    ("customer_id", "requested_at"),
)


def _index_name(columns: tuple[str, ...]) -> str:
    # the naming convention's ``ix_%(column_0_N_label)s``, as the model gets it
    return "ix_" + "_".join(f"{_REQUESTS}_{column}" for column in columns)


def upgrade() -> None:
    when = customers_plugin.types.UTCDateTime(timezone=True)
    op.create_table(
        "customers_store_settings",
        sa.Column("store_id", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("updated_by", sa.String(length=128), nullable=True),
        sa.Column("updated_at", when, nullable=False),
        sa.PrimaryKeyConstraint("store_id", "key", name=op.f("pk_customers_store_settings")),
    )
    op.create_table(
        _REQUESTS,
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("store_id", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("pending_for", sa.Uuid(), nullable=True),
        sa.Column("requested_at", when, nullable=False),
        sa.Column("closed_at", when, nullable=True),
        sa.Column("closed_by", sa.String(length=128), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'completed', 'declined')",
            name=op.f("ck_customers_erasure_requests_status"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers_customers.id"],
            name=op.f("fk_customers_erasure_requests_customer_id_customers_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers_erasure_requests")),
        sa.UniqueConstraint(
            "store_id",
            "pending_for",
            name=op.f("uq_customers_erasure_requests_store_id_pending_for"),
        ),
    )
    for columns in _INDEXES:
        op.create_index(op.f(_index_name(columns)), _REQUESTS, list(columns))


def downgrade() -> None:
    for columns in reversed(_INDEXES):
        op.drop_index(op.f(_index_name(columns)), table_name=_REQUESTS)
    op.drop_table(_REQUESTS)
    op.drop_table("customers_store_settings")
