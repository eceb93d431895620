"""API test helpers: a host plugin that authorises from ``Authorization: Bearer <store>:<perms>``
(perms comma-separated, ``*`` for all), a client wrapper per staff member, and quick ways to
make customers, orders and bookings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask

from customers_plugin import hookimpl
from customers_plugin.events import BookingMade, Contact, OrderOutcome, OrderPlaced

PREFIX = "/api/v1"


class BearerAuth:
    """The host's answers to ``current_store`` and ``authorize`` for tests."""

    @staticmethod
    def _token(request: Any) -> tuple[str, set[str]] | None:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer ") or ":" not in header:
            return None
        store, perms = header[7:].split(":", 1)
        return store, set(perms.split(","))

    @hookimpl
    def current_store(self, request: Any) -> str | None:
        token = self._token(request)
        return token[0] if token else None

    @hookimpl
    def authorize(self, request: Any, permission: str, store_id: str) -> bool | None:
        token = self._token(request)
        if token is None:
            return None
        store, perms = token
        return store == store_id and ("*" in perms or permission in perms)


class ShopDesk:
    """The host's ``place_order`` (places anything, "pay later") and ``issue_coupon`` (a new
    code each time), so the API's order and gift endpoints reach their success answers."""

    def __init__(self) -> None:
        self.placed = 0

    @hookimpl
    def place_order(self, store_id: str, items: Any) -> OrderOutcome:
        self.placed += 1
        return OrderOutcome.placed(f"order-{self.placed}", payment_status="pay_later")

    @hookimpl
    def issue_coupon(self, store_id: str, product_id: str) -> str:
        self.placed += 1
        return f"GIFT-{self.placed}"


class Staff:
    """A test client acting as staff of ``store`` holding ``perms``."""

    def __init__(self, app: Flask, store: str = "a", perms: str = "*") -> None:
        self.app = app
        self.client = app.test_client()
        self.store = store
        self.headers = {"Authorization": f"Bearer {store}:{perms}"}

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.client.open(PREFIX + path, method=method, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> Any:
        return self._call("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Any:
        return self._call("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> Any:
        return self._call("PATCH", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> Any:
        return self._call("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self._call("DELETE", path, **kwargs)

    def create(self, **body: Any) -> dict[str, Any]:
        response = self.post("/customers", json=body)
        assert response.status_code == 201, response.json
        return response.json

    def as_(self, store: str | None = None, perms: str = "*") -> Staff:
        return Staff(self.app, store or self.store, perms)


@pytest.fixture
def api_app(make_app: Any, recorder: Any, tmp_path: Any) -> Flask:
    return make_app(
        CUSTOMERS_PLUGINS=[recorder, BearerAuth()],
        CUSTOMERS_ATTACHMENTS_FOLDER=str(tmp_path / "attachments"),
        CUSTOMERS_TRANSFER_FOLDER=str(tmp_path / "transfer"),
        CUSTOMERS_DEFAULT_REGION="SA",
        CUSTOMERS_CURRENCY="SAR",
    )


@pytest.fixture
def staff(api_app: Flask) -> Staff:
    return Staff(api_app)


def place_order(app: Flask, store: str, email: str, order_id: str, total: str, **kw: Any) -> str:
    state = app.extensions["customers"]
    event = OrderPlaced(
        store_id=store,
        contact=Contact(email=email),
        order_id=order_id,
        total=Decimal(total),
        currency="SAR",
        **kw,
    )
    return state.hook.on_order_placed(event=event)[0]


def book(
    app: Flask, store: str, email: str, booking_id: str, starts_in: dt.timedelta, **kw: Any
) -> str:
    state = app.extensions["customers"]
    event = BookingMade(
        store_id=store,
        contact=Contact(email=email),
        booking_id=booking_id,
        service=kw.pop("service", "Haircut"),
        starts_at=dt.datetime.now(dt.UTC) + starts_in,
        **kw,
    )
    return state.hook.on_booking(event=event)[0]
