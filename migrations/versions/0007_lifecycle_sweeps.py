"""lifecycle sweeps: import heartbeat, review-request claim time, export expiry

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 15:00:00

``customers_import_batches.updated_at`` (the last write to a batch: a running batch that stops
moving lost its worker), ``customers_review_requests.claimed_at`` (when a sender took it: a
request "sending" long after was interrupted) and ``customers_export_jobs.expires_at`` (when
the sweep deletes the file). Rows already there get values the sweeps can use: running batches
their start, requests being sent their due date, finished exports seven days after they were
written (the default of ``CUSTOMERS_EXPORT_TTL_DAYS``).
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import customers_plugin.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UTC = customers_plugin.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("customers_import_batches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("updated_at", _UTC, nullable=True))
    with op.batch_alter_table("customers_review_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_at", _UTC, nullable=True))
    with op.batch_alter_table("customers_export_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", _UTC, nullable=True))

    batches = sa.table(
        "customers_import_batches",
        sa.column("updated_at", _UTC),
        sa.column("started_at", _UTC),
        sa.column("created_at", _UTC),
    )
    op.execute(
        batches.update().values(
            updated_at=sa.func.coalesce(batches.c.started_at, batches.c.created_at)
        )
    )
    requests = sa.table(
        "customers_review_requests",
        sa.column("status", sa.String),
        sa.column("claimed_at", _UTC),
        sa.column("due_at", _UTC),
    )
    op.execute(
        requests.update().where(requests.c.status == "sending").values(claimed_at=requests.c.due_at)
    )
    exports = sa.table(
        "customers_export_jobs",
        sa.column("id", sa.Uuid),
        sa.column("status", sa.String),
        sa.column("finished_at", _UTC),
        sa.column("expires_at", _UTC),
    )
    bind = op.get_bind()
    done = bind.execute(
        sa.select(exports.c.id, exports.c.finished_at).where(exports.c.status == "done")
    ).all()
    for export_id, finished_at in done:  # date arithmetic differs by dialect: done in Python
        bind.execute(
            exports.update()
            .where(exports.c.id == export_id)
            .values(expires_at=(finished_at or dt.datetime.now(dt.UTC)) + dt.timedelta(days=7))
        )


def downgrade() -> None:
    with op.batch_alter_table("customers_export_jobs", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
    with op.batch_alter_table("customers_review_requests", schema=None) as batch_op:
        batch_op.drop_column("claimed_at")
    with op.batch_alter_table("customers_import_batches", schema=None) as batch_op:
        batch_op.drop_column("updated_at")
