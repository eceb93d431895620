"""``POST /customers/{id}/orders``: the host's ``place_order`` places the order, the answer is
its reference, the host's ``on_order_placed`` is recorded and linked to the staff member once
(whichever arrives first), retries with one idempotency key place one order, refusals and a
missing implementation answer clearly, and every input is bounded."""

from __future__ import annotations

import uuid
from typing import Any

from customers_plugin.models import Activity, StaffOrder
from customers_plugin.services.snapshots import customer_info

from .conftest import Clerk, host_order, new_customer

ONE = {"items": [{"product_id": "p1", "quantity": 2}]}


def _activity(app: Any, kind: str) -> list[Activity]:
    with app.extensions["customers"].db.session() as session:
        return list(session.query(Activity).filter_by(store_id="a", kind=kind))


def test_an_order_is_placed_through_the_host_and_linked_to_the_staff_member(clerk, desk):
    cid = new_customer(clerk)
    response = clerk.post(f"/customers/{cid}/orders", json={**ONE, "note": "phone order"})
    assert response.status_code == 201, response.json
    body = response.json
    assert body["order_id"] == "H1001"
    assert body["payment_status"] == "pay_later"
    assert body["payment_url"] == "https://pay.example/H1001"
    assert body["placed_by"] == "s1" and body["note"] == "phone order"
    assert body["linked"] is True  # the host emitted the event inside place_order
    assert desk.calls[0]["staff_id"] == "s1" and desk.calls[0]["note"] == "phone order"
    orders = clerk.get(f"/customers/{cid}/orders").json["items"]
    assert [o["external_id"] for o in orders] == ["H1001"]
    [line] = _activity(clerk.app, "order_placed_by_staff")
    assert str(line.customer_id) == cid
    assert line.actor == "s1" and line.data["order_id"] == "H1001"


def test_an_event_arriving_after_the_answer_is_linked_once(clerk, desk):
    desk.emit = False
    cid = new_customer(clerk)
    body = clerk.post(f"/customers/{cid}/orders", json=ONE).json
    assert body["linked"] is False
    assert _activity(clerk.app, "order_placed_by_staff") == []
    state = clerk.app.extensions["customers"]
    with state.db.session() as session:
        customer = _info(session, cid)
    event = host_order("a", customer, ONE["items"], body["order_id"], None)
    state.hook.on_order_placed(event=event)
    state.hook.on_order_placed(event=event)  # a replay links nothing more
    [line] = _activity(clerk.app, "order_placed_by_staff")
    assert line.data["staff"] == "s1"
    with state.db.session() as session:
        assert session.query(StaffOrder).one().linked_at is not None


def _info(session: Any, cid: str) -> Any:
    return customer_info(session, uuid.UUID(cid))


def test_a_retry_with_the_same_key_places_one_order(clerk, desk):
    cid = new_customer(clerk)
    body = {**ONE, "idempotency_key": "k-1"}
    first = clerk.post(f"/customers/{cid}/orders", json=body)
    again = clerk.post(f"/customers/{cid}/orders", json=body)
    assert first.status_code == again.status_code == 201
    assert again.json == first.json
    assert len(desk.calls) == 1
    other = clerk.post(f"/customers/{cid}/orders", json={**body, "note": "changed"})
    assert other.status_code == 409
    assert other.json["error"]["code"] == "idempotency_key_reused"
    assert len(desk.calls) == 1
    assert clerk.get(f"/customers/{cid}").json["orders_count"] == 1


def test_the_hosts_refusal_answers_its_reason_and_records_nothing(clerk, desk):
    cid = new_customer(clerk)
    desk.out_of_stock.add("p2")
    sold_out = clerk.post(
        f"/customers/{cid}/orders",
        json={"items": [{"product_id": "p2", "quantity": 1}], "idempotency_key": "k"},
    )
    assert sold_out.status_code == 409
    assert sold_out.json["error"] == {"code": "out_of_stock", "message": "Sold out."}
    unknown = clerk.post(
        f"/customers/{cid}/orders", json={"items": [{"product_id": "zz", "quantity": 1}]}
    )
    assert unknown.status_code == 422
    assert unknown.json["error"]["code"] == "unknown_product"
    state = clerk.app.extensions["customers"]
    with state.db.session() as session:
        assert session.query(StaffOrder).count() == 0
    # the refused request's key may be used again once the shop can place it
    desk.out_of_stock.clear()
    retry = clerk.post(
        f"/customers/{cid}/orders",
        json={"items": [{"product_id": "p2", "quantity": 1}], "idempotency_key": "k"},
    )
    assert retry.status_code == 201


def test_a_host_without_place_order_answers_501(bare_app):
    clerk = Clerk(bare_app)
    cid = new_customer(clerk)
    response = clerk.post(f"/customers/{cid}/orders", json=ONE)
    assert response.status_code == 501
    assert response.json["error"]["code"] == "place_order_unsupported"
    with bare_app.extensions["customers"].db.session() as session:
        assert session.query(StaffOrder).count() == 0


def test_a_failing_host_answers_502_and_records_nothing(clerk, desk):
    desk.fail = True
    cid = new_customer(clerk)
    response = clerk.post(f"/customers/{cid}/orders", json=ONE)
    assert response.status_code == 502
    assert response.json["error"]["code"] == "host_error"
    with clerk.app.extensions["customers"].db.session() as session:
        assert session.query(StaffOrder).count() == 0


def test_inputs_are_bounded_and_named(clerk, desk):
    cid = new_customer(clerk)
    line = {"product_id": "p1", "quantity": 1}
    for body, field in (
        ({"items": []}, "items"),
        ({"items": [{"product_id": f"p{i}", "quantity": 1} for i in range(101)]}, "items"),
        ({"items": [{"product_id": "p1", "quantity": 0}]}, "items.0.quantity"),
        ({"items": [{"product_id": "p1", "quantity": 1001}]}, "items.0.quantity"),
        ({"items": [{"product_id": "", "quantity": 1}]}, "items.0.product_id"),
        ({"items": [{"product_id": "x" * 129, "quantity": 1}]}, "items.0.product_id"),
        ({"items": [line, line]}, "items"),
        ({"items": [line], "note": "n" * 1001}, "note"),
        ({"items": [line], "coupon_code": "not a code"}, "coupon_code"),
        ({"items": [line], "idempotency_key": "k" * 129}, "idempotency_key"),
        ({"items": [line], "price": "1"}, "price"),
    ):
        response = clerk.post(f"/customers/{cid}/orders", json=body)
        assert response.status_code == 422, body
        assert field in response.json["error"]["fields"], (field, response.json)
    assert desk.calls == []


def test_placing_orders_needs_its_own_permission(orders_app, desk):
    writer = Clerk(orders_app, perms="customers.read,customers.write")
    cid = new_customer(writer)
    assert writer.post(f"/customers/{cid}/orders", json=ONE).status_code == 403
    placer = Clerk(orders_app, perms="orders.place")
    assert placer.post(f"/customers/{cid}/orders", json=ONE).status_code == 201


def test_a_product_given_twice_is_refused_in_arabic(clerk, desk):
    line = {"product_id": "p1", "quantity": 1}
    response = clerk.post(
        f"/customers/{new_customer(clerk)}/orders",
        json={"items": [line, line]},
        headers={"Accept-Language": "ar"},
    )
    assert response.status_code == 422
    assert response.json["error"]["fields"]["items"] == ["كل منتج مرة واحدة على الأكثر"]
    assert desk.calls == []
