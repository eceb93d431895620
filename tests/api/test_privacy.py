"""A customer's data rights: everything held about them as one document (art. 15/20), erasure
by anonymising that keeps orders and ledger (art. 17), and a plain delete that leaves no
import undo row or export file behind."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from customers_plugin.events import Contact, FormSubmitted
from customers_plugin.models import Base, ImportChange, Message
from tests.transfer.conftest import csv_bytes

from .conftest import Staff, book, place_order
from .test_access import PNG

EMAIL = "layla.private@example.sa"
NAME = "Layla Haddad"
PHONE = "+966501234567"
OLD_PHONE = "+966507654321"
EXTRA = "layla.other@example.sa"


def _upload(staff: Staff, rows: list[list[str]], **form: str) -> dict[str, Any]:
    response = staff.post(
        "/imports",
        data={"file": (io.BytesIO(csv_bytes(rows)), "c.csv"), **form},
        content_type="multipart/form-data",
    )
    assert response.status_code == 202, response.json
    return response.json


@pytest.fixture
def layla(api_app, staff) -> dict[str, Any]:
    """A customer with something in every room: profile and contacts, a photo, tags, a custom
    field, an import that changed her, an order, a booking with answers, a form, a wallet
    credit, a wishlist item, a group, a message to her, and a finished export file holding
    her."""
    staff.post("/fields", json={"label": "Dog", "type": "text"})
    card = staff.create(
        email=EMAIL,
        name="Layla H.",
        phone=OLD_PHONE,
        extra_emails=[EXTRA],
        addresses=[{"line1": "12 Olaya St", "city": "Riyadh", "country": "SA"}],
        tags=["vip"],
        custom_fields={"dog": "Rex"},
        marketing_consent="subscribed",
    )
    cid = card["id"]
    _upload(staff, [["email", "name", "phone"], [EMAIL, NAME, PHONE]], on_existing="update")
    place_order(api_app, "a", EMAIL, "o-1", "120.00")
    book(api_app, "a", EMAIL, "b-1", dt.timedelta(days=2), form_answers={"allergy": "nuts"})
    state = api_app.extensions["customers"]
    state.hook.on_form_submit(
        event=FormSubmitted(
            store_id="a",
            contact=Contact(email=EMAIL),
            submission_id="f-1",
            form_name="Contact",
            answers={"message": f"call me on {PHONE}"},
        )
    )
    staff.put(
        f"/customers/{cid}/photo",
        data={"photo": (io.BytesIO(PNG), "p.png")},
        content_type="multipart/form-data",
    )
    credit = {"type": "credit", "amount": "30", "reason": "goodwill", "idempotency_key": "g1"}
    assert staff.post(f"/customers/{cid}/wallet/transactions", json=credit).status_code == 201
    group = staff.post("/groups", json={"name": "Friends", "members": [cid]})
    assert group.status_code == 201, group.json
    with api_app.app_context():
        from customers_plugin.services import wishlist

        with state.db.transaction() as session:
            product = wishlist.Product.of("p-1", "Mug", Decimal("10.00"), "SAR")
            wishlist.add(session, "a", uuid.UUID(cid), product, source="storefront")
    message = {
        "channel": "email",
        "purpose": "transactional",
        "subject": "Rex",
        "body": "Dear {name}",
    }
    assert staff.post(f"/customers/{cid}/messages", json=message).status_code == 202
    export = staff.post("/exports", json={"filter": {}, "columns": ["email", "name"]})
    assert export.status_code == 202, export.json
    return {"id": cid, "export_id": export.json["id"]}


def _undo_rows(api_app, customer_id: str) -> list[Any]:
    with api_app.extensions["customers"].db.session() as session:
        return list(
            session.scalars(
                select(ImportChange).where(ImportChange.customer_id == uuid.UUID(customer_id))
            )
        )


def _every_stored_value(api_app) -> str:
    """Every row of every plugin table, as text."""
    with api_app.extensions["customers"].db.session() as session:
        return "\n".join(
            repr(tuple(row))
            for table in Base.metadata.sorted_tables
            for row in session.execute(select(table))
        )


# -- access and portability ---------------------------------------------------------------------


def test_export_holds_everything_about_the_customer(api_app, staff, layla):
    response = staff.get(f"/customers/{layla['id']}/export")
    assert response.status_code == 200, response.json
    assert response.headers["Cache-Control"] == "no-store"
    data = response.json
    profile = data["profile"]
    assert (profile["email"], profile["name"], profile["phone"]) == (EMAIL, NAME, PHONE)
    assert profile["extra_emails"] == [EXTRA]
    assert profile["addresses"][0]["city"] == "Riyadh"
    assert profile["custom_fields"] == {"dog": "Rex"}
    assert "vip" in [t["name"] for t in profile["tags"]]
    assert profile["has_photo"] is True
    assert [o["external_id"] for o in data["orders"]] == ["o-1"]
    assert data["bookings"][0]["form_answers"] == {"allergy": "nuts"}
    assert data["form_submissions"][0]["answers"] == {"message": f"call me on {PHONE}"}
    assert [c["status"] for c in data["consent_history"]] == ["subscribed"]
    assert {"created", "wallet_credit"} <= {a["kind"] for a in data["activity"]}
    assert data["wallet"]["balance"] == "30.00"
    assert [t["amount"] for t in data["wallet"]["ledger"]] == ["30.00"]
    assert [w["product_id"] for w in data["wishlist"]] == ["p-1"]
    assert [g["name"] for g in data["groups"]] == ["Friends"]
    assert data["review_requests"] == []
    assert data["tasks"] == []
    [thread] = data["threads"]
    assert [(m["subject"], m["body"]) for m in thread["messages"]] == [("Rex", f"Dear {NAME}")]
    assert data["customer_id"] == layla["id"]


def test_export_needs_the_export_permission_and_the_store(api_app, staff, layla):
    path = f"/customers/{layla['id']}/export"
    assert staff.as_(perms="customers.read").get(path).status_code == 403
    assert staff.as_(perms="customers.export").get(path).status_code == 200
    assert staff.as_(store="b").get(path).status_code == 404


def test_export_is_in_the_openapi_document(api_app):
    spec = api_app.test_client().get("/api/v1/openapi.json").json
    operation = spec["paths"]["/api/v1/customers/{customer_id}/export"]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    name = schema["$ref"].rsplit("/", 1)[-1]
    assert {"profile", "orders", "wallet", "consent_history", "groups"} <= set(
        spec["components"]["schemas"][name]["properties"]
    )
    assert "/api/v1/customers/{customer_id}/anonymize" in spec["paths"]


# -- erasure ------------------------------------------------------------------------------------


def test_anonymize_keeps_orders_and_ledger_and_forgets_the_person(api_app, staff, layla):
    cid = layla["id"]
    assert _undo_rows(api_app, cid)  # the import kept her old name and phone
    response = staff.post(f"/customers/{cid}/anonymize")
    assert response.status_code == 200, response.json
    assert response.json["changed"] is True
    card = staff.get(f"/customers/{cid}").json
    assert (card["email"], card["name"], card["phone"]) == (None, None, None)
    assert card["erased_at"] is not None
    assert (card["orders_count"], card["total_spent"]) == (1, "120.00")
    assert [o["external_id"] for o in staff.get(f"/customers/{cid}/orders").json["items"]] == [
        "o-1"
    ]
    wallet = staff.get(f"/customers/{cid}/wallet").json
    assert (wallet["balance"], len(wallet["items"])) == ("30.00", 1)
    assert staff.get(f"/customers/{cid}/photo").status_code == 404
    assert _undo_rows(api_app, cid) == []
    assert staff.get(f"/exports/{layla['export_id']}/file").status_code == 410
    with api_app.extensions["customers"].db.session() as session:
        assert session.scalars(select(Message).filter_by(customer_id=uuid.UUID(cid))).all() == []
    stored = _every_stored_value(api_app)
    for secret in (EMAIL, NAME, "Layla H.", PHONE, OLD_PHONE, EXTRA, "Olaya", "nuts", "Rex"):
        assert secret not in stored, secret


def test_anonymize_announces_and_is_idempotent(api_app, staff, layla, recorder):
    cid = layla["id"]
    assert staff.post(f"/customers/{cid}/anonymize").json["changed"] is True
    again = staff.post(f"/customers/{cid}/anonymize")
    assert (again.status_code, again.json["changed"]) == (200, False)
    assert [c["customer_id"] for c in recorder.named("customer_deleted")] == [cid]


def test_an_erased_customer_is_never_matched_again(api_app, staff, layla):
    cid = layla["id"]
    staff.post(f"/customers/{cid}/anonymize")
    returning = place_order(api_app, "a", EMAIL, "o-2", "10.00")
    assert returning != cid
    assert staff.patch(f"/customers/{cid}", json={"name": "Back"}).status_code == 409
    photo = staff.put(
        f"/customers/{cid}/photo",
        data={"photo": (io.BytesIO(PNG), "p.png")},
        content_type="multipart/form-data",
    )
    assert photo.status_code == 409
    assert staff.get(f"/customers/{cid}").json["has_photo"] is False


def test_anonymize_needs_the_delete_permission(staff, layla):
    writer = staff.as_(perms="customers.read,customers.write")
    assert writer.post(f"/customers/{layla['id']}/anonymize").status_code == 403
    assert staff.get(f"/customers/{layla['id']}").json["email"] == EMAIL


# -- plain delete -------------------------------------------------------------------------------


def test_plain_delete_leaves_no_import_undo_row_or_export_file(api_app, staff, layla):
    cid = layla["id"]
    assert staff.delete(f"/customers/{cid}").status_code == 204
    assert _undo_rows(api_app, cid) == []
    assert staff.get(f"/exports/{layla['export_id']}/file").status_code == 410
    stored = _every_stored_value(api_app)
    for secret in (EMAIL, NAME, PHONE, OLD_PHONE):
        assert secret not in stored, secret


def test_an_export_without_the_customer_stays(api_app, staff, layla):
    other = staff.create(email="someone@example.com")
    export = staff.post("/exports", json={"ids": [other["id"]], "columns": ["email"]})
    assert export.status_code == 202, export.json
    staff.post(f"/customers/{layla['id']}/anonymize")
    kept = staff.get(f"/exports/{export.json['id']}/file")
    assert kept.status_code == 200
    kept.close()
