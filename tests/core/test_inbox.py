"""Capture mode ``queue``: the hook stores the event, a worker applies it."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import threading
import uuid
import zlib
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from customers_plugin import jobs
from customers_plugin.events import Contact, OrderUpdated
from customers_plugin.models import (
    Activity,
    Customer,
    CustomerSource,
    EventInbox,
    GroupMember,
    OrderSummary,
    StaffOrder,
)
from customers_plugin.services import inbox
from customers_plugin.services.groups import manage
from customers_plugin.services.groups.registry import registry_for
from tests.conftest import REDIS_URL
from tests.core.test_capture import ALL_EVENTS
from tests.helpers import T0, customers_of, order, run_rq_worker, statements_sent

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


@pytest.fixture
def waiting(make_app):
    """A queue-mode app whose events wait in the inbox (no worker runs): one lane, so the test
    drains it by hand."""

    def factory(**config):
        app = make_app(
            **{
                "CUSTOMERS_CAPTURE_MODE": "queue",
                "CUSTOMERS_REDIS_URL": REDIS_URL,
                "CUSTOMERS_QUEUE": f"customers-test-{uuid.uuid4().hex[:8]}",
                "CUSTOMERS_INBOX_LANES": 1,
                **config,
            }
        )
        made.append(app.extensions["customers"])
        return app.extensions["customers"]

    made = []
    yield factory
    for state in made:
        state.jobs.queue.delete(delete_jobs=True)


def _orders(state) -> dict[str, str]:
    with state.db.session() as s:
        return dict(s.execute(select(OrderSummary.external_id, OrderSummary.status)).all())


def test_a_failing_event_keeps_its_row_and_the_rest_of_its_batch_is_applied(
    waiting, monkeypatch, recorder
):
    state = waiting(CUSTOMERS_INBOX_BATCH=10)
    for i in range(5):
        state.hook.on_order_placed(event=order(str(i), "10", email=f"b{i}@x.co"))
    real = state.capture.order_placed

    def refusing_order_2(event, session=None):
        real(event, session=session)  # its writes and notifications, then the failure
        if event.order_id == "2":
            raise ConnectionError("refused by the test")

    monkeypatch.setattr(state.capture, "order_placed", refusing_order_2)
    with pytest.raises(ConnectionError):
        inbox.drain(state, state.capture, "s1", 0)
    assert sorted(_orders(state)) == ["0", "1", "3", "4"]
    assert len(recorder.named("customer_created")) == 4  # none for the rolled-back event
    with state.db.session() as s:
        [row] = s.scalars(select(EventInbox)).all()
        assert (row.attempts, row.last_error) == (1, "ConnectionError")
    monkeypatch.undo()
    assert inbox.drain(state, state.capture, "s1", 0) == 1
    assert inbox.drain(state, state.capture, "s1", 0) == 0  # a duplicate job: nothing left
    assert sorted(_orders(state)) == ["0", "1", "2", "3", "4"]
    assert [c.orders_count for c in customers_of(state.db)] == [1] * 5
    assert _inbox_size(state) == 0


def test_an_event_failing_again_and_again_is_parked_with_its_error(waiting, monkeypatch):
    state = waiting()
    state.hook.on_order_placed(event=order("1"))

    def broken(event, session=None):
        raise ValueError("refused by the test")

    monkeypatch.setattr(state.capture, "order_placed", broken)
    for _ in range(inbox.PARKED_AFTER):
        with pytest.raises(ValueError):
            inbox.drain(state, state.capture, "s1", 0)
    assert inbox.drain(state, state.capture, "s1", 0) == 0  # parked: no longer tried
    with state.db.session() as s:
        row = s.scalars(select(EventInbox)).one()
        assert (row.attempts, row.last_error) == (inbox.PARKED_AFTER, "ValueError")


def _lifecycle(state, n: int) -> None:
    """``n`` orders of one contact, each placed, then paid, then cancelled."""
    for i in range(n):
        state.hook.on_order_placed(event=order(str(i), "10", email="same@x.co"))
        for status in ("paid", "cancelled"):
            state.hook.on_order_updated(
                event=OrderUpdated(
                    store_id="s1",
                    order_id=str(i),
                    status=status,
                    contact=Contact(email="Same@X.co"),
                )
            )


def test_a_contacts_events_are_applied_in_order_across_batches(waiting):
    state = waiting(CUSTOMERS_INBOX_BATCH=4)
    _lifecycle(state, 10)
    assert inbox.drain(state, state.capture, "s1", 0) == 30
    assert set(_orders(state).values()) == {"cancelled"}  # never "paid" after "cancelled"
    [c] = customers_of(state.db)
    assert (c.orders_count, c.cancelled_orders_count, c.total_spent) == (0, 10, Decimal("0"))


def test_concurrent_drains_apply_each_event_once_and_in_order(waiting, backend):
    """Two workers draining the same lane at once (double delivery of its job): on PostgreSQL
    the lane's lock makes the second wait; on SQLite the write lock does."""
    state = waiting(CUSTOMERS_INBOX_BATCH=3)
    _lifecycle(state, 12)
    barrier = threading.Barrier(4)

    def drain(_):
        barrier.wait()
        return inbox.drain(state, state.capture, "s1", 0)

    with ThreadPoolExecutor(max_workers=4) as pool:
        applied = list(pool.map(drain, range(4)))
    assert sum(applied) == 36
    assert set(_orders(state).values()) == {"cancelled"}
    [c] = customers_of(state.db)
    assert (c.orders_count, c.cancelled_orders_count) == (0, 12)
    assert _inbox_size(state) == 0


