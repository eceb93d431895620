"""Review requests: the 409 refusal, the signed link to only the unreviewed orders, the
automatic request after delivery, exactly-once sending under retries, and channels."""

from __future__ import annotations

import datetime as dt
import email
import re
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from email import policy
from typing import Any

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select

from customers_plugin import hookimpl
from customers_plugin.events import Contact, ReviewSubmitted
from customers_plugin.models import ReviewRequest
from customers_plugin.services import review_requests
from customers_plugin.services.messages import channels

from .conftest import STORE, Shopper, deliver_order, place

NOW = dt.datetime.now(dt.UTC)


def _review(state, order_id, email="sara@example.sa"):
    state.hook.on_review_submitted(
        event=ReviewSubmitted(
            store_id=STORE,
            contact=Contact(email=email),
            review_id=f"r-{order_id}",
            product_id="p-1",
            rating=4,
            order_id=order_id,
        )
    )


def _body(message: dict[str, Any]) -> str:
    return email.message_from_bytes(message["raw"], policy=policy.default).get_content()


def _token(message: dict[str, Any]) -> str:
    return re.search(r"token=([A-Za-z0-9_.\-]+)", _body(message)).group(1)


def _requests(state):
    with state.db.session() as session:
        return session.scalars(select(ReviewRequest).order_by(ReviewRequest.created_at)).all()


def _pending(shop, token):
    return shop.test_client().get(f"/api/v1/me/reviews/pending?token={token}")


# -- the merchant's request -----------------------------------------------------------------


def test_request_is_refused_with_409_when_every_order_is_reviewed(state, staff, mailbox):
    cid = place(state, "o1")
    place(state, "o2")
    _review(state, "o1")
    _review(state, "o2")
    refused = staff.post(f"/customers/{cid}/review-requests")
    assert refused.status_code == 409
    assert refused.json["error"]["code"] == "nothing_to_review"
    assert mailbox.messages == []
    assert _requests(state) == []


def test_request_for_a_customer_without_orders_is_refused(state, staff):
    cid = staff.create(email="new@example.sa")["id"]
    assert staff.post(f"/customers/{cid}/review-requests").status_code == 409


def test_cancelled_orders_are_not_asked_for_a_review(state, staff):
    from customers_plugin.events import OrderUpdated

    cid = place(state, "o1")
    state.hook.on_order_updated(
        event=OrderUpdated(
            store_id=STORE,
            contact=Contact(email="sara@example.sa"),
            order_id="o1",
            status="cancelled",
        )
    )
    assert staff.post(f"/customers/{cid}/review-requests").status_code == 409


def test_request_sends_one_email_whose_link_lists_only_unreviewed_orders(
    shop, state, staff, mailbox
):
    cid = place(state, "o1", occurred_at=NOW - dt.timedelta(days=3))
    place(state, "o2", occurred_at=NOW - dt.timedelta(days=2))
    place(state, "o3", occurred_at=NOW - dt.timedelta(days=1))
    _review(state, "o2")
    accepted = staff.post(f"/customers/{cid}/review-requests")
    assert accepted.status_code == 202, accepted.json
    assert accepted.json["order_ids"] == ["o3", "o1"]
    [message] = mailbox.messages
    assert message["to"] == ["sara@example.sa"]
    assert message["from"] == "shop@shop.example"
    assert "https://shop.example/reviews?token=" in _body(message)
    pending = _pending(shop, _token(message))
    assert pending.status_code == 200
    assert [o["order_id"] for o in pending.json["orders"]] == ["o3", "o1"]
    _review(state, "o3")
    assert [o["order_id"] for o in _pending(shop, _token(message)).json["orders"]] == ["o1"]
    [logged] = staff.get(f"/customers/{cid}/review-requests").json["items"]
    assert (logged["status"], logged["trigger"], logged["channel"]) == ("sent", "manual", "email")


def test_request_needs_write_permission_and_the_right_store(state, staff):
    cid = place(state, "o1")
    assert (
        staff.as_(perms="customers.read").post(f"/customers/{cid}/review-requests").status_code
        == 403
    )
    assert staff.as_(store="b").post(f"/customers/{cid}/review-requests").status_code == 404


