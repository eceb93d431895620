"""Wishlists: the storefront side, the merchant's views, host events, the group condition and
the price-drop job."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import select

from customers_plugin.events import Contact, ProductPrice, WishlistChanged
from customers_plugin.models import Activity
from customers_plugin.services.groups.registry import registry_for

from .conftest import STORE, Shopper, place

DRESS = {"product_id": "p-dress"}
BAG = {"product_id": "p-bag"}


@pytest.fixture(autouse=True)
def catalog(host):
    """The host's products: the storefront takes their names and prices from here."""
    host.prices = {
        "p-dress": ProductPrice(Decimal("199.90"), "SAR", name="فستان"),
        "p-bag": ProductPrice(Decimal("80"), "SAR", name="حقيبة"),
    }
    return host.prices


def _kinds(state, customer_id):
    with state.db.session() as session:
        return session.scalars(
            select(Activity.kind)
            .where(Activity.customer_id == uuid.UUID(customer_id))
            .order_by(Activity.occurred_at, Activity.recorded_at)
        ).all()


def _wish(state, email, product_id, price="10.00", action="added", at=None):
    return state.hook.on_wishlist_changed(
        event=WishlistChanged(
            store_id=STORE,
            contact=Contact(email=email),
            product_id=product_id,
            action=action,
            product_name=f"Product {product_id}" if action == "added" else None,
            price=Decimal(price) if action == "added" else None,
            currency="SAR" if action == "added" else None,
            occurred_at=at or dt.datetime.now(dt.UTC),
        )
    )[0]


# -- storefront -----------------------------------------------------------------------------


def test_adding_keeps_the_price_currency_and_date_of_adding(sara, catalog):
    before = dt.datetime.now(dt.UTC)
    added = sara.call("POST", "/wishlist", json=DRESS)
    assert added.status_code == 201, added.json
    item = added.json
    assert (item["price"], item["currency"], item["name"]) == ("199.90", "SAR", "فستان")
    assert dt.datetime.fromisoformat(item["added_at"]) >= before.replace(microsecond=0)
    catalog["p-dress"] = ProductPrice(Decimal("150.00"), "SAR", name="فستان")
    again = sara.call("POST", "/wishlist", json=DRESS)
    assert again.status_code == 200
    assert again.json["price"] == "199.90"
    assert again.json["added_at"] == item["added_at"]
    listed = sara.call("GET", "/wishlist").json["items"]
    assert [i["product_id"] for i in listed] == ["p-dress"]


def test_guest_gets_401(shop):
    guest = Shopper(shop, None)
    assert guest.call("GET", "/wishlist").status_code == 401
    assert guest.call("POST", "/wishlist", json=DRESS).status_code == 401


def test_bad_product_answers_422(sara):
    assert sara.call("POST", "/wishlist", json={"product_id": "p-none"}).status_code == 422
    assert sara.call("POST", "/wishlist", json={"product_id": "x" * 129}).status_code == 422
    assert sara.call("POST", "/wishlist", json={}).status_code == 422


def test_remove_takes_it_off_and_logs_it(state, sara):
    sara.call("POST", "/wishlist", json=DRESS)
    assert sara.call("DELETE", "/wishlist/p-dress").status_code == 204
    assert sara.call("DELETE", "/wishlist/p-dress").status_code == 404
    assert sara.call("GET", "/wishlist").json["items"] == []
    [customer_id] = {str(a) for a in _customer_ids(state)}
    assert _kinds(state, customer_id)[-2:] == ["wishlist_added", "wishlist_removed"]


def _customer_ids(state):
    from customers_plugin.models import Customer

    with state.db.session() as session:
        return session.scalars(select(Customer.id)).all()


def test_move_to_cart_uses_the_hosts_cart_and_empties_the_line(state, host, sara):
    sara.call("POST", "/wishlist", json=DRESS)
    moved = sara.call("POST", "/wishlist/p-dress/move-to-cart")
    assert moved.status_code == 200
    assert host.cart == [(STORE, "sara@example.sa", "p-dress")]
    assert sara.call("GET", "/wishlist").json["items"] == []


def test_move_to_cart_of_an_unavailable_product_is_a_clear_409_and_keeps_it(host, sara):
    sara.call("POST", "/wishlist", json=DRESS)
    host.unavailable.add("p-dress")
    refused = sara.call("POST", "/wishlist/p-dress/move-to-cart")
    assert refused.status_code == 409
    assert refused.json["error"]["code"] == "product_unavailable"
    assert len(sara.call("GET", "/wishlist").json["items"]) == 1


