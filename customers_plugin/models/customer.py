"""The customer aggregate: identity, profile, consent, status, stats, and what hangs off it
directly (sources, tags, consent history)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..types import Money, UTCDateTime, utcnow
from .base import Base, id_column, store_column

STATUSES = ("active", "inactive", "blocked")
BLOCK_REASONS = (
    "fraud",
    "not_serious",
    "abusive_behaviour",
    "payment_problems",
    "fake_information",
    "spam",
    "other",
)
CONSENT_STATUSES = ("not_set", "subscribed", "unsubscribed", "pending")
GENDERS = ("female", "male", "other")


class Customer(Base):
    __tablename__ = "customers_customers"
    __table_args__ = (
        UniqueConstraint("store_id", "email_normalized"),
        UniqueConstraint("store_id", "phone"),
        CheckConstraint("status IN ('active', 'inactive', 'blocked')", name="status"),
        CheckConstraint("email_normalized IS NOT NULL OR phone IS NOT NULL", name="reachable"),
        Index(None, "store_id", "joined_at", "id"),
        Index(None, "store_id", "status", "joined_at", "id"),
        Index(None, "store_id", "total_spent", "id"),
        Index(None, "store_id", "orders_count", "id"),
        Index(None, "store_id", "last_order_at", "id"),
        # same-name duplicate pairs walk this in (name, id) order (services/merges/duplicates.py)
        Index("ix_customers_customers_name_page", "store_id", "search_name", "id"),
        Index(None, "store_id", "country"),
        # one customer per host account and store (NULLs never collide: unlinked is fine); a
        # unique index, not a constraint, so SQLite adds it without rebuilding the table
        Index("ix_customers_customers_host_user", "store_id", "host_user_id", unique=True),
        # substring search of the admin list (PostgreSQL: pg_trgm GIN; SQLite: plain, unused
        # by LIKE '%…%' but kept so both histories match the models; see migration 0006)
        *(
            Index(
                f"ix_customers_customers_{column}_trgm",
                column,
                postgresql_using="gin",
                postgresql_ops={column: "gin_trgm_ops"},
            )
            for column in ("search_name", "email_normalized", "phone")
        ),
    )

    id: Mapped[uuid.UUID] = id_column()
    store_id: Mapped[str] = store_column()

    # identity and search keys (search keys are computed on write, see normalize.py)
    email: Mapped[str | None] = mapped_column(String(320))
    email_normalized: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164
    name: Mapped[str | None] = mapped_column(String(200))
    search_name: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    host_user_id: Mapped[str | None] = mapped_column(String(128))

    # profile
    country: Mapped[str | None] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    language: Mapped[str | None] = mapped_column(String(16))
    photo_key: Mapped[str | None] = mapped_column(String(255))
    gender: Mapped[str | None] = mapped_column(String(16))
    birthdate: Mapped[dt.date | None] = mapped_column(Date)
    company: Mapped[str | None] = mapped_column(String(200))
    position: Mapped[str | None] = mapped_column(String(200))
    vat_id: Mapped[str | None] = mapped_column(String(64))
    extra_emails: Mapped[list] = mapped_column(default=list)
    extra_phones: Mapped[list] = mapped_column(default=list)
    addresses: Mapped[list] = mapped_column(default=list)

    # consent
    marketing_consent: Mapped[str] = mapped_column(String(16), default="not_set")
    marketing_consent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    marketing_consent_source: Mapped[str | None] = mapped_column(String(64))
    system_notifications: Mapped[bool] = mapped_column(Boolean, default=True)
    # SMS marketing consent, separate from email's (marketing_consent)
    sms_consent: Mapped[str] = mapped_column(String(16), default="not_set")
    sms_consent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    sms_consent_source: Mapped[str | None] = mapped_column(String(64))

    # status
    status: Mapped[str] = mapped_column(String(16), default="active")
    block_reason: Mapped[str | None] = mapped_column(String(32))
    block_details: Mapped[str | None] = mapped_column(Text)
    status_changed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    joined_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # set when the person data was erased by anonymising (orders and ledger stay)
    erased_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    # stats, kept by atomic SQL updates only (services/stats.py)
    orders_count: Mapped[int] = mapped_column(Integer, default=0)
    total_spent: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    cancelled_orders_count: Mapped[int] = mapped_column(Integer, default=0)
    last_order_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    bookings_count: Mapped[int] = mapped_column(Integer, default=0)
    reviews_count: Mapped[int] = mapped_column(Integer, default=0)
    rating_sum: Mapped[int] = mapped_column(Integer, default=0)
    wallet_balance: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))

    @property
    def avg_rating(self) -> Decimal | None:
        if not self.reviews_count:
            return None
        return (Decimal(self.rating_sum) / self.reviews_count).quantize(Decimal("0.01"))


class CustomerSource(Base):
    """A module the customer came through: store, booking, forms, events, import, manual…"""

    __tablename__ = "customers_customer_sources"
    __table_args__ = (Index(None, "store_id", "source", "customer_id"),)

    customer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customers_customers.id", ondelete="CASCADE"), primary_key=True
    )
    source: Mapped[str] = mapped_column(String(32), primary_key=True)
    store_id: Mapped[str] = store_column()
    first_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Tag(Base):
    """A label, manual or automatic (e.g. the booked service). Unique per store, folded."""

    __tablename__ = "customers_tags"
    __table_args__ = (UniqueConstraint("store_id", "name_key"),)

    id: Mapped[uuid.UUID] = id_column()
    store_id: Mapped[str] = store_column()
    name: Mapped[str] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(String(100))
    automatic: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class CustomerTag(Base):
    __tablename__ = "customers_customer_tags"
    __table_args__ = (Index(None, "tag_id", "customer_id"),)

    customer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customers_customers.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customers_tags.id", ondelete="CASCADE"), primary_key=True
    )
    store_id: Mapped[str] = store_column()
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConsentEvent(Base):
    """History of marketing and system-notification consent: what, when, how, by whom."""

    __tablename__ = "customers_consent_events"
    __table_args__ = (Index(None, "customer_id", "occurred_at"),)

    id: Mapped[uuid.UUID] = id_column()
    store_id: Mapped[str] = store_column()
    customer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customers_customers.id", ondelete="CASCADE")
    )
    channel: Mapped[str] = mapped_column(String(16))  # marketing | sms_marketing | system
    status: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(64))  # signup, form, import, admin, checkout…
    actor: Mapped[str | None] = mapped_column(String(128))
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


DUPLICATE_REASONS = ("same_phone",)


class DuplicateSuggestion(Base):
    """Two customers that may be one person: an unverified event paired an email with a phone
    that belongs to another customer. Kept once per direction (``customer_id`` sees
    ``other_id``) so each card lists its own; the merchant decides, nothing is merged."""

    __tablename__ = "customers_duplicate_suggestions"
    __table_args__ = (
        UniqueConstraint("store_id", "customer_id", "other_id"),
        Index(
            "ix_customers_duplicate_suggestions_page",
            "store_id",
            "customer_id",
            "detected_at",
            "id",
        ),
        # the store's list of pairs, newest first (services/merges/duplicates.py)
        Index("ix_customers_duplicate_suggestions_store_page", "store_id", "detected_at", "id"),
        CheckConstraint("reason IN ('same_phone')", name="reason"),
    )

    id: Mapped[uuid.UUID] = id_column()
    store_id: Mapped[str] = store_column()
    customer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customers_customers.id", ondelete="CASCADE")
    )
    other_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customers_customers.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(32))  # the module of the event that paired them
    detected_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
