"""Replies by email: a signed delivery to ``POST /inbound/email`` lands in the thread its reply
token or ``In-Reply-To`` names, once (a second delivery is a duplicate), with its files within
the limits, the thread's unread count up and ``message_received`` announced after commit.
Unsigned, wrongly signed, stale or replayed-late deliveries are refused; without a secret the
endpoint is off; mail naming no thread is kept nowhere, even when its sender is a customer.
Files come back as safe downloads, only in their store. The CLI reads an mbox."""

from __future__ import annotations

import mailbox
import time
import uuid
from email.message import EmailMessage
from typing import Any

import pytest
from sqlalchemy import select

from customers_plugin import hookimpl
from customers_plugin.models import Activity, Message, MessageAttachment, Thread
from customers_plugin.services.inbound.signature import sign
from customers_plugin.types import utcnow

from .conftest import PREFIX, BearerAuth, Staff

SECRET = "s3cret-for-tests"
TOKEN = "0123456789abcdef0123456789abcdef"
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


class Listener:
    """Records ``message_received`` and whether the message was committed when it came."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.app: Any = None

    @hookimpl
    def message_received(self, customer: Any, message_id: str, channel: str) -> None:
        with self.app.extensions["customers"].db.reading() as session:
            committed = session.get(Message, uuid.UUID(message_id)) is not None
        self.calls.append(
            {
                "customer": customer.id,
                "message_id": message_id,
                "channel": channel,
                "committed": committed,
            }
        )


@pytest.fixture
def listener() -> Listener:
    return Listener()


@pytest.fixture
def inbound_app(make_app, recorder, listener, tmp_path):
    app = make_app(
        CUSTOMERS_PLUGINS=[recorder, BearerAuth(), listener],
        CUSTOMERS_ATTACHMENTS_FOLDER=str(tmp_path / "attachments"),
        CUSTOMERS_INBOUND_SECRET=SECRET,
        CUSTOMERS_INBOUND_MAX_BYTES=200_000,
        CUSTOMERS_INBOUND_FILE_MAX_BYTES=1000,
        CUSTOMERS_INBOUND_FILE_MAX_COUNT=2,
        CUSTOMERS_INBOUND_FILE_TYPES=["application/pdf", "text/plain"],
    )
    listener.app = app
    return app


@pytest.fixture
def staff(inbound_app) -> Staff:
    return Staff(inbound_app)


def _thread(app: Any, store: str, customer_id: str, token: str, sent_id: str) -> Thread:
    """A thread the store started, with the outbound email the customer answers."""
    now = utcnow()
    with app.extensions["customers"].db.transaction() as session:
        thread = Thread(
            store_id=store,
            customer_id=uuid.UUID(customer_id),
            subject="Your order",
            channel="email",
            reply_token=token,
            origin="card",
            unread_count=0,
            last_message_at=now,
            created_at=now,
        )
        session.add(thread)
        session.flush()
        session.add(
            Message(
                store_id=store,
                customer_id=thread.customer_id,
                thread_id=thread.id,
                direction="out",
                channel="email",
                purpose="transactional",
                address="layla@example.com",
                subject="Your order",
                body="When should we deliver?",
                state="sent",
                external_id=sent_id,
                created_at=now,
            )
        )
    return thread


@pytest.fixture
def layla(staff) -> dict[str, Any]:
    cid = staff.create(email="layla@example.com")["id"]
    thread = _thread(staff.app, "a", cid, TOKEN, "<out-1@shop.example>")
    return {"id": cid, "thread_id": str(thread.id)}


def mail(
    *,
    to: str = f"reply+{TOKEN}@mail.shop.example",
    message_id: str | None = "<r1@mail.example.com>",
    body: str = "Tuesday is fine.\n\nOn Mon, Shop wrote:\n> When?",
    files: tuple[tuple[str, str, bytes], ...] = (),
    **headers: str,
) -> bytes:
    message = EmailMessage()
    message["From"] = "Layla <layla@example.com>"
    message["To"] = to
    message["Subject"] = "Re: Your order"
    if message_id:
        message["Message-ID"] = message_id
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    for filename, content_type, data in files:
        maintype, subtype = content_type.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()


def post(app: Any, raw: bytes, *, secret: str = SECRET, at: float | None = None, **kw: Any) -> Any:
    stamp = int(time.time() if at is None else at)
    headers = {
        "X-Customers-Timestamp": str(stamp),
        "X-Customers-Signature": sign(secret, raw, stamp),
        **kw.pop("headers", {}),
    }
    content_type = kw.pop("content_type", "message/rfc822")
    return app.test_client().post(
        f"{PREFIX}/inbound/email", data=raw, headers=headers, content_type=content_type, **kw
    )


def _messages(app: Any, thread_id: str) -> list[Message]:
    with app.extensions["customers"].db.reading() as session:
        return list(
            session.scalars(
                select(Message)
                .where(Message.thread_id == uuid.UUID(thread_id))
                .order_by(Message.created_at, Message.id)
            )
        )


def _unread(app: Any, thread_id: str) -> int:
    with app.extensions["customers"].db.reading() as session:
        return session.get(Thread, uuid.UUID(thread_id)).unread_count


def test_a_reply_to_the_token_address_joins_its_thread_and_is_announced(
    inbound_app, staff, layla, listener
):
    response = post(inbound_app, mail())
    assert response.status_code == 201, response.json
    assert response.json["outcome"] == "stored"
    assert response.json["thread_id"] == layla["thread_id"]
    inbound = _messages(inbound_app, layla["thread_id"])[-1]
    assert str(inbound.id) == response.json["message_id"]
    assert (inbound.direction, inbound.state, inbound.channel) == ("in", "received", "email")
    assert (inbound.body, inbound.subject) == ("Tuesday is fine.", "Re: Your order")
    assert (inbound.address, inbound.external_id) == ("layla@example.com", "<r1@mail.example.com>")
    assert _unread(inbound_app, layla["thread_id"]) == 1
    assert listener.calls == [
        {
            "customer": layla["id"],
            "message_id": str(inbound.id),
            "channel": "email",
            "committed": True,
        }
    ]
    items = staff.get(f"/customers/{layla['id']}/timeline?kind=message").json["items"]
    assert next((i["id"], i["data"]["direction"]) for i in items) == (str(inbound.id), "in")
    activity = staff.get(f"/customers/{layla['id']}/timeline?kind=activity").json["items"]
    assert "message_received" not in [i["data"]["event"] for i in activity]
    with inbound_app.extensions["customers"].db.reading() as session:
        line = session.scalar(select(Activity).where(Activity.kind == "message_received"))
    assert line.data["message_id"] == str(inbound.id) and "layla" not in str(line.data)


def test_in_reply_to_an_outbound_message_finds_the_thread_without_a_token(inbound_app, layla):
    raw = mail(to="shop@shop.example", In_Reply_To="<out-1@shop.example>")
    response = post(inbound_app, raw)
    assert response.status_code == 201, response.json
    assert response.json["thread_id"] == layla["thread_id"]
    by_references = mail(
        to="shop@shop.example", message_id="<r2@x>", References="<zz@x> <out-1@shop.example>"
    )
    assert post(inbound_app, by_references).json["thread_id"] == layla["thread_id"]


def test_the_same_mail_delivered_twice_is_kept_once(inbound_app, layla, listener):
    first = post(inbound_app, mail())
    again = post(inbound_app, mail())
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json["outcome"] == "duplicate"
    assert again.json["message_id"] == first.json["message_id"]
    assert len([m for m in _messages(inbound_app, layla["thread_id"]) if m.direction == "in"]) == 1
    assert _unread(inbound_app, layla["thread_id"]) == 1
    assert len(listener.calls) == 1


def test_a_mail_without_message_id_is_recognised_by_its_content(inbound_app, layla):
    raw = mail(message_id=None)
    assert post(inbound_app, raw).status_code == 201
    assert post(inbound_app, raw).json["outcome"] == "duplicate"


def test_mail_naming_no_thread_is_kept_nowhere_even_from_a_customers_address(
    inbound_app, staff, layla, listener
):
    for raw in (
        mail(to="reply+ffffffffffffffffffffffffffffffff@mail.shop.example"),
        mail(to="hello@shop.example", In_Reply_To="<unknown@x>"),
    ):
        response = post(inbound_app, raw)
        assert response.status_code == 202, response.json
        assert response.json == {
            "outcome": "unmatched",
            "message_id": None,
            "thread_id": None,
            "files": 0,
            "refused_files": 0,
        }
    assert len(_messages(inbound_app, layla["thread_id"])) == 1  # only the outbound one
    assert listener.calls == []


def test_another_stores_thread_takes_its_reply_in_its_own_store(inbound_app, staff, layla):
    other = staff.as_("b").create(email="layla@example.com")["id"]
    token_b = "b" * 32
    thread_b = _thread(inbound_app, "b", other, token_b, "<out-b@shop.example>")
    response = post(inbound_app, mail(to=f"reply+{token_b}@mail.shop.example"))
    assert response.json["thread_id"] == str(thread_b.id)
    message = _messages(inbound_app, str(thread_b.id))[-1]
    assert (message.store_id, str(message.customer_id)) == ("b", other)
    assert _unread(inbound_app, layla["thread_id"]) == 0
    assert staff.get(f"/customers/{other}/timeline").status_code == 404


def test_an_erased_customers_thread_takes_no_mail(inbound_app, staff, layla):
    assert staff.post(f"/customers/{layla['id']}/anonymize").status_code == 200
    assert post(inbound_app, mail()).json["outcome"] == "unmatched"


@pytest.mark.parametrize(
    "change",
    ["no signature", "no timestamp", "wrong secret", "stale", "future", "body changed", "bad"],
)
def test_unsigned_wrongly_signed_or_stale_deliveries_are_refused(inbound_app, layla, change):
    raw = mail()
    stamp = int(time.time())
    headers = {
        "X-Customers-Timestamp": str(stamp),
        "X-Customers-Signature": sign(SECRET, raw, stamp),
    }
    if change == "no signature":
        del headers["X-Customers-Signature"]
    elif change == "no timestamp":
        del headers["X-Customers-Timestamp"]
    elif change == "wrong secret":
        headers["X-Customers-Signature"] = sign("other", raw, stamp)
    elif change in ("stale", "future"):
        moved = stamp - 301 if change == "stale" else stamp + 301
        headers = {
            "X-Customers-Timestamp": str(moved),
            "X-Customers-Signature": sign(SECRET, raw, moved),
        }
    elif change == "body changed":
        raw = raw.replace(b"Tuesday", b"Friday!")
    else:
        headers["X-Customers-Timestamp"] = "12ab"
    response = inbound_app.test_client().post(
        f"{PREFIX}/inbound/email", data=raw, headers=headers, content_type="message/rfc822"
    )
    assert response.status_code == 401, response.json
    assert response.json["error"]["code"] == "invalid_signature"
    assert len(_messages(inbound_app, layla["thread_id"])) == 1


def test_a_signed_delivery_replayed_within_the_window_is_a_duplicate(inbound_app, layla):
    raw = mail()
    stamp = int(time.time()) - 200
    assert post(inbound_app, raw, at=stamp).status_code == 201
    assert post(inbound_app, raw, at=stamp).json["outcome"] == "duplicate"


def test_without_a_secret_the_endpoint_is_off(make_app, recorder):
    app = make_app(CUSTOMERS_PLUGINS=[recorder, BearerAuth()])
    response = post(app, mail())
    assert response.status_code == 404
    assert response.json["error"]["code"] == "inbound_disabled"


def test_only_raw_emails_within_the_size_limit_are_read(inbound_app, layla):
    assert post(inbound_app, mail(), content_type="application/json").status_code == 415
    assert post(inbound_app, mail(), content_type="application/octet-stream").status_code == 201
    big = mail(message_id="<big@x>", body="x" * 250_000)
    response = post(inbound_app, big)
    assert response.status_code == 413
    assert len(_messages(inbound_app, layla["thread_id"])) == 2


def test_files_within_the_limits_are_kept_and_served_back_safely(inbound_app, staff, layla):
    files = (
        ("invoice.pdf", "application/pdf", PDF),
        ("page.html", "text/html", b"<script>alert(1)</script>\x00"),
        ("huge.pdf", "application/pdf", PDF + b"x" * 2000),
        ("notes.txt", "text/plain", "ملاحظة".encode()),
        ("third.pdf", "application/pdf", PDF),
    )
    response = post(inbound_app, mail(files=files))
    assert response.status_code == 201, response.json
    assert (response.json["files"], response.json["refused_files"]) == (2, 3)
    message_id = response.json["message_id"]
    with inbound_app.extensions["customers"].db.reading() as session:
        rows = list(
            session.scalars(
                select(MessageAttachment)
                .where(MessageAttachment.message_id == uuid.UUID(message_id))
                .order_by(MessageAttachment.filename)
            )
        )
    assert [(r.filename, r.content_type) for r in rows] == [
        ("invoice.pdf", "application/pdf"),
        ("notes.txt", "text/plain"),
    ]
    download = staff.get(f"/messages/{message_id}/attachments/{rows[0].id}")
    assert download.status_code == 200
    assert download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"].startswith('attachment; filename="invoice.pdf"')
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    text = staff.get(f"/messages/{message_id}/attachments/{rows[1].id}")
    assert text.headers["Content-Type"] == "text/plain; charset=utf-8"
    # another store, another message, an unknown file: not found
    assert staff.as_("b").get(f"/messages/{message_id}/attachments/{rows[0].id}").status_code == 404
    assert staff.get(f"/messages/{uuid.uuid4()}/attachments/{rows[0].id}").status_code == 404
    assert staff.get(f"/messages/{message_id}/attachments/{uuid.uuid4()}").status_code == 404
    assert (
        staff.as_(perms="customers.write")
        .get(f"/messages/{message_id}/attachments/{rows[0].id}")
        .status_code
        == 403
    )


def test_the_cli_reads_an_mbox_and_says_what_became_of_each_email(inbound_app, layla, tmp_path):
    path = tmp_path / "inbox.mbox"
    box = mailbox.mbox(path)
    for raw in (
        mail(),
        mail(),
        mail(to="reply+ffffffffffffffffffffffffffffffff@x.example", message_id="<u@x>"),
        mail(message_id="<big@x>", body="y" * 250_000),
    ):
        box.add(raw)
    box.flush()
    box.close()
    runner = inbound_app.test_cli_runner()
    result = runner.invoke(args=["customers", "inbound", "read-mbox", str(path)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    stored = _messages(inbound_app, layla["thread_id"])[-1]
    assert lines[0] == f"1: stored message={stored.id} thread={layla['thread_id']}"
    assert lines[1] == f"2: duplicate message={stored.id} thread={layla['thread_id']}"
    assert lines[2] == "3: unmatched"
    assert lines[3].startswith("4: too_large ")
    assert lines[4] == "customers: inbound 1 duplicate, 1 stored, 1 too_large, 1 unmatched"
    assert "layla" not in result.output
    again = runner.invoke(args=["customers", "inbound", "read-mbox", str(path)])
    assert (
        again.output.splitlines()[-1] == "customers: inbound 2 duplicate, 1 too_large, 1 unmatched"
    )


def test_the_cli_reads_a_maildir(inbound_app, layla, tmp_path):
    box = mailbox.Maildir(tmp_path / "Maildir")
    box.add(mail(message_id="<md@x>"))
    result = inbound_app.test_cli_runner().invoke(
        args=["customers", "inbound", "read-maildir", str(tmp_path / "Maildir")]
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "customers: inbound 1 stored"


def test_the_reply_address_setting_says_where_the_token_is(make_app, recorder, listener, tmp_path):
    app = make_app(
        CUSTOMERS_PLUGINS=[recorder, BearerAuth(), listener],
        CUSTOMERS_ATTACHMENTS_FOLDER=str(tmp_path / "attachments"),
        CUSTOMERS_INBOUND_SECRET=SECRET,
        CUSTOMERS_REPLY_ADDRESS="{token}@reply.shop.example",
    )
    cid = Staff(app).create(email="layla@example.com")["id"]
    thread = _thread(app, "a", cid, TOKEN, "<out-1@shop.example>")
    response = post(app, mail(to=f"Shop <{TOKEN}@reply.shop.example>"))
    assert response.json["thread_id"] == str(thread.id)
    # addresses are read in lower case, as the tokens are made
    shouted = mail(to=f"Shop <{TOKEN.upper()}@Reply.Shop.Example>", message_id="<r9@x>")
    assert post(app, shouted).json["thread_id"] == str(thread.id)
    elsewhere = mail(to=f"reply+{TOKEN}@other.example", message_id="<r10@x>")
    assert post(app, elsewhere).json["outcome"] == "unmatched"


def test_erasing_the_customer_removes_inbound_messages_and_their_files(
    inbound_app, staff, layla, tmp_path
):
    response = post(inbound_app, mail(files=(("invoice.pdf", "application/pdf", PDF),)))
    message_id = response.json["message_id"]
    export = staff.get(f"/customers/{layla['id']}/export").json
    (thread,) = export["threads"]
    inbound = [m for m in thread["messages"] if m["direction"] == "in"]
    assert [(m["id"], m["body"]) for m in inbound] == [(message_id, "Tuesday is fine.")]
    assert [a["filename"] for a in inbound[0]["attachments"]] == ["invoice.pdf"]
    stored = [p for p in (tmp_path / "attachments").rglob("*") if p.is_file()]
    assert [p.read_bytes() for p in stored] == [PDF]
    assert staff.post(f"/customers/{layla['id']}/anonymize").status_code == 200
    assert [p for p in (tmp_path / "attachments").rglob("*") if p.is_file()] == []
    with inbound_app.extensions["customers"].db.reading() as session:
        assert session.scalars(select(Message).where(Message.direction == "in")).all() == []
        assert session.scalars(select(MessageAttachment)).all() == []


def test_the_endpoint_off_says_so_in_hebrew(make_app, recorder):
    app = make_app(CUSTOMERS_PLUGINS=[recorder, BearerAuth()])
    response = post(app, mail(), headers={"Accept-Language": "he"})
    assert response.status_code == 404
    assert response.json["error"] == {
        "code": "inbound_disabled",
        "message": "דואר נכנס אינו מוגדר (CUSTOMERS_INBOUND_SECRET)",
    }
