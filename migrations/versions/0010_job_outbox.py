"""job outbox

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 07:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import customers_plugin.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "customers_job_outbox",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("store_id", sa.String(length=64), nullable=False),
        sa.Column("job", sa.String(length=64), nullable=False),
        sa.Column("args", sa.JSON(), nullable=False),
        sa.Column("job_id", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", customers_plugin.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("relayed_at", customers_plugin.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers_job_outbox")),
    )
    with op.batch_alter_table("customers_job_outbox", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customers_job_outbox_state"),
            ["state", "created_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_customers_job_outbox_store"),
            ["store_id", "state", "created_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("customers_job_outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customers_job_outbox_store"))
        batch_op.drop_index(batch_op.f("ix_customers_job_outbox_state"))
    op.drop_table("customers_job_outbox")
