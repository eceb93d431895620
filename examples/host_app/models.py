"""The host's own data, on the host's own Flask-SQLAlchemy instance: products, services,
orders, bookings, contact messages and storefront accounts.

These tables are the host's source of truth; customers-plugin only ever sees them through the
events the host fires. Money is kept in integer cents (exact on SQLite and PostgreSQL alike).
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from customers_plugin import Contact

db = SQLAlchemy()

CENT = Decimal("0.01")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def as_utc(value: dt.datetime) -> dt.datetime:
    """SQLite hands datetimes back naive: they were written in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def new_ref() -> str:
    """A public reference that cannot be guessed (used in URLs instead of the row id)."""
    return secrets.token_urlsafe(9)


def to_money(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)


def to_cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


class ContactColumns:
    """Who placed the order, booked or wrote: as typed into the form."""

    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(40))
    country: Mapped[str | None] = mapped_column(String(2))
    language: Mapped[str | None] = mapped_column(String(16))

    def contact(self) -> Contact:
        return Contact(
            email=self.email,
            phone=self.phone,
            name=self.name,
            country=self.country,
            language=self.language,
        )


class Product(db.Model):
    __tablename__ = "shop_products"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    store_id: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    price_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    @property
    def price(self) -> Decimal:
        return to_money(self.price_cents)


class Service(db.Model):
    __tablename__ = "shop_services"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    store_id: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(200))
    duration_minutes: Mapped[int] = mapped_column(Integer, default=60)
    price_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="USD")

    @property
    def price(self) -> Decimal:
        return to_money(self.price_cents)


class Order(ContactColumns, db.Model):
    __tablename__ = "shop_orders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(16), unique=True, default=new_ref)
    store_id: Mapped[str] = mapped_column(String(64), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("shop_products.id"))
    product_name: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_cents: Mapped[int] = mapped_column(Integer)
    discount_cents: Mapped[int] = mapped_column(Integer, default=0)
    shipping_cents: Mapped[int] = mapped_column(Integer, default=0)
    total_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    coupon_code: Mapped[str | None] = mapped_column(String(32))
    payment_method: Mapped[str] = mapped_column(String(32))
    payment_status: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="placed")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @property
    def total(self) -> Decimal:
        return to_money(self.total_cents)

    @property
    def cancellable(self) -> bool:
        return self.status == "placed"


class Booking(ContactColumns, db.Model):
    __tablename__ = "shop_bookings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(16), unique=True, default=new_ref)
    store_id: Mapped[str] = mapped_column(String(64), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("shop_services.id"))
    service_name: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    price_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="confirmed")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ContactMessage(ContactColumns, db.Model):
    __tablename__ = "shop_contact_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    store_id: Mapped[str] = mapped_column(String(64), index=True)
    subject: Mapped[str] = mapped_column(String(200), default="")
    message: Mapped[str] = mapped_column(Text)
    subscribe: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Account(db.Model):
    """A storefront account: signed in by a one-time link to its email (accounts.py)."""

    __tablename__ = "shop_accounts"
    __table_args__ = (UniqueConstraint("store_id", "email"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    store_id: Mapped[str] = mapped_column(String(64))
    email: Mapped[str] = mapped_column(String(320))  # lower case
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class IssuedCoupon(db.Model):
    """A single-product coupon the shop issued for customers-plugin (a wishlist gift): the
    plugin decides who may use it (``coupon_applies``), the shop what it is worth."""

    __tablename__ = "shop_issued_coupons"
    __table_args__ = (UniqueConstraint("store_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    store_id: Mapped[str] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(32))  # upper case
    product_id: Mapped[int] = mapped_column(ForeignKey("shop_products.id"))
    percent: Mapped[int] = mapped_column(Integer, default=0)  # hundredths of a percent
    amount_cents: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def discount_on(self, subtotal: Decimal) -> Decimal:
        off = subtotal * Decimal(self.percent) / 10000 + to_money(self.amount_cents)
        return min(subtotal, off.quantize(CENT))

    def expired(self, now: dt.datetime) -> bool:
        return self.expires_at is not None and as_utc(self.expires_at) <= now
