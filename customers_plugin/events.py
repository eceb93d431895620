"""Frozen event values that hosts pass through the ``on_*`` hooks, and that the plugin announces.

This room holds plain data only: no database access, no Flask. Every host event names its store,
its source module and its external id, which together make it idempotent: delivering the same
event twice changes nothing the second time.

Every value is checked against the bounds of ``customers_plugin.bounds`` when the event is
built (text that fits its column, money and counts within range, answers nested at most
``MAX_DEPTH`` levels): a value out of bounds raises ``InvalidValue`` (a ``ValueError`` naming
the field) in the host's own code, before anything is recorded.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from .bounds import (
    InvalidValue,
    check_count,
    check_money,
    check_structure,
    check_text,
    text_problem,
)
from .i18n import _

__all__ = [
    "BookingMade",
    "BookingUpdated",
    "Contact",
    "CouponInfo",
    "CustomerSignedUp",
    "Discount",
    "FormSubmitted",
    "HostRefusal",
    "InvalidValue",
    "LineItem",
    "OrderOutcome",
    "OrderPlaced",
    "OrderUpdated",
    "PriceDrop",
    "ProductPrice",
    "ReviewSubmitted",
    "ShopperAccount",
    "WalletSpend",
    "Wish",
    "WishlistChanged",
]


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _require_aware(name: str, value: dt.datetime | None) -> None:
    if value is not None and value.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware (UTC recommended)")


def _require_text(name: str, value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string")


def _as_decimal(name: str, value: Any) -> Decimal:
    if isinstance(value, float):
        raise TypeError(f"{name} must be a Decimal or a string, never a float")
    return check_money(name, value)


# the longest text each field may hold (its column's width); other text fields: DEFAULT_TEXT
TEXT_LIMITS = {
    "store_id": 64,
    "source": 32,
    "order_id": 128,
    "booking_id": 128,
    "submission_id": 128,
    "review_id": 128,
    "product_id": 128,
    "user_id": 128,
    "coupon_code": 64,
    "status": 32,
    "payment_status": 32,
    "currency": 3,
    "service": 200,
    "staff": 200,
    "form_name": 200,
    "name": 300,
    "product_name": 300,
    "comment": 10_000,
}
CONTACT_LIMITS = {"email": 320, "phone": 64, "name": 200, "country": 64, "language": 16}
DEFAULT_TEXT = 1000
MAX_LINE_ITEMS = 1000
STRUCTURED = ("answers", "form_answers")


def _check_values(event: Any, limits: dict[str, int]) -> None:
    """Check every text and structured field of a dataclass against its bounds."""
    for item in fields(event):
        value = getattr(event, item.name)
        if isinstance(value, str):
            check_text(item.name, value, max_length=limits.get(item.name, DEFAULT_TEXT))
        elif item.name in STRUCTURED:
            if not isinstance(value, dict):
                raise TypeError(f"{item.name} must be a dict")
            check_structure(item.name, value)


@dataclass(frozen=True, slots=True)
class Contact:
    """Who the event is about, as the host knows them. Email or phone is required."""

    email: str | None = None
    phone: str | None = None
    name: str | None = None
    country: str | None = None
    language: str | None = None

    def __post_init__(self) -> None:
        _check_values(self, CONTACT_LIMITS)
        has_email = bool(self.email and self.email.strip())
        has_phone = bool(self.phone and self.phone.strip())
        if not (has_email or has_phone):
            raise ValueError("contact needs an email or a phone")


@dataclass(frozen=True, slots=True)
class LineItem:
    """One line of an order: the host's product id, its name, quantity and unit price."""

    product_id: str
    name: str
    quantity: int = 1
    unit_price: Decimal = Decimal("0")

    def __post_init__(self) -> None:
        _check_values(self, TEXT_LIMITS)
        object.__setattr__(self, "unit_price", _as_decimal("unit_price", self.unit_price))
        check_count("quantity", self.quantity)

    def as_dict(self) -> dict[str, Any]:
        return {
            "product_id": self.product_id,
            "name": self.name,
            "quantity": self.quantity,
            "unit_price": str(self.unit_price),
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class _HostEvent:
    store_id: str
    contact: Contact
    occurred_at: dt.datetime = field(default_factory=_utcnow)
    source: str = "store"

    def __post_init__(self) -> None:
        _check_values(self, TEXT_LIMITS)
        _require_text("store_id", self.store_id)
        _require_text("source", self.source)
        _require_aware("occurred_at", self.occurred_at)
        if not isinstance(self.contact, Contact):
            raise TypeError("contact must be a customers_plugin.events.Contact")


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderPlaced(_HostEvent):
    """The host committed a new order. ``coupon_code``: the coupon the order used (at most 64
    characters, any case), which counts a use of the customer's personal coupon."""

    order_id: str
    total: Decimal
    currency: str
    status: str = "placed"
    payment_status: str | None = None
    items: tuple[LineItem, ...] = ()
    coupon_code: str | None = None

    def __post_init__(self) -> None:
        _HostEvent.__post_init__(self)
        _require_text("order_id", self.order_id)
        _require_text("currency", self.currency)
        if self.coupon_code is not None and not self.coupon_code.strip():
            object.__setattr__(self, "coupon_code", None)
        object.__setattr__(self, "total", _as_decimal("total", self.total))
        items = tuple(self.items)
        if len(items) > MAX_LINE_ITEMS:
            raise InvalidValue("items", _("at most {n} lines", n=MAX_LINE_ITEMS))
        if not all(isinstance(item, LineItem) for item in items):
            raise TypeError("items must be customers_plugin.events.LineItem values")
        object.__setattr__(self, "items", items)


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderUpdated(_HostEvent):
    """An order changed status (paid, shipped, delivered, cancelled, refunded, …).

    ``total`` and ``currency`` are optional: give them when the update changes the amount, or
    when the plugin may not have seen the order being placed.
    """

    order_id: str
    status: str
    payment_status: str | None = None
    total: Decimal | None = None
    currency: str | None = None

    def __post_init__(self) -> None:
        _HostEvent.__post_init__(self)
        _require_text("order_id", self.order_id)
        _require_text("status", self.status)
        if self.total is not None:
            object.__setattr__(self, "total", _as_decimal("total", self.total))


@dataclass(frozen=True, slots=True, kw_only=True)
class BookingMade(_HostEvent):
    """A booking (appointment, class, course, room…) was made for a service."""

    booking_id: str
    service: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None = None
    status: str = "confirmed"
    payment_status: str | None = None
    staff: str | None = None
    price: Decimal | None = None
    currency: str | None = None
    form_answers: dict[str, Any] = field(default_factory=dict)
    source: str = "booking"

    def __post_init__(self) -> None:
        _HostEvent.__post_init__(self)
        _require_text("booking_id", self.booking_id)
        _require_text("service", self.service)
        _require_aware("starts_at", self.starts_at)
        _require_aware("ends_at", self.ends_at)
        if self.ends_at is not None and self.ends_at < self.starts_at:
            raise ValueError("ends_at must not be before starts_at")
        if self.price is not None:
            object.__setattr__(self, "price", _as_decimal("price", self.price))


@dataclass(frozen=True, slots=True, kw_only=True)
class BookingUpdated(_HostEvent):
    """A booking was rescheduled, cancelled, attended, marked no-show or paid."""

    booking_id: str
    status: str
    payment_status: str | None = None
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    service: str | None = None
    source: str = "booking"

    def __post_init__(self) -> None:
        _HostEvent.__post_init__(self)
        _require_text("booking_id", self.booking_id)
        _require_text("status", self.status)
        _require_aware("starts_at", self.starts_at)
        _require_aware("ends_at", self.ends_at)


@dataclass(frozen=True, slots=True, kw_only=True)
class FormSubmitted(_HostEvent):
    """A visitor sent a form (contact form, lead form, subscription box…)."""

    submission_id: str
    form_name: str
    answers: dict[str, Any] = field(default_factory=dict)
    subscribe_to_marketing: bool = False
    source: str = "forms"

    def __post_init__(self) -> None:
        _HostEvent.__post_init__(self)
        _require_text("submission_id", self.submission_id)
        _require_text("form_name", self.form_name)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReviewSubmitted(_HostEvent):
    """A customer rated a product (1 to 5), usually about one of their orders."""

    review_id: str
    product_id: str
    rating: int
    order_id: str | None = None
    comment: str | None = None

    def __post_init__(self) -> None:
        _HostEvent.__post_init__(self)
        _require_text("review_id", self.review_id)
        _require_text("product_id", self.product_id)
        if isinstance(self.rating, bool) or not isinstance(self.rating, int):
            raise TypeError("rating must be an int")
        if not 1 <= self.rating <= 5:
            raise ValueError("rating must be between 1 and 5")


MAX_USER_ID_LENGTH = 128


def _require_user_id(value: str) -> None:
    _require_text("user_id", value)
    if len(value) > MAX_USER_ID_LENGTH:
        raise ValueError(f"user_id must be at most {MAX_USER_ID_LENGTH} characters")


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerSignedUp(_HostEvent):
    """A visitor created an account on the host's storefront.

    ``email_verified`` / ``phone_verified``: the host has proved the account holder owns the
    contact's email / phone (a confirmation link, a one-time code). Only a verified address
    links the account to a customer; fire the event again once an address is verified.
    """

    user_id: str
    marketing_consent: bool = False
    email_verified: bool = False
    phone_verified: bool = False

    def __post_init__(self) -> None:
        _HostEvent.__post_init__(self)
        _require_user_id(self.user_id)


@dataclass(frozen=True, slots=True)
class ShopperAccount:
    """Who is signed in on the storefront, as the host's ``current_customer`` answers: the
    host's account id and what the host knows of the account.

    The plugin finds the shopper's customer by ``user_id`` (the customer's ``host_user_id``),
    never by the email or phone. ``email_verified`` / ``phone_verified`` say the host has proved
    the account holder owns them: only then may the plugin link the account to the customer
    holding that address (the first time the account is seen).
    """

    user_id: str
    email: str | None = None
    email_verified: bool = False
    phone: str | None = None
    phone_verified: bool = False
    name: str | None = None

    def __post_init__(self) -> None:
        _require_user_id(self.user_id)


# --- What the plugin announces to third parties ---------------------------------------------


@dataclass(frozen=True, slots=True)
class CustomerInfo:
    """A read-only snapshot of a customer, handed to notification hooks (never an ORM object)."""

    id: str
    store_id: str
    email: str | None
    phone: str | None
    name: str | None
    country: str | None
    language: str | None
    status: str
    sources: tuple[str, ...]
    tags: tuple[str, ...]
    joined_at: dt.datetime


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One changed field of a customer: its name, the value before and the value after."""

    field: str
    old: Any
    new: Any


# --- Wishlists and the wallet ---------------------------------------------------------------

WISHLIST_ACTIONS = ("added", "removed")


@dataclass(frozen=True, slots=True, kw_only=True)
class WishlistChanged(_HostEvent):
    """A customer added a product to, or removed it from, a wishlist the host keeps itself.

    ``added`` needs the product's name, price and currency at the time of adding.
    """

    product_id: str
    action: str
    product_name: str | None = None
    price: Decimal | None = None
    currency: str | None = None

    def __post_init__(self) -> None:
        _HostEvent.__post_init__(self)
        _require_text("product_id", self.product_id)
        if self.action not in WISHLIST_ACTIONS:
            raise ValueError(f"action must be one of {', '.join(WISHLIST_ACTIONS)}")
        if self.action == "added":
            _require_text("product_name", self.product_name or "")
            _require_text("currency", self.currency or "")
            if self.price is None:
                raise ValueError("an added product needs its price")
        if self.price is not None:
            object.__setattr__(self, "price", _as_decimal("price", self.price))


@dataclass(frozen=True, slots=True)
class ProductPrice:
    """A product's current price and name, as the host answers ``product_prices``. The name
    is what wishlists show and what price-drop notices carry (never a shopper's words)."""

    price: Decimal
    currency: str
    name: str | None = None

    def __post_init__(self) -> None:
        _check_values(self, TEXT_LIMITS)
        object.__setattr__(self, "price", _as_decimal("price", self.price))
        _require_text("currency", self.currency)
        if self.name is not None and not self.name.strip():
            object.__setattr__(self, "name", None)


@dataclass(frozen=True, slots=True)
class Wish:
    """One customer's wish for a product: the price and currency when they added it."""

    customer_id: str
    price: Decimal
    currency: str
    added_at: dt.datetime


@dataclass(frozen=True, slots=True)
class PriceDrop:
    """A wished product now costs less than some customers paid attention to: who, and since
    when. Each wish is announced once per lower price. ``product_name`` is the name the host
    gave in ``product_prices`` (``None`` when it gave none): never a shopper's words."""

    store_id: str
    product_id: str
    product_name: str | None
    price: Decimal
    currency: str
    wishes: tuple[Wish, ...]


WALLET_SPEND_STATUSES = (
    "debited",
    "replayed",
    "insufficient_balance",
    "unknown_customer",
    "conflict",
)


@dataclass(frozen=True, slots=True)
class WalletSpend:
    """The plugin's answer to ``spend_wallet``.

    ``status``: ``debited`` (done now), ``replayed`` (this order was already debited: nothing
    moved again), ``insufficient_balance``, ``unknown_customer``, ``conflict`` (the order was
    debited before with another amount) or ``refunded`` (the order was cancelled or refunded and
    its wallet payment given back: a re-opened order is paid another way, or under a new order
    id). ``ok`` is true for the first two.
    """

    status: str
    amount: Decimal
    currency: str
    balance: Decimal | None = None
    transaction_id: str | None = None

    @property
    def ok(self) -> bool:
        return self.status in ("debited", "replayed")


# --- Orders placed by staff and personal coupons --------------------------------------------

DISCOUNT_KINDS = ("percent", "amount")
ORDER_OUTCOMES = ("placed", "refused")
_REASON = re.compile(r"[a-z][a-z0-9_]{0,63}")


@dataclass(frozen=True, slots=True)
class Discount:
    """A discount: ``percent`` (more than 0, at most 100) or ``amount`` (a positive Decimal in
    ``currency``)."""

    kind: str
    value: Decimal
    currency: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in DISCOUNT_KINDS:
            raise ValueError(f"kind must be one of {', '.join(DISCOUNT_KINDS)}")
        value = _as_decimal("value", self.value)
        if value <= 0 or (self.kind == "percent" and value > 100):
            raise InvalidValue("value", "must be more than 0 (a percent: at most 100)")
        object.__setattr__(self, "value", value)
        if self.kind == "amount":
            _require_text("currency", self.currency or "")


@dataclass(frozen=True, slots=True)
class CouponInfo:
    """A coupon assigned to one customer, as ``coupon_assigned`` hands it: the code (upper
    case), when it expires (``None``: never), how many orders may use it
    (``None``: unlimited), and for a wishlist gift the product and the discount."""

    id: str
    store_id: str
    customer_id: str
    code: str
    expires_at: dt.datetime | None
    uses_per_customer: int | None
    product_id: str | None = None
    discount: Discount | None = None


def _check_reason(reason: str | None) -> None:
    if reason is None or _REASON.fullmatch(reason) is None:
        raise InvalidValue("reason", "must be a snake_case code of at most 64 characters")


@dataclass(frozen=True, slots=True)
class HostRefusal:
    """The host refuses what the plugin asked (``issue_coupon``): ``reason`` (a snake_case
    code such as ``product_unavailable``), a ``message`` for the merchant, and ``conflict``
    (true: answered 409, else 422)."""

    reason: str
    message: str
    conflict: bool = False

    def __post_init__(self) -> None:
        _check_reason(self.reason)
        check_text("message", self.message, max_length=500)


@dataclass(frozen=True, slots=True)
class OrderOutcome:
    """The host's answer to ``place_order``: an order placed, or a refusal.

    Placed: ``order_id`` (the host's order id, as its ``OrderPlaced`` will carry it),
    ``payment_status`` (e.g. ``pay_later``, ``pending``, ``paid``) and an optional
    ``payment_url`` (an http(s) link the customer pays through). Refused: ``reason`` (a short
    snake_case code such as ``out_of_stock``, ``unknown_product``, ``coupon_invalid``), a
    ``message`` for the merchant, and ``conflict`` (true: the request was right but the shop's
    state refuses it, answered 409; false: 422). Build them with ``OrderOutcome.placed(…)`` and
    ``OrderOutcome.refused(…)``.
    """

    outcome: str
    order_id: str | None = None
    payment_status: str | None = None
    payment_url: str | None = None
    reason: str | None = None
    message: str | None = None
    conflict: bool = False

    def __post_init__(self) -> None:
        if self.outcome not in ORDER_OUTCOMES:
            raise ValueError(f"outcome must be one of {', '.join(ORDER_OUTCOMES)}")
        check_text("message", self.message or "", max_length=500)
        check_text("payment_status", self.payment_status or "", max_length=32)
        if self.outcome == "placed":
            _require_text("order_id", self.order_id or "")
            check_text("order_id", self.order_id, max_length=128)
            url = self.payment_url
            if url is not None and (
                len(url) > 2000 or not url.startswith(("https://", "http://")) or text_problem(url)
            ):
                raise InvalidValue(
                    "payment_url", "must be an http(s) URL of at most 2000 characters"
                )
        else:
            _check_reason(self.reason)

    @classmethod
    def placed(
        cls, order_id: str, *, payment_status: str | None = None, payment_url: str | None = None
    ) -> OrderOutcome:
        return cls(
            "placed", order_id=order_id, payment_status=payment_status, payment_url=payment_url
        )

    @classmethod
    def refused(cls, reason: str, message: str, *, conflict: bool = False) -> OrderOutcome:
        return cls("refused", reason=reason, message=message, conflict=conflict)
