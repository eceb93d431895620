"""The storefront refuses a guest before reading anything they send, takes a wished product's
name and price from the host, bounds a wishlist's size, and price-drop notices carry only
names the host gave."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from sqlalchemy import update

from customers_plugin.events import Contact, ProductPrice, WishlistChanged
from customers_plugin.models import WishlistItem
from customers_plugin.services.wishlist import WishlistFull

from .conftest import STORE, Shopper

DRESS = ProductPrice(Decimal("199.90"), "SAR", name="Evening dress")


@pytest.fixture
def guest(shop):
    return Shopper(shop, None)


def test_a_guest_gets_401_before_any_validation(guest):
    for method, path, kwargs in (
        ("POST", "/wishlist", {"json": {}}),
        ("POST", "/wishlist", {"json": {"product_id": "p", "name": "x", "price": "-1"}}),
        ("POST", "/wishlist", {"data": "{not json", "content_type": "application/json"}),
        ("GET", "/wishlist?limit=0", {}),
        ("GET", "/wallet?limit=abc", {}),
    ):
        response = guest.call(method, path, **kwargs)
        assert response.status_code == 401, (method, path, response.json)
        assert response.json["error"]["code"] == "unauthorized"


def test_the_wishlist_takes_name_and_price_from_the_host(host, sara):
    host.prices = {"p-dress": DRESS}
    added = sara.call("POST", "/wishlist", json={"product_id": "p-dress"})
    assert added.status_code == 201, added.json
    assert (added.json["name"], added.json["price"], added.json["currency"]) == (
        "Evening dress",
        "199.90",
        "SAR",
    )
    assert host.price_calls == [["p-dress"]]


def test_a_shopper_cannot_name_or_price_a_wished_product(host, sara):
    host.prices = {"p-dress": DRESS}
    forged = {"product_id": "p-dress", "name": "FREE - click evil.example", "price": "0.01"}
    response = sara.call("POST", "/wishlist", json=forged)
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == {"name", "price"}
    assert sara.call("GET", "/wishlist").json["items"] == []


def test_a_product_the_host_does_not_know_is_refused(host, sara):
    response = sara.call("POST", "/wishlist", json={"product_id": "p-ghost"})
    assert response.status_code == 422
    assert "product_id" in response.json["error"]["fields"]


def test_without_product_prices_the_storefront_wishlist_answers_409(make_app):
    from tests.commerce.conftest import Host

    class NoPrices(Host):
        product_prices = None  # type: ignore[assignment]

    app = make_app(CUSTOMERS_PLUGINS=[NoPrices()], CUSTOMERS_DEFAULT_STORE=STORE)
    response = Shopper(app, "sara@example.sa").call("POST", "/wishlist", json={"product_id": "p"})
    assert response.status_code == 409
    assert response.json["error"]["code"] == "prices_unavailable"


def test_a_wishlist_holds_at_most_the_configured_number_of_products(make_app, host):
    host.prices = {f"p-{i}": ProductPrice("10", "SAR", name=f"P{i}") for i in range(4)}
    app = make_app(
        CUSTOMERS_PLUGINS=[host], CUSTOMERS_DEFAULT_STORE=STORE, CUSTOMERS_WISHLIST_MAX_ITEMS=2
    )
    sara = Shopper(app, "sara@example.sa")
    assert sara.call("POST", "/wishlist", json={"product_id": "p-0"}).status_code == 201
    assert sara.call("POST", "/wishlist", json={"product_id": "p-1"}).status_code == 201
    full = sara.call("POST", "/wishlist", json={"product_id": "p-2"})
    assert full.status_code == 409
    assert full.json["error"]["code"] == "wishlist_full"
    assert sara.call("POST", "/wishlist", json={"product_id": "p-1"}).status_code == 200
    state = app.extensions["customers"]
    with pytest.raises(WishlistFull):
        _host_wish(state, "p-3", "P3")
    assert len(sara.call("GET", "/wishlist").json["items"]) == 2
    assert sara.call("DELETE", "/wishlist/p-0").status_code == 204
    assert sara.call("POST", "/wishlist", json={"product_id": "p-2"}).status_code == 201


def _host_wish(state, product_id, name):
    """The host reports a wish for Sara (``on_wishlist_changed``); her customer id."""
    event = WishlistChanged(
        store_id=STORE,
        contact=Contact(email="sara@example.sa"),
        product_id=product_id,
        action="added",
        product_name=name,
        price=Decimal("199.90"),
        currency="SAR",
    )
    return state.hook.on_wishlist_changed(event=event)[0]


def _legacy_wish(state, product_name):
    """A wish stored with a shopper's words as its name (as the storefront once allowed)."""
    customer_id = _host_wish(state, "p-dress", "Evening dress")
    with state.db.transaction() as session:
        session.execute(update(WishlistItem).values(product_name=product_name))
    return uuid.UUID(customer_id)


def test_price_drop_notices_carry_the_hosts_name_never_a_shoppers(state, host, staff):
    customer_id = _legacy_wish(state, "WIN A PRIZE at evil.example")
    host.prices = {"p-dress": ProductPrice("150", "SAR", name="Evening dress")}
    state.jobs.submit("wishlist_price_drops")
    [drop] = host.drops
    assert drop.product_name == "Evening dress"
    listed = staff.get(f"/customers/{customer_id}/wishlist").json["items"]
    assert [i["name"] for i in listed] == ["Evening dress"]


def test_a_price_drop_without_a_name_from_the_host_carries_none(state, host):
    _legacy_wish(state, "WIN A PRIZE at evil.example")
    host.prices = {"p-dress": ProductPrice("150", "SAR")}
    state.jobs.submit("wishlist_price_drops")
    [drop] = host.drops
    assert drop.product_name is None