def test_move_to_cart_without_a_host_cart_is_a_409(make_app):
    from tests.commerce.conftest import Host

    class NoCart(Host):
        add_to_cart = None  # type: ignore[assignment]

    host = NoCart()
    host.prices = {"p-dress": ProductPrice(Decimal("199.90"), "SAR", name="فستان")}
    app = make_app(CUSTOMERS_PLUGINS=[host], CUSTOMERS_DEFAULT_STORE=STORE)
    shopper = Shopper(app, "sara@example.sa")
    shopper.call("POST", "/wishlist", json=DRESS)
    refused = shopper.call("POST", "/wishlist/p-dress/move-to-cart")
    assert refused.status_code == 409
    assert refused.json["error"]["code"] == "cart_unavailable"


def test_move_to_cart_of_a_product_not_in_the_list_is_404(sara):
    sara.call("POST", "/wishlist", json=DRESS)
    assert sara.call("POST", "/wishlist/p-other/move-to-cart").status_code == 404


# -- merchant side --------------------------------------------------------------------------


def test_merchant_sees_a_customers_wishlist_with_price_and_date(state, staff, sara):
    sara.call("POST", "/wishlist", json=DRESS)
    sara.call("POST", "/wishlist", json=BAG)
    cid = place(state, "o1")
    page = staff.get(f"/customers/{cid}/wishlist?limit=1").json
    assert [i["product_id"] for i in page["items"]] == ["p-bag"]
    assert page["items"][0]["price"] == "80.00"
    rest = staff.get(f"/customers/{cid}/wishlist?limit=1&cursor={page['next_cursor']}").json
    assert [i["product_id"] for i in rest["items"]] == ["p-dress"]
    assert rest["next_cursor"] is None
    assert staff.as_(store="b").get(f"/customers/{cid}/wishlist").status_code == 404


def test_most_wished_report_counts_and_pages(state, staff):
    t0 = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    for i, email in enumerate(["a@x.co", "b@x.co", "c@x.co"]):
        _wish(state, email, "p-hot", at=t0 + dt.timedelta(days=i))
    _wish(state, "a@x.co", "p-warm", at=t0)
    _wish(state, "b@x.co", "p-warm", at=t0)
    _wish(state, "a@x.co", "p-cold", at=t0)
    _wish(state, "z@x.co", "p-hot")
    first = staff.get("/wishlists/products?limit=2").json
    assert [(p["product_id"], p["wishes"]) for p in first["items"]] == [
        ("p-hot", 4),
        ("p-warm", 2),
    ]
    assert first["items"][0]["name"] == "Product p-hot"
    second = staff.get(f"/wishlists/products?limit=2&cursor={first['next_cursor']}").json
    assert [(p["product_id"], p["wishes"]) for p in second["items"]] == [("p-cold", 1)]
    assert second["next_cursor"] is None
    assert staff.as_(store="b").get("/wishlists/products").json["items"] == []


def test_most_wished_report_gives_the_latest_addition(state, staff):
    t0 = dt.datetime(2026, 11, 1, 8, tzinfo=dt.UTC)
    _wish(state, "a@x.co", "p-1", at=t0)
    _wish(state, "b@x.co", "p-1", at=t0 + dt.timedelta(hours=5))
    [item] = staff.get("/wishlists/products").json["items"]
    assert dt.datetime.fromisoformat(item["latest_added_at"]) == t0 + dt.timedelta(hours=5)


# -- host events and groups -----------------------------------------------------------------


def test_host_wishlist_events_are_idempotent_and_logged(state):
    cid = _wish(state, "a@x.co", "p-1")
    _wish(state, "a@x.co", "p-1")
    _wish(state, "a@x.co", "p-1", action="removed")
    _wish(state, "a@x.co", "p-1", action="removed")
    assert [k for k in _kinds(state, cid) if k.startswith("wishlist")] == [
        "wishlist_added",
        "wishlist_removed",
    ]


def test_wishlist_size_is_a_group_condition(state):
    for product in ("p-1", "p-2", "p-3"):
        _wish(state, "many@x.co", product)
    _wish(state, "one@x.co", "p-1")
    wishlist_size = registry_for(state.pm).get("wishlist_size")
    assert wishlist_size is not None
    from customers_plugin.models import Customer

    with state.db.session() as session:
        rows = session.execute(
            select(Customer.email, wishlist_size.column(STORE)).order_by(Customer.email)
        ).all()
    assert [tuple(r) for r in rows] == [("many@x.co", 3), ("one@x.co", 1)]


