"""One customer's data export carries their personal coupons and the orders staff placed for
them; erasure revokes the coupons (the code stays limited) and drops the staff's notes."""

from __future__ import annotations

from customers_plugin.models import Coupon, StaffOrder
from tests.api.test_privacy import _every_stored_value

from .conftest import new_customer, sign_up

NOTE = "call Sara on +966501234567 first"


def test_export_and_erasure_cover_coupons_and_staff_orders(orders_app, clerk):
    sara = new_customer(clerk)
    sign_up(orders_app, "sara@example.sa", "u-sara")
    clerk.post(f"/customers/{sara}/coupons", json={"code": "SARA5"})
    placed = clerk.post(
        f"/customers/{sara}/orders",
        json={"items": [{"product_id": "p1", "quantity": 1}], "note": NOTE},
    ).json
    exported = clerk.get(f"/customers/{sara}/export").json
    assert [c["code"] for c in exported["coupons"]] == ["SARA5"]
    [order] = exported["staff_orders"]
    assert order["order_id"] == placed["order_id"] and order["note"] == NOTE
    assert clerk.post(f"/customers/{sara}/anonymize").status_code == 200
    hook = orders_app.extensions["customers"].hook
    assert hook.coupon_applies(store_id="a", user_id="u-sara", coupon_code="SARA5") is False
    with orders_app.extensions["customers"].db.session() as session:
        assert session.query(Coupon).one().revoked_at is not None
        row = session.query(StaffOrder).one()
        assert row.note is None and row.order_id == placed["order_id"]
    assert NOTE not in _every_stored_value(orders_app)
