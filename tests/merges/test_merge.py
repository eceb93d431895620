"""Merging duplicate customers through the API: what moves, the rules for conflicts, the
redirect of the merged contact, the undo, and who may do it (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update

from customers_plugin.events import Contact, CustomerSignedUp, OrderPlaced
from customers_plugin.models import Customer, Merge
from tests.api.conftest import Staff, place_order

KEPT = "sara@shop.example"
OTHER = "sara.work@shop.example"


def _pair(staff: Staff) -> tuple[dict[str, Any], dict[str, Any]]:
    staff.post("/fields", json={"label": "Size", "type": "text"})
    staff.post("/fields", json={"label": "Color", "type": "text"})
    kept = staff.create(email=KEPT, name="Sara", tags=["vip"], custom_fields={"size": "M"})
    other = staff.create(
        email=OTHER,
        phone="+966501112222",
        name="Sara A.",
        company="Acme",
        tags=["vip", "wholesale"],
        custom_fields={"size": "L", "color": "red"},
    )
    return kept, other


def _credit(staff: Staff, customer_id: str, amount: str, key: str) -> None:
    body = {"type": "credit", "amount": amount, "reason": "gift", "idempotency_key": key}
    response = staff.post(f"/customers/{customer_id}/wallet/transactions", json=body)
    assert response.status_code in (200, 201), response.json


def _merge(staff: Staff, kept_id: str, other_id: str) -> Any:
    return staff.post(f"/customers/{kept_id}/merge", json={"other_id": other_id})


def test_merge_moves_history_and_applies_the_conflict_rules(merge_app, staff, listener):
    kept, other = _pair(staff)
    place_order(merge_app, "a", KEPT, "o-1", "100.00")
    place_order(merge_app, "a", OTHER, "o-2", "50.00")
    _credit(staff, kept["id"], "10.00", "k1")
    _credit(staff, other["id"], "5.50", "k2")
    staff.post(f"/customers/{other['id']}/notes", json={"text": "prefers email"})

    response = _merge(staff, kept["id"], other["id"])

    assert response.status_code == 200, response.json
    assert response.json["kept_id"] == kept["id"]
    assert response.json["merged_id"] == other["id"]
    assert staff.get(f"/customers/{other['id']}").status_code == 404
    card = staff.get(f"/customers/{kept['id']}").json
    assert card["orders_count"] == 2
    assert Decimal(card["total_spent"]) == Decimal("150.00")
    assert Decimal(card["wallet_balance"]) == Decimal("15.50")
    assert card["name"] == "Sara"  # the kept customer's non-empty value wins
    assert card["company"] == "Acme"  # an empty one takes the other's
    assert card["phone"] is None  # the primary phone stays the kept one's (none)
    assert OTHER in card["extra_emails"] and "+966501112222" in card["extra_phones"]
    assert card["custom_fields"] == {"size": "M", "color": "red"}
    assert sorted(t["name"] for t in card["tags"]) == ["vip", "wholesale"]
    orders = staff.get(f"/customers/{kept['id']}/orders").json["items"]
    assert sorted(o["external_id"] for o in orders) == ["o-1", "o-2"]
    notes = staff.get(f"/customers/{kept['id']}/notes").json["items"]
    assert [n["text"] for n in notes] == ["prefers email"]
    assert listener.calls == [
        {"store_id": "a", "kept_id": kept["id"], "merged_ids": (other["id"],)}
    ]


def test_events_for_the_merged_contact_land_on_the_kept_customer(merge_app, staff):
    kept, other = _pair(staff)
    assert _merge(staff, kept["id"], other["id"]).status_code == 200

    assert place_order(merge_app, "a", OTHER, "o-9", "20.00") == kept["id"]
    state = merge_app.extensions["customers"]
    by_phone = OrderPlaced(
        store_id="a",
        contact=Contact(phone="+966501112222"),
        order_id="o-10",
        total=Decimal("1.00"),
        currency="SAR",
    )
    assert state.hook.on_order_placed(event=by_phone)[0] == kept["id"]
    assert staff.get(f"/customers/{kept['id']}").json["orders_count"] == 2
    with state.db.session() as session:
        assert session.scalar(select(Customer.id).where(Customer.email_normalized == OTHER)) is None


def test_undo_moves_back_exactly_what_moved(merge_app, staff):
    kept, other = _pair(staff)
    place_order(merge_app, "a", KEPT, "o-1", "100.00")
    place_order(merge_app, "a", OTHER, "o-2", "50.00")
    _credit(staff, other["id"], "5.00", "k2")
    merge_id = _merge(staff, kept["id"], other["id"]).json["id"]
    place_order(merge_app, "a", KEPT, "o-3", "7.00")  # the kept customer's own, after the merge

    response = staff.post(f"/merges/{merge_id}/undo")

    assert response.status_code == 200, response.json
    assert response.json["undone_at"] is not None
    back = staff.get(f"/customers/{other['id']}").json
    assert back["email"] == OTHER and back["phone"] == "+966501112222"
    assert back["orders_count"] == 1 and Decimal(back["wallet_balance"]) == Decimal("5.00")
    assert back["custom_fields"] == {"size": "L", "color": "red"}
    assert sorted(t["name"] for t in back["tags"]) == ["vip", "wholesale"]
    card = staff.get(f"/customers/{kept['id']}").json
    assert card["orders_count"] == 2  # o-1 and o-3, made after the merge, stay
    assert card["company"] is None and card["extra_emails"] == []
    assert card["custom_fields"] == {"size": "M"}
    assert staff.post(f"/merges/{merge_id}/undo").json["error"]["code"] == "undo_refused"
    assert place_order(merge_app, "a", OTHER, "o-4", "1.00") == other["id"]  # no redirect


def test_undo_is_refused_after_its_window(merge_app, staff):
    kept, other = _pair(staff)
    merge_id = _merge(staff, kept["id"], other["id"]).json["id"]
    state = merge_app.extensions["customers"]
    with state.db.transaction() as session:
        past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        session.execute(update(Merge).values(undo_until=past))
    response = staff.post(f"/merges/{merge_id}/undo")
    assert response.status_code == 409
    assert response.json["error"]["code"] == "undo_refused"


def test_the_kept_customer_takes_the_account_link_only_if_it_has_none(merge_app, staff):
    state = merge_app.extensions["customers"]

    def sign_up(email: str, user: str) -> str:
        event = CustomerSignedUp(
            store_id="a", contact=Contact(email=email), user_id=user, email_verified=True
        )
        return state.hook.on_customer_signup(event=event)[0]

    linked = sign_up("linked@shop.example", "u-1")
    plain = staff.create(email="plain@shop.example")["id"]
    assert _merge(staff, plain, linked).status_code == 200
    with state.db.session() as session:
        assert (
            session.scalar(select(Customer.host_user_id).where(Customer.id == uuid.UUID(plain)))
            == "u-1"
        )

    other_linked = sign_up("second@shop.example", "u-2")
    response = _merge(staff, plain, other_linked)
    assert response.status_code == 409
    assert response.json["error"]["code"] == "both_linked"


def test_merge_is_scoped_to_the_store_and_needs_its_permission(merge_app, staff):
    kept, other = _pair(staff)
    elsewhere = staff.as_("b").create(email="b@shop.example")
    assert _merge(staff, kept["id"], elsewhere["id"]).status_code == 404
    assert _merge(staff.as_("b"), elsewhere["id"], kept["id"]).status_code == 404
    assert _merge(staff, kept["id"], kept["id"]).status_code == 422
    writer = staff.as_(perms="customers.read,customers.write,customers.delete")
    assert _merge(writer, kept["id"], other["id"]).status_code == 403
    merge_id = _merge(staff.as_(perms="customers.merge"), kept["id"], other["id"]).json["id"]
    assert staff.as_("b").post(f"/merges/{merge_id}/undo").status_code == 404
    assert writer.post(f"/merges/{merge_id}/undo").status_code == 403


def test_the_kept_customers_export_holds_the_merge_and_erasure_removes_it(merge_app, staff):
    kept, other = _pair(staff)
    merge_id = _merge(staff, kept["id"], other["id"]).json["id"]
    document = staff.get(f"/customers/{kept['id']}/export").json
    assert [m["id"] for m in document["merges"]] == [merge_id]
    assert document["merges"][0]["merged"]["email"] == OTHER
    assert staff.post(f"/customers/{kept['id']}/anonymize").status_code == 200
    assert staff.post(f"/merges/{merge_id}/undo").status_code == 404
    # the erased person's merged contact leads nowhere any more
    assert place_order(merge_app, "a", OTHER, "o-5", "1.00") not in (kept["id"], other["id"])


def test_merging_a_customer_with_itself_is_refused_in_arabic(merge_app, staff):
    cid = staff.create(email="noura@example.sa")["id"]
    response = staff.post(
        f"/customers/{cid}/merge", json={"other_id": cid}, headers={"Accept-Language": "ar"}
    )
    assert response.status_code == 422
    assert response.json["error"]["message"] == "لا يمكن دمج العميل مع نفسه"
