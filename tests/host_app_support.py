"""Helpers of the tests that drive the example host app (examples/host_app) through its test
client: the form token, posting a form, the store's first product, a checkout and signing in. The
``make_host`` fixture that builds such apps lives in tests/conftest.py."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from examples.host_app.models import Product, db

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def post_form(client: FlaskClient, url: str, data: dict[str, Any]) -> Any:
    """Open the form (for its CSRF token), then send it."""
    page = client.get(url)
    token = CSRF.search(page.get_data(as_text=True))
    assert token, f"no form token on {url}"
    return client.post(url, data={"csrf_token": token.group(1), **data})


def first_product(app: Flask, store: str = "default") -> Any:
    with app.app_context():
        product = db.session.scalars(
            select(Product).filter_by(store_id=store).order_by(Product.id)
        ).first()
        db.session.expunge(product)
        return product


BUYER = {
    "name": "ليلى حدّاد",
    "email": "  Layla.Haddad@Example.com ",
    "phone": "050 123 4567",
    "country": "SA",
    "quantity": "2",
    "payment_method": "card",
}


def checkout(client: FlaskClient, app: Flask, **changes: Any) -> Any:
    product = first_product(app)
    return post_form(client, f"/shop/default/checkout/{product.id}", {**BUYER, **changes})


SIGN_IN_LINK = re.compile(r'id="sign-in-link">([^<]+)<')


def sign_in(client: FlaskClient, email: str, store: str = "default") -> Any:
    """Ask for a sign-in link and follow it (what the shop would email)."""
    sent = post_form(client, f"/shop/{store}/account/sign-in", {"email": email})
    assert sent.status_code == 200, sent.get_data(as_text=True)
    link = SIGN_IN_LINK.search(sent.get_data(as_text=True)).group(1)
    return client.get(link.replace("&amp;", "&"))
