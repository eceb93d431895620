"""Host hook cost: ``on_order_placed`` for new and for existing customers, inline, beside the
floor: the same statements written by hand in one transaction on a raw DB-API connection."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal

from customers_plugin import Contact, OrderPlaced

from .common import Result, latency, make_app, raw_connection

STORE = "bench"
EXISTING = 200


def _event(i: int, email: str) -> OrderPlaced:
    return OrderPlaced(
        store_id=STORE,
        order_id=f"o-{uuid.uuid4().hex}",
        total=Decimal("49.90"),
        currency="USD",
        contact=Contact(email=email, name="Bench Customer"),
    )


def _floor_statements(conn, backend: str):
    """A function doing by hand what the hook does for one order, in its own transaction."""
    pg = backend == "postgresql"
    ph = "%s" if pg else "?"

    def uid() -> object:
        value = uuid.uuid4()
        return value if pg else value.hex

    def now() -> object:
        t = dt.datetime.now(dt.UTC)
        return t if pg else t.replace(tzinfo=None).isoformat(sep=" ")

    def run(email: str) -> None:
        cur = conn.cursor()
        cur.execute("BEGIN" if pg else "BEGIN IMMEDIATE")
        cur.execute(
            f"SELECT id FROM customers_customers WHERE store_id={ph} AND email_normalized={ph} "
            "LIMIT 1",
            (STORE, email),
        )
        row = cur.fetchone()
        if row is None:
            t = now()
            cur.execute(
                "INSERT INTO customers_customers (id, store_id, email, email_normalized, name, "
                "search_name, extra_emails, extra_phones, addresses, marketing_consent, "
                "system_notifications, status, joined_at, updated_at, orders_count, total_spent, "
                "cancelled_orders_count, bookings_count, reviews_count, rating_sum, "
                f"wallet_balance) VALUES ({', '.join([ph] * 21)}) ON CONFLICT DO NOTHING "
                "RETURNING id",
                (
                    uid(),
                    STORE,
                    email,
                    email,
                    "Bench Customer",
                    "bench customer",
                    "[]",
                    "[]",
                    "[]",
                    "not_set",
                    True,
                    "active",
                    t,
                    t,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                ),
            )
            row = cur.fetchone()
        customer_id = row[0]
        cur.execute(
            "INSERT INTO customers_customer_sources (customer_id, source, store_id, first_seen_at)"
            f" VALUES ({ph}, {ph}, {ph}, {ph}) ON CONFLICT DO NOTHING",
            (customer_id, "store", STORE, now()),
        )
        t = now()
        cur.execute(
            "INSERT INTO customers_orders (id, store_id, customer_id, source, external_id, status,"
            " total, currency, items, placed_at, updated_at) VALUES "
            f"({', '.join([ph] * 11)}) ON CONFLICT DO NOTHING RETURNING id",
            (
                uid(),
                STORE,
                customer_id,
                "store",
                uuid.uuid4().hex,
                "placed",
                49900,
                "USD",
                "[]",
                t,
                t,
            ),
        )
        cur.fetchone()
        cur.execute(
            f"UPDATE customers_customers SET orders_count = orders_count + 1, total_spent = "
            f"total_spent + {ph}, last_order_at = CASE WHEN last_order_at IS NULL OR "
            f"last_order_at < {ph} THEN {ph} ELSE last_order_at END WHERE id = {ph}",
            (49900, t, t, customer_id),
        )
        cur.execute(
            "INSERT INTO customers_activity (id, store_id, customer_id, kind, actor, data, "
            f"occurred_at, recorded_at) VALUES ({', '.join([ph] * 8)})",
            (
                uid(),
                STORE,
                customer_id,
                "order_placed",
                "system",
                json.dumps({"order_id": "x", "total": "49.90"}),
                t,
                t,
            ),
        )
        cur.execute("COMMIT")

    return run


def run(url: str, backend: str, events: int, n_customers: int) -> list[Result]:
    app = make_app(url)
    hook = app.extensions["customers"].hook
    for i in range(EXISTING):
        hook.on_order_placed(event=_event(i, f"existing-{i}@bench.test"))

    from .common import time_calls

    new = time_calls(
        lambda i: hook.on_order_placed(event=_event(i, f"new-{uuid.uuid4().hex}@b.t")), events
    )
    existing = time_calls(
        lambda i: hook.on_order_placed(event=_event(i, f"existing-{i % EXISTING}@bench.test")),
        events,
    )
    conn = raw_connection(url)
    floor = _floor_statements(conn, backend)
    floor_new = time_calls(lambda i: floor(f"floor-{uuid.uuid4().hex}@b.t"), events)
    floor_existing = time_calls(lambda i: floor(f"existing-{i % EXISTING}@bench.test"), events)
    conn.close()
    app.extensions["customers"].db.dispose()
    return [
        latency("hook on_order_placed, new customer", backend, n_customers, new, floor_new),
        latency(
            "hook on_order_placed, existing customer",
            backend,
            n_customers,
            existing,
            floor_existing,
        ),
    ]
