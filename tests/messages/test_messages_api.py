"""Sending messages to customers through the API: queued then sent once by the job, consent per
channel, the RFC 8058 headers of marketing email, the unsubscribe link, the SMS sender name,
templates in the customer's language, delivery reports, threads and unread counts, the rate
limit, the bulk action and store isolation."""

from __future__ import annotations

import datetime as dt
import json
import uuid

from sqlalchemy import select

from customers_plugin import report_delivery
from customers_plugin.models import ConsentEvent, Message, Thread
from customers_plugin.services.messages import deliver
from customers_plugin.services.messages.delivery import sign
from customers_plugin.types import utcnow

from .conftest import PUBLIC_URL, new_customer, send


def _state(app):
    return app.extensions["customers"]


def _message(app, message_id):
    with _state(app).db.session() as session:
        return session.get(Message, uuid.UUID(message_id))


def test_a_message_is_queued_then_sent_once_even_if_the_job_runs_twice(
    staff, channels, messages_app
):
    cid = new_customer(staff)
    response = send(staff, cid, subject="Your order", body="It ships today, {first_name}.")
    assert response.status_code == 202, response.json
    queued = response.json
    assert queued["state"] == "queued"
    assert queued["body"] == "It ships today, Sara."
    assert queued["sent_by"] == "s1"
    # the job ran after commit (inline); running it again sends nothing more
    assert deliver(_state(messages_app), uuid.UUID(queued["id"])) == "not_claimed"
    [sent] = channels.sent
    assert (sent["to"], sent["subject"]) == ("sara@example.sa", "Your order")
    row = _message(messages_app, queued["id"])
    assert (row.state, row.provider_id) == ("sent", "p-1")
    assert sent["message_id"] == row.external_id
    assert sent["headers"]["Reply-To"].startswith("reply+")
    thread = staff.get(f"/threads/{queued['thread_id']}").json
    assert [m["state"] for m in thread["messages"]] == ["sent"]
    assert thread["subject"] == "Your order"


def test_a_provider_error_marks_the_message_failed_with_its_kind(staff, channels, messages_app):
    cid = new_customer(staff)
    channels.fail = True
    queued = send(staff, cid).json
    row = _message(messages_app, queued["id"])
    assert (row.state, row.failure_reason) == ("failed", "ConnectionError")


def test_marketing_needs_consent_on_that_channel(staff, channels):
    cid = new_customer(staff, phone="+966501234567", marketing_consent="subscribed")
    email = send(staff, cid, purpose="marketing")
    assert email.status_code == 202, email.json
    sms = send(staff, cid, channel="sms", purpose="marketing", subject=None, body="Sale!")
    assert sms.status_code == 409
    assert sms.json["error"]["code"] == "no_consent"
    assert staff.patch(f"/customers/{cid}", json={"sms_consent": "subscribed"}).status_code == 200
    sms = send(staff, cid, channel="sms", purpose="marketing", subject=None, body="Sale!")
    assert sms.status_code == 202, sms.json
    transactional = new_customer(staff, "noconsent@example.sa")
    assert send(staff, transactional, purpose="transactional").status_code == 202
    assert send(staff, transactional, purpose="marketing").json["error"]["code"] == "no_consent"
    assert [m["channel"] for m in channels.sent] == ["email", "sms", "email"]
    card = staff.get(f"/customers/{cid}").json
    assert (card["sms_consent"], card["marketing_consent"]) == ("subscribed", "subscribed")


