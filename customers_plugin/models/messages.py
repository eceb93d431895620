"""Messages to and from a customer, grouped in threads, with the files attached to them.

A thread is one conversation with one customer (started from the card, a bulk send, the host's
contact form or an inbound email); its ``reply_token`` makes the reply address
(``reply+TOKEN@domain``) that brings an answer back into it, and ``unread_count`` counts the
inbound messages staff has not read yet. A message is one email or SMS in either direction with
its delivery state; ``claimed_at`` is the claim of the send job (set once, atomically, by the
job that sends it), ``external_id`` the ``Message-ID`` header that an inbound reply's
``In-Reply-To`` names.

Every row names its store and its customer, so deleting, anonymising and exporting one customer
reach all three tables with one condition each.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..types import UTCDateTime, utcnow
from .base import Base, id_column, store_column

_CUSTOMER = "customers_customers.id"
_THREAD = "customers_threads.id"
_MESSAGE = "customers_messages.id"

MESSAGE_DIRECTIONS = ("in", "out")
MESSAGE_PURPOSES = ("marketing", "transactional")
# queued -> sending (claimed by the send job) -> sent -> delivered | failed | bounced;
# received is an inbound message's only state
MESSAGE_STATES = ("queued", "sending", "sent", "delivered", "failed", "bounced", "received")
THREAD_ORIGINS = ("card", "bulk", "form", "inbound")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Thread(Base):
    __tablename__ = "customers_threads"
    __table_args__ = (
        CheckConstraint(_one_of("origin", THREAD_ORIGINS), name="origin"),
        Index("ix_customers_threads_page", "store_id", "customer_id", "last_message_at", "id"),
    )

    id: Mapped[uuid.UUID] = id_column()
    store_id: Mapped[str] = store_column()
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(_CUSTOMER, ondelete="CASCADE"))
    subject: Mapped[str | None] = mapped_column(String(255))
    channel: Mapped[str] = mapped_column(String(16))
    reply_token: Mapped[str] = mapped_column(String(64), unique=True)
    origin: Mapped[str] = mapped_column(String(16))
    unread_count: Mapped[int] = mapped_column(Integer, default=0)
    last_message_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Message(Base):
    __tablename__ = "customers_messages"
    __table_args__ = (
        CheckConstraint(_one_of("direction", MESSAGE_DIRECTIONS), name="direction"),
        CheckConstraint(_one_of("purpose", MESSAGE_PURPOSES), name="purpose"),
        CheckConstraint(_one_of("state", MESSAGE_STATES), name="state"),
        Index("ix_customers_messages_thread", "thread_id", "created_at", "id"),
        Index("ix_customers_messages_customer", "store_id", "customer_id", "created_at", "id"),
        Index("ix_customers_messages_rate", "store_id", "direction", "created_at"),
        Index(None, "provider_id"),
        Index(None, "external_id"),
    )

    id: Mapped[uuid.UUID] = id_column()
    store_id: Mapped[str] = store_column()
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(_CUSTOMER, ondelete="CASCADE"))
    thread_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(_THREAD, ondelete="CASCADE"))
    direction: Mapped[str] = mapped_column(String(3))
    channel: Mapped[str] = mapped_column(String(16))
    # NULL for inbound messages
    purpose: Mapped[str | None] = mapped_column(String(16))
    # the address it went to (out) or came from (in), as it was at that time
    address: Mapped[str | None] = mapped_column(String(320))
    subject: Mapped[str | None] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    template: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(12))
    provider_id: Mapped[str | None] = mapped_column(String(255))
    failure_reason: Mapped[str | None] = mapped_column(String(500))
    external_id: Mapped[str | None] = mapped_column(String(255))
    sent_by: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class MessageAttachment(Base):
    """A file attached to a message: the attachment store's key and what the API serves back."""

    __tablename__ = "customers_message_attachments"
    __table_args__ = (Index("ix_customers_message_attachments_message", "message_id", "id"),)

    id: Mapped[uuid.UUID] = id_column()
    store_id: Mapped[str] = store_column()
    customer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(_CUSTOMER, ondelete="CASCADE"), index=True
    )
    message_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(_MESSAGE, ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