# -- price drops ----------------------------------------------------------------------------


def test_price_drop_job_announces_each_drop_once(state, host):
    t0 = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    _wish(state, "a@x.co", "p-1", price="100.00", at=t0)
    _wish(state, "b@x.co", "p-1", price="80.00", at=t0 + dt.timedelta(days=1))
    _wish(state, "c@x.co", "p-2", price="50.00", at=t0)
    host.prices = {"p-1": ProductPrice(Decimal("90.00"), "SAR"), "p-2": ProductPrice("50", "SAR")}
    state.jobs.submit("wishlist_price_drops")
    [drop] = host.drops
    assert (drop.product_id, drop.price, drop.currency) == ("p-1", Decimal("90.00"), "SAR")
    assert [w.price for w in drop.wishes] == [Decimal("100.00")]  # b added it at 80
    state.jobs.submit("wishlist_price_drops")
    assert len(host.drops) == 1  # the same price is not announced twice
    host.prices["p-1"] = ProductPrice(Decimal("70.00"), "SAR")
    state.jobs.submit("wishlist_price_drops")
    assert [len(d.wishes) for d in host.drops] == [1, 2]
    assert sorted(host.price_calls[0]) == ["p-1", "p-2"]


def test_price_in_another_currency_is_not_a_drop(state, host):
    _wish(state, "a@x.co", "p-1", price="100.00")
    host.prices = {"p-1": ProductPrice(Decimal("1.00"), "USD")}
    state.jobs.submit("wishlist_price_drops")
    assert host.drops == []


def test_storefront_wishlists_are_kept_per_store(shop, sara):
    sara.call("POST", "/wishlist", json=DRESS)
    same_person_in_b = Shopper(shop, "sara@example.sa")
    same_person_in_b.headers["Authorization"] = "Bearer b:"
    assert same_person_in_b.call("GET", "/wishlist").json["items"] == []
    assert same_person_in_b.call("DELETE", "/wishlist/p-dress").status_code == 404
    assert len(sara.call("GET", "/wishlist").json["items"]) == 1


def test_the_hosts_cart_may_write_to_the_same_database_during_move_to_cart(state, host, sara):
    from customers_plugin.services import wallet

    sara.call("POST", "/wishlist", json=DRESS)

    def writing_cart(store_id, customer, product_id):
        with state.db.transaction() as session:  # would wait on an open plugin write lock
            wallet.post(
                session,
                store_id,
                uuid.UUID(customer.id),
                kind="credit",
                amount="1",
                currency="SAR",
                wallet_currency="SAR",
                reason="cart promo",
                idempotency_key="promo",
            )

    host.on_add_to_cart = writing_cart
    assert sara.call("POST", "/wishlist/p-dress/move-to-cart").status_code == 200
    assert sara.call("GET", "/wallet").json["balance"] == "1.00"


def test_a_group_on_wishlist_size_follows_wishlist_changes(state, staff, sara):
    conditions = {
        "match": "all",
        "conditions": [{"field": "wishlist_size", "op": "gte", "value": 2}],
    }
    created = staff.post("/groups", json={"name": "Dreamers", "conditions": conditions})
    assert created.status_code == 201, created.json
    members = f"/groups/{created.json['id']}/members"
    sara.call("POST", "/wishlist", json=DRESS)
    assert staff.get(members).json["items"] == []
    sara.call("POST", "/wishlist", json=BAG)
    assert len(staff.get(members).json["items"]) == 1
    sara.call("DELETE", "/wishlist/p-bag")
    assert staff.get(members).json["items"] == []


def test_wishlist_events_refuse_missing_prices_and_floats():
    contact = Contact(email="a@x.co")
    with pytest.raises(ValueError):
        WishlistChanged(store_id=STORE, contact=contact, product_id="p", action="added")
    with pytest.raises(TypeError):
        WishlistChanged(
            store_id=STORE,
            contact=contact,
            product_id="p",
            action="added",
            product_name="P",
            price=9.99,
            currency="SAR",
        )
    with pytest.raises(ValueError):
        WishlistChanged(store_id=STORE, contact=contact, product_id="p", action="liked")