def test_marketing_email_carries_rfc_8058_headers_and_transactional_none(staff, channels):
    cid = new_customer(staff, marketing_consent="subscribed")
    send(staff, cid, purpose="marketing", body="Sale on now")
    send(staff, cid, purpose="transactional", body="Your receipt")
    marketing, transactional = channels.sent
    link = marketing["headers"]["List-Unsubscribe"]
    assert link.startswith(f"<{PUBLIC_URL}/api/v1/unsubscribe/") and link.endswith(">")
    assert marketing["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link[1:-1] in marketing["body"]
    assert "List-Unsubscribe" not in transactional["headers"]
    assert "unsubscribe" not in transactional["body"]


def test_the_unsubscribe_link_unsubscribes_and_records_the_history(staff, channels, messages_app):
    cid = new_customer(staff, marketing_consent="subscribed")
    send(staff, cid, purpose="marketing")
    url = channels.sent[0]["headers"]["List-Unsubscribe"][1:-1]
    path = url[len(PUBLIC_URL) :]
    client = messages_app.test_client()
    page = client.get(path)
    assert page.status_code == 200
    assert page.mimetype == "text/html"
    assert b'<form method="post">' in page.data
    assert staff.get(f"/customers/{cid}").json["marketing_consent"] == "subscribed"  # GET: no
    done = client.post(path, data="List-Unsubscribe=One-Click")
    assert done.status_code == 200, done.json
    assert done.json == {"channel": "email", "subscribed": False}
    assert client.post(path).status_code == 200  # twice: changes nothing
    card = staff.get(f"/customers/{cid}").json
    assert card["marketing_consent"] == "unsubscribed"
    with _state(messages_app).db.session() as session:
        history = session.scalars(
            select(ConsentEvent.source).where(ConsentEvent.customer_id == uuid.UUID(cid))
        ).all()
    assert history.count("unsubscribe_link") == 1
    assert send(staff, cid, purpose="marketing").json["error"]["code"] == "no_consent"
    assert b"<form" not in client.get(path).data
    assert client.post(path[:-3] + "xyz").status_code == 404  # altered


def test_sms_without_the_stores_sender_name_is_refused(staff, channels, messages_app):
    cid = new_customer(staff, phone="+966501234567")
    sms = send(staff, cid, channel="sms", subject=None, body="Your table is ready")
    assert sms.status_code == 202, sms.json
    assert channels.sent[0]["sender_name"] == "ShopA"
    b = staff.as_(store="b")
    other = b.create(email="b@example.sa", phone="+966501234568")["id"]
    refused = send(b, other, channel="sms", subject=None, body="Hi")
    assert refused.status_code == 409
    assert refused.json["error"]["code"] == "sms_sender_missing"
    with _state(messages_app).db.session() as session:
        assert session.scalar(select(Message).where(Message.store_id == "b")) is None


def test_a_message_without_an_address_or_with_a_bad_subject_is_refused(staff):
    cid = new_customer(staff)
    no_phone = send(staff, cid, channel="sms", subject=None, body="x")
    assert no_phone.json["error"]["code"] == "no_address"
    no_subject = send(staff, cid, subject=None)
    assert no_subject.status_code == 422
    assert "subject" in no_subject.json["error"]["fields"]


def test_templates_use_the_customers_language_and_fill_placeholders(staff, channels):
    staff.post("/fields", json={"label": "Dog", "type": "text"})
    en = new_customer(staff, custom_fields={"dog": "Rex"}, language="en-GB")
    ar = staff.create(email="huda@example.sa", name="Huda Saleh", language="ar")["id"]
    assert send(staff, en, template="welcome", subject=None, body=None).status_code == 202
    assert send(staff, ar, template="welcome", subject=None, body=None).status_code == 202
    english, arabic = channels.sent
    assert (english["subject"], english["body"]) == ("Welcome to Shop A", "Hi Sara, dog: Rex")
    assert (arabic["subject"], arabic["body"]) == ("أهلا Huda", "مرحبا Huda Saleh")


def test_unknown_templates_and_placeholders_are_clear_422s(staff, channels):
    cid = new_customer(staff)
    unknown = send(staff, cid, template="nope", body=None)
    assert unknown.status_code == 422
    assert unknown.json["error"]["fields"]["template"] == ["unknown template 'nope'"]
    for body in ("{name.__class__}", "{name:>999999999}", "{secret}", "{name!r}", "{", "{0}"):
        refused = send(staff, cid, body=body)
        assert refused.status_code == 422, body
        assert "body" in refused.json["error"]["fields"], body
    assert send(staff, cid, body="{{literal}} {name}").json["body"] == "{literal} Sara Ali"
    assert len(channels.sent) == 1


def test_delivery_reports_only_move_the_state_forward(staff, channels, messages_app):
    cid = new_customer(staff)
    message_id = send(staff, cid).json["id"]
    path = f"/messages/{message_id}/delivery"
    delivered = staff.post(path, json={"state": "delivered"})
    assert delivered.json == {"id": message_id, "state": "delivered", "changed": True}
    late = staff.post(path, json={"state": "sent"})
    assert late.json == {"id": message_id, "state": "delivered", "changed": False}
    bounced = staff.post(path, json={"state": "bounced", "reason": "mailbox full"})
    assert bounced.json["state"] == "bounced"
    assert staff.post(path, json={"state": "failed"}).json["changed"] is False
    row = _message(messages_app, message_id)
    assert (row.state, row.failure_reason) == ("bounced", "mailbox full")
    assert row.delivered_at is not None
    assert staff.as_(perms="customers.read").post(path, json={"state": "sent"}).status_code == 403


def test_the_signed_webhook_and_the_plugin_function_report_by_provider_id(
    staff, channels, messages_app
):
    cid = new_customer(staff)
    message_id = send(staff, cid).json["id"]
    client = messages_app.test_client()
    body = json.dumps({"provider_id": "p-1", "state": "delivered"}).encode()
    unsigned = client.post("/api/v1/deliveries/email", data=body, content_type="application/json")
    assert unsigned.status_code == 401
    assert unsigned.json["error"]["code"] == "bad_signature"
    forged = {"X-Customers-Signature": sign("wrong", body)}
    assert client.post("/api/v1/deliveries/email", data=body, headers=forged).status_code == 401
    signed = {"X-Customers-Signature": sign("hook-secret", body)}
    answer = client.post(
        "/api/v1/deliveries/email", data=body, headers=signed, content_type="application/json"
    )
    assert answer.status_code == 200, answer.json
    assert answer.json == {"id": message_id, "state": "delivered", "changed": True}
    with messages_app.app_context():
        assert report_delivery("email", "p-1", "bounced", "no such user") is True
        assert report_delivery("email", "p-1", "delivered") is False
    assert _message(messages_app, message_id).state == "bounced"


def test_threads_list_unread_counts_and_reading_marks_read(staff, channels, messages_app):
    cid = new_customer(staff)
    first = send(staff, cid, subject="Booking").json
    reply = send(staff, cid, body="And another thing", thread_id=first["thread_id"]).json
    assert reply["thread_id"] == first["thread_id"]
    second = send(staff, cid, subject="Other").json
    with _state(messages_app).db.transaction() as session:  # a reply came in
        thread = session.get(Thread, uuid.UUID(first["thread_id"]))
        session.add(
            Message(
                store_id="a",
                customer_id=uuid.UUID(cid),
                thread_id=thread.id,
                direction="in",
                channel="email",
                body="Thanks!",
                state="received",
                created_at=utcnow() + dt.timedelta(seconds=1),
            )
        )
        thread.unread_count = 1
        thread.last_message_at = utcnow() + dt.timedelta(seconds=1)
    page = staff.get(f"/customers/{cid}/threads", query_string={"limit": 1}).json
    assert [(t["id"], t["unread_count"]) for t in page["items"]] == [(first["thread_id"], 1)]
    rest = staff.get(f"/customers/{cid}/threads", query_string={"cursor": page["next_cursor"]})
    assert [t["id"] for t in rest.json["items"]] == [second["thread_id"]]
    read = staff.get(f"/threads/{first['thread_id']}").json
    assert [m["direction"] for m in read["messages"]] == ["out", "out", "in"]
    assert read["unread_count"] == 0
    assert read["messages"][2]["read_at"] is not None
    listed = staff.get(f"/customers/{cid}/threads").json["items"]
    assert listed[0]["unread_count"] == 0
    paged = staff.get(f"/threads/{first['thread_id']}", query_string={"limit": 2}).json
    assert len(paged["messages"]) == 2 and paged["next_cursor"]
    other = new_customer(staff, "other@example.sa")
    wrong = send(staff, other, thread_id=first["thread_id"])
    assert wrong.status_code == 404  # a thread of another customer


def test_sending_needs_the_message_permission(staff):
    cid = new_customer(staff)
    writer = staff.as_(perms="customers.read,customers.write")
    assert send(writer, cid).status_code == 403
    assert writer.get(f"/customers/{cid}/threads").status_code == 200
    assert send(staff.as_(perms="customers.message"), cid).status_code == 202


def test_over_the_stores_rate_a_single_send_answers_429(
    make_app, recorder, channels, messages_config
):
    from tests.api.conftest import BearerAuth, Staff

    app = make_app(
        CUSTOMERS_PLUGINS=[recorder, BearerAuth(), channels],
        CUSTOMERS_MESSAGE_RATE_PER_MINUTE={"a": 2},
        **messages_config,
    )
    staff = Staff(app)
    cid = new_customer(staff)
    assert [send(staff, cid).status_code for _ in range(2)] == [202, 202]
    refused = send(staff, cid)
    assert refused.status_code == 429
    assert refused.json["error"]["code"] == "rate_limited"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    other_store = Staff(app, "b")
    assert send(other_store, other_store.create(email="x@example.sa")["id"]).status_code == 202


def test_bulk_message_by_filter_skips_and_counts_those_without_consent(
    make_app, recorder, channels, messages_config
):
    from customers_plugin.services.messages import send_queued
    from tests.api.conftest import BearerAuth, Staff

    app = make_app(
        CUSTOMERS_PLUGINS=[recorder, BearerAuth(), channels],
        CUSTOMERS_MESSAGE_RATE_PER_MINUTE=2,
        **messages_config,
    )
    staff = Staff(app)
    for n in range(3):
        staff.create(email=f"fan{n}@example.sa", name=f"Fan {n}", marketing_consent="subscribed")
    staff.create(email="quiet@example.sa", name="Quiet")
    staff.create(phone="+966501234567", name="Phone only", marketing_consent="subscribed")
    body = {
        "action": "message",
        "filter": {"marketing_consent": ["subscribed"]},
        "message": {
            "channel": "email",
            "purpose": "marketing",
            "subject": "Sale",
            "body": "Hi {first_name}",
        },
    }
    result = staff.post("/customers/bulk", json=body)
    assert result.status_code == 200, result.json
    assert result.json == {"action": "message", "matched": 4, "changed": 3}
    # the rate (2 a minute) deferred the third: it waits, queued, for the next run
    assert len(channels.sent) == 2
    later = utcnow() + dt.timedelta(minutes=2)
    assert send_queued(_state(app), later) == {"sent": 1}
    assert sorted(m["body"].split("\n")[0] for m in channels.sent) == [
        "Hi Fan",
        "Hi Fan",
        "Hi Fan",
    ]
    assert staff.as_(perms="customers.write").post("/customers/bulk", json=body).status_code == 403


def test_another_stores_thread_and_message_answer_404(staff, channels):
    cid = new_customer(staff)
    sent = send(staff, cid).json
    b = staff.as_(store="b")
    assert b.get(f"/threads/{sent['thread_id']}").status_code == 404
    assert b.get(f"/customers/{cid}/threads").status_code == 404
    assert b.post(f"/messages/{sent['id']}/delivery", json={"state": "sent"}).status_code == 404
    assert send(b, cid).status_code == 404


def test_the_cli_sends_what_the_rate_deferred(make_app, recorder, channels, messages_config):
    from click.testing import CliRunner

    from customers_plugin.cli import customers_cli
    from tests.api.conftest import BearerAuth, Staff

    app = make_app(
        CUSTOMERS_PLUGINS=[recorder, BearerAuth(), channels],
        CUSTOMERS_MESSAGE_RATE_PER_MINUTE=1,
        **messages_config,
    )
    staff = Staff(app)
    ids = [staff.create(email=f"c{n}@example.sa")["id"] for n in range(2)]
    message = {"channel": "email", "purpose": "transactional", "subject": "S", "body": "B"}
    bulk = staff.post("/customers/bulk", json={"action": "message", "ids": ids, "message": message})
    assert bulk.json["changed"] == 2
    assert len(channels.sent) == 1  # the second waits for the rate
    app.config["CUSTOMERS_MESSAGE_RATE_PER_MINUTE"] = None  # the merchant lifts the limit
    with app.app_context():
        result = CliRunner().invoke(customers_cli, ["messages", "send-queued"], obj=app.cli)
    assert result.exit_code == 0, result.output
    assert "'sent': 1" in result.output
    assert len(channels.sent) == 2


def test_the_missing_sms_sender_name_is_explained_in_arabic(staff, channels):
    b = staff.as_(store="b")
    other = b.create(email="b@example.sa", phone="+966501234568")["id"]
    body = {"channel": "sms", "purpose": "transactional", "body": "Hi"}
    refused = b.post(f"/customers/{other}/messages", json=body, headers={"Accept-Language": "ar"})
    assert refused.status_code == 409
    assert refused.json["error"] == {
        "code": "sms_sender_missing",
        "message": "ليس لهذا المتجر اسم مرسل للرسائل النصية: اضبط إعداد sms_sender_name "
        "(أو CUSTOMERS_SMS_SENDER_NAME)",
    }
