"""messages and threads

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 09:40:00.000000

Three new tables: ``customers_threads`` (a conversation with one customer, its reply token and
unread count), ``customers_messages`` (one email or SMS in either direction with its delivery
state and send claim) and ``customers_message_attachments`` (files kept by the attachment
store). Each carries ``store_id`` and ``customer_id``. The customer gains SMS marketing consent
(status, when, how), separate from email's; rows already there start at ``not_set``.
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

import customers_plugin.types

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CUSTOMER_FK = ["customers_customers.id"]
_THREADS = "customers_threads"
_MESSAGES = "customers_messages"
_ATTACHMENTS = "customers_message_attachments"


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


def _check(table: str, column: str, values: tuple[str, ...]) -> sa.CheckConstraint:
    allowed = ", ".join(repr(v) for v in values)
    return sa.CheckConstraint(f"{column} IN ({allowed})", name=op.f(f"ck_{table}_{column}"))


def upgrade() -> None:
    op.create_table(
        _THREADS,
        *_owner(_THREADS),
        sa.Column("subject", sa.String(length=255), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("reply_token", sa.String(length=64), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("unread_count", sa.Integer(), nullable=False),
        _when("last_message_at"),
        _when("created_at"),
        _check(_THREADS, "origin", ("card", "bulk", "form", "inbound")),
        sa.UniqueConstraint("reply_token", name=op.f("uq_customers_threads_reply_token")),
    )
    op.create_index(
        "ix_customers_threads_page", _THREADS, ["store_id", "customer_id", "last_message_at", "id"]
    )
    op.create_table(
        _MESSAGES,
        *_owner(_MESSAGES),
        sa.Column("thread_id", sa.Uuid(), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=True),
        sa.Column("address", sa.String(length=320), nullable=True),
        sa.Column("subject", sa.String(length=255), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("template", sa.String(length=64), nullable=True),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("provider_id", sa.String(length=255), nullable=True),
        sa.Column("failure_reason", sa.String(length=500), nullable=True),
        sa.Column("external_id", sa.String(length=255), nullable=True),
        sa.Column("sent_by", sa.String(length=128), nullable=True),
        _when("created_at"),
        _when("claimed_at", nullable=True),
        _when("sent_at", nullable=True),
        _when("delivered_at", nullable=True),
        _when("read_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            [f"{_THREADS}.id"],
            name=op.f("fk_customers_messages_thread_id_customers_threads"),
            ondelete="CASCADE",
        ),
        _check(_MESSAGES, "direction", ("in", "out")),
        _check(_MESSAGES, "purpose", ("marketing", "transactional")),
        _check(
            _MESSAGES,
            "state",
            ("queued", "sending", "sent", "delivered", "failed", "bounced", "received"),
        ),
    )
    op.create_index("ix_customers_messages_thread", _MESSAGES, ["thread_id", "created_at", "id"])
    op.create_index(
        "ix_customers_messages_customer", _MESSAGES, ["store_id", "customer_id", "created_at", "id"]
    )
    op.create_index(
        "ix_customers_messages_rate", _MESSAGES, ["store_id", "direction", "created_at"]
    )
    op.create_index(op.f("ix_customers_messages_provider_id"), _MESSAGES, ["provider_id"])
    op.create_index(op.f("ix_customers_messages_external_id"), _MESSAGES, ["external_id"])
    op.create_table(
        _ATTACHMENTS,
        *_owner(_ATTACHMENTS),
        sa.Column("message_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        _when("created_at"),
        sa.ForeignKeyConstraint(
            ["message_id"],
            [f"{_MESSAGES}.id"],
            name=op.f("fk_customers_message_attachments_message_id_customers_messages"),
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_customers_message_attachments_message", _ATTACHMENTS, ["message_id", "id"])
    op.create_index(
        op.f("ix_customers_message_attachments_customer_id"), _ATTACHMENTS, ["customer_id"]
    )
    with op.batch_alter_table("customers_customers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sms_consent", sa.String(length=16), server_default="not_set", nullable=False)
        )
        batch_op.add_column(_when("sms_consent_at", nullable=True))
        batch_op.add_column(sa.Column("sms_consent_source", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("customers_customers", schema=None) as batch_op:
        batch_op.drop_column("sms_consent_source")
        batch_op.drop_column("sms_consent_at")
        batch_op.drop_column("sms_consent")
    op.drop_table(_ATTACHMENTS)
    op.drop_table(_MESSAGES)
    op.drop_table(_THREADS)
