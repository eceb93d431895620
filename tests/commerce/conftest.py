"""Fixtures of the wishlist, review-request and wallet tests: a host that says who is signed in
(``X-Shopper: <email>``: the account ``user:<email>`` whose email the host has verified, or
``X-Account: <user id>`` with ``X-Email`` / ``X-Phone`` / ``X-Verified: email,phone`` for any
other account), keeps a cart and knows product prices; a fake SMTP server on 127.0.0.1; an app
wired with both; a staff client."""

from __future__ import annotations

import datetime as dt
import socket
import threading
from decimal import Decimal
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

from customers_plugin import hookimpl
from customers_plugin.events import (
    Contact,
    CustomerSignedUp,
    OrderPlaced,
    OrderUpdated,
    ProductPrice,
    ShopperAccount,
)
from tests.api.conftest import PREFIX, BearerAuth, Staff

STORE = "a"


class Host:
    """The host's side: the signed-in shopper, the cart, the current prices, notifications."""

    def __init__(self) -> None:
        self.cart: list[tuple[str, str, str]] = []
        self.unavailable: set[str] = set()
        self.prices: dict[str, ProductPrice] = {}
        self.price_calls: list[list[str]] = []
        self.drops: list[Any] = []
        self.on_add_to_cart: Any = None  # the host's own work while adding (e.g. its writes)

    @hookimpl
    def current_customer(self, request: Any, store_id: str) -> ShopperAccount | None:
        email = request.headers.get("X-Shopper")
        if email:
            return ShopperAccount(f"user:{email}", email=email, email_verified=True, name="Sara")
        user_id = request.headers.get("X-Account")
        if not user_id:
            return None
        verified = set(request.headers.get("X-Verified", "").split(","))
        return ShopperAccount(
            user_id,
            email=request.headers.get("X-Email"),
            email_verified="email" in verified,
            phone=request.headers.get("X-Phone"),
            phone_verified="phone" in verified,
        )

    @hookimpl
    def add_to_cart(self, store_id: str, customer: Any, product_id: str) -> bool:
        if product_id in self.unavailable:
            return False
        if self.on_add_to_cart is not None:
            self.on_add_to_cart(store_id, customer, product_id)
        self.cart.append((store_id, customer.email, product_id))
        return True

    @hookimpl
    def product_prices(self, store_id: str, product_ids: Any) -> dict[str, ProductPrice]:
        self.price_calls.append(list(product_ids))
        return {pid: self.prices[pid] for pid in product_ids if pid in self.prices}

    @hookimpl
    def wishlist_price_dropped(self, drop: Any) -> None:
        self.drops.append(drop)


class Mailbox:
    """aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            self.messages.append(
                {
                    "from": envelope.mail_from,
                    "to": list(envelope.rcpt_tos),
                    "raw": envelope.original_content or envelope.content,
                }
            )
        return "250 OK"


@pytest.fixture(scope="session")
def smtp_server() -> Any:
    mailbox = Mailbox()
    with socket.socket() as probe:  # a free port (aiosmtpd cannot start on port 0)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    controller.mailbox = mailbox
    yield controller
    controller.stop()


@pytest.fixture
def mailbox(smtp_server: Any) -> Mailbox:
    smtp_server.mailbox.messages.clear()
    return smtp_server.mailbox


@pytest.fixture
def host() -> Host:
    return Host()


@pytest.fixture
def shop(make_app: Any, recorder: Any, host: Host, smtp_server: Any) -> Flask:
    return make_app(
        SECRET_KEY="test-secret",
        CUSTOMERS_PLUGINS=[recorder, BearerAuth(), host],
        CUSTOMERS_DEFAULT_STORE=STORE,
        CUSTOMERS_CURRENCY="SAR",
        CUSTOMERS_REVIEW_PAGE_URL="https://shop.example/reviews?token={token}",
        CUSTOMERS_SMTP_HOST="127.0.0.1",
        CUSTOMERS_SMTP_PORT=smtp_server.port,
        CUSTOMERS_SMTP_SECURITY="none",
        CUSTOMERS_SMTP_SENDER="shop@shop.example",
    )


@pytest.fixture
def state(shop: Flask) -> Any:
    return shop.extensions["customers"]


@pytest.fixture
def staff(shop: Flask) -> Staff:
    return Staff(shop, STORE)


class Shopper:
    """A storefront client signed in as ``email`` (or a guest with ``email=None``), or as any
    account described by ``headers``."""

    def __init__(
        self, app: Flask, email: str | None, headers: dict[str, str] | None = None
    ) -> None:
        self.client = app.test_client()
        self.headers = {"X-Shopper": email} if email else dict(headers or {})

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.client.open(PREFIX + "/me" + path, method=method, headers=headers, **kwargs)


@pytest.fixture
def sara(shop: Flask) -> Shopper:
    return Shopper(shop, "sara@example.sa")


def place(state: Any, order_id: str, email: str = "sara@example.sa", **kw: Any) -> str:
    event = OrderPlaced(
        store_id=kw.pop("store_id", STORE),
        contact=Contact(email=email),
        order_id=order_id,
        total=Decimal(kw.pop("total", "100.00")),
        currency="SAR",
        **kw,
    )
    return state.hook.on_order_placed(event=event)[0]


def deliver_order(
    state: Any, order_id: str, at: dt.datetime, email: str = "sara@example.sa"
) -> None:
    state.hook.on_order_updated(
        event=OrderUpdated(
            store_id=STORE,
            contact=Contact(email=email),
            order_id=order_id,
            status="delivered",
            occurred_at=at,
        )
    )


def sign_up(state: Any, email: str = "sara@example.sa", *, verified: bool = True) -> str | None:
    """The host's account ``user:<email>`` signs up (its email verified unless told): returns
    the customer the sign-up was recorded on (linked when verified; ``None`` when queued)."""
    event = CustomerSignedUp(
        store_id=STORE,
        contact=Contact(email=email),
        user_id=account_of(email),
        email_verified=verified,
    )
    return next(iter(state.hook.on_customer_signup(event=event)), None)


def account_of(email: str) -> str:
    return f"user:{email}"
