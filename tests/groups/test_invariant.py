"""The membership invariant, property-based: after any sequence of host events, every
customer's stored membership equals a direct Python evaluation of each group's conditions,
and a full refresh afterwards finds nothing to change."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from customers_plugin import Contact
from customers_plugin.events import BookingMade, OrderPlaced, OrderUpdated, ReviewSubmitted
from customers_plugin.models import Customer, CustomerGroup, GroupMember, Tag
from customers_plugin.services.groups import manage
from customers_plugin.services.groups.registry import registry_for

from .conftest import STORE, facts_of
from .oracle import matches

T = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)
PEOPLE = [("a@example.com", "SA"), ("b@example.com", None), ("c@example.com", "IT")]
AMOUNTS = ["0", "10.00", "49.99", "50.00", "1500.01"]


def _doc(match: str, *conditions: tuple[str, str, Any]) -> dict[str, Any]:
    return {"match": match, "conditions": [
        {"field": f, "op": o, "value": v} for f, o, v in conditions]}  # fmt: skip


GROUPS = [
    _doc("all", ("cancelled_orders_count", "gt", 1), ("total_purchases", "lt", "50")),
    _doc("any", ("total_purchases", "gt", "1500"), ("orders_count", "gt", 2)),
    _doc("all", ("has_no_orders", "eq", True)),
    _doc("all", ("product_rating", "gte", "3.5")),
    _doc("all", ("product_rating", "neq", "5")),
    _doc("all", ("bookings_count", "between", [1, 2])),
    _doc("all", ("tag", "eq", "yoga")),
    _doc("any", ("source", "eq", "booking"), ("country", "neq", "SA")),
    _doc("all", ("last_order_days_ago", "lte", 7), ("orders_count", "gte", 1)),
]

events = st.lists(
    st.one_of(
        st.tuples(st.just("order"), st.integers(0, 2), st.sampled_from(AMOUNTS)),
        st.tuples(st.just("cancel"), st.integers(0, 2), st.integers(0, 5)),
        st.tuples(st.just("review"), st.integers(0, 2), st.integers(1, 5)),
        st.tuples(st.just("booking"), st.integers(0, 2), st.sampled_from(["Yoga", "Massage"])),
    ),
    max_size=10,
)


def _fire(customers: Any, step: int, event: tuple[Any, ...], orders: list[tuple]) -> None:
    kind, who, arg = event
    email, country = PEOPLE[who]
    contact = Contact(email=email, country=country)
    hook = customers.hook
    if kind == "order":
        order_id = f"o{step}"
        orders.append((order_id, contact))
        hook.on_order_placed(event=OrderPlaced(
            store_id=STORE, order_id=order_id, total=Decimal(arg), currency="USD",
            contact=contact, occurred_at=T))  # fmt: skip
    elif kind == "cancel" and orders:
        order_id, order_contact = orders[arg % len(orders)]
        hook.on_order_updated(event=OrderUpdated(
            store_id=STORE, order_id=order_id, status="cancelled", contact=order_contact,
            occurred_at=T))  # fmt: skip
    elif kind == "review":
        hook.on_review_submitted(event=ReviewSubmitted(
            store_id=STORE, review_id=f"r{step}", product_id="p", rating=arg, contact=contact,
            occurred_at=T))  # fmt: skip
    elif kind == "booking":
        hook.on_booking(event=BookingMade(
            store_id=STORE, booking_id=f"b{step}", service=arg, starts_at=T, contact=contact,
            occurred_at=T))  # fmt: skip


def _reset(customers: Any) -> None:
    with customers.db.transaction() as session:
        session.execute(delete(GroupMember))
        session.execute(delete(CustomerGroup))
        session.execute(delete(Customer))
        session.execute(delete(Tag))


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    groups=st.lists(st.sampled_from(GROUPS), min_size=1, max_size=3, unique_by=str),
    history=events,
)
def test_membership_equals_direct_evaluation_after_any_events(
    customers: Any, groups: list[dict[str, Any]], history: list[tuple]
) -> None:
    _reset(customers)
    registry = registry_for(customers.pm)
    with customers.db.transaction() as session:
        ids = [
            manage.create_group(session, registry, STORE, {"name": f"g{i}", "conditions": doc}).id
            for i, doc in enumerate(groups)
        ]
    orders: list[tuple] = []
    for step, event in enumerate(history):
        _fire(customers, step, event, orders)

    today = dt.datetime.now(dt.UTC).date()
    with customers.db.session() as session:
        facts = facts_of(session)
        for group_id, doc in zip(ids, groups, strict=True):
            stored = set(
                session.scalars(
                    select(GroupMember.customer_id).where(GroupMember.group_id == group_id)
                )
            )
            expected = {c for c, f in facts.items() if matches(doc, f, today)}
            assert stored == expected, doc
    assert customers.jobs.submit("refresh_all_groups")["added"] == 0
    assert customers.jobs.submit("refresh_all_groups")["removed"] == 0
