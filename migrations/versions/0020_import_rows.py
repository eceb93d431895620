"""validated import rows, staged in the database for the set-based writing pass

The validation pass used to keep the rows that passed in a file beside the upload and every
email and phone key in ``customers_import_keys``; the rows now wait in
``customers_import_rows`` (their keys indexed for duplicate detection), from where the
writing pass creates the customers of rows that match nobody with one ``INSERT … SELECT`` per
chunk. The key table goes: an import in progress during the upgrade fails its validation's
next chunk and is resumed (validated anew) like any failed import. Batches count their
unchanged rows (``unchanged_count``, filled from the undo records for those already run)
instead of counting undo records at every progress report.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 21:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLE = "customers_import_rows"
_KEYS = "customers_import_keys"
_BATCHES = "customers_import_batches"


def upgrade() -> None:
    op.create_table(
        _TABLE,
        sa.Column("batch_id", sa.Uuid(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("email_key", sa.String(length=320), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("search_name", sa.String(length=200), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("gender", sa.String(length=16), nullable=True),
        sa.Column("birthdate", sa.Date(), nullable=True),
        sa.Column("company", sa.String(length=200), nullable=True),
        sa.Column("position", sa.String(length=200), nullable=True),
        sa.Column("vat_id", sa.String(length=64), nullable=True),
        sa.Column("consent", sa.String(length=16), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=True),
        sa.Column("fields", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("line", "batch_id", name=op.f("pk_customers_import_rows")),
    )
    for column in ("email_key", "phone"):
        op.create_index(_index(column), _TABLE, [column, "batch_id"])
    op.drop_table(_KEYS)
    with op.batch_alter_table(_BATCHES, schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("unchanged_count", sa.Integer(), server_default="0", nullable=False)
        )
    op.execute(
        f"UPDATE {_BATCHES} SET unchanged_count = (SELECT count(*) FROM customers_import_changes"
        f" c WHERE c.batch_id = {_BATCHES}.id AND c.action = 'unchanged')"
    )


def downgrade() -> None:
    with op.batch_alter_table(_BATCHES, schema=None) as batch_op:
        batch_op.drop_column("unchanged_count")
    op.create_table(
        _KEYS,
        sa.Column("batch_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=330), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["customers_import_batches.id"],
            name=op.f("fk_customers_import_keys_batch_id_customers_import_batches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("batch_id", "key", name=op.f("pk_customers_import_keys")),
    )
    for column in ("email_key", "phone"):
        op.drop_index(_index(column), table_name=_TABLE)
    op.drop_table(_TABLE)


def _index(column: str) -> str:
    return f"ix_{_TABLE}_{column}"  # named in the model: the convention's name is too long
