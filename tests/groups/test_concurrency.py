"""Concurrent host events and full refreshes against the real database: no errors, no
duplicate memberships, and afterwards membership still equals a direct evaluation."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from customers_plugin import Contact
from customers_plugin.events import OrderPlaced, OrderUpdated
from customers_plugin.models import GroupMember
from customers_plugin.services.groups import manage
from customers_plugin.services.groups.registry import registry_for

from .conftest import STORE, facts_of
from .oracle import matches

T = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)
GROUPS = [
    {"match": "all", "conditions": [{"field": "orders_count", "op": "gte", "value": 2}]},
    {"match": "any", "conditions": [
        {"field": "total_purchases", "op": "gt", "value": "50"},
        {"field": "cancelled_orders_count", "op": "gt", "value": 0}]},
]  # fmt: skip


def test_events_and_refreshes_running_together_keep_membership_exact(
    make_app: Any, backend: str
) -> None:
    app = make_app(
        CUSTOMERS_ENGINE_OPTIONS={"pool_size": 10, "max_overflow": 20}
        if backend == "postgresql"
        else {}
    )
    state = app.extensions["customers"]
    registry = registry_for(state.pm)
    with state.db.transaction() as session:
        for i, doc in enumerate(GROUPS):
            manage.create_group(session, registry, STORE, {"name": f"g{i}", "conditions": doc})

    def buy(i: int) -> None:
        contact = Contact(email=f"p{i % 6}@example.com")
        state.hook.on_order_placed(event=OrderPlaced(
            store_id=STORE, order_id=f"o{i}", total=Decimal("30.00"), currency="USD",
            contact=contact, occurred_at=T))  # fmt: skip
        if i % 5 == 0:
            state.hook.on_order_updated(event=OrderUpdated(
                store_id=STORE, order_id=f"o{i}", status="cancelled", contact=contact,
                occurred_at=T))  # fmt: skip

    calls = [lambda i=i: buy(i) for i in range(24)]
    calls += [lambda: state.jobs.submit("refresh_all_groups") for _ in range(4)]
    barrier = threading.Barrier(len(calls))

    def run(call: Any) -> Any:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        list(pool.map(run, calls))  # re-raises any error

    today = dt.datetime.now(dt.UTC).date()
    with state.db.session() as session:
        facts = facts_of(session)
        groups = manage.list_groups(session, STORE)
        for group, _members, _manual in groups:
            stored = set(
                session.scalars(
                    select(GroupMember.customer_id).where(GroupMember.group_id == group.id)
                )
            )
            expected = {c for c, f in facts.items() if matches(group.conditions, f, today)}
            assert stored == expected, group.conditions
        rows = session.scalar(select(func.count()).select_from(GroupMember))
    assert rows == sum(count for _g, count, _m in groups)
