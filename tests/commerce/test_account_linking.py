"""How a host account becomes linked to a customer: only through an address the host has
verified, at sign-up or at the first ``/me`` request; one customer per account; a link never
moves; an account not linked sees nothing and changes nothing."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from customers_plugin import hookimpl
from customers_plugin.events import Contact, CustomerSignedUp, OrderPlaced, ProductPrice
from customers_plugin.models import Activity, Customer

from .conftest import STORE, Host, Shopper, account_of, sign_up

DRESS = {"product_id": "p-dress"}


@pytest.fixture(autouse=True)
def catalog(host):
    """The host's products: the storefront takes their names and prices from here."""
    host.prices = {
        pid: ProductPrice(Decimal("199.90"), "SAR", name="Dress")
        for pid in ("p-dress", "p-2", *(f"p{n}" for n in range(10)))
    }
    return host.prices


def _order(state: Any, order_id: str, **contact: Any) -> str:
    event = OrderPlaced(
        store_id=STORE,
        contact=Contact(**contact),
        order_id=order_id,
        total=Decimal("20"),
        currency="SAR",
    )
    return state.hook.on_order_placed(event=event)[0]


def _linked(state: Any) -> dict[str, str]:
    """host_user_id -> customer id of every linked customer."""
    with state.db.session() as session:
        rows = session.execute(
            select(Customer.host_user_id, Customer.id).where(Customer.host_user_id.is_not(None))
        )
        return {user: str(cid) for user, cid in rows}


def _account(shop: Any, user_id: str, **fields: str) -> Shopper:
    headers = {"X-Account": user_id}
    headers.update({f"X-{k.capitalize()}": v for k, v in fields.items()})
    return Shopper(shop, None, headers)


def test_a_verified_signup_links_the_customer_of_that_primary_email(state):
    customer_id = _order(state, "o1", email="Sara@Example.sa")
    assert sign_up(state, "sara@example.sa") == customer_id
    assert _linked(state) == {account_of("sara@example.sa"): customer_id}


def test_an_unverified_signup_records_the_contact_but_links_nothing(state, shop):
    customer_id = _order(state, "o1", email="sara@example.sa")
    assert sign_up(state, "sara@example.sa", verified=False) == customer_id
    assert sign_up(state, "new@example.sa", verified=False) is not None  # a CRM contact
    assert _linked(state) == {}
    unverified = _account(shop, account_of("sara@example.sa"), email="sara@example.sa", verified="")
    assert unverified.call("GET", "/wishlist").json["items"] == []
    assert unverified.call("POST", "/wishlist", json=DRESS).json["error"]["code"] == (
        "account_not_linked"
    )
    assert _linked(state) == {}
    # once the host has verified the address, the account is linked (event or first request)
    assert sign_up(state, "sara@example.sa") == customer_id
    assert _linked(state) == {account_of("sara@example.sa"): customer_id}


def test_the_first_request_of_a_verified_account_links_it_once(state, shop):
    customer_id = _order(state, "o1", email="sara@example.sa")
    sara = Shopper(shop, "sara@example.sa")
    assert sara.call("GET", "/wallet").status_code == 200
    assert sara.call("GET", "/wishlist").status_code == 200
    assert _linked(state) == {account_of("sara@example.sa"): customer_id}
    with state.db.session() as session:
        links = session.scalar(
            select(func.count()).select_from(Activity).where(Activity.kind == "account_linked")
        )
    assert links == 1


def test_a_verified_phone_links_the_customer_of_that_phone(state, shop):
    customer_id = _order(state, "o1", phone="+966501234567")
    otp = _account(shop, "u-phone", phone="+966 50 123 4567", verified="phone")
    assert otp.call("GET", "/wallet").status_code == 200
    assert _linked(state) == {"u-phone": customer_id}


def test_an_address_of_a_customer_linked_to_another_account_links_nothing(state, shop):
    customer_id = _order(state, "o1", email="sara@example.sa")
    sign_up(state, "sara@example.sa")
    event = CustomerSignedUp(
        store_id=STORE,
        user_id="second-account",
        contact=Contact(email="sara@example.sa"),
        email_verified=True,
    )
    state.hook.on_customer_signup(event=event)
    second = _account(shop, "second-account", email="sara@example.sa", verified="email")
    assert second.call("GET", "/wallet").json["balance"] == "0.00"
    assert second.call("POST", "/wishlist", json=DRESS).status_code == 403
    assert _linked(state) == {account_of("sara@example.sa"): customer_id}