def test_one_drain_waits_in_the_queue_per_lane(waiting):
    state = waiting(CUSTOMERS_INBOX_LANES=2)
    emails = [f"c{i}@x.co" for i in range(40)]
    for i, email in enumerate(emails):
        state.hook.on_order_placed(event=order(str(i), "10", email=email))
    lane_0 = [e for e in emails if inbox.lane_of(order("x", email=e), 2) == 0]
    assert 0 < len(lane_0) < len(emails)
    assert len(state.jobs.queue.get_jobs()) == 2  # one per lane, not one per event
    with state.app.app_context():  # a worker starts one of them: new events need a new job
        jobs.execute("apply_events", ["s1", 0])
    assert len(customers_of(state.db)) == len(lane_0)
    state.hook.on_order_placed(event=order("late", "10", email=lane_0[0]))
    assert len(state.jobs.queue.get_jobs()) == 3


def test_a_contact_keeps_its_lane_however_it_is_written():
    def lane(**contact):
        return inbox.lane_of(order("1", **contact), 64)

    assert lane(email="Ana@Example.com ") == lane(email="ana@example.com")
    assert lane(email="ａｎａ@example.com") == lane(email="ana@example.com")  # NFKC, as matching
    assert lane(phone="+٩٦٦ ٥٠ ١٢٣ ٤٥٦٧") == lane(phone="+966501234567")
    assert len({lane(email=f"p{i}@x.co") for i in range(200)}) > 32  # spread over the lanes


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


def test_a_batch_brings_group_membership_up_to_date(waiting):
    state = waiting()
    spent = {
        "match": "all",
        "conditions": [{"field": "total_purchases", "op": "gt", "value": "15"}],
    }
    with state.db.transaction() as session:
        group = manage.create_group(
            session, registry_for(state.pm), "s1", {"name": "big", "conditions": spent}
        )
    for i in range(2):  # neither order alone qualifies: the batch's end sees both
        state.hook.on_order_placed(event=order(str(i), "10", email="g@x.co"))
    state.hook.on_order_placed(event=order("small", "10", email="h@x.co"))
    assert inbox.drain(state, state.capture, "s1", 0) == 3
    with state.db.session() as s:
        members = s.scalars(
            select(Customer.email).join(GroupMember).where(GroupMember.group_id == group.id)
        ).all()
    assert members == ["g@x.co"]


