"""timeline indexes

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 10:20:00.000000

The customer's timeline reads each kind newest first for one customer: every table it reads
gets an index on ``(customer_id, <its time>, id)``. The orders' and form submissions'
``(customer_id, <time>)`` indexes become those (the id added), so they still serve the
customer's cascade on delete; bookings (by ``booked_at``), notes and tasks (by ``created_at``)
get a new one. The activity log and messages have theirs already.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> (the index it replaces or None, the time column)
_TIMELINE = {
    "customers_orders": ("ix_customers_orders_customer_id_customers_orders_placed_at", "placed_at"),
    "customers_form_submissions": (
        "ix_customers_form_submissions_customer_id_customers_form_submissions_submitted_at",
        "submitted_at",
    ),
    "customers_bookings": (None, "booked_at"),
    "customers_notes": (None, "created_at"),
    "customers_tasks": (None, "created_at"),
}


def _timeline_index(table: str) -> str:
    return f"ix_{table}_timeline"


def upgrade() -> None:
    for table, (replaced, at) in _TIMELINE.items():
        op.create_index(_timeline_index(table), table, ["customer_id", at, "id"])
        if replaced is not None:
            op.drop_index(op.f(replaced), table_name=table)


def downgrade() -> None:
    for table, (replaced, at) in reversed(_TIMELINE.items()):
        if replaced is not None:
            op.create_index(op.f(replaced), table, ["customer_id", at])
        op.drop_index(_timeline_index(table), table_name=table)
