"""Capture mode ``queue``: the hook stores the event, a worker applies it."""

from __future__ import annotations

import json
import uuid
import zlib
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from customers_plugin.models import EventInbox
from customers_plugin.services import inbox
from tests.conftest import REDIS_URL
from tests.core.test_capture import ALL_EVENTS
from tests.helpers import customers_of, order, run_rq_worker

ROOT = Path(__file__).resolve().parents[2]
KIND_OF_HOOK = {
    "on_order_placed": "order_placed",
    "on_order_updated": "order_updated",
    "on_booking": "booking_made",
    "on_booking_updated": "booking_updated",
    "on_form_submit": "form_submitted",
    "on_review_submitted": "review_submitted",
    "on_customer_signup": "customer_signed_up",
}


@pytest.mark.parametrize(("hook_name", "event"), ALL_EVENTS, ids=[h for h, _ in ALL_EVENTS])
def test_every_event_survives_the_json_round_trip(hook_name, event):
    kind = KIND_OF_HOOK[hook_name]
    payload = json.loads(json.dumps(inbox.to_payload(event)))
    assert inbox.from_payload(kind, payload) == event


def _inbox_size(state) -> int:
    with state.db.session() as s:
        return s.scalar(select(func.count()).select_from(EventInbox))


def test_queue_mode_without_redis_applies_right_after_the_store(make_app):
    app = make_app(CUSTOMERS_CAPTURE_MODE="queue")
    state = app.extensions["customers"]
    assert state.hook.on_order_placed(event=order("1", "12.50")) == []  # no id yet
    [c] = customers_of(state.db)
    assert (c.orders_count, c.total_spent) == (1, Decimal("12.50"))
    assert _inbox_size(state) == 0  # applied rows are not kept (the payload holds PII)


def test_unknown_capture_mode_is_refused(make_app):
    with pytest.raises(ValueError, match="CUSTOMERS_CAPTURE_MODE"):
        make_app(CUSTOMERS_CAPTURE_MODE="sometimes")


def test_a_failing_application_keeps_the_event_with_its_error(make_app, monkeypatch):
    app = make_app(
        CUSTOMERS_CAPTURE_MODE="queue",
        CUSTOMERS_REDIS_URL=REDIS_URL,
        CUSTOMERS_QUEUE=f"customers-test-{uuid.uuid4().hex[:8]}",
    )
    state = app.extensions["customers"]
    state.hook.on_order_placed(event=order("1"))
    with state.db.session() as s:
        inbox_id = s.scalars(select(EventInbox.id)).one()

    def broken(event, session=None):
        raise ConnectionError("database went away")

    monkeypatch.setattr(state.capture, "order_placed", broken)
    with pytest.raises(ConnectionError):
        inbox.apply(state, state.capture, inbox_id)
    with state.db.session() as s:
        row = s.get(EventInbox, inbox_id)
        assert (row.attempts, row.last_error) == (1, "ConnectionError")
    monkeypatch.undo()
    inbox.apply(state, state.capture, inbox_id)
    inbox.apply(state, state.capture, inbox_id)  # a duplicate job: nothing left to do
    assert customers_of(state.db)[0].orders_count == 1
    state.jobs.queue.delete(delete_jobs=True)


@pytest.mark.redis
def test_queue_mode_with_a_real_worker(make_app, database_urls, backend):
    queue_name = f"customers-test-{uuid.uuid4().hex[:8]}"
    app = make_app(
        CUSTOMERS_CAPTURE_MODE="queue", CUSTOMERS_REDIS_URL=REDIS_URL, CUSTOMERS_QUEUE=queue_name
    )
    state = app.extensions["customers"]
    for i in range(5):
        assert state.hook.on_order_placed(event=order(str(i), "10", email="q@x.co")) == []
    assert customers_of(state.db) == [] and _inbox_size(state) == 5
    for job in state.jobs.queue.get_jobs():
        assert b"q@x.co" not in zlib.decompress(state.jobs.queue.connection.hget(job.key, "data"))
    result = run_rq_worker(
        "tests.worker_app:create_app",
        queue_name,
        REDIS_URL,
        CUSTOMERS_TEST_WORKER_DB=database_urls[backend],
        CUSTOMERS_TEST_REDIS_URL=REDIS_URL,
        CUSTOMERS_TEST_QUEUE=queue_name,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    [c] = customers_of(state.db)
    assert (c.orders_count, c.total_spent) == (5, Decimal("50.00"))
    assert _inbox_size(state) == 0
    state.jobs.queue.delete(delete_jobs=True)