def test_tampered_link_answers_401(shop, state, staff, mailbox):
    cid = place(state, "o1")
    staff.post(f"/customers/{cid}/review-requests")
    token = _token(mailbox.messages[0])
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    response = _pending(shop, tampered)
    assert response.status_code == 401
    assert response.json["error"]["code"] == "invalid_link"


def test_expired_link_answers_401(shop, state):
    cid = place(state, "o1")

    class LongAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 31 * 86400

    old = URLSafeTimedSerializer("test-secret", salt="customers.review-request", signer=LongAgo)
    token = old.dumps({"s": STORE, "c": cid, "r": str(uuid.uuid4())})
    response = _pending(shop, token)
    assert response.status_code == 401
    assert response.json["error"]["code"] == "link_expired"


def test_signed_in_customer_sees_pending_reviews_without_a_link(shop, state, sara):
    place(state, "o1")
    place(state, "o2")
    _review(state, "o1")
    assert [o["order_id"] for o in sara.call("GET", "/reviews/pending").json["orders"]] == ["o2"]
    assert Shopper(shop, None).call("GET", "/reviews/pending").status_code == 401


def test_customer_without_email_is_unreachable_on_the_email_channel(state, staff):
    cid = staff.create(phone="+966501234567")["id"]
    with state.db.transaction() as session:
        from customers_plugin.models import OrderSummary
        from customers_plugin.types import new_id

        session.add(
            OrderSummary(
                id=new_id(),
                store_id=STORE,
                customer_id=uuid.UUID(cid),
                source="store",
                external_id="o9",
                status="placed",
                items=[],
            )
        )
    refused = staff.post(f"/customers/{cid}/review-requests")
    assert refused.status_code == 409
    assert refused.json["error"]["code"] == "unreachable"


# -- automatic requests after delivery ------------------------------------------------------


def test_delivered_order_gets_one_request_after_n_days(state, mailbox):
    place(state, "o1")
    deliver_order(state, "o1", NOW - dt.timedelta(days=8))
    deliver_order(state, "o1", NOW - dt.timedelta(days=8))  # a replayed event
    [scheduled] = _requests(state)
    assert scheduled.status == "scheduled"
    assert scheduled.due_at == NOW - dt.timedelta(days=1)
    state.jobs.submit("send_due_review_requests")
    state.jobs.submit("send_due_review_requests")
    assert len(mailbox.messages) == 1
    [sent] = _requests(state)
    assert (sent.status, sent.trigger, sent.attempts) == ("sent", "delivered", 1)


def test_request_is_not_sent_before_its_day(state, mailbox):
    place(state, "o1")
    deliver_order(state, "o1", NOW - dt.timedelta(days=6))
    state.jobs.submit("send_due_review_requests")
    assert mailbox.messages == []
    assert _requests(state)[0].status == "scheduled"


def test_a_store_can_turn_automatic_requests_off(make_app, host, mailbox):
    app = make_app(
        CUSTOMERS_PLUGINS=[host],
        CUSTOMERS_DEFAULT_STORE=STORE,
        CUSTOMERS_REVIEW_REQUEST_DAYS={STORE: None, "*": 3},
    )
    state = app.extensions["customers"]
    place(state, "o1")
    deliver_order(state, "o1", NOW - dt.timedelta(days=30))
    assert _requests(state) == []


def test_order_reviewed_before_the_day_is_skipped(state, mailbox):
    place(state, "o1")
    deliver_order(state, "o1", NOW - dt.timedelta(days=8))
    _review(state, "o1")
    state.jobs.submit("send_due_review_requests")
    assert mailbox.messages == []
    [skipped] = _requests(state)
    assert (skipped.status, skipped.error) == ("skipped", "all_reviewed")