def test_a_link_never_moves(state):
    first = _order(state, "o1", email="one@example.sa")
    _order(state, "o2", email="two@example.sa")
    sign_up(state, "one@example.sa")
    event = CustomerSignedUp(
        store_id=STORE,
        user_id=account_of("one@example.sa"),
        contact=Contact(email="two@example.sa"),
        email_verified=True,
    )
    state.hook.on_customer_signup(event=event)
    assert _linked(state) == {account_of("one@example.sa"): first}


def test_a_verified_account_without_a_customer_gets_its_own_on_its_first_change(state, shop):
    newcomer = Shopper(shop, "new@example.sa")
    assert newcomer.call("GET", "/wishlist").json["items"] == []
    assert _linked(state) == {}  # reading creates nothing
    assert newcomer.call("POST", "/wishlist", json=DRESS).status_code == 201
    [(user, customer_id)] = _linked(state).items()
    assert user == account_of("new@example.sa")
    with state.db.session() as session:
        assert session.get(Customer, uuid.UUID(customer_id)).email == "new@example.sa"


def test_an_account_not_linked_changes_nothing(state, shop):
    nobody = _account(shop, "u-unverified", email="x@example.sa")
    assert nobody.call("POST", "/wishlist", json=DRESS).status_code == 403
    assert nobody.call("DELETE", "/wishlist/p-dress").status_code == 404
    assert nobody.call("POST", "/wishlist/p-dress/move-to-cart").status_code == 404
    assert nobody.call("GET", "/reviews/pending").json == {"name": None, "orders": []}
    with state.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Customer)) == 0


def test_a_host_still_answering_a_contact_gets_401(make_app, recorder):
    class OldHost(Host):
        @hookimpl
        def current_customer(self, request: Any, store_id: str) -> Contact:
            return Contact(email="sara@example.sa")

    app = make_app(CUSTOMERS_PLUGINS=[recorder, OldHost()], CUSTOMERS_DEFAULT_STORE=STORE)
    assert Shopper(app, "sara@example.sa").call("GET", "/wallet").status_code == 401


def test_concurrent_first_requests_of_one_account_make_one_customer(
    make_app, backend, recorder, host
):
    if backend != "postgresql":
        pytest.skip("the concurrency rule is checked on real PostgreSQL")
    app = make_app(
        CUSTOMERS_PLUGINS=[recorder, host],
        CUSTOMERS_DEFAULT_STORE=STORE,
        CUSTOMERS_CURRENCY="SAR",
        CUSTOMERS_ENGINE_OPTIONS={"pool_size": 10},
    )
    state = app.extensions["customers"]
    barrier = threading.Barrier(10)

    def add(n: int) -> int:
        shopper = Shopper(app, "racer@example.sa")
        barrier.wait()
        return shopper.call("POST", "/wishlist", json={**DRESS, "product_id": f"p{n}"}).status_code

    with ThreadPoolExecutor(max_workers=10) as pool:
        codes = list(pool.map(add, range(10)))
    assert codes == [201] * 10
    assert list(_linked(state)) == [account_of("racer@example.sa")]
    items = Shopper(app, "racer@example.sa").call("GET", "/wishlist?limit=50").json["items"]
    assert len(items) == 10
    with state.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Customer)) == 1


def test_a_customer_linked_by_a_concurrent_first_request_is_answered_not_refused(
    state, shop, backend, monkeypatch
):
    """The account's first request finds no customer; before it creates one, a concurrent first
    request of the same account creates and links it: this request answers that customer (it
    once answered 403, taking the new customer for another account's)."""
    if backend != "postgresql":
        pytest.skip("SQLite has one writer at a time: no request commits during another's")
    from customers_plugin.services import identity

    real_link = identity.link
    calls = []

    def link_then_race(session, store_id, user_id, proof, **kwargs):
        found = real_link(session, store_id, user_id, proof, **kwargs)
        if not calls:  # the concurrent request commits its customer, linked to this account
            with state.db.transaction() as other:
                other.add(
                    Customer(
                        store_id=store_id,
                        email="racer@example.sa",
                        email_normalized="racer@example.sa",
                        host_user_id=user_id,
                    )
                )
        calls.append(found)
        return found

    monkeypatch.setattr(identity, "link", link_then_race)
    response = Shopper(shop, "racer@example.sa").call("POST", "/wishlist", json=DRESS)
    assert response.status_code == 201, response.json
    assert calls[0] is None and calls[-1] is not None
    assert list(_linked(state)) == [account_of("racer@example.sa")]
