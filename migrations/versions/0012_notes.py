"""internal notes

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 08:30:00.000000

Three new tables: ``customers_notes`` (a customer's internal notes), ``customers_note_revisions``
(the text and type an edit replaced) and ``customers_note_files`` (files attached to notes,
kept by the attachment store). Each carries ``store_id`` and ``customer_id``.
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

import customers_plugin.types

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CUSTOMER_FK = ["customers_customers.id"]
_NOTE_FK = ["customers_notes.id"]


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, customers_plugin.types.UTCDateTime(timezone=True), nullable=nullable)


def _owner(table: str) -> list[Any]:
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("store_id", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            _CUSTOMER_FK,
            name=op.f(f"fk_{table}_customer_id_customers_customers"),
            ondelete="CASCADE",
        ),
    ]


def _of_note(table: str) -> list[Any]:
    return [
        sa.Column("note_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["note_id"],
            _NOTE_FK,
            name=op.f(f"fk_{table}_note_id_customers_notes"),
            ondelete="CASCADE",
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "customers_notes",
        *_owner("customers_notes"),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("author", sa.String(length=128), nullable=False),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        _when("created_at"),
        _when("edited_at", nullable=True),
        sa.Column("edited_by", sa.String(length=128), nullable=True),
    )
    op.create_index(
        "ix_customers_notes_page",
        "customers_notes",
        ["store_id", "customer_id", "pinned", "created_at", "id"],
    )
    op.create_table(
        "customers_note_revisions",
        *_owner("customers_note_revisions"),
        *_of_note("customers_note_revisions"),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("edited_by", sa.String(length=128), nullable=False),
        _when("edited_at"),
    )
    op.create_index(
        "ix_customers_note_revisions_note",
        "customers_note_revisions",
        ["note_id", "edited_at", "id"],
    )
    op.create_index(
        op.f("ix_customers_note_revisions_customer_id"), "customers_note_revisions", ["customer_id"]
    )
    op.create_table(
        "customers_note_files",
        *_owner("customers_note_files"),
        *_of_note("customers_note_files"),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=128), nullable=False),
        _when("uploaded_at"),
    )
    op.create_index(
        "ix_customers_note_files_note", "customers_note_files", ["note_id", "uploaded_at", "id"]
    )
    op.create_index(
        op.f("ix_customers_note_files_customer_id"), "customers_note_files", ["customer_id"]
    )


def downgrade() -> None:
    op.drop_table("customers_note_files")
    op.drop_table("customers_note_revisions")
    op.drop_table("customers_notes")
