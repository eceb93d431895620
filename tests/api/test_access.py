"""Deny by default, permissions per action, and store isolation over every route of the API."""

from __future__ import annotations

import base64
import datetime as dt
import io
import uuid
from decimal import Decimal
from email.message import EmailMessage

import pytest
from flask import Flask
from sqlalchemy import select

from customers_plugin.events import Contact, WishlistChanged
from customers_plugin.models import ErasureRequest, MessageAttachment, Thread
from customers_plugin.security import PERMISSIONS
from customers_plugin.services import inbound

from .conftest import PREFIX, Staff, book, place_order

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def test_admin_endpoints_answer_401_when_no_plugin_authorises(app: Flask):
    client = app.test_client()
    for path in ("/customers", "/tags", "/fields"):
        response = client.get(PREFIX + path)
        assert response.status_code == 401
        assert response.json == {
            "error": {"code": "unauthorized", "message": "authentication required"}
        }


def test_unauthenticated_requests_learn_nothing_from_validation(api_app):
    client = api_app.test_client()
    response = client.post(PREFIX + "/customers", json={"store_id": "x"})
    assert response.status_code == 401


def test_a_missing_permission_answers_403(staff):
    card = staff.create(email="p@example.com")
    reader = staff.as_(perms="customers.read")
    assert reader.get(f"/customers/{card['id']}").status_code == 200
    for response in (
        reader.post("/customers", json={"email": "q@example.com"}),
        reader.patch(f"/customers/{card['id']}", json={"name": "x"}),
        reader.delete(f"/customers/{card['id']}"),
        reader.post(f"/customers/{card['id']}/block", json={"reason": "spam"}),
    ):
        assert response.status_code == 403
        assert response.json["error"]["code"] == "forbidden"
    writer = staff.as_(perms="customers.read,customers.write")
    assert writer.post(f"/customers/{card['id']}/block", json={"reason": "spam"}).status_code == 403
    assert writer.delete(f"/customers/{card['id']}").status_code == 403
    bulk = writer.post("/customers/bulk", json={"action": "delete", "ids": [card["id"]]})
    assert bulk.status_code == 403
    blocker = staff.as_(perms="customers.block")
    assert (
        blocker.post(f"/customers/{card['id']}/block", json={"reason": "spam"}).status_code == 200
    )
    assert staff.get(f"/customers/{card['id']}").json["status"] == "blocked"


def test_permission_names_are_the_documented_ones():
    assert PERMISSIONS == (
        "customers.read",
        "customers.write",
        "customers.delete",
        "customers.export",
        "customers.block",
        "customers.wallet",
        "customers.import",
        "customers.merge",
        "groups.manage",
        "settings.manage",
        "orders.place",
        "coupons.manage",
        "customers.message",
    )


# -- store isolation ----------------------------------------------------------------------------

# POST routes that take no body (the action is the URL)
ACTIONS_WITHOUT_BODY = {
    "activate",
    "deactivate",
    "unblock",
    "paid-in-person",
    "undo",
    "resume",
    "anonymize",
    "complete",
    "decline",
}

BODIES = {
    ("PATCH", "customers.update_customer"): {"json": {"name": "Hijacked"}},
    ("POST", "customers.block_customer"): {"json": {"reason": "fraud"}},
    ("POST", "customers.add_customer_tags"): {"json": {"tags": ["stolen"]}},
    ("PUT", "customers.upload_photo"): {
        "data": {"photo": (io.BytesIO(PNG), "p.png")},
        "content_type": "multipart/form-data",
    },
    ("PATCH", "tags.rename_tag"): {"json": {"name": "renamed"}},
    ("PATCH", "fields.update_field"): {"json": {"label": "renamed"}},
    ("PATCH", "groups.update_group"): {"json": {"name": "renamed"}},
    ("POST", "groups.add_members"): {"json": {"ids": ["{customer_id}"]}},
    ("POST", "groups.remove_members"): {"json": {"ids": ["{customer_id}"]}},
    ("POST", "customer-wallet.post_wallet_transaction"): {
        "json": {"type": "credit", "amount": "1", "reason": "x", "idempotency_key": "k"}
    },
    ("POST", "customer-review-requests.send_review_request"): {"json": {}},
    ("POST", "customer-notes.add_note"): {"json": {"text": "hijacked"}},
    ("PATCH", "customer-notes.edit_note"): {"json": {"text": "hijacked", "pinned": True}},
    ("POST", "customer-notes.attach_file"): {
        "data": {"file": (io.BytesIO(PNG), "p.png")},
        "content_type": "multipart/form-data",
    },
    ("POST", "tasks.create_task"): {"json": {"title": "x", "due_at": "2030-01-05T10:00:00"}},
    ("PATCH", "tasks.update_task"): {"json": {"status": "done"}},
    ("POST", "customer-addresses.add_address"): {"json": {"line1": "stolen"}},
    ("PATCH", "customer-addresses.change_address"): {"json": {"line1": "stolen"}},
    ("POST", "orders.place_order"): {"json": {"items": [{"product_id": "p1", "quantity": 1}]}},
    ("POST", "coupons.assign_coupon"): {"json": {"code": "STOLEN"}},
    ("POST", "coupons.gift_wished_item"): {
        "json": {"discount": {"kind": "percent", "value": "50"}}
    },
    ("POST", "messages.send_message"): {
        "json": {"channel": "email", "purpose": "transactional", "subject": "x", "body": "x"}
    },
    ("POST", "messages.report_delivery"): {"json": {"state": "delivered"}},
    ("POST", "merges.merge"): {"json": {"other_id": "01a24ab2-bc67-7fab-99e3-f077c0ebef1d"}},
}
# routes whose caller is not staff of a store: a provider's signed webhooks (they name the
# provider's message id, or the thread's reply token) and the signed unsubscribe link (the
# token names the store)
NOT_STAFF_ROUTES = {
    "inbound.inbound_email",
    "messages.provider_delivery",
    "messages.unsubscribe_page",
    "messages.unsubscribe_now",
}


