"""Summaries mirrored from host events (orders, bookings, form submissions, reviews) and the
activity log. They are never the host's source of truth; each summary is unique on
(store_id, source, external_id), which is what makes the ``on_*`` hooks idempotent."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..types import Money, UTCDateTime, utcnow
from .base import Base, id_column, store_column


def _customer_fk() -> Mapped[uuid.UUID]:
    return mapped_column(ForeignKey("customers_customers.id", ondelete="CASCADE"))


class OrderSummary(Base):
    __tablename__ = "customers_orders"
    __table_args__ = (
        UniqueConstraint("store_id", "source", "external_id"),
        Index("ix_customers_orders_timeline", "customer_id", "placed_at", "id"),
    )

    id: Mapped[uuid.UUID] = id_column()
    store_id: Mapped[str] = store_column()
    customer_id: Mapped[uuid.UUID] = _customer_fk()
    source: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(32))
    payment_status: Mapped[str | None] = mapped_column(String(32))
    total: Mapped[Decimal | None] = mapped_column(Money)
    currency: Mapped[str | None] = mapped_column(String(3))
    items: Mapped[list] = mapped_column(default=list)
    # NULL until the order-placed event arrives (an update may come first)
    placed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class BookingSummary(Base):
    __tablename__ = "customers_bookings"
    __table_args__ = (
        UniqueConstraint("store_id", "source", "external_id"),
        Index(None, "customer_id", "starts_at"),
        Index("ix_customers_bookings_timeline", "customer_id", "booked_at", "id"),
    )

    id: Mapped[uuid.UUID] = id_column()
    store_id: Mapped[str] = store_column()
    customer_id: Mapped[uuid.UUID] = _customer_fk()
    source: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(128))
    service: Mapped[str | None] = mapped_column(String(200))
    staff: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(32))
    payment_status: Mapped[str | None] = mapped_column(String(32))
    price: Mapped[Decimal | None] = mapped_column(Money)
    currency: Mapped[str | None] = mapped_column(String(3))
    starts_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    ends_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    form_answers: Mapped[dict] = mapped_column(default=dict)
    # NULL until the booking-made event arrives (an update may come first)
    booked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class FormSubmission(Base):
    __tablename__ = "customers_form_submissions"
    __table_args__ = (
        UniqueConstraint("store_id", "source", "external_id"),
        Index("ix_customers_form_submissions_timeline", "customer_id", "submitted_at", "id"),
    )

    id: Mapped[uuid.UUID] = id_column()
    store_id: Mapped[str] = store_column()
    customer_id: Mapped[uuid.UUID] = _customer_fk()
    source: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(128))
    form_name: Mapped[str] = mapped_column(String(200))
    answers: Mapped[dict] = mapped_column(default=dict)
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Review(Base):
    __tablename__ = "customers_reviews"
    __table_args__ = (
        UniqueConstraint("store_id", "source", "external_id"),
        Index(None, "customer_id", "submitted_at"),
    )

    id: Mapped[uuid.UUID] = id_column()
    store_id: Mapped[str] = store_column()
    customer_id: Mapped[uuid.UUID] = _customer_fk()
    source: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(128))
    product_id: Mapped[str] = mapped_column(String(128))
    order_external_id: Mapped[str | None] = mapped_column(String(128))
    rating: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Activity(Base):
    """One line of a customer's activity log. ``data`` holds ids and facts, never free PII."""

    __tablename__ = "customers_activity"
    __table_args__ = (Index(None, "customer_id", "occurred_at", "id"),)

    id: Mapped[uuid.UUID] = id_column()
    store_id: Mapped[str] = store_column()
    customer_id: Mapped[uuid.UUID] = _customer_fk()
    kind: Mapped[str] = mapped_column(String(48))
    actor: Mapped[str | None] = mapped_column(String(128))  # "system", a staff id, a module
    data: Mapped[dict] = mapped_column(default=dict)
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