def _story(store: str) -> list[tuple[str, object]]:
    """Events of three contacts whose batch gathers writes: an update before its order, orders
    placed out of time order, replays, a cancellation, a foreign currency, every kind."""
    at = {h: T0 + dt.timedelta(hours=h) for h in (3, 5, 9)}
    early = OrderUpdated(
        store_id=store,
        order_id="early",
        status="paid",
        total=Decimal("5"),
        currency="USD",
        contact=Contact(email="a@x.co"),
        occurred_at=T0,
    )
    story = [
        ("on_order_updated", early),
        ("on_order_placed", order("early", "5", store=store, email="a@x.co", occurred_at=at[3])),
        ("on_order_placed", order("late", "7.5", store=store, email="A@x.co", occurred_at=at[9])),
        ("on_order_placed", order("mid", "2", store=store, email="a@x.co", occurred_at=at[5])),
        ("on_order_placed", order("mid", "2", store=store, email="a@x.co", occurred_at=at[5])),
        (
            "on_order_updated",
            OrderUpdated(
                store_id=store,
                order_id="late",
                status="cancelled",
                contact=Contact(email="a@x.co"),
                occurred_at=T0,
            ),
        ),
        ("on_order_placed", order("eur", "9", store=store, email="b@x.co", currency="EUR")),
        ("on_order_placed", order("b2", "4", store=store, email="b@x.co", occurred_at=at[5])),
        ("on_order_placed", order("c1", "1", store=store, email="c@x.co", status="cancelled")),
    ]
    every_kind = [(hook, dataclasses.replace(e, store_id=store)) for hook, e in ALL_EVENTS]
    return story + every_kind + every_kind


def _written(db, store: str) -> dict[str, object]:
    """What a store's events wrote, by contact (ids left out: they differ run to run)."""
    with db.session() as s:
        known = s.scalars(select(Customer).where(Customer.store_id == store)).all()
        email = {c.id: c.email for c in known}
        stats = {
            c.email: (
                c.orders_count,
                c.total_spent,
                c.cancelled_orders_count,
                c.bookings_count,
                c.reviews_count,
                c.rating_sum,
                c.last_order_at,
                c.marketing_consent,
                c.host_user_id,
            )
            for c in known
        }
        lines = s.execute(
            select(Activity.customer_id, Activity.kind, Activity.data, Activity.occurred_at).where(
                Activity.store_id == store
            )
        ).all()
        sources = s.execute(
            select(CustomerSource.customer_id, CustomerSource.source).where(
                CustomerSource.store_id == store
            )
        ).all()
        orders = s.execute(
            select(OrderSummary.external_id, OrderSummary.status, OrderSummary.total).where(
                OrderSummary.store_id == store
            )
        ).all()
    return {
        "stats": stats,
        # as a multiset: ids made in one millisecond are in no particular order
        "activity": sorted(repr((email[c], kind, data, when)) for c, kind, data, when in lines),
        "sources": sorted((email[c], source) for c, source in sources),
        "orders": sorted(orders),
    }


def test_a_batch_writes_what_the_same_events_write_one_by_one(make_app, waiting):
    """Inside a batch the activity lines, sources and stats wait for its end (one statement
    per kind): the rows written are those of the events applied one at a time."""
    one_by_one = make_app().extensions["customers"]
    batched = waiting(CUSTOMERS_INBOX_BATCH=100)
    for hook, event in _story("one"):
        getattr(one_by_one.hook, hook)(event=event)
    for hook, event in _story("batch"):
        getattr(batched.hook, hook)(event=event)
    assert inbox.drain(batched, batched.capture, "batch", 0) == len(_story("batch"))
    written = _written(batched.db, "batch")
    assert written == _written(one_by_one.db, "one")
    assert written["stats"]["a@x.co"][:3] == (2, Decimal("7.00"), 1)
    assert written["stats"]["a@x.co"][6] == T0 + dt.timedelta(hours=9)  # the latest, not the last


def test_a_batch_links_an_order_a_member_of_staff_placed(waiting):
    state = waiting()
    state.hook.on_order_placed(event=order("first", email="s@x.co"))
    inbox.drain(state, state.capture, "s1", 0)
    [customer] = customers_of(state.db)
    with state.db.transaction() as s:
        s.add(
            StaffOrder(
                store_id="s1",
                customer_id=customer.id,
                idempotency_key="k",
                request_hash="h",
                status="placed",
                order_id="by-staff",
                staff="clerk",
            )
        )
    for order_id in ("before", "by-staff", "after"):
        state.hook.on_order_placed(event=order(order_id, email="s@x.co"))
    assert inbox.drain(state, state.capture, "s1", 0) == 3
    with state.db.session() as s:
        assert s.scalars(select(StaffOrder)).one().linked_at is not None
        [line] = s.scalars(select(Activity).where(Activity.kind == "order_placed_by_staff"))
        assert (line.customer_id, line.actor, line.data["order_id"]) == (
            customer.id,
            "clerk",
            "by-staff",
        )


