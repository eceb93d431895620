"""The example host app's order desk: a member of staff places an order for a customer
through the plugin's API (``place_order``: "pay later", the shop's order, the event linked to
the staff member) and sends a wished product with a gift coupon (``issue_coupon``) that only
that customer's account can use at the shop's checkout."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from customers_plugin.models import Activity
from examples.host_app.models import Order, db
from examples.host_app.stores import DEMO_STAFF_TOKEN
from tests.host_app_support import checkout, first_product, sign_in

from .test_host_shop import _wish

STAFF = {"Authorization": f"Bearer {DEMO_STAFF_TOKEN}"}


def _customer_id(client, email: str) -> str:
    found = client.get("/api/v1/customers", query_string={"q": email}, headers=STAFF).json
    return found["items"][0]["id"]


def test_staff_place_an_order_the_shop_records_and_the_plugin_links(make_host) -> None:
    host = make_host()
    api = host.test_client()
    product = first_product(host)
    customer = api.post("/api/v1/customers", json={"email": "huda@example.sa"}, headers=STAFF)
    cid = customer.json["id"]
    body = {"items": [{"product_id": str(product.id), "quantity": 3}], "coupon_code": "save5"}
    placed = api.post(f"/api/v1/customers/{cid}/orders", json=body, headers=STAFF)
    assert placed.status_code == 201, placed.json
    assert placed.json["payment_status"] == "pay_later" and placed.json["linked"] is True
    assert placed.json["placed_by"] == "staff"
    with host.app_context():
        order = db.session.scalars(select(Order)).one()
        assert str(order.id) == placed.json["order_id"]
        assert order.payment_method == "pay_later" and order.coupon_code == "SAVE5"
        assert order.total == product.price * 3 - Decimal("5.00") + Decimal("4.90")
    card = api.get(f"/api/v1/customers/{cid}", headers=STAFF).json
    assert card["orders_count"] == 1
    with host.extensions["customers"].db.session() as session:
        [line] = session.scalars(select(Activity).filter_by(kind="order_placed_by_staff"))
        assert line.actor == "staff"
    two = {
        "items": [
            {"product_id": str(product.id), "quantity": 1},
            {"product_id": "999", "quantity": 1},
        ]
    }
    refused = api.post(f"/api/v1/customers/{cid}/orders", json=two, headers=STAFF)
    assert refused.status_code == 422
    assert refused.json["error"]["code"] == "one_product_per_order"


def test_a_gift_coupon_works_at_checkout_for_its_customer_only(make_host) -> None:
    host = make_host()
    shopper = host.test_client()
    product = first_product(host)
    sign_in(shopper, "noa@example.co.il")
    _wish(shopper, product.id)
    api = host.test_client()
    cid = _customer_id(api, "noa@example.co.il")
    [item] = api.get(f"/api/v1/customers/{cid}/wishlist", headers=STAFF).json["items"]
    gift = api.post(
        f"/api/v1/customers/{cid}/wishlist/{item['id']}/gift",
        json={"discount": {"kind": "percent", "value": "50"}},
        headers=STAFF,
    )
    assert gift.status_code == 201, gift.json
    code = gift.json["code"]
    assert code.startswith("GIFT-")
    stranger = host.test_client()
    sign_in(stranger, "someone@example.com")
    refused = checkout(stranger, host, coupon_code=code, email="someone@example.com")
    assert refused.status_code == 422
    bought = checkout(shopper, host, coupon_code=code, email="noa@example.co.il", quantity="1")
    assert bought.status_code == 303
    with host.app_context():
        order = db.session.scalars(select(Order).filter_by(coupon_code=code)).one()
        assert order.discount_cents == product.price_cents // 2
    # used once, the gift is used up
    [coupon] = api.get(f"/api/v1/customers/{cid}/coupons", headers=STAFF).json["items"]
    assert (coupon["uses"], coupon["state"]) == (1, "used_up")
    again = checkout(shopper, host, coupon_code=code, email="noa@example.co.il", quantity="1")
    assert again.status_code == 422
