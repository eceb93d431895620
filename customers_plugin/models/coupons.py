"""Personal coupons: a host coupon code assigned to one customer, with an optional expiry and
number of uses, counted from the ``coupon_code`` of the customer's order events.

A revoked coupon keeps its row (``revoked_at``, ``revoked_by``): the history stays, and a code
once assigned stays limited to the customers holding it. A wishlist gift also keeps the product
and the discount the host's ``issue_coupon`` made it for.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..types import Money, UTCDateTime, utcnow
from .base import Base, id_column, store_column

COUPON_SOURCES = ("manual", "wishlist_gift")


class Coupon(Base):
    __tablename__ = "customers_coupons"
    __table_args__ = (
        CheckConstraint("uses >= 0", name="uses"),
        Index(None, "store_id", "code"),
        Index(None, "customer_id", "created_at", "id"),
    )

    id: Mapped[uuid.UUID] = id_column()
    store_id: Mapped[str] = store_column()
    customer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customers_customers.id", ondelete="CASCADE")
    )
    code: Mapped[str] = mapped_column(String(64))  # upper case
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    uses_per_customer: Mapped[int | None] = mapped_column(Integer)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str] = mapped_column(String(16), default="manual")
    product_id: Mapped[str | None] = mapped_column(String(128))
    discount_kind: Mapped[str | None] = mapped_column(String(8))
    discount_value: Mapped[Decimal | None] = mapped_column(Money)
    discount_currency: Mapped[str | None] = mapped_column(String(3))
    assigned_by: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_by: Mapped[str | None] = mapped_column(String(128))
