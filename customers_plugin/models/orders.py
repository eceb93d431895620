"""Orders a member of staff placed for a customer through the host's ``place_order``.

One row per request, unique on (store, idempotency key): ``pending`` while the host is asked,
``placed`` with the host's order id, payment status and link once it answered (a refusal
deletes the row, so the same key may be tried again). ``linked_at`` is set once, by whichever
comes second of the host's answer and its ``on_order_placed`` event, when the activity log gets
its "placed by staff" line.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..types import UTCDateTime, utcnow
from .base import Base, id_column, store_column

STAFF_ORDER_STATUSES = ("pending", "placed")


class StaffOrder(Base):
    __tablename__ = "customers_staff_orders"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'placed')", name="status"),
        UniqueConstraint("store_id", "idempotency_key"),
        Index(None, "store_id", "order_id"),
        Index(None, "customer_id", "created_at", "id"),
    )

    id: Mapped[uuid.UUID] = id_column()
    store_id: Mapped[str] = store_column()
    customer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customers_customers.id", ondelete="CASCADE")
    )
    idempotency_key: Mapped[str] = mapped_column(String(128))
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(8), default="pending")
    order_id: Mapped[str | None] = mapped_column(String(128))
    payment_status: Mapped[str | None] = mapped_column(String(32))
    payment_url: Mapped[str | None] = mapped_column(String(2000))
    coupon_code: Mapped[str | None] = mapped_column(String(64))
    staff: Mapped[str] = mapped_column(String(128))
    note: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    placed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    linked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
