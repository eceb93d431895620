"""staff tasks about customers, with their reminder claim

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 08:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import customers_plugin.types

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLE = "customers_tasks"
_INDEXES = (
    ("store_id", "due_at", "id"),
    ("customer_id", "due_at", "id"),
    ("store_id", "assignee_id", "due_at"),
    ("due_at", "reminded_at"),
)


def _index_name(columns: tuple[str, ...]) -> str:
    # the naming convention's ``ix_%(column_0_N_label)s``, as the model gets it
    return "ix_" + "_".join(f"{_TABLE}_{column}" for column in columns)


def upgrade() -> None:
    when = customers_plugin.types.UTCDateTime(timezone=True)
    op.create_table(
        _TABLE,
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("store_id", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=5000), nullable=True),
        sa.Column("due_at", when, nullable=False),
        sa.Column("assignee_id", sa.String(length=128), nullable=True),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=True),
        sa.Column("created_at", when, nullable=False),
        sa.Column("updated_at", when, nullable=False),
        sa.Column("done_at", when, nullable=True),
        sa.Column("reminded_at", when, nullable=True),
        sa.CheckConstraint("status IN ('open', 'done')", name=op.f("ck_customers_tasks_status")),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers_customers.id"],
            name=op.f("fk_customers_tasks_customer_id_customers_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers_tasks")),
    )
    for columns in _INDEXES:
        op.create_index(op.f(_index_name(columns)), _TABLE, list(columns))


def downgrade() -> None:
    for columns in reversed(_INDEXES):
        op.drop_index(op.f(_index_name(columns)), table_name=_TABLE)
    op.drop_table(_TABLE)
