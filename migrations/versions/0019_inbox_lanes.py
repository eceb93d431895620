"""event inbox lanes: a worker drains one lane of a store in order

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 09:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLE = "customers_event_inbox"
_OLD_INDEX = "ix_customers_event_inbox_store_id_customers_event_inbox_received_at"
_NEW_INDEX = (
    "ix_customers_event_inbox_store_id_customers_event_inbox_lane_customers_event_inbox_received_at"
)


def upgrade() -> None:
    with op.batch_alter_table(_TABLE, schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("lane", sa.SmallInteger(), server_default="0", nullable=False)
        )
        batch_op.drop_index(batch_op.f(_OLD_INDEX))
        batch_op.create_index(batch_op.f(_NEW_INDEX), ["store_id", "lane", "received_at"])


def downgrade() -> None:
    with op.batch_alter_table(_TABLE, schema=None) as batch_op:
        batch_op.drop_index(batch_op.f(_NEW_INDEX))
        batch_op.create_index(batch_op.f(_OLD_INDEX), ["store_id", "received_at"])
        batch_op.drop_column("lane")
