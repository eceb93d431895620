"""``/me`` self-service: profile, addresses, consent per channel, a copy of one's data and an
erasure request the merchant completes. Identity is the host account; an account not linked
reads empty answers and may change nothing."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from customers_plugin.models import ConsentEvent, Customer

from .conftest import Shopper, place


@pytest.fixture
def linked(state, sara):
    """Sara has a customer (an order) and her signed-in account is linked to it."""
    customer_id = place(state, "o1")
    assert sara.call("GET", "/profile").json["linked"] is True
    return customer_id


@pytest.fixture
def stranger(shop):
    """A signed-in account with nothing verified: never linked."""
    return Shopper(shop, None, {"X-Account": "user:nobody", "X-Email": "sara@example.sa"})


def test_profile_reads_and_changes_the_shopper_s_own_fields(linked, sara, staff, recorder):
    changed = sara.call("PATCH", "/profile", json={"name": "Sara A.", "language": "ar"})
    assert changed.status_code == 200, changed.json
    assert changed.json["name"] == "Sara A."
    assert changed.json["email"] == "sara@example.sa"
    assert changed.headers["Cache-Control"] == "no-store"
    card = staff.get(f"/customers/{linked}").json
    assert (card["name"], card["language"]) == ("Sara A.", "ar")
    [update] = recorder.named("customer_updated")[-1:]
    assert {c.field for c in update["changes"]} == {"name", "language"}


@pytest.mark.parametrize("field", ["email", "phone"])
def test_email_and_phone_change_only_through_the_host_s_verified_flow(linked, sara, field):
    value = "other@example.sa" if field == "email" else "+966501234567"
    refused = sara.call("PATCH", "/profile", json={field: value, "name": "X"})
    assert refused.status_code == 422
    assert refused.json["error"]["code"] == "verified_flow_required"
    assert list(refused.json["error"]["fields"]) == [field]
    assert sara.call("GET", "/profile").json["name"] is None


def test_profile_refuses_fields_a_shopper_does_not_own(linked, sara):
    for body in ({"custom_fields": {"vip": "yes"}}, {"marketing_consent": "subscribed"}):
        assert sara.call("PATCH", "/profile", json=body).status_code == 422


def test_an_unlinked_account_reads_empty_and_changes_nothing(linked, stranger):
    assert stranger.call("GET", "/profile").json["linked"] is False
    assert stranger.call("GET", "/profile").json["email"] is None
    assert stranger.call("GET", "/addresses").json == {"items": []}
    consent = stranger.call("GET", "/consent").json
    assert consent["email_marketing"] == {"status": "not_set", "subscribed": False}
    assert stranger.call("GET", "/erasure-request").json["status"] == "none"
    for method, path, body in (
        ("PATCH", "/profile", {"name": "Mallory"}),
        ("POST", "/addresses", {"line1": "x"}),
        ("PATCH", "/consent", {"email_marketing": True}),
        ("POST", "/data-export", None),
        ("POST", "/erasure-request", None),
    ):
        refused = stranger.call(method, path, json=body)
        assert refused.status_code == 403, (path, refused.json)
        assert refused.json["error"]["code"] == "account_not_linked"
        assert refused.headers["Cache-Control"] == "no-store"


def test_a_guest_gets_401_before_any_validation(shop):
    guest = Shopper(shop, None)
    assert guest.call("GET", "/profile").status_code == 401
    assert guest.call("PATCH", "/profile", json={"email": 3}).status_code == 401
    assert guest.call("POST", "/addresses", json={"nope": 1}).status_code == 401


def test_addresses_are_the_shopper_s_own_and_follow_the_store_s_method(linked, sara, staff):
    staff.as_(perms="settings.manage").patch("/settings", json={"address_method": "map_location"})
    refused = sara.call("POST", "/addresses", json={"line1": "Home"})
    assert set(refused.json["error"]["fields"]) == {"latitude", "longitude"}
    added = sara.call(
        "POST",
        "/addresses",
        json={"line1": "Home", "latitude": 24.7, "longitude": 46.7, "default_shipping": True},
    )
    assert added.status_code == 201, added.json
    address_id = added.json["id"]
    assert staff.get(f"/customers/{linked}/addresses").json["items"] == [added.json]
    moved = sara.call("PATCH", f"/addresses/{address_id}", json={"label": "home"})
    assert moved.json["label"] == "home"
    assert sara.call("DELETE", f"/addresses/{address_id}").status_code == 204
    assert sara.call("GET", "/addresses").json == {"items": []}


def test_another_customer_s_address_is_not_found(linked, sara, shop, state, staff):
    place(state, "o2", email="omar@example.sa")
    omar = Shopper(shop, "omar@example.sa")
    his = omar.call("POST", "/addresses", json={"line1": "Omar's"}).json
    assert sara.call("PATCH", f"/addresses/{his['id']}", json={"line1": "x"}).status_code == 404
    assert sara.call("DELETE", f"/addresses/{his['id']}").status_code == 404
    assert omar.call("GET", "/addresses").json["items"] == [his]


def test_consent_per_channel_is_recorded_with_its_source(linked, sara, state):
    changed = sara.call(
        "PATCH", "/consent", json={"email_marketing": True, "system_notifications": False}
    )
    assert changed.status_code == 200, changed.json
    assert changed.json == {
        "email_marketing": {"status": "subscribed", "subscribed": True},
        "system_notifications": {"status": "unsubscribed", "subscribed": False},
    }
    again = sara.call("PATCH", "/consent", json={"email_marketing": False})
    assert again.json["email_marketing"]["status"] == "unsubscribed"
    with state.db.session() as session:
        events = session.execute(
            select(ConsentEvent.channel, ConsentEvent.status, ConsentEvent.source).order_by(
                ConsentEvent.occurred_at, ConsentEvent.id
            )
        ).all()
    assert [tuple(e) for e in events] == [
        ("marketing", "subscribed", "storefront"),
        ("system", "unsubscribed", "storefront"),
        ("marketing", "unsubscribed", "storefront"),
    ]
    assert sara.call("PATCH", "/consent", json={"sms": True}).status_code == 422


def test_data_export_is_the_one_customer_document(linked, sara, staff):
    sara.call("POST", "/addresses", json={"line1": "Home"})
    mine = sara.call("POST", "/data-export")
    assert mine.status_code == 200
    assert mine.headers["Cache-Control"] == "no-store"
    assert mine.json["customer_id"] == linked
    assert [o["external_id"] for o in mine.json["orders"]] == ["o1"]
    assert mine.json["profile"]["addresses"][0]["line1"] == "Home"
    merchant = staff.get(f"/customers/{linked}/export").json
    assert set(mine.json) == set(merchant)


def test_erasure_request_is_seen_and_completed_by_the_merchant(linked, sara, staff, state):
    asked = sara.call("POST", "/erasure-request")
    assert asked.status_code == 202
    assert asked.json["status"] == "pending"
    again = sara.call("POST", "/erasure-request")
    assert (again.status_code, again.json["id"]) == (200, asked.json["id"])
    assert sara.call("GET", "/erasure-request").json["status"] == "pending"
    listed = staff.get("/erasure-requests?status=pending").json["items"]
    assert [(r["id"], r["customer_id"]) for r in listed] == [(asked.json["id"], linked)]
    exported = staff.get(f"/customers/{linked}/export").json["erasure_requests"]
    assert [r["status"] for r in exported] == ["pending"]
    done = staff.post(f"/erasure-requests/{asked.json['id']}/complete")
    assert done.status_code == 200, done.json
    assert done.json["status"] == "completed"
    assert staff.post(f"/erasure-requests/{asked.json['id']}/complete").status_code == 409
    with state.db.session() as session:
        customer = session.get(Customer, uuid.UUID(linked))
        assert customer.erased_at is not None and customer.host_user_id is None
    assert staff.get("/erasure-requests?status=completed").json["items"][0]["closed_by"]
    # the account no longer reaches the erased record
    assert sara.call("GET", "/profile").json["linked"] is False


def test_a_declined_request_shows_declined_and_may_be_asked_again(linked, sara, staff):
    asked = sara.call("POST", "/erasure-request").json
    declined = staff.post(f"/erasure-requests/{asked['id']}/decline")
    assert declined.json["status"] == "declined"
    assert sara.call("GET", "/erasure-request").json["status"] == "declined"
    assert sara.call("POST", "/erasure-request").status_code == 202


def test_erasure_requests_need_customers_delete_and_stay_in_their_store(linked, sara, staff):
    asked = sara.call("POST", "/erasure-request").json
    reader = staff.as_(perms="customers.read,customers.write")
    assert reader.get("/erasure-requests").status_code == 403
    assert reader.post(f"/erasure-requests/{asked['id']}/complete").status_code == 403
    other = staff.as_("b")
    assert other.get("/erasure-requests").json["items"] == []
    assert other.post(f"/erasure-requests/{asked['id']}/complete").status_code == 404
    assert other.post(f"/erasure-requests/{asked['id']}/decline").status_code == 404
    assert staff.get("/erasure-requests").json["items"][0]["status"] == "pending"


def test_another_store_s_shopper_sees_nothing_of_this_store(linked, shop):
    elsewhere = Shopper(shop, None, {"X-Shopper": "sara@example.sa", "Authorization": "Bearer b:"})
    assert elsewhere.call("GET", "/profile").json["linked"] is False
    assert elsewhere.call("GET", "/addresses").json == {"items": []}
    assert elsewhere.call("POST", "/erasure-request").status_code == 403


def test_an_unlinked_account_is_told_why_in_arabic(linked, stranger):
    refused = stranger.call(
        "PATCH", "/profile", json={"name": "x"}, headers={"Accept-Language": "ar"}
    )
    assert refused.status_code == 403
    assert refused.json["error"] == {
        "code": "account_not_linked",
        "message": "هذا الحساب غير مرتبط بعميل بعد (تحقق من بريده الإلكتروني أو هاتفه)",
    }