@pytest.fixture
def store_b(api_app):
    """A customer of store B with a tag, a field value, an order, a booking, a photo, a note
    with a file, a task and a message in a thread; and a merge of two others."""
    b = Staff(api_app, "b")
    field = b.post("/fields", json={"label": "Dog", "type": "text"}).json
    customer = b.create(email="b@example.com", tags=["secret"], custom_fields={"dog": "Rex"})
    place_order(api_app, "b", "b@example.com", "ob", "99")
    book(api_app, "b", "b@example.com", "bb", dt.timedelta(days=1))
    b.put(
        f"/customers/{customer['id']}/photo",
        data={"photo": (io.BytesIO(PNG), "p.png")},
        content_type="multipart/form-data",
    )
    address = b.post(f"/customers/{customer['id']}/addresses", json={"line1": "B street"})
    card = b.get(f"/customers/{customer['id']}").json
    note = b.post(f"/customers/{card['id']}/notes", json={"text": "B's secret note"}).json
    note_file = b.post(
        f"/notes/{note['id']}/files",
        data={"file": (io.BytesIO(PNG), "b.png")},
        content_type="multipart/form-data",
    ).json
    group = b.post("/groups", json={"name": "B only", "members": [card["id"]]})
    batch = b.post("/imports", json={"emails": "b2@example.com"})
    export = b.post("/exports", json={"filter": {}})
    task = b.post(
        f"/customers/{card['id']}/tasks", json={"title": "B's", "due_at": "2030-01-05T10:00"}
    )
    coupon = b.post(f"/customers/{card['id']}/coupons", json={"code": "B-ONLY"})
    api_app.extensions["customers"].hook.on_wishlist_changed(
        event=WishlistChanged(
            store_id="b",
            contact=Contact(email="b@example.com"),
            product_id="p-b",
            action="added",
            product_name="B's wish",
            price=Decimal("5"),
            currency="SAR",
        )
    )
    request_id = uuid.uuid4()
    with api_app.extensions["customers"].db.transaction() as session:
        customer_id = uuid.UUID(card["id"])
        session.add(
            ErasureRequest(
                id=request_id, store_id="b", customer_id=customer_id, pending_for=customer_id
            )
        )
    message = b.post(
        f"/customers/{card['id']}/messages",
        json={"channel": "email", "purpose": "transactional", "subject": "Hi", "body": "B's"},
    )
    attachment_id = _inbound_attachment(api_app, card["id"])
    kept = b.create(email="b-kept@example.com")["id"]
    merged = b.create(email="b-merged@example.com")["id"]
    merge = b.post(f"/customers/{kept}/merge", json={"other_id": merged})
    return {
        "coupon_id": coupon.json["id"] if coupon.status_code == 201 else None,
        "item_id": b.get(f"/customers/{card['id']}/wishlist").json["items"][0]["id"],
        "address_id": address.json["id"] if address.status_code == 201 else None,
        "request_id": str(request_id),
        "attachment_id": attachment_id,
        "message_id": message.json["id"] if message.status_code == 202 else None,
        "thread_id": message.json["thread_id"] if message.status_code == 202 else None,
        "merge_id": merge.json["id"] if merge.status_code == 200 else None,
        "task_id": task.json["id"] if task.status_code == 201 else None,
        "group_id": group.json["id"] if group.status_code == 201 else None,
        "batch_id": batch.json["id"] if batch.status_code == 202 else None,
        "export_id": export.json["id"] if export.status_code == 202 else None,
        "staff": b,
        "customer_id": card["id"],
        "tag_id": card["tags"][0]["id"],
        "field_id": field["id"],
        "booking_id": b.get(f"/customers/{card['id']}/bookings").json["items"][0]["id"],
        "card": card,
        "note_id": note["id"],
        "file_id": note_file["id"],
    }


