"""Concurrent first events for one new email, against the real database."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from customers_plugin import Contact, OrderUpdated
from tests.helpers import customers_of, order

WORKERS = 50


def _fire_together(calls):
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def test_fifty_concurrent_first_orders_make_one_customer_with_exact_stats(make_app, backend):
    app = make_app(
        CUSTOMERS_ENGINE_OPTIONS={"pool_size": 10, "max_overflow": 45}
        if backend == "postgresql"
        else {}
    )
    state = app.extensions["customers"]
    emails = ["New.Buyer@Example.com", "new.buyer@example.COM", " NEW.BUYER@EXAMPLE.COM "]
    calls = [
        (
            lambda i=i: state.hook.on_order_placed(
                event=order(f"o{i}", "19.99", email=emails[i % len(emails)])
            )
        )
        for i in range(WORKERS)
    ]
    ids = {result[0] for result in _fire_together(calls)}
    assert len(ids) == 1
    [c] = customers_of(state.db)
    assert c.orders_count == WORKERS
    assert c.total_spent == Decimal("19.99") * WORKERS


def test_concurrent_replays_and_cancels_of_one_order_count_once(make_app, backend):
    app = make_app(
        CUSTOMERS_ENGINE_OPTIONS={"pool_size": 10, "max_overflow": 30}
        if backend == "postgresql"
        else {}
    )
    state = app.extensions["customers"]
    contact = Contact(email="same@x.co")
    cancel = OrderUpdated(store_id="s1", order_id="o1", status="cancelled", contact=contact)
    calls = [(lambda: state.hook.on_order_placed(event=order("o1", "10", email="same@x.co")))] * 20
    calls += [(lambda: state.hook.on_order_updated(event=cancel))] * 20
    _fire_together(calls)
    [c] = customers_of(state.db)
    assert (c.orders_count, c.total_spent, c.cancelled_orders_count) == (0, Decimal("0"), 1)
