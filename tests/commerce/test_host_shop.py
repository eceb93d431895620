"""The example host app's wishlist button and review page, through its test client
(``make_host`` comes from tests/conftest.py)."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

from flask import Flask
from sqlalchemy import select

from customers_plugin.models import Customer
from customers_plugin.services import review_requests
from examples.host_app.models import Product, db
from tests.host_app_support import CSRF, checkout, first_product, sign_in

SHOP = "/shop/default"


def _token(client) -> str:
    return CSRF.search(client.get(SHOP + "/").get_data(as_text=True)).group(1)


def _wish(client, product_id: int, **form: str):
    return client.post(f"{SHOP}/wishlist/{product_id}", data={"csrf_token": _token(client), **form})


def test_wishlist_button_saves_the_product_at_its_price(make_host) -> None:
    host: Flask = make_host()
    client = host.test_client()
    product = first_product(host)
    assert sign_in(client, "Noa@Example.co.il").status_code == 303
    added = _wish(client, product.id)
    assert added.status_code == 303
    page = client.get(added.headers["Location"]).get_data(as_text=True)
    assert product.name in page and f"{product.price} {product.currency}" in page
    # the plugin's storefront API sees the same account (current_customer from the session)
    [item] = client.get("/api/v1/me/wishlist").json["items"]
    assert (item["product_id"], item["price"]) == (str(product.id), str(product.price))
    removed = client.post(
        f"{SHOP}/wishlist/{product.id}/remove", data={"csrf_token": _token(client)}
    )
    assert removed.status_code == 303
    assert client.get("/api/v1/me/wishlist").json["items"] == []


def test_wishlist_needs_a_signed_in_account_and_a_known_product(make_host) -> None:
    host: Flask = make_host()
    client = host.test_client()
    product = first_product(host)
    to_sign_in = _wish(client, product.id)
    assert to_sign_in.status_code == 303 and "/account/sign-in" in to_sign_in.headers["Location"]
    assert client.get("/api/v1/me/wishlist").status_code == 401
    sign_in(client, "a@example.com")
    assert _wish(client, 999999).status_code == 404


def test_a_typed_email_is_nobodys_identity(make_host) -> None:
    """The old wishlist form took any typed email as the visitor: now it is ignored, and only
    the owner of the address (who follows the link) sees that customer's wishlist."""
    host: Flask = make_host()
    owner, stranger = host.test_client(), host.test_client()
    product = first_product(host)
    sign_in(owner, "noa@example.co.il")
    _wish(owner, product.id)
    assert _wish(stranger, product.id, email="noa@example.co.il").status_code == 303
    assert stranger.get("/api/v1/me/wishlist").status_code == 401
    assert "noa@example.co.il" not in stranger.get(f"{SHOP}/wishlist").get_data(as_text=True)
    sign_in(stranger, "stranger@example.com")
    assert stranger.get("/api/v1/me/wishlist").json["items"] == []
    assert len(owner.get("/api/v1/me/wishlist").json["items"]) == 1
    forged = stranger.get(f"{SHOP}/account/confirm?token=forged")
    assert forged.status_code == 410


def test_the_first_sign_in_links_the_account_to_the_customer_of_its_email(make_host) -> None:
    host: Flask = make_host()
    client = host.test_client()
    assert checkout(client, host).status_code == 303  # a guest order by Layla
    sign_in(client, "layla.haddad@example.com")
    state = host.extensions["customers"]
    with state.db.session() as session:
        customer = session.scalars(select(Customer)).one()
    assert customer.host_user_id is not None
    assert client.get("/api/v1/me/wallet").json["balance"] == "0.00"


def test_move_to_cart_through_the_plugin_api_uses_the_hosts_cart(make_host) -> None:
    host: Flask = make_host()
    client = host.test_client()
    product = first_product(host)
    sign_in(client, "noa@example.co.il")
    _wish(client, product.id)
    moved = client.post(f"/api/v1/me/wishlist/{product.id}/move-to-cart")
    assert moved.status_code == 200, moved.json
    with client.session_transaction() as browser:
        assert browser["cart"] == {"default": [product.id]}


def test_price_drop_job_reads_the_hosts_current_prices(make_host) -> None:
    drops = []

    class Listener:
        from customers_plugin import hookimpl

        @hookimpl
        def wishlist_price_dropped(self, drop):
            drops.append(drop)

    host: Flask = make_host(CUSTOMERS_PLUGINS=[Listener()])
    client = host.test_client()
    product = first_product(host)
    sign_in(client, "noa@example.co.il")
    _wish(client, product.id)
    with host.app_context():
        stored = db.session.get(Product, product.id)
        stored.price_cents -= 100
        db.session.commit()
        host.extensions["customers"].jobs.submit("wishlist_price_drops")
    [drop] = drops
    assert drop.price == product.price - Decimal(1)


def test_review_page_lists_unreviewed_orders_and_records_the_review(make_host) -> None:
    host: Flask = make_host()
    client = host.test_client()
    assert checkout(client, host).status_code == 303
    state = host.extensions["customers"]
    with state.db.session() as session:
        customer = session.scalars(select(Customer)).one()
    token = review_requests.make_token(state, "default", customer.id, uuid.uuid4())
    page = client.get(f"{SHOP}/reviews?token={token}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    order_id = re.search(r'name="order_id" value="(\d+)"', html).group(1)
    sent = client.post(
        f"{SHOP}/reviews",
        data={
            "csrf_token": CSRF.search(html).group(1),
            "token": token,
            "order_id": order_id,
            "rating": "5",
            "comment": "ممتاز",
        },
    )
    assert sent.status_code == 303
    assert "Every order is reviewed" in client.get(sent.headers["Location"]).get_data(as_text=True)
    with state.db.session() as session:
        assert session.get(Customer, customer.id).reviews_count == 1
    assert client.get(f"{SHOP}/reviews?token=forged").status_code == 410
