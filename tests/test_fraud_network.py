"""Fraud signals shared across stores through the reference plugin (hooks/fraud_network): a
block in one sharing store labels the same contact in the others, with a count and nothing
else; only keyed hashes are stored; stores that do not opt in neither report nor see."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from customers_fraud_network import network
from customers_fraud_network.plugin import plugin as fraud_network
from sqlalchemy import select

from customers_plugin.events import Contact, OrderPlaced
from tests.api.conftest import BearerAuth, Staff

EMAIL = "fraudster@example.com"
PHONE = "+966501234567"


@pytest.fixture
def shop(make_app: Any) -> Any:
    app = make_app(
        CUSTOMERS_PLUGINS=[BearerAuth(), fraud_network],
        CUSTOMERS_DEFAULT_REGION="SA",
        CUSTOMERS_FRAUD_SHARING_STORES=["a", "b", "c"],
        FRAUD_NETWORK_SECRET="test-network-secret",
    )
    state = app.extensions["customers"]
    network.ensure_table(state.db)
    yield app
    with state.db.transaction() as session:
        session.execute(network.blocks.delete())


def _block(staff: Staff, email: str = EMAIL, phone: str | None = None) -> str:
    body = {"email": email} | ({"phone": phone} if phone else {})
    customer_id = staff.create(**body)["id"]
    response = staff.post(f"/customers/{customer_id}/block", json={"reason": "fraud"})
    assert response.status_code == 200, response.json
    return customer_id


def test_a_block_elsewhere_labels_the_card_with_a_count_only(shop):
    own = _block(Staff(shop, "b"), phone=PHONE)
    _block(Staff(shop, "c"), email="other@example.com", phone=PHONE)  # same phone
    by_email = Staff(shop, "a").create(email=EMAIL)["id"]
    both = Staff(shop, "a").create(email="x@example.com", phone=PHONE)["id"]

    card = Staff(shop, "a").get(f"/customers/{both}").json

    assert card["fraud"] == {"flagged": True, "stores": 2}  # b by email and phone, c by phone
    assert Staff(shop, "a").get(f"/customers/{by_email}").json["fraud"]["stores"] == 1
    blocker = Staff(shop, "b")
    assert blocker.get(f"/customers/{own}").json["fraud"] == {"flagged": True, "stores": 1}


def test_unblocking_withdraws_the_signal(shop):
    blocked = _block(Staff(shop, "b"))
    mine = Staff(shop, "a").create(email=EMAIL)["id"]
    assert Staff(shop, "b").post(f"/customers/{blocked}/unblock").status_code == 200
    assert Staff(shop, "a").get(f"/customers/{mine}").json["fraud"] is None


def test_the_network_keeps_keyed_hashes_never_contacts_or_stores(shop):
    _block(Staff(shop, "b"), phone=PHONE)
    state = shop.extensions["customers"]
    with state.db.session() as session:
        rows = session.execute(select(network.blocks)).all()
    assert len(rows) == 2
    text = repr(rows)
    for plain in (EMAIL, PHONE, "501234567", "'b'"):
        assert plain not in text
    assert all(len(row.contact_hash) == 64 and len(row.store_hash) == 64 for row in rows)


def test_a_store_that_does_not_share_neither_reports_nor_sees(shop):
    outsider = _block(Staff(shop, "z"))  # "z" does not share: nothing reported
    mine = Staff(shop, "a").create(email=EMAIL)["id"]
    assert Staff(shop, "a").get(f"/customers/{mine}").json["fraud"] is None
    _block(Staff(shop, "b"))
    assert Staff(shop, "a").get(f"/customers/{mine}").json["fraud"] == {
        "flagged": True,
        "stores": 1,
    }
    assert Staff(shop, "z").get(f"/customers/{outsider}").json["fraud"] is None


def test_capture_of_a_flagged_contact_notes_it_after_commit(shop):
    _block(Staff(shop, "b"))
    state = shop.extensions["customers"]
    event = OrderPlaced(
        store_id="a",
        contact=Contact(email=EMAIL),
        order_id="o-1",
        total=Decimal("5.00"),
        currency="USD",
    )
    with shop.app_context():  # hosts fire events in their app's context
        customer_id = state.hook.on_order_placed(event=event)[0]
    kinds = {
        item["kind"]: item["data"]
        for item in Staff(shop, "a").get(f"/customers/{customer_id}/activity").json["items"]
    }
    assert kinds["fraud_flagged"] == {"stores": 1}


def test_a_failing_network_never_fails_the_card_or_capture(shop, monkeypatch):
    _block(Staff(shop, "b"))

    def broken(*args: Any, **kwargs: Any) -> int:
        raise RuntimeError("network down")

    monkeypatch.setattr(network, "other_stores", broken)
    mine = Staff(shop, "a").create(email=EMAIL)["id"]
    assert Staff(shop, "a").get(f"/customers/{mine}").json["fraud"] is None
    state = shop.extensions["customers"]
    event = OrderPlaced(
        store_id="a",
        contact=Contact(email="new@example.com"),
        order_id="o-2",
        total=Decimal("5.00"),
        currency="USD",
    )
    assert state.hook.on_order_placed(event=event)[0]
