"""Fixtures of the order and coupon tests: a host desk that places orders (``place_order``:
refuses unknown products and products out of stock, emits ``on_order_placed`` itself when
``emit`` is set), issues product coupons (``issue_coupon``), says who the staff member is
(``X-Staff``) and records ``coupon_assigned``; an app wired with it; a staff client."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask

from customers_plugin import hookimpl
from customers_plugin.events import (
    Contact,
    CustomerSignedUp,
    LineItem,
    OrderOutcome,
    OrderPlaced,
    WishlistChanged,
)
from customers_plugin.state import get_state
from tests.api.conftest import BearerAuth, Staff

PRICES = {"p1": Decimal("10.00"), "p2": Decimal("25.50")}


class Desk:
    """The host's order desk and coupon office."""

    def __init__(self) -> None:
        self.emit = True
        self.fail = False
        self.out_of_stock: set[str] = set()
        self.calls: list[dict[str, Any]] = []
        self.issued: list[dict[str, Any]] = []
        self.assigned: list[tuple[Any, Any]] = []
        self._numbers = itertools.count(1001)

    @hookimpl
    def current_staff(self, request: Any, store_id: str) -> str | None:
        return request.headers.get("X-Staff")

    @hookimpl
    def place_order(
        self, store_id, customer, items, coupon_code, user_id, staff_id, note, idempotency_key
    ) -> OrderOutcome:
        self.calls.append(
            {"items": items, "coupon_code": coupon_code, "staff_id": staff_id, "note": note}
        )
        if self.fail:
            raise ConnectionError("the shop is down")
        for line in items:
            if line["product_id"] not in PRICES:
                return OrderOutcome.refused("unknown_product", f"No product {line['product_id']}.")
            if line["product_id"] in self.out_of_stock:
                return OrderOutcome.refused("out_of_stock", "Sold out.", conflict=True)
        order_id = f"H{next(self._numbers)}"
        if self.emit:
            get_state().hook.on_order_placed(
                event=host_order(store_id, customer, items, order_id, coupon_code)
            )
        return OrderOutcome.placed(
            order_id, payment_status="pay_later", payment_url=f"https://pay.example/{order_id}"
        )

    @hookimpl
    def issue_coupon(self, store_id, product_id, discount, expires_at) -> str:
        self.issued.append({"product_id": product_id, "discount": discount})
        return f"gift-{product_id}-{len(self.issued)}"

    @hookimpl
    def coupon_assigned(self, customer: Any, coupon: Any) -> None:
        self.assigned.append((customer, coupon))


def host_order(
    store_id: str, customer: Any, items: Any, order_id: str, coupon_code: str | None
) -> OrderPlaced:
    lines = tuple(
        LineItem(i["product_id"], i["product_id"], i["quantity"], PRICES[i["product_id"]])
        for i in items
    )
    return OrderPlaced(
        store_id=store_id,
        contact=Contact(email=customer.email),
        order_id=order_id,
        total=sum((line.unit_price * line.quantity for line in lines), Decimal(0)),
        currency="SAR",
        items=lines,
        coupon_code=coupon_code,
    )


class NoHost:
    """A host with staff but neither place_order nor issue_coupon."""

    @hookimpl
    def current_staff(self, request: Any, store_id: str) -> str | None:
        return request.headers.get("X-Staff")


class Clerk(Staff):
    def __init__(self, app: Flask, store: str = "a", perms: str = "*", who: str = "s1") -> None:
        super().__init__(app, store, perms)
        self.headers["X-Staff"] = who


@pytest.fixture
def desk() -> Desk:
    return Desk()


@pytest.fixture
def orders_app(make_app: Any, recorder: Any, desk: Desk) -> Flask:
    return make_app(CUSTOMERS_PLUGINS=[recorder, BearerAuth(), desk], CUSTOMERS_CURRENCY="SAR")


@pytest.fixture
def bare_app(make_app: Any, recorder: Any) -> Flask:
    return make_app(CUSTOMERS_PLUGINS=[recorder, BearerAuth(), NoHost()])


@pytest.fixture
def clerk(orders_app: Flask) -> Clerk:
    return Clerk(orders_app)


def new_customer(clerk: Staff, email: str = "sara@example.sa") -> str:
    return clerk.create(email=email, name="Sara")["id"]


def sign_up(app: Flask, email: str, user_id: str, store: str = "a") -> None:
    """Link the host account ``user_id`` to the customer holding ``email``."""
    app.extensions["customers"].hook.on_customer_signup(
        event=CustomerSignedUp(
            store_id=store, user_id=user_id, email_verified=True, contact=Contact(email=email)
        )
    )


def wish(app: Flask, email: str, product_id: str = "p1", store: str = "a") -> None:
    app.extensions["customers"].hook.on_wishlist_changed(
        event=WishlistChanged(
            store_id=store,
            contact=Contact(email=email),
            product_id=product_id,
            action="added",
            product_name="Dress",
            price=Decimal("349.00"),
            currency="SAR",
        )
    )


def order_with_coupon(app: Flask, email: str, order_id: str, code: str | None) -> None:
    app.extensions["customers"].hook.on_order_placed(
        event=OrderPlaced(
            store_id="a",
            contact=Contact(email=email),
            order_id=order_id,
            total=Decimal("10"),
            currency="SAR",
            coupon_code=code,
        )
    )


def in_days(days: int) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(days=days)).isoformat()
