"""Groups on PostgreSQL at 100 k customers: full refresh of a group and per-event
re-evaluation of one customer. Throwaway data in a schema of its own, dropped at the end.

    python -m benchmarks.groups_refresh [--customers 100000] [--url postgresql+psycopg://…]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time
import uuid
from decimal import Decimal
from typing import Any

from flask import Flask
from sqlalchemy import create_engine, delete, insert, text

from customers_plugin import Contact, CustomersPlugin, migrate
from customers_plugin.events import OrderPlaced
from customers_plugin.models import Customer, CustomerGroup, GroupMember
from customers_plugin.services.groups import manage, reevaluate_customers
from customers_plugin.services.groups.membership import refresh_group
from customers_plugin.services.groups.registry import registry_for
from customers_plugin.types import new_id

GROUPS = {
    "not serious": {"match": "all", "conditions": [
        {"field": "cancelled_orders_count", "op": "gt", "value": 4},
        {"field": "total_purchases", "op": "lt", "value": "50"}]},
    "vip": {"match": "any", "conditions": [
        {"field": "total_purchases", "op": "gt", "value": "1500"},
        {"field": "orders_count", "op": "gt", "value": 10}]},
    "birthday soon, joined > 30 days": {"match": "all", "conditions": [
        {"field": "days_until_birthday", "op": "lte", "value": 7},
        {"field": "joined_days_ago", "op": "gt", "value": 30}]},
    "no orders, not SA": {"match": "all", "conditions": [
        {"field": "has_no_orders", "op": "eq", "value": True},
        {"field": "country", "op": "neq", "value": "SA"}]},
}  # fmt: skip


def rows(n: int, store: str) -> list[dict]:
    rnd = random.Random(7)
    now = dt.datetime.now(dt.UTC)
    out = []
    for i in range(n):
        cid = new_id()
        out.append({
            "id": cid, "store_id": store, "email": f"c{i}@example.com",
            "email_normalized": f"c{i}@example.com", "search_name": "",
            "country": rnd.choice(["SA", "IL", "IT", None]),
            "birthdate": dt.date(1960, 1, 1) + dt.timedelta(days=rnd.randrange(20000))
            if rnd.random() < 0.7 else None,
            "joined_at": now - dt.timedelta(days=rnd.randrange(1000)), "updated_at": now,
            "orders_count": rnd.randrange(15), "cancelled_orders_count": rnd.randrange(7),
            "total_spent": Decimal(rnd.randrange(300000)) / 100, "bookings_count": 0,
            "reviews_count": 0, "rating_sum": 0, "wallet_balance": Decimal(0),
            "status": "active", "marketing_consent": "not_set", "system_notifications": True,
            "extra_emails": [], "extra_phones": [], "addresses": [],
        })  # fmt: skip
    return out


def _event_cost(state: Any, data: list[dict], tag: str) -> float:
    """Median wall time of the plugin's own on_order_placed for existing customers."""
    timings = []
    for i, row in enumerate(random.Random(2).sample(data, 150)):
        event = OrderPlaced(
            store_id="bench", order_id=f"{tag}-{i}", total=Decimal("20.00"), currency="USD",
            contact=Contact(email=row["email"]),
        )  # fmt: skip
        started = time.perf_counter()
        state.hook.on_order_placed(event=event)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings[20:])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    schema = f"bench_groups_{uuid.uuid4().hex[:8]}"
    admin = create_engine(args.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        app = Flask("bench")
        app.config.update(
            CUSTOMERS_DATABASE_URI=f"{args.url}?options=-csearch_path%3D{schema}",
            CUSTOMERS_LOAD_ENTRY_POINTS=False,
        )
        CustomersPlugin(app)
        state = app.extensions["customers"]
        migrate.upgrade(state.db)
        registry = registry_for(state.pm)
        data = rows(args.customers, "bench")
        started = time.perf_counter()
        with state.db.engine.begin() as conn:
            for i in range(0, len(data), 10_000):
                conn.execute(insert(Customer.__table__), data[i : i + 10_000])
            conn.exec_driver_sql("ANALYZE")
        print(f"loaded {len(data)} customers in {time.perf_counter() - started:.1f} s")
        with state.db.transaction() as session:
            groups = {
                name: manage.create_group(session, registry, "bench", {"name": name,
                                                                      "conditions": doc}).id
                for name, doc in GROUPS.items()
            }  # fmt: skip
        for name, group_id in groups.items():
            timings = []
            for attempt in range(3):
                if attempt:  # from empty again, so every run inserts the full membership
                    with state.db.transaction() as session:
                        session.execute(delete(GroupMember).where(GroupMember.group_id == group_id))
                with state.db.transaction() as session:
                    group = session.get(CustomerGroup, group_id)
                    started = time.perf_counter()
                    change = refresh_group(session, registry, group)
                    timings.append(time.perf_counter() - started)
            with state.db.transaction() as session:  # a refresh with nothing to change
                group = session.get(CustomerGroup, group_id)
                started = time.perf_counter()
                refresh_group(session, registry, group)
                steady = time.perf_counter() - started
            print(
                f"full refresh '{name}': {len(change.added)} members, "
                f"from empty median {statistics.median(timings) * 1000:.0f} ms, "
                f"nothing to change {steady * 1000:.0f} ms"
            )
        sample = [r["id"] for r in random.Random(1).sample(data, 200)]
        timings = []
        for customer_id in sample:
            with state.db.transaction() as session:
                started = time.perf_counter()
                reevaluate_customers(session, state, "bench", [customer_id])
                timings.append(time.perf_counter() - started)
        timings.sort()
        print(
            f"per-event re-evaluation of one customer against {len(groups)} groups: "
            f"median {statistics.median(timings) * 1000:.2f} ms, "
            f"p95 {timings[int(len(timings) * 0.95)] * 1000:.2f} ms"
        )
        print(
            "host event on_order_placed for an existing customer: "
            f"with {len(groups)} groups {_event_cost(state, data, 'with') * 1000:.2f} ms median, ",
            end="",
        )
        with state.db.transaction() as session:
            session.execute(delete(CustomerGroup))
        print(f"without groups {_event_cost(state, data, 'without') * 1000:.2f} ms median")
        state.db.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
