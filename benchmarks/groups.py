"""Customer groups: full refresh of a 3-condition group beside one hand-written
``INSERT … SELECT``, and the per-event re-evaluation of one customer against 50 groups."""

from __future__ import annotations

import random
import time
import uuid
from decimal import Decimal

from sqlalchemy import delete, select, text

from customers_plugin import Contact, OrderPlaced
from customers_plugin.models import Customer, CustomerGroup, GroupMember
from customers_plugin.services.groups import manage, reevaluate_customers
from customers_plugin.services.groups.membership import refresh_group
from customers_plugin.services.groups.registry import registry_for

from .common import Result, latency, make_app, time_calls
from .generate import Generated

THREE_CONDITIONS = {
    "match": "all",
    "conditions": [
        {"field": "total_purchases", "op": "gt", "value": "100"},
        {"field": "orders_count", "op": "gte", "value": 2},
        {"field": "country", "op": "in", "value": ["SA", "IL"]},
    ],
}
FLOOR_SQL = (
    "INSERT INTO customers_group_members (group_id, customer_id, store_id, manual, added_at) "
    "SELECT :group_id, id, store_id, false, CURRENT_TIMESTAMP FROM customers_customers "
    "WHERE store_id = :store AND total_spent > 100000 AND orders_count >= 2 "
    "AND country IN ('SA', 'IL')"
)


def _fifty_groups() -> list[dict]:
    groups = []
    for i in range(50):
        kind = i % 5
        if kind == 0:
            doc = {
                "match": "all",
                "conditions": [
                    {"field": "total_purchases", "op": "gt", "value": str(50 * (i + 1))}
                ],
            }
        elif kind == 1:
            doc = {
                "match": "any",
                "conditions": [
                    {"field": "orders_count", "op": "gt", "value": i // 5 + 1},
                    {"field": "total_purchases", "op": "gt", "value": str(1000 + 100 * i)},
                ],
            }
        elif kind == 2:
            doc = {
                "match": "all",
                "conditions": [
                    {"field": "cancelled_orders_count", "op": "gt", "value": i % 4},
                    {"field": "total_purchases", "op": "lt", "value": "50"},
                ],
            }
        elif kind == 3:
            doc = {
                "match": "all",
                "conditions": [
                    {"field": "country", "op": "eq", "value": ["SA", "IL", "IT", "US"][i % 4]},
                    {"field": "joined_days_ago", "op": "gt", "value": 30 * (i % 12)},
                ],
            }
        else:
            doc = {
                "match": "all",
                "conditions": [
                    {"field": "has_no_orders", "op": "eq", "value": bool(i % 2)},
                    {"field": "country", "op": "neq", "value": "SA"},
                ],
            }
        groups.append({"name": f"bench group {i}", "conditions": doc})
    return groups  # fmt: skip


def run(url: str, backend: str, data: Generated, events: int) -> list[Result]:
    app = make_app(url)
    state = app.extensions["customers"]
    registry = registry_for(state.pm)
    store = data.store_id
    results = []

    with state.db.transaction() as session:
        group_id = manage.create_group(
            session, registry, store, {"name": "three conditions", "conditions": THREE_CONDITIONS}
        ).id
    timings, with_ids, floor, members = [], [], [], 0
    for _ in range(5):
        # as the refresh job runs it: the ids of who joined and left are read only for a
        # listener of group_membership_changed; else the change is counted
        for ids, samples in ((False, timings), (True, with_ids)):
            with state.db.transaction() as session:
                session.execute(delete(GroupMember).where(GroupMember.group_id == group_id))
            with state.db.transaction() as session:
                group = session.get(CustomerGroup, group_id)
                started = time.perf_counter()
                members = refresh_group(session, registry, group, ids=ids).joined
                samples.append((time.perf_counter() - started) * 1000)
        with state.db.transaction() as session:
            session.execute(delete(GroupMember).where(GroupMember.group_id == group_id))
        with state.db.transaction() as session:
            gid = group_id if backend == "postgresql" else group_id.hex
            started = time.perf_counter()
            session.execute(text(FLOOR_SQL), {"group_id": gid, "store": store})
            floor.append((time.perf_counter() - started) * 1000)
    results.append(
        latency(
            "group full refresh, 3 conditions",
            backend,
            data.customers,
            timings,
            floor,
            notes=f"from empty, {members:,} members; floor: one INSERT … SELECT",
        )
    )
    results.append(
        latency(
            "group full refresh, 3 conditions, with a membership listener",
            backend,
            data.customers,
            with_ids,
            floor,
            notes="the ids of who joined and left read for group_membership_changed",
        )
    )
    with state.db.transaction() as session:
        refresh_group(session, registry, session.get(CustomerGroup, group_id))
    unchanged = []
    for _ in range(5):
        with state.db.transaction() as session:
            group = session.get(CustomerGroup, group_id)
            started = time.perf_counter()
            refresh_group(session, registry, group)
            unchanged.append((time.perf_counter() - started) * 1000)
    results.append(
        latency(
            "group full refresh, 3 conditions, nothing to change",
            backend,
            data.customers,
            unchanged,
        )
    )

    with state.db.transaction() as session:
        session.execute(delete(CustomerGroup))
        for doc in _fifty_groups():
            manage.create_group(session, registry, store, doc)
    with state.db.session() as session:
        ids = session.scalars(
            select(Customer.id).where(Customer.store_id == store).limit(5000)
        ).all()
    sample = random.Random(3).sample(list(ids), min(len(ids), 400))

    def reevaluate(i: int) -> None:
        with state.db.transaction() as session:
            reevaluate_customers(session, state, store, [sample[i % len(sample)]])

    results.append(
        latency(
            "per-event group re-evaluation, 50 groups",
            backend,
            data.customers,
            time_calls(reevaluate, min(events, 1000)),
            notes="one customer against every group of the store, in its own transaction",
        )
    )
    with state.db.session() as session:
        emails = session.scalars(select(Customer.email).where(Customer.id.in_(sample[:200]))).all()
    hook = state.hook
    results.append(
        latency(
            "hook on_order_placed, existing customer, 50 groups",
            backend,
            data.customers,
            time_calls(
                lambda i: hook.on_order_placed(event=_order(store, emails[i % len(emails)])),
                min(events, 1000),
            ),
            notes="membership is current when the hook returns",
        )
    )
    with state.db.transaction() as session:
        session.execute(delete(CustomerGroup))
    state.db.dispose()
    return results


def _order(store: str, email: str) -> OrderPlaced:
    return OrderPlaced(
        store_id=store,
        order_id=f"g-{uuid.uuid4().hex}",
        total=Decimal("49.90"),
        currency="USD",
        contact=Contact(email=email),
    )
