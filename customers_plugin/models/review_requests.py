"""The review-request send log: one row per message asking a customer to review their orders.

``send_key`` is unique per store (``order:<source>:<order id>`` for the automatic request after
delivery, ``manual:<id>`` for a merchant's), which is what makes sending exactly-once: a job
claims a row by moving it from ``scheduled``/``failed`` to ``sending`` with a conditional UPDATE,
and only the claimer sends.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..types import UTCDateTime, utcnow
from .base import Base, id_column, store_column

REVIEW_REQUEST_STATUSES = ("scheduled", "sending", "sent", "failed", "skipped")


class ReviewRequest(Base):
    __tablename__ = "customers_review_requests"
    __table_args__ = (
        UniqueConstraint("store_id", "send_key"),
        CheckConstraint(
            "status IN ('scheduled', 'sending', 'sent', 'failed', 'skipped')", name="status"
        ),
        Index(None, "customer_id", "created_at", "id"),
        Index(None, "status", "due_at"),
    )

    id: Mapped[uuid.UUID] = id_column()
    store_id: Mapped[str] = store_column()
    customer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customers_customers.id", ondelete="CASCADE")
    )
    send_key: Mapped[str] = mapped_column(String(300))
    trigger: Mapped[str] = mapped_column(String(16))  # manual | delivered
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    channel: Mapped[str | None] = mapped_column(String(16))
    order_ids: Mapped[list] = mapped_column(default=list)  # the unreviewed orders when queued
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    message_id: Mapped[str | None] = mapped_column(String(255))
    error: Mapped[str | None] = mapped_column(String(200))
    actor: Mapped[str | None] = mapped_column(String(128))
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # when a sender moved it to "sending" (a request still "sending" long after was interrupted)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
