"""merges of duplicate customers (reversible) and the same-name index of the duplicates list

``customers_merges`` records who folded which customer into which (the merged row as it was,
the kept customer's columns before) and is the redirect of the merged customer's email and
phone; ``customers_merge_rows`` lists every row that moved or was set aside, for the undo.
The store's (name) index gains the id, so same-name pairs page in index order; the
suggestions get a (store, detected_at, id) index for the store's list of pairs.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import customers_plugin.types

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MERGES = "customers_merges"
_ROWS = "customers_merge_rows"
_INDEXES = (
    ("store_id", "merged_at", "id"),
    ("store_id", "merged_email_key"),
    ("store_id", "merged_phone"),
    ("store_id", "merged_id"),
    ("store_id", "kept_id"),
)
_OLD_NAME_INDEX = "ix_customers_customers_store_id_customers_customers_search_name"
_NAME_INDEX = "ix_customers_customers_name_page"
_PAIRS_INDEX = "ix_customers_duplicate_suggestions_store_page"


def _index_name(columns: tuple[str, ...]) -> str:
    # the naming convention's ``ix_%(column_0_N_label)s``, as the model gets it
    return "ix_" + "_".join(f"{_MERGES}_{column}" for column in columns)


def upgrade() -> None:
    when = customers_plugin.types.UTCDateTime(timezone=True)
    op.create_table(
        _MERGES,
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("store_id", sa.String(length=64), nullable=False),
        sa.Column("kept_id", sa.Uuid(), nullable=False),
        sa.Column("merged_id", sa.Uuid(), nullable=False),
        sa.Column("merged_email_key", sa.String(length=320), nullable=True),
        sa.Column("merged_phone", sa.String(length=20), nullable=True),
        sa.Column("merged", sa.JSON(), nullable=False),
        sa.Column("kept_before", sa.JSON(), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=True),
        sa.Column("merged_at", when, nullable=False),
        sa.Column("undo_until", when, nullable=False),
        sa.Column("undone_at", when, nullable=True),
        sa.Column("undone_by", sa.String(length=128), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers_merges")),
    )
    for columns in _INDEXES:
        op.create_index(op.f(_index_name(columns)), _MERGES, list(columns))
    op.create_table(
        _ROWS,
        sa.Column("merge_id", sa.Uuid(), nullable=False),
        sa.Column("table_name", sa.String(length=64), nullable=False),
        sa.Column("row_key", sa.String(length=160), nullable=False),
        sa.Column("store_id", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["merge_id"],
            ["customers_merges.id"],
            name=op.f("fk_customers_merge_rows_merge_id_customers_merges"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "merge_id", "table_name", "row_key", name=op.f("pk_customers_merge_rows")
        ),
    )
    op.create_index(
        op.f(_PAIRS_INDEX), "customers_duplicate_suggestions", ["store_id", "detected_at", "id"]
    )
    op.drop_index(op.f(_OLD_NAME_INDEX), table_name="customers_customers")
    op.create_index(op.f(_NAME_INDEX), "customers_customers", ["store_id", "search_name", "id"])


def downgrade() -> None:
    op.drop_index(op.f(_NAME_INDEX), table_name="customers_customers")
    op.create_index(op.f(_OLD_NAME_INDEX), "customers_customers", ["store_id", "search_name"])
    op.drop_index(op.f(_PAIRS_INDEX), table_name="customers_duplicate_suggestions")
    op.drop_table(_ROWS)
    for columns in reversed(_INDEXES):
        op.drop_index(op.f(_index_name(columns)), table_name=_MERGES)
    op.drop_table(_MERGES)
