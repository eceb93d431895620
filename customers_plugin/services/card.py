"""Reading the customer card: every field, stats, consent history, recent orders, upcoming
bookings, and the card's history tabs (activity, orders with totals, bookings); marking a
booking "paid in person"."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select

from ..i18n import _
from ..models import (
    Activity,
    BookingSummary,
    ConsentEvent,
    Customer,
    DuplicateSuggestion,
    OrderSummary,
)
from ..types import utcnow
from . import activity, addresses, fields, row_extras
from .customers import get
from .errors import NotFound
from .keyset import SortKey, model_page
from .scope import Scope

CARD_ORDERS = 5
CARD_BOOKINGS = 5
CARD_CONSENT_EVENTS = 20
BOOKING_WHEN = ("upcoming", "past", "all")
PAID_IN_PERSON = "paid_in_person"


def card(scope: Scope, customer_id: uuid.UUID) -> dict[str, Any]:
    session = scope.session
    customer = get(scope, customer_id)
    data: dict[str, Any] = {c.key: getattr(customer, c.key) for c in Customer.__table__.columns}
    data["avg_rating"] = customer.avg_rating
    data["addresses"] = addresses.stable_ids(customer.id, customer.addresses)
    data["currency"] = scope.currency
    dialect = session.get_bind().dialect.name
    extras = row_extras.columns(dialect)
    if extras:
        row = session.execute(select(*extras).where(Customer.id == customer.id)).one()
        data.update(row_extras.decode(row._mapping))
    data["custom_fields"] = fields.values_of(session, customer.id)
    data["consent_history"] = list(
        session.scalars(
            select(ConsentEvent)
            .where(ConsentEvent.customer_id == customer.id)
            .order_by(ConsentEvent.occurred_at.desc(), ConsentEvent.id.desc())
            .limit(CARD_CONSENT_EVENTS)
        )
    )
    data["recent_orders"] = list(
        session.scalars(
            select(OrderSummary)
            .where(OrderSummary.customer_id == customer.id)
            .order_by(OrderSummary.placed_at.desc().nulls_last(), OrderSummary.id.desc())
            .limit(CARD_ORDERS)
        )
    )
    data["upcoming_bookings"] = list(
        session.scalars(
            select(BookingSummary)
            .where(BookingSummary.customer_id == customer.id, BookingSummary.starts_at >= utcnow())
            .order_by(BookingSummary.starts_at, BookingSummary.id)
            .limit(CARD_BOOKINGS)
        )
    )
    data["has_photo"] = customer.photo_key is not None
    return data


_ACTIVITY_KEYS = {"occurred_at": SortKey("occurred_at", Activity.occurred_at, "datetime")}
_ORDER_KEYS = {"placed_at": SortKey("placed_at", OrderSummary.placed_at, "datetime", True)}
_BOOKING_KEYS = {"starts_at": SortKey("starts_at", BookingSummary.starts_at, "datetime", True)}


def activity_page(
    scope: Scope, customer_id: uuid.UUID, *, limit: int, cursor: str | None
) -> tuple[list[Activity], str | None]:
    customer = get(scope, customer_id)
    return model_page(
        scope.session,
        Activity,
        _ACTIVITY_KEYS,
        "-occurred_at",
        [Activity.customer_id == customer.id, Activity.store_id == scope.store_id],
        limit,
        cursor,
    )


_DUPLICATE_KEYS = {
    "detected_at": SortKey("detected_at", DuplicateSuggestion.detected_at, "datetime")
}


def duplicates_page(
    scope: Scope, customer_id: uuid.UUID, *, limit: int, cursor: str | None
) -> tuple[list[DuplicateSuggestion], str | None]:
    """The customers that may be this one too (an unverified event paired their contacts),
    newest first. Nothing is merged; the merchant decides."""
    customer = get(scope, customer_id)
    return model_page(
        scope.session,
        DuplicateSuggestion,
        _DUPLICATE_KEYS,
        "-detected_at",
        [
            DuplicateSuggestion.customer_id == customer.id,
            DuplicateSuggestion.store_id == scope.store_id,
        ],
        limit,
        cursor,
    )


def orders_page(
    scope: Scope, customer_id: uuid.UUID, *, limit: int, cursor: str | None
) -> dict[str, Any]:
    customer = get(scope, customer_id)
    rows, next_cursor = model_page(
        scope.session,
        OrderSummary,
        _ORDER_KEYS,
        "-placed_at",
        [OrderSummary.customer_id == customer.id, OrderSummary.store_id == scope.store_id],
        limit,
        cursor,
    )
    all_orders = scope.session.scalar(
        select(func.count())
        .select_from(OrderSummary)
        .where(OrderSummary.customer_id == customer.id)
    )
    return {
        "items": rows,
        "next_cursor": next_cursor,
        "totals": {
            "orders_count": customer.orders_count,
            "all_orders": all_orders,
            "cancelled_orders_count": customer.cancelled_orders_count,
            "total_spent": customer.total_spent,
            "currency": scope.currency,
            "last_order_at": customer.last_order_at,
        },
    }


def bookings_page(
    scope: Scope, customer_id: uuid.UUID, *, when: str, limit: int, cursor: str | None
) -> tuple[list[BookingSummary], str | None]:
    customer = get(scope, customer_id)
    where = [BookingSummary.customer_id == customer.id, BookingSummary.store_id == scope.store_id]
    now = utcnow()
    sort = "-starts_at"
    if when == "upcoming":
        where.append(BookingSummary.starts_at >= now)
        sort = "starts_at"
    elif when == "past":
        where.append(BookingSummary.starts_at < now)
    return model_page(scope.session, BookingSummary, _BOOKING_KEYS, sort, where, limit, cursor)


def mark_paid_in_person(
    scope: Scope, customer_id: uuid.UUID, booking_id: uuid.UUID
) -> BookingSummary:
    customer = get(scope, customer_id)
    booking = scope.session.scalar(
        select(BookingSummary)
        .where(
            BookingSummary.store_id == scope.store_id,
            BookingSummary.customer_id == customer.id,
            BookingSummary.id == booking_id,
        )
        .with_for_update()
    )
    if booking is None:
        raise NotFound(_("no such booking"))
    if booking.payment_status != PAID_IN_PERSON:
        old = booking.payment_status
        booking.payment_status = PAID_IN_PERSON
        booking.updated_at = utcnow()
        scope.session.flush()
        activity.record(
            scope.session,
            scope.store_id,
            customer.id,
            "booking_paid_in_person",
            {"booking_id": booking.external_id, "from": old},
            actor=scope.actor,
        )
    return booking
