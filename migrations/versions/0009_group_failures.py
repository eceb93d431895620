"""group failures: why a group could not be evaluated, and since when

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 07:10:00

``customers_groups.failure_reason`` (what failed: the condition whose value is out of range, or
the kind of database error; never customer data) and ``customers_groups.failed_at``. Both are
NULL while the group evaluates; capture goes on without a failing group.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import customers_plugin.types

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("customers_groups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failure_reason", sa.String(length=500), nullable=True))
        batch_op.add_column(
            sa.Column("failed_at", customers_plugin.types.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("customers_groups", schema=None) as batch_op:
        batch_op.drop_column("failed_at")
        batch_op.drop_column("failure_reason")
