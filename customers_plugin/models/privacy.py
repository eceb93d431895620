"""A shopper's request to be erased (``POST /me/erasure-request``): the merchant sees it and
completes it (the anonymising erasure) or declines it. No person data: the customer id, the
state and who closed it when.

``pending_for`` holds the customer id while the request is pending and is cleared when it is
closed: its unique constraint keeps one pending request per customer (NULLs never collide).
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from ..types import UTCDateTime, utcnow
from .base import Base, id_column, store_column

ERASURE_STATUSES = ("pending", "completed", "declined")


class ErasureRequest(Base):
    __tablename__ = "customers_erasure_requests"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'completed', 'declined')", name="status"),
        UniqueConstraint("store_id", "pending_for"),
        Index(None, "store_id", "requested_at", "id"),
        Index(None, "customer_id", "requested_at"),
    )

    id: Mapped[uuid.UUID] = id_column()
    store_id: Mapped[str] = store_column()
    customer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customers_customers.id", ondelete="CASCADE")
    )
    status: Mapped[str] = mapped_column(String(16), default="pending")
    pending_for: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[str | None] = mapped_column(String(128))
