"""``/customers/{id}/activity|orders|bookings|duplicates``: the history tabs of the customer
card, marking a booking "paid in person", and the customers that may be the same person."""

from __future__ import annotations

import uuid
from typing import Any

from flask_smorest import Blueprint

from .. import security
from ..schemas.common import PageArgs
from ..schemas.customers import (
    ActivityPage,
    BookingArgs,
    BookingOut,
    BookingPage,
    DuplicatePage,
    OrderPage,
)
from ..security import require
from ..services import card
from .common import page_size, scope
from .errors import install

blp = install(Blueprint("customer-history", __name__, description="A customer's history."))


@blp.route("/<uuid:customer_id>/activity", methods=["GET"])
@require(security.READ)
@blp.arguments(PageArgs(), location="query", as_kwargs=True)
@blp.response(200, ActivityPage)
def customer_activity(customer_id: uuid.UUID, **args: Any) -> Any:
    """The activity log, newest first."""
    with scope() as s:
        items, next_cursor = card.activity_page(
            s, customer_id, limit=page_size(args), cursor=args.get("cursor")
        )
    return {"items": items, "next_cursor": next_cursor}


@blp.route("/<uuid:customer_id>/duplicates", methods=["GET"])
@require(security.READ)
@blp.arguments(PageArgs(), location="query", as_kwargs=True)
@blp.response(200, DuplicatePage)
def customer_duplicates(customer_id: uuid.UUID, **args: Any) -> Any:
    """Customers that may be this one too, newest first: an unverified event (a guest order, a
    form) paired this customer's email with the other's phone. Nothing was merged."""
    with scope() as s:
        items, next_cursor = card.duplicates_page(
            s, customer_id, limit=page_size(args), cursor=args.get("cursor")
        )
    return {"items": items, "next_cursor": next_cursor}


@blp.route("/<uuid:customer_id>/orders", methods=["GET"])
@require(security.READ)
@blp.arguments(PageArgs(), location="query", as_kwargs=True)
@blp.response(200, OrderPage)
def customer_orders(customer_id: uuid.UUID, **args: Any) -> Any:
    """The customer's orders, newest first, with totals."""
    with scope() as s:
        return card.orders_page(s, customer_id, limit=page_size(args), cursor=args.get("cursor"))


@blp.route("/<uuid:customer_id>/bookings", methods=["GET"])
@require(security.READ)
@blp.arguments(BookingArgs(), location="query", as_kwargs=True)
@blp.response(200, BookingPage)
def customer_bookings(customer_id: uuid.UUID, **args: Any) -> Any:
    """The customer's bookings with their form answers: ``when`` = upcoming (soonest first),
    past or all (latest first)."""
    with scope() as s:
        items, next_cursor = card.bookings_page(
            s, customer_id, when=args["when"], limit=page_size(args), cursor=args.get("cursor")
        )
    return {"items": items, "next_cursor": next_cursor}


@blp.route("/<uuid:customer_id>/bookings/<uuid:booking_id>/paid-in-person", methods=["POST"])
@require(security.WRITE)
@blp.response(200, BookingOut)
def booking_paid_in_person(customer_id: uuid.UUID, booking_id: uuid.UUID) -> Any:
    """Record that the customer paid this booking in person (cash, app…)."""
    with scope() as s:
        return card.mark_paid_in_person(s, customer_id, booking_id)
