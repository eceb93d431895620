"""Customer groups: the group (name, icon, conditions, checkout rules) and its members.

A membership row exists while the customer is a member. ``manual`` marks members a merchant
added by hand: they stay whatever the conditions say. Rows with ``manual`` false are the
automatic members, kept equal to the customers that match the group's conditions.
Deleting a group deletes its membership rows, never its customers.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..types import UTCDateTime, utcnow
from .base import Base, id_column, store_column


class CustomerGroup(Base):
    __tablename__ = "customers_groups"
    __table_args__ = (Index(None, "store_id", "name"),)

    id: Mapped[uuid.UUID] = id_column()
    store_id: Mapped[str] = store_column()
    name: Mapped[str] = mapped_column(String(100))
    icon: Mapped[str | None] = mapped_column(String(64))
    # {"match": "all"|"any", "conditions": [{"field", "op", "value"}]}; NULL: manual only
    conditions: Mapped[dict | None] = mapped_column(nullable=True)
    # checkout rules
    hidden_payment_methods: Mapped[list] = mapped_column(default=list)
    free_shipping: Mapped[bool] = mapped_column(Boolean, default=False)
    coupon_codes: Mapped[list] = mapped_column(default=list)  # upper-cased
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    refreshed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # set while the group cannot be evaluated (capture goes on without it); NULL otherwise
    failure_reason: Mapped[str | None] = mapped_column(String(500))
    failed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class GroupMember(Base):
    __tablename__ = "customers_group_members"
    __table_args__ = (
        Index(None, "customer_id"),
        Index(None, "store_id", "group_id", "added_at"),
    )

    group_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customers_groups.id", ondelete="CASCADE"), primary_key=True
    )
    customer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customers_customers.id", ondelete="CASCADE"), primary_key=True
    )
    store_id: Mapped[str] = store_column()
    manual: Mapped[bool] = mapped_column(Boolean, default=False)
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
