"""A review request whose sender died between sending and marking it sent: the sweep marks it
``failed`` / ``interrupted`` after ``CUSTOMERS_REVIEW_SENDING_TIMEOUT_MINUTES``, nothing sends
it again by itself, the merchant can send a new one, and a sender that was only slow still
records ``sent``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from customers_plugin import hookimpl
from customers_plugin.models import Activity, ReviewRequest
from customers_plugin.services import review_requests, sweeps
from customers_plugin.types import utcnow
from tests.api.conftest import BearerAuth, Staff

from .conftest import STORE, deliver_order, place


class Provider:
    """An email provider that delivers, then runs ``after_send`` (a crash, a sweep…)."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.after_send: Any = None

    @hookimpl
    def send_message(self, store_id, channel, to, subject, body):
        self.sent.append(to)
        if self.after_send is not None:
            after, self.after_send = self.after_send, None
            after()
        return f"m-{len(self.sent)}"


def _crash() -> None:
    raise SystemExit("worker killed after the provider accepted the message")


@pytest.fixture
def provider() -> Provider:
    return Provider()


@pytest.fixture
def state(make_app: Any, host: Any, provider: Provider) -> Any:
    app = make_app(
        SECRET_KEY="k",
        CUSTOMERS_PLUGINS=[BearerAuth(), host, provider],
        CUSTOMERS_DEFAULT_STORE=STORE,
        CUSTOMERS_REVIEW_PAGE_URL="https://shop.example/r/{token}",
    )
    return app.extensions["customers"]


def _rows(state: Any) -> list[ReviewRequest]:
    with state.db.session() as session:
        return list(session.scalars(select(ReviewRequest).order_by(ReviewRequest.created_at)))


def _crashed_delivery(state: Any, provider: Provider) -> ReviewRequest:
    place(state, "o1")
    deliver_order(state, "o1", utcnow() - dt.timedelta(days=8))
    [row] = _rows(state)
    provider.after_send = _crash
    with pytest.raises(SystemExit):
        review_requests.deliver(state, row.id)
    [row] = _rows(state)
    assert (row.status, row.attempts, provider.sent) == ("sending", 1, ["sara@example.sa"])
    assert row.claimed_at is not None
    return row


def test_an_interrupted_send_is_failed_by_the_sweep_and_never_sent_again_by_itself(state, provider):
    row = _crashed_delivery(state, provider)
    soon = row.claimed_at + dt.timedelta(minutes=29)
    assert review_requests.sweep_interrupted(state, soon) == []
    assert _rows(state)[0].status == "sending"

    later = row.claimed_at + dt.timedelta(minutes=31)
    assert sweeps.sweep(state, later)["review_requests_interrupted"] == 1
    assert sweeps.sweep(state, later)["review_requests_interrupted"] == 0  # once
    [failed] = _rows(state)
    assert (failed.status, failed.error, failed.attempts) == ("failed", "interrupted", 1)
    with state.db.session() as session:
        kinds = list(session.scalars(select(Activity.kind).order_by(Activity.recorded_at)))
    assert kinds[-1] == "review_request_interrupted"

    # neither the periodic job nor a retried job claims it: the message may have gone out
    assert state.jobs.submit("send_due_review_requests") == {}
    assert state.jobs.submit("send_review_request", str(row.id)) == "not_claimed"
    assert provider.sent == ["sara@example.sa"]


def test_the_merchant_sees_the_interrupted_request_and_can_send_a_new_one(state, provider):
    row = _crashed_delivery(state, provider)
    review_requests.sweep_interrupted(state, row.claimed_at + dt.timedelta(hours=1))
    staff = Staff(state.app, STORE)
    log = staff.get(f"/customers/{row.customer_id}/review-requests").json["items"]
    assert [(r["status"], r["error"]) for r in log] == [("failed", "interrupted")]
    assert staff.post(f"/customers/{row.customer_id}/review-requests").status_code == 202
    assert provider.sent == ["sara@example.sa"] * 2  # the merchant's choice, not a retry
    log = staff.get(f"/customers/{row.customer_id}/review-requests").json["items"]
    assert [(r["trigger"], r["status"]) for r in log] == [
        ("manual", "sent"),
        ("delivered", "failed"),
    ]


def test_a_provider_failure_is_still_retried_unlike_an_interruption(state, provider):
    place(state, "o1")
    deliver_order(state, "o1", utcnow() - dt.timedelta(days=8))
    [row] = _rows(state)

    def refuse() -> None:
        provider.sent.clear()
        raise ConnectionError("provider down")

    provider.after_send = refuse
    with pytest.raises(ConnectionError):
        review_requests.deliver(state, row.id)
    assert (_rows(state)[0].status, _rows(state)[0].error) == ("failed", "ConnectionError")
    assert review_requests.sweep_interrupted(state, utcnow() + dt.timedelta(days=1)) == []
    assert state.jobs.submit("send_due_review_requests") == {"sent": 1}
    assert provider.sent == ["sara@example.sa"]


def test_a_slow_sender_that_finishes_after_the_sweep_still_records_sent(state, provider):
    place(state, "o1")
    deliver_order(state, "o1", utcnow() - dt.timedelta(days=8))
    [row] = _rows(state)
    swept: list[Any] = []
    provider.after_send = lambda: swept.extend(
        review_requests.sweep_interrupted(state, utcnow() + dt.timedelta(hours=1))
    )
    assert review_requests.deliver(state, row.id) == "sent"
    assert swept == [row.id]  # the sweep took it for dead while the provider was busy
    [sent] = _rows(state)
    assert (sent.status, sent.error, sent.message_id) == ("sent", None, "m-1")
    assert provider.sent == ["sara@example.sa"]