class FlakyEmail:
    """An email provider that fails ``failures`` times, then delivers."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0
        self.sent: list[str] = []
        self._lock = threading.Lock()

    @hookimpl
    def send_message(self, store_id, channel, to, subject, body):
        with self._lock:
            self.calls += 1
            if self.calls <= self.failures:
                raise ConnectionError("provider down")
            self.sent.append(to)
            return f"m-{self.calls}"


def _app_with(make_app, host, provider, **config):
    app = make_app(
        SECRET_KEY="k",
        CUSTOMERS_PLUGINS=[host, provider],
        CUSTOMERS_DEFAULT_STORE=STORE,
        CUSTOMERS_REVIEW_PAGE_URL="https://shop.example/r/{token}",
        **config,
    )
    return app.extensions["customers"]


def test_retried_job_sends_exactly_one_message(make_app, host):
    provider = FlakyEmail(failures=1)
    state = _app_with(make_app, host, provider)
    place(state, "o1")
    deliver_order(state, "o1", NOW - dt.timedelta(days=8))
    [row] = _requests(state)
    with pytest.raises(ConnectionError):
        state.jobs.submit("send_review_request", str(row.id))
    assert _requests(state)[0].status == "failed"
    assert state.jobs.submit("send_review_request", str(row.id)) == "sent"
    assert state.jobs.submit("send_review_request", str(row.id)) == "not_claimed"
    state.jobs.submit("send_due_review_requests")
    assert provider.sent == ["sara@example.sa"]
    assert _requests(state)[0].attempts == 2


def test_concurrent_senders_of_one_request_send_once(make_app, host, backend):
    provider = FlakyEmail(failures=0)
    state = _app_with(
        make_app,
        host,
        provider,
        CUSTOMERS_ENGINE_OPTIONS={"pool_size": 10} if backend == "postgresql" else {},
    )
    place(state, "o1")
    deliver_order(state, "o1", NOW - dt.timedelta(days=8))
    [row] = _requests(state)
    barrier = threading.Barrier(8)

    def send(_: int) -> str:
        barrier.wait()
        return review_requests.deliver(state, row.id)

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(send, range(8)))
    assert sorted(outcomes) == ["not_claimed"] * 7 + ["sent"]
    assert provider.sent == ["sara@example.sa"]


# -- channels -------------------------------------------------------------------------------


class Sms:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    @hookimpl
    def send_message(self, store_id, channel, to, subject, body):
        if channel != "sms":
            return None
        self.sent.append((to, body))
        return "sms-1"


def test_store_channel_sms_goes_through_the_sms_provider(make_app, host, mailbox):
    sms = Sms()
    state = _app_with(
        make_app,
        host,
        sms,
        CUSTOMERS_REVIEW_REQUEST_CHANNEL={STORE: "sms"},
        CUSTOMERS_SMS_SENDER_NAMES={STORE: "Shop"},
    )
    place(state, "o1")
    from customers_plugin.events import OrderPlaced

    state.hook.on_order_placed(
        event=OrderPlaced(
            store_id=STORE,
            contact=Contact(email="sara@example.sa", phone="+966501234567"),
            order_id="o2",
            total="5",
            currency="SAR",
        )
    )
    deliver_order(state, "o2", NOW - dt.timedelta(days=8))
    state.jobs.submit("send_due_review_requests")
    [(to, body)] = sms.sent
    assert to == "+966501234567"
    assert "https://shop.example/r/" in body
    assert mailbox.messages == []


def test_channel_without_a_provider_fails_clearly(make_app, host):
    state = make_app(CUSTOMERS_PLUGINS=[host]).extensions["customers"]
    with pytest.raises(channels.SmsSenderMissing):  # the store has no SMS sender name
        channels.send(state, STORE, "sms", "+966501234567", None, "hi")
    state.app.config["CUSTOMERS_SMS_SENDER_NAMES"] = {STORE: "Shop"}
    with pytest.raises(channels.ChannelUnavailable):
        channels.send(state, STORE, "sms", "+966501234567", None, "hi")
    with pytest.raises(channels.ChannelUnavailable):  # email without SMTP settings
        channels.send(state, STORE, "email", "a@x.co", "s", "hi")


def test_builtin_smtp_email_is_delivered(state, mailbox):
    message_id = channels.send(state, STORE, "email", "luca@esempio.it", "Ciao", "Grazie! ✓")
    [message] = mailbox.messages
    assert message["to"] == ["luca@esempio.it"]
    parsed = email.message_from_bytes(message["raw"], policy=policy.default)
    assert parsed["Message-ID"] == message_id
    assert parsed["Subject"] == "Ciao"
    assert parsed.get_content().strip() == "Grazie! ✓"


def test_send_log_of_another_stores_customer_is_404(state, staff):
    cid = place(state, "o1")
    assert staff.get(f"/customers/{cid}/review-requests").status_code == 200
    assert staff.as_(store="b").get(f"/customers/{cid}/review-requests").status_code == 404
