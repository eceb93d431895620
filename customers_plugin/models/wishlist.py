"""Wishlist items: a product a customer wants, with its price and currency at the time of adding.

One row per (customer, product). ``notified_price`` remembers the lowest price already announced
through ``wishlist_price_dropped``, so a price drop is announced once, not on every run.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..types import Money, UTCDateTime, utcnow
from .base import Base, id_column, store_column


class WishlistItem(Base):
    __tablename__ = "customers_wishlist_items"
    __table_args__ = (
        UniqueConstraint("customer_id", "product_id"),
        Index(None, "customer_id", "added_at", "id"),
        Index(None, "store_id", "product_id", "added_at"),
    )

    id: Mapped[uuid.UUID] = id_column()
    store_id: Mapped[str] = store_column()
    customer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customers_customers.id", ondelete="CASCADE")
    )
    product_id: Mapped[str] = mapped_column(String(128))
    product_name: Mapped[str] = mapped_column(String(300))
    price: Mapped[Decimal] = mapped_column(Money)  # at the time of adding
    currency: Mapped[str] = mapped_column(String(3))
    source: Mapped[str] = mapped_column(String(32), default="storefront")
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    notified_price: Mapped[Decimal | None] = mapped_column(Money)