def test_an_order_recorded_meanwhile_by_another_lane_counts_once(waiting, monkeypatch, backend):
    """A batch writes its new orders at its end; the same order id recorded meanwhile with
    another contact (by another lane's batch) makes it apply its events again one by one, and
    the order counts once, for the contact that recorded it first."""
    if backend != "postgresql":
        pytest.skip("SQLite lets one writer at a time: no other batch can run meanwhile")
    state = waiting()
    state.hook.on_order_placed(event=order("other", email="b@x.co"))
    inbox.drain(state, state.capture, "s1", 0)
    for order_id in ("shared", "own"):
        state.hook.on_order_placed(event=order(order_id, "10", email="a@x.co"))
    real = inbox.orders_ahead
    entered = []

    @contextlib.contextmanager
    def raced(session, store_id, keys):
        with real(session, store_id, keys):
            entered.append(keys)
            state.capture.order_placed(order("shared", "99", email="b@x.co"))  # commits
            yield

    monkeypatch.setattr(inbox, "orders_ahead", raced)
    assert inbox.drain(state, state.capture, "s1", 0) == 2
    assert entered == [[("store", "shared"), ("store", "own")]]  # once: the rerun writes at once
    by_email = {c.email: c for c in customers_of(state.db)}
    assert (by_email["a@x.co"].orders_count, by_email["a@x.co"].total_spent) == (1, Decimal("10"))
    assert (by_email["b@x.co"].orders_count, by_email["b@x.co"].total_spent) == (2, Decimal("199"))


def test_a_batch_of_new_orders_is_written_together_not_event_by_event(waiting):
    """A batch's new orders go out in one INSERT at its end; the batch must not fall back to
    applying its events one by one (a savepoint each), which it does only when an order was
    recorded meanwhile. (On PostgreSQL an executemany reports no row count: counting the
    inserted orders by it sent every batch down the slow road.)"""
    state = waiting(CUSTOMERS_INBOX_BATCH=100)
    state.hook.on_order_placed(event=order("first", "10", email="k@x.co"))
    inbox.drain(state, state.capture, "s1", 0)
    for i in range(20):
        state.hook.on_order_placed(event=order(f"n{i}", "2", email=f"{'kl'[i % 2]}@x.co"))
    with statements_sent(state.db.engine) as sent:
        assert inbox.drain(state, state.capture, "s1", 0) == 20
    assert not [s for s in sent if s.lstrip().upper().startswith("SAVEPOINT")]
    assert len(sent) < 20  # statements per batch, not per event
    by_email = {c.email: c for c in customers_of(state.db)}
    assert (by_email["k@x.co"].orders_count, by_email["k@x.co"].total_spent) == (
        11,
        Decimal("30"),
    )
    assert (by_email["l@x.co"].orders_count, by_email["l@x.co"].total_spent) == (
        10,
        Decimal("20"),
    )


def test_a_batch_tells_the_same_order_id_of_two_sources_apart(waiting):
    """Orders are unique by (source, order id): an id another source recorded earlier does not
    make a batch's order of this source a replay, and a batch mixing sources writes each."""
    state = waiting(CUSTOMERS_INBOX_BATCH=100)
    state.hook.on_order_placed(
        event=dataclasses.replace(order("A", "1", email="m@x.co"), source="pos")
    )
    inbox.drain(state, state.capture, "s1", 0)
    state.hook.on_order_placed(event=order("A", "10", email="m@x.co"))
    state.hook.on_order_placed(
        event=dataclasses.replace(order("B", "100", email="m@x.co"), source="pos")
    )
    state.hook.on_order_placed(
        event=dataclasses.replace(order("A", "1", email="m@x.co"), source="pos")
    )
    assert inbox.drain(state, state.capture, "s1", 0) == 3
    with state.db.session() as s:
        orders = s.execute(select(OrderSummary.source, OrderSummary.external_id)).all()
    assert sorted(orders) == [("pos", "A"), ("pos", "B"), ("store", "A")]
    [customer] = customers_of(state.db)
    assert (customer.orders_count, customer.total_spent) == (3, Decimal("111"))
