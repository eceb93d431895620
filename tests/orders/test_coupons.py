"""Personal coupons: assign (code in upper case, expiry, uses per customer), list, revoke
(history kept); ``coupon_applies`` for the linked account only; uses counted from order
events; ``coupon_assigned`` announced; staff orders refuse someone else's coupon; the
wishlist gift through ``issue_coupon``; another store's ids answer 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import update

from customers_plugin.models import Coupon

from .conftest import Clerk, in_days, new_customer, order_with_coupon, sign_up, wish


def _applies(app: Any, user_id: str | None, code: str) -> bool | None:
    return app.extensions["customers"].hook.coupon_applies(
        store_id="a", user_id=user_id, coupon_code=code
    )


def test_a_coupon_is_assigned_listed_and_revoked_with_its_history(clerk, desk):
    cid = new_customer(clerk)
    url = f"/customers/{cid}/coupons"
    made = clerk.post(
        url, json={"code": "vip-20", "expires_at": in_days(30), "uses_per_customer": 2}
    )
    assert made.status_code == 201, made.json
    coupon = made.json
    assert coupon["code"] == "VIP-20" and coupon["state"] == "active"
    assert coupon["uses"] == 0 and coupon["uses_per_customer"] == 2
    assert coupon["source"] == "manual" and coupon["assigned_by"] == "s1"
    again = clerk.post(url, json={"code": "VIP-20"})
    assert again.status_code == 409 and again.json["error"]["code"] == "coupon_held"
    [(customer, info)] = desk.assigned
    assert customer.id == cid and info.code == "VIP-20" and info.uses_per_customer == 2
    revoked = clerk.delete(f"{url}/{coupon['id']}")
    assert revoked.status_code == 200
    assert revoked.json["state"] == "revoked" and revoked.json["revoked_by"] == "s1"
    assert clerk.delete(f"{url}/{coupon['id']}").json["revoked_at"] == revoked.json["revoked_at"]
    listed = clerk.get(url).json["items"]
    assert [c["state"] for c in listed] == ["revoked"]
    # revoked, the code may be given again
    assert clerk.post(url, json={"code": "vip-20"}).status_code == 201
    assert [c["state"] for c in clerk.get(url).json["items"]] == ["active", "revoked"]


def test_bad_coupons_are_refused_naming_the_field(clerk):
    cid = new_customer(clerk)
    for body, field in (
        ({"code": ""}, "code"),
        ({"code": "has space"}, "code"),
        ({"code": "x" * 65}, "code"),
        ({"code": "OK", "uses_per_customer": 0}, "uses_per_customer"),
        ({"code": "OK", "uses_per_customer": 1001}, "uses_per_customer"),
        ({"code": "OK", "expires_at": in_days(-1)}, "expires_at"),
        ({"code": "OK", "uses": 5}, "uses"),
    ):
        response = clerk.post(f"/customers/{cid}/coupons", json=body)
        assert response.status_code == 422, body
        assert field in response.json["error"]["fields"], (field, response.json)


def test_a_personal_coupon_applies_to_its_holder_until_used_up(orders_app, clerk):
    sara = new_customer(clerk, "sara@example.sa")
    new_customer(clerk, "omar@example.sa")
    sign_up(orders_app, "sara@example.sa", "u-sara")
    sign_up(orders_app, "omar@example.sa", "u-omar")
    assert _applies(orders_app, "u-sara", "ONCE") is None  # nobody holds it: host's rules
    clerk.post(f"/customers/{sara}/coupons", json={"code": "once", "uses_per_customer": 1})
    assert _applies(orders_app, "u-sara", "Once") is True
    assert _applies(orders_app, "u-omar", "ONCE") is False
    assert _applies(orders_app, None, "ONCE") is False
    order_with_coupon(orders_app, "sara@example.sa", "o1", "once")
    order_with_coupon(orders_app, "sara@example.sa", "o1", "once")  # a replay counts nothing
    [coupon] = clerk.get(f"/customers/{sara}/coupons").json["items"]
    assert coupon["uses"] == 1 and coupon["state"] == "used_up"
    assert _applies(orders_app, "u-sara", "ONCE") is False


def test_expired_or_revoked_coupons_do_not_apply_and_stay_limited(orders_app, clerk):
    sara = new_customer(clerk)
    sign_up(orders_app, "sara@example.sa", "u-sara")
    made = clerk.post(f"/customers/{sara}/coupons", json={"code": "SOON", "expires_at": in_days(1)})
    state = orders_app.extensions["customers"]
    with state.db.transaction() as session:
        past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        session.execute(update(Coupon).values(expires_at=past))
    assert clerk.get(f"/customers/{sara}/coupons").json["items"][0]["state"] == "expired"
    assert _applies(orders_app, "u-sara", "SOON") is False
    clerk.post(f"/customers/{sara}/coupons", json={"code": "GONE"})
    gone = clerk.get(f"/customers/{sara}/coupons").json["items"][0]
    clerk.delete(f"/customers/{sara}/coupons/{gone['id']}")
    assert _applies(orders_app, "u-sara", "GONE") is False
    assert made.status_code == 201


def test_group_and_personal_coupons_combine(orders_app, clerk):
    sara = new_customer(clerk)
    sign_up(orders_app, "sara@example.sa", "u-sara")
    clerk.post("/groups", json={"name": "VIP", "coupon_codes": ["VIP"]})
    assert _applies(orders_app, "u-sara", "VIP") is False  # a group's code, not her group
    clerk.post(f"/customers/{sara}/coupons", json={"code": "VIP"})
    assert _applies(orders_app, "u-sara", "VIP") is True  # given to her personally


def test_staff_orders_refuse_a_coupon_the_customer_does_not_hold(clerk, desk):
    sara = new_customer(clerk, "sara@example.sa")
    omar = new_customer(clerk, "omar@example.sa")
    clerk.post(f"/customers/{sara}/coupons", json={"code": "SARA1", "uses_per_customer": 1})
    line = [{"product_id": "p1", "quantity": 1}]
    refused = clerk.post(f"/customers/{omar}/orders", json={"items": line, "coupon_code": "sara1"})
    assert refused.status_code == 422 and "coupon_code" in refused.json["error"]["fields"]
    assert desk.calls == []
    placed = clerk.post(f"/customers/{sara}/orders", json={"items": line, "coupon_code": "sara1"})
    assert placed.status_code == 201 and desk.calls[0]["coupon_code"] == "SARA1"
    # the host's order event carried the coupon: used once, it is used up
    assert clerk.get(f"/customers/{sara}/coupons").json["items"][0]["uses"] == 1
    second = clerk.post(f"/customers/{sara}/orders", json={"items": line, "coupon_code": "SARA1"})
    assert second.status_code == 422


def test_a_wished_item_is_sent_with_a_single_use_product_coupon(orders_app, clerk, desk):
    sara = new_customer(clerk)
    wish(orders_app, "sara@example.sa", "p2")
    [item] = clerk.get(f"/customers/{sara}/wishlist").json["items"]
    url = f"/customers/{sara}/wishlist/{item['id']}/gift"
    response = clerk.post(url, json={"discount": {"kind": "percent", "value": "15"}})
    assert response.status_code == 201, response.json
    coupon = response.json
    assert coupon["code"] == "GIFT-P2-1" and coupon["uses_per_customer"] == 1
    assert coupon["source"] == "wishlist_gift" and coupon["product_id"] == "p2"
    assert coupon["discount"] == {"kind": "percent", "value": "15.00", "currency": None}
    assert desk.issued[0]["product_id"] == "p2"
    assert desk.assigned[0][1].discount.kind == "percent"
    amount = clerk.post(url, json={"discount": {"kind": "amount", "value": "20"}})
    assert amount.json["discount"] == {"kind": "amount", "value": "20.00", "currency": "SAR"}
    too_much = clerk.post(url, json={"discount": {"kind": "percent", "value": "101"}})
    assert too_much.status_code == 422 and "discount.value" in too_much.json["error"]["fields"]
    other = new_customer(clerk, "omar@example.sa")
    wrong = clerk.post(
        f"/customers/{other}/wishlist/{item['id']}/gift",
        json={"discount": {"kind": "percent", "value": "5"}},
    )
    assert wrong.status_code == 404


def test_a_gift_without_issue_coupon_answers_501(bare_app):
    clerk = Clerk(bare_app)
    sara = new_customer(clerk)
    wish(bare_app, "sara@example.sa")
    [item] = clerk.get(f"/customers/{sara}/wishlist").json["items"]
    response = clerk.post(
        f"/customers/{sara}/wishlist/{item['id']}/gift",
        json={"discount": {"kind": "percent", "value": "10"}},
    )
    assert response.status_code == 501
    assert response.json["error"]["code"] == "issue_coupon_unsupported"
    assert clerk.get(f"/customers/{sara}/coupons").json["items"] == []


def test_coupons_need_their_permission_and_stay_in_their_store(orders_app, clerk):
    sara = new_customer(clerk)
    coupon = clerk.post(f"/customers/{sara}/coupons", json={"code": "MINE"}).json
    writer = Clerk(orders_app, perms="customers.read,customers.write")
    assert writer.post(f"/customers/{sara}/coupons", json={"code": "X"}).status_code == 403
    assert writer.delete(f"/customers/{sara}/coupons/{coupon['id']}").status_code == 403
    assert writer.get(f"/customers/{sara}/coupons").status_code == 200
    other = Clerk(orders_app, store="b")
    mine_b = new_customer(other, "b@example.com")
    for call in (
        other.get(f"/customers/{sara}/coupons"),
        other.post(f"/customers/{sara}/coupons", json={"code": "X"}),
        other.delete(f"/customers/{sara}/coupons/{coupon['id']}"),
        other.delete(f"/customers/{mine_b}/coupons/{coupon['id']}"),
        other.post(
            f"/customers/{sara}/orders", json={"items": [{"product_id": "p1", "quantity": 1}]}
        ),
    ):
        assert call.status_code == 404, call.json
    assert clerk.get(f"/customers/{sara}/coupons").json["items"][0]["state"] == "active"


def test_a_coupon_held_already_is_refused_in_italian(clerk, desk):
    url = f"/customers/{new_customer(clerk)}/coupons"
    assert clerk.post(url, json={"code": "VIP-20"}).status_code == 201
    again = clerk.post(url, json={"code": "vip-20"}, headers={"Accept-Language": "it"})
    assert again.status_code == 409
    error = again.json["error"]
    assert (error["code"], error["message"]) == ("coupon_held", "il cliente ha già questo coupon")