def _inbound_attachment(app: Flask, customer_id: str) -> str | None:
    """The customer's reply by email with a file (the thread's token names store B)."""
    state = app.extensions["customers"]
    with state.db.reading() as session:
        token = session.scalar(
            select(Thread.reply_token).where(Thread.customer_id == uuid.UUID(customer_id))
        )
    if token is None:
        return None
    reply = EmailMessage()
    reply["To"] = f"reply+{token}@mail.example"
    reply["Message-ID"] = "<b-reply@example.com>"
    reply.set_content("B's reply")
    reply.add_attachment(
        b"%PDF-1.4\n%%EOF\n", maintype="application", subtype="pdf", filename="b.pdf"
    )
    received = inbound.receive(state, reply.as_bytes())
    with state.db.reading() as session:
        return str(
            session.scalar(
                select(MessageAttachment.id).where(
                    MessageAttachment.message_id == received.message_id
                )
            )
        )


def _api_rules(app: Flask):
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(PREFIX + "/") or rule.endpoint.endswith("openapi_json"):
            continue
        if rule.rule.startswith(PREFIX + "/me/"):  # storefront: the shopper, not staff
            continue
        if rule.endpoint in NOT_STAFF_ROUTES:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_route_answers_404_for_another_stores_ids(api_app, store_b):
    a = Staff(api_app, "a")
    a.create(email="a@example.com")
    walked = 0
    for rule, method in _api_rules(api_app):
        if not rule.arguments:
            continue
        unknown = rule.arguments - store_b.keys()
        assert not unknown, f"give store_b a {unknown} for {rule.rule}"
        values = {name: store_b[name] for name in rule.arguments}
        assert all(values.values()), f"store_b could not make {values} for {rule.rule}"
        path = rule.rule
        for name, value in values.items():
            path = path.replace(f"<uuid:{name}>", value)
        kwargs = dict(BODIES.get((method, rule.endpoint), {}))
        if "json" in kwargs and kwargs["json"].get("ids"):
            kwargs["json"] = {"ids": [store_b["customer_id"]]}
        if "data" in kwargs:
            kwargs["data"] = {name: (io.BytesIO(PNG), "p.png") for name in kwargs["data"]}
        if (
            method in ("POST", "PUT", "PATCH")
            and not kwargs
            and rule.rule.rsplit("/", 1)[-1] not in ACTIONS_WITHOUT_BODY
        ):
            pytest.fail(f"add a valid body for {method} {rule.rule} to BODIES")
        response = a._call(method, path[len(PREFIX) :], **kwargs)
        assert response.status_code == 404, (method, rule.rule, response.json)
        assert response.json["error"]["code"] == "not_found"
        walked += 1
    assert walked >= 15
    after = store_b["staff"].get(f"/customers/{store_b['customer_id']}").json
    for key in ("name", "status", "tags", "custom_fields", "has_photo", "upcoming_bookings"):
        assert after[key] == store_b["card"][key], key
    note = store_b["staff"].get(f"/notes/{store_b['note_id']}").json
    assert (note["text"], note["pinned"], len(note["files"])) == ("B's secret note", False, 1)
    assert after["addresses"] == store_b["card"]["addresses"] != []
    requests = store_b["staff"].get("/erasure-requests").json["items"]
    assert [r["status"] for r in requests] == ["pending"]


def test_lists_never_show_another_stores_rows(api_app, store_b):
    a = Staff(api_app, "a")
    own = a.create(email="a@example.com")
    listed = a.get("/customers", query_string={"status": ["active", "inactive", "blocked"]})
    assert [row["id"] for row in listed.json["items"]] == [own["id"]]
    assert a.get("/customers", query_string={"q": "b@example.com"}).json["items"] == []
    assert a.get("/customers", query_string={"include_total": 1}).json["total"] == 1
    assert a.get("/tags").json["items"] == []
    assert a.get("/fields").json["items"] == []
    assert a.get("/erasure-requests").json["items"] == []
    assert a.get("/customers", query_string={"tag": "secret"}).json["items"] == []
    bulk = a.post("/customers/bulk", json={"action": "delete", "ids": [store_b["customer_id"]]})
    assert bulk.status_code == 404
    over_filter = a.post("/customers/bulk", json={"action": "tag", "tag": "x", "filter": {}})
    assert over_filter.json == {"action": "tag", "matched": 1, "changed": 1}
    assert store_b["staff"].get(f"/customers/{store_b['customer_id']}").status_code == 200


def test_a_staff_member_cannot_choose_another_store_by_token(api_app, store_b):
    # the host's authorize hook refuses a token for store a acting on store b
    intruder = Staff(api_app, "b")
    intruder.headers = {"Authorization": "Bearer a:*"}
    response = intruder.get(f"/customers/{store_b['customer_id']}")
    assert response.status_code == 404
