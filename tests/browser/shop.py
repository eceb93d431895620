"""The example host app for the browser tests: served from a thread on a free port of 127.0.0.1
on its own SQLite file, with a small fixed set of customers written through the app's own paths
(its REST API and its shop's checkout)."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select
from werkzeug.serving import make_server

from examples.host_app import create_app
from examples.host_app.models import Product, db
from examples.host_app.stores import DEMO_ADMIN_TOKEN, DEMO_SECOND_STORE_TOKEN

SKIP = os.environ.get("CUSTOMERS_TEST_SKIP_BROWSER") == "1"
SKIP_REASON = "CUSTOMERS_TEST_SKIP_BROWSER=1: the browser tests (Chromium, playwright) are skipped"
API = "/api/v1"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

# The Demo Shop's customers: the page asks for 50 a page, so 57 make a second page of 7.
ARABIC = ["ليلى حدّاد", "عمر الفاروق", "نور الهدى سالم"]
HEBREW = ["דנה לוי", "אבי כהן"]
ITALIAN = ["Niccolò Bianchi", "Giulia Rossi"]
FILLER = [f"Filler Customer {i:02d}" for i in range(1, 51)]
BUYER = ARABIC[0]  # comes through the shop's checkout: she has an order on her card
NAMED = [*ARABIC, *HEBREW, *ITALIAN]  # in the order they join, after the fillers
SECOND_STORE = "Second Shop Only"  # the Second Shop's one customer


@dataclass(frozen=True)
class Shop:
    url: str  # the admin page
    app: Flask

    def api(self, method: str, path: str, token: str = DEMO_ADMIN_TOKEN, **kw: Any) -> Any:
        """Call the plugin's REST API (through the test client) and return the JSON answer."""
        response = self.app.test_client().open(
            API + path, method=method, headers={"Authorization": f"Bearer {token}"}, **kw
        )
        assert response.status_code < 300, response.get_data(as_text=True)
        return response.get_json(silent=True)

    def checkout(self, **buyer: str) -> None:
        """Buy the Demo Shop's first product through the storefront form."""
        with self.app.app_context():
            product = db.session.scalars(
                select(Product).filter_by(store_id="default").order_by(Product.id)
            ).first()
            url = f"/shop/default/checkout/{product.id}"
        client = self.app.test_client()
        token = CSRF.search(client.get(url).get_data(as_text=True))
        assert token, "no form token on the checkout page"
        form = {"csrf_token": token.group(1), "quantity": "2", "payment_method": "card", **buyer}
        assert client.post(url, data=form).status_code == 303


def seed(shop: Shop) -> None:
    """Oldest first: the page's order (newest joined first) shows the named people first."""
    for i, name in enumerate(FILLER):
        shop.api("POST", "/customers", json={"name": name, "email": f"filler{i:02d}@example.com"})
    shop.checkout(name=BUYER, email="layla.haddad@example.com", phone="050 123 4567", country="SA")
    people = [
        (ARABIC[1], "omar@example.com", "SA", ["vip"]),
        (ARABIC[2], "nour@example.com", "SA", []),
        (HEBREW[0], "dana@example.com", "IL", ["vip"]),
        (HEBREW[1], "avi@example.com", "IL", []),
        (ITALIAN[0], "niccolo@example.com", "IT", ["wholesale"]),
        (ITALIAN[1], "giulia@example.com", "IT", []),
    ]
    for name, email, country, tags in people:
        body = {"name": name, "email": email, "country": country, "tags": tags}
        shop.api("POST", "/customers", json=body)
    second = {"name": SECOND_STORE, "email": "second@example.com"}
    shop.api("POST", "/customers", token=DEMO_SECOND_STORE_TOKEN, json=second)


@contextmanager
def serve(folder: Path) -> Iterator[Shop]:
    """The seeded host app, listening until the block ends."""
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'shop.db'}",
            "CUSTOMERS_LOAD_ENTRY_POINTS": False,
            "CUSTOMERS_REDIS_URL": None,  # jobs run inline
            "REDIS_URL": None,
        }
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="admin-page-host", daemon=True)
    thread.start()
    try:
        shop = Shop(url=f"http://127.0.0.1:{server.port}/admin/", app=app)
        seed(shop)
        yield shop
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
        with app.app_context():
            for engine in db.engines.values():
                engine.dispose()
        app.extensions["customers"].db.dispose()
