"""The customer card and the merchant's actions on one customer."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from customers_plugin.models import Customer

from .conftest import book, place_order


def _count(app) -> int:
    with app.extensions["customers"].db.transaction() as session:
        return session.scalar(select(func.count()).select_from(Customer))


def test_manual_add_returns_the_card_and_announces_the_customer(staff, recorder):
    card = staff.create(
        name="Sara Cohen",
        email="Sara@Example.com",
        phone="050 123 4567",
        country="sa",
        tags=["VIP"],
        marketing_consent="subscribed",
    )
    assert card["email"] == "Sara@Example.com"
    assert card["phone"] == "+966501234567"
    assert card["country"] == "SA"
    assert card["sources"] == ["manual"]
    assert [t["name"] for t in card["tags"]] == ["VIP"]
    assert card["marketing_consent"] == "subscribed"
    assert card["consent_history"][0]["source"] == "admin"
    assert card["status"] == "active"
    assert card["total_spent"] == "0.00"
    created = recorder.named("customer_created")
    assert [c["customer"].id for c in created] == [card["id"]]


def test_manual_add_with_a_taken_email_answers_409_naming_the_customer(staff):
    first = staff.create(email="dup@example.com")
    response = staff.post("/customers", json={"email": " DUP@example.com "})
    assert response.status_code == 409
    assert response.json["error"]["code"] == "conflict"
    assert response.json["error"]["existing_id"] == first["id"]
    assert "email" in response.json["error"]["fields"]


def test_manual_add_with_a_taken_phone_typed_differently_answers_409(staff):
    first = staff.create(phone="+966 50 123 4567")
    response = staff.post("/customers", json={"phone": "٠٥٠١٢٣٤٥٦٧"})
    assert response.status_code == 409
    assert response.json["error"]["existing_id"] == first["id"]


def test_manual_add_needs_an_email_or_a_phone(staff):
    response = staff.post("/customers", json={"name": "Nobody"})
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == {"email", "phone"}


def test_bad_email_and_phone_are_refused(staff):
    assert staff.post("/customers", json={"email": "not-an-email"}).status_code == 422
    response = staff.post("/customers", json={"phone": "12"})
    assert response.status_code == 422
    assert "phone" in response.json["error"]["fields"]


def test_id_store_id_and_stats_in_a_body_are_refused_and_nothing_changes(staff, api_app):
    for forbidden in ({"id": "x"}, {"store_id": "b"}, {"orders_count": 9}, {"total_spent": "1"}):
        response = staff.post("/customers", json={"email": "m@example.com", **forbidden})
        assert response.status_code == 422
        assert list(forbidden) == list(response.json["error"]["fields"])
    assert _count(api_app) == 0
    card = staff.create(email="m@example.com")
    for forbidden in ({"store_id": "b"}, {"orders_count": 9}, {"status": "blocked"}):
        response = staff.patch(f"/customers/{card['id']}", json={"name": "X", **forbidden})
        assert response.status_code == 422
        assert next(iter(forbidden)) in response.json["error"]["fields"]
    after = staff.get(f"/customers/{card['id']}").json
    assert after["name"] is None and after["status"] == "active" and after["orders_count"] == 0


def test_card_shows_stats_recent_orders_and_upcoming_bookings(staff, api_app):
    customer_id = place_order(api_app, "a", "buyer@example.com", "o1", "120.50")
    place_order(api_app, "a", "buyer@example.com", "o2", "10")
    book(api_app, "a", "buyer@example.com", "b1", dt.timedelta(days=2), form_answers={"dog": "Rex"})
    book(api_app, "a", "buyer@example.com", "b0", -dt.timedelta(days=2))
    card = staff.get(f"/customers/{customer_id}").json
    assert card["orders_count"] == 2
    assert card["total_spent"] == "130.50"
    assert card["currency"] == "SAR"
    assert [o["external_id"] for o in card["recent_orders"]] == ["o2", "o1"]
    assert [b["external_id"] for b in card["upcoming_bookings"]] == ["b1"]
    assert card["upcoming_bookings"][0]["form_answers"] == {"dog": "Rex"}
    assert card["bookings_count"] == 2


def test_edit_changes_the_profile_and_announces_each_changed_field(staff, recorder):
    card = staff.create(email="e@example.com", name="Old")
    response = staff.patch(
        f"/customers/{card['id']}",
        json={
            "name": "  New   Name ",
            "company": "ACME",
            "position": "CEO",
            "vat_id": "IL123",
            "birthdate": "1990-05-01",
            "gender": "female",
            "language": "he",
            "extra_emails": ["second@example.com"],
            "extra_phones": ["+972 54 123 4567"],
            "addresses": [{"label": "home", "city": "Haifa", "country": "il"}],
        },
    )
    assert response.status_code == 200, response.json
    body = response.json
    assert body["name"] == "New Name"
    assert body["extra_phones"] == ["+972541234567"]
    [address] = body["addresses"]
    assert address.pop("id")
    assert address == {"label": "home", "city": "Haifa", "country": "IL"}
    assert body["birthdate"] == "1990-05-01"
    changes = recorder.named("customer_updated")[-1]["changes"]
    assert {c.field for c in changes} >= {"name", "company", "birthdate", "extra_phones"}
    name_change = next(c for c in changes if c.field == "name")
    assert (name_change.old, name_change.new) == ("Old", "New Name")


def test_the_primary_email_cannot_change(staff):
    card = staff.create(email="keep@example.com")
    response = staff.patch(f"/customers/{card['id']}", json={"email": "other@example.com"})
    assert response.status_code == 422
    assert "cannot be changed" in response.json["error"]["fields"]["email"][0]
    same = staff.patch(f"/customers/{card['id']}", json={"email": "KEEP@example.com"})
    assert same.status_code == 200


def test_a_customer_known_by_phone_may_be_given_an_email_once(staff):
    card = staff.create(phone="0501234567")
    response = staff.patch(f"/customers/{card['id']}", json={"email": "late@example.com"})
    assert response.status_code == 200
    assert response.json["email"] == "late@example.com"


def test_editing_to_a_taken_phone_answers_409(staff):
    staff.create(phone="0501234567")
    other = staff.create(email="o@example.com")
    response = staff.patch(f"/customers/{other['id']}", json={"phone": "+966501234567"})
    assert response.status_code == 409


def test_consent_changes_are_recorded_with_status_time_and_source(staff, recorder):
    card = staff.create(email="c@example.com")
    response = staff.patch(
        f"/customers/{card['id']}",
        json={
            "marketing_consent": "unsubscribed",
            "consent_source": "phone call",
            "system_notifications": False,
        },
    )
    body = response.json
    assert body["marketing_consent"] == "unsubscribed"
    assert body["marketing_consent_source"] == "phone call"
    assert body["system_notifications"] is False
    history = {(e["channel"], e["status"], e["source"]) for e in body["consent_history"]}
    assert history == {
        ("marketing", "unsubscribed", "phone call"),
        ("system", "unsubscribed", "phone call"),
    }
    fields = {c.field for c in recorder.named("customer_updated")[-1]["changes"]}
    assert fields == {"marketing_consent", "system_notifications"}


def test_delete_removes_the_customer_and_announces_it(staff, recorder, api_app):
    card = staff.create(email="gone@example.com")
    assert staff.delete(f"/customers/{card['id']}").status_code == 204
    assert staff.get(f"/customers/{card['id']}").status_code == 404
    assert recorder.named("customer_deleted") == [{"store_id": "a", "customer_id": card["id"]}]
    assert _count(api_app) == 0


def test_deactivated_customers_leave_the_list_until_asked_for(staff):
    card = staff.create(email="sleepy@example.com")
    response = staff.post(f"/customers/{card['id']}/deactivate")
    assert response.json == {
        "id": card["id"],
        "status": "inactive",
        "block_reason": None,
        "block_details": None,
        "changed": True,
    }
    assert staff.get("/customers").json["items"] == []
    inactive = staff.get("/customers?status=inactive").json["items"]
    assert [c["id"] for c in inactive] == [card["id"]]
    assert staff.post(f"/customers/{card['id']}/activate").json["status"] == "active"
    assert [c["id"] for c in staff.get("/customers").json["items"]] == [card["id"]]


def test_block_with_a_reason_marks_the_customer_and_announces_it(staff, recorder):
    card = staff.create(email="bad@example.com")
    response = staff.post(
        f"/customers/{card['id']}/block", json={"reason": "fraud", "details": "chargebacks"}
    )
    assert response.status_code == 200
    assert response.json["status"] == "blocked"
    assert response.json["block_reason"] == "fraud"
    blocked = recorder.named("customer_blocked")
    assert blocked[0]["reason"] == "fraud" and blocked[0]["customer"].status == "blocked"
    listed = staff.get("/customers?status=blocked").json["items"]
    assert listed[0]["block_reason"] == "fraud"
    assert staff.get("/customers").json["items"] == []
    assert staff.post(f"/customers/{card['id']}/activate").status_code == 409
    assert staff.post(f"/customers/{card['id']}/unblock").json["status"] == "active"
    assert len(recorder.named("customer_unblocked")) == 1


def test_block_reason_must_come_from_the_fixed_list(staff):
    card = staff.create(email="r@example.com")
    response = staff.post(f"/customers/{card['id']}/block", json={"reason": "because"})
    assert response.status_code == 422
    assert "reason" in response.json["error"]["fields"]


def test_tags_are_added_and_removed_on_a_customer(staff, recorder):
    card = staff.create(email="t@example.com")
    response = staff.post(f"/customers/{card['id']}/tags", json={"tags": ["VIP", "vip", "Gold"]})
    assert [t["name"] for t in response.json["tags"]] == ["Gold", "VIP"]
    vip = next(t for t in response.json["tags"] if t["name"] == "VIP")
    after = staff.delete(f"/customers/{card['id']}/tags/{vip['id']}")
    assert [t["name"] for t in after.json["tags"]] == ["Gold"]
    change = recorder.named("customer_updated")[-1]["changes"][0]
    assert (change.field, change.old, change.new) == ("tags", ("Gold", "VIP"), ("Gold",))


def test_an_edit_with_one_bad_value_changes_nothing_and_announces_nothing(staff, recorder):
    staff.post("/fields", json={"label": "Weight", "type": "number"})
    card = staff.create(email="atomic@example.com", name="Before")
    response = staff.patch(
        f"/customers/{card['id']}",
        json={"name": "After", "company": "ACME", "custom_fields": {"weight": "heavy"}},
    )
    assert response.status_code == 422
    after = staff.get(f"/customers/{card['id']}").json
    assert (after["name"], after["company"]) == ("Before", None)
    assert recorder.named("customer_updated") == []
    kinds = [a["kind"] for a in staff.get(f"/customers/{card['id']}/activity").json["items"]]
    assert kinds == ["created"]


def test_list_rows_carry_the_store_currency(staff):
    staff.create(email="cur@example.com")
    assert staff.get("/customers").json["items"][0]["currency"] == "SAR"
