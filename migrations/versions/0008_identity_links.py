"""identity links and duplicate suggestions

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 07:00:00

One customer per host account and store: ``customers_customers.host_user_id`` becomes unique
per store (its plain index becomes a unique one). Should two
customers of a store carry the same account already, the one created first keeps it and the
others are unlinked (the account re-links on its next verified sign-in).

``customers_duplicate_suggestions``: two customers an unverified event paired (an email with
another customer's phone), once per direction, for the merchant to review.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import customers_plugin.types

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD_INDEX = "ix_customers_customers_store_id_customers_customers_host_user_id"
_UNIQUE = "ix_customers_customers_host_user"


def upgrade() -> None:
    op.create_table(
        "customers_duplicate_suggestions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("store_id", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("other_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("detected_at", customers_plugin.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "reason IN ('same_phone')", name=op.f("ck_customers_duplicate_suggestions_reason")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers_customers.id"],
            name=op.f("fk_customers_duplicate_suggestions_customer_id_customers_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["other_id"],
            ["customers_customers.id"],
            name=op.f("fk_customers_duplicate_suggestions_other_id_customers_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers_duplicate_suggestions")),
        sa.UniqueConstraint(
            "store_id",
            "customer_id",
            "other_id",
            name=op.f("uq_customers_duplicate_suggestions_store_id_customer_id_other_id"),
        ),
    )
    with op.batch_alter_table("customers_duplicate_suggestions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customers_duplicate_suggestions_other_id"), ["other_id"], unique=False
        )
        batch_op.create_index(
            "ix_customers_duplicate_suggestions_page",
            ["store_id", "customer_id", "detected_at", "id"],
            unique=False,
        )

    customers = sa.table(
        "customers_customers",
        sa.column("id", sa.Uuid()),
        sa.column("store_id", sa.String()),
        sa.column("host_user_id", sa.String()),
    )
    earlier = customers.alias("earlier")
    op.execute(
        customers.update()
        .where(
            customers.c.host_user_id.is_not(None),
            sa.exists().where(
                earlier.c.store_id == customers.c.store_id,
                earlier.c.host_user_id == customers.c.host_user_id,
                earlier.c.id < customers.c.id,
            ),
        )
        .values(host_user_id=None)
    )
    # plain index operations: a batch rebuild of this table on SQLite would cascade deletes
    op.drop_index(op.f(_OLD_INDEX), table_name="customers_customers")
    op.create_index(_UNIQUE, "customers_customers", ["store_id", "host_user_id"], unique=True)


def downgrade() -> None:
    op.drop_index(_UNIQUE, table_name="customers_customers")
    op.create_index(op.f(_OLD_INDEX), "customers_customers", ["store_id", "host_user_id"])

    with op.batch_alter_table("customers_duplicate_suggestions", schema=None) as batch_op:
        batch_op.drop_index("ix_customers_duplicate_suggestions_page")
        batch_op.drop_index(batch_op.f("ix_customers_duplicate_suggestions_other_id"))

    op.drop_table("customers_duplicate_suggestions")
