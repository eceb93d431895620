"""Membership: set-based refresh, re-evaluation inside host events, manual members, previews,
explanations, jobs, the CLI, and plugin condition types."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from customers_plugin import Contact, hookimpl
from customers_plugin.events import OrderPlaced, OrderUpdated, ReviewSubmitted
from customers_plugin.models import Customer, CustomerGroup, GroupMember
from customers_plugin.services.groups import manage, membership
from customers_plugin.services.groups.membership import refresh_group
from customers_plugin.services.groups.registry import registry_for
from tests.helpers import statements_sent

from .conftest import STORE, insert_customer

T = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)


class MembershipRecorder:
    def __init__(self) -> None:
        self.changes: list[dict[str, Any]] = []

    @hookimpl
    def group_membership_changed(
        self, store_id: str, group_id: str, added_ids: Any, removed_ids: Any
    ) -> None:
        self.changes.append(
            {"store_id": store_id, "group_id": group_id,
             "added": set(added_ids), "removed": set(removed_ids)}
        )  # fmt: skip


@pytest.fixture
def seen(make_app: Any) -> MembershipRecorder:
    return MembershipRecorder()


@pytest.fixture
def state(make_app: Any, recorder: Any, seen: MembershipRecorder) -> Any:
    app = make_app(CUSTOMERS_PLUGINS=[recorder, seen])
    return app.extensions["customers"]


def make_group(state: Any, conditions: Any = None, **data: Any) -> Any:
    registry = registry_for(state.pm)
    with state.db.transaction() as session:
        group = manage.create_group(
            session, registry, STORE, {"name": data.pop("name", "G"), "conditions": conditions,
                                       **data}
        )  # fmt: skip
    state.jobs.submit("refresh_group", str(group.id))
    return group.id


def members(state: Any, group_id: Any) -> dict[Any, bool]:
    with state.db.session() as session:
        rows = session.execute(
            select(GroupMember.customer_id, GroupMember.manual).where(
                GroupMember.group_id == group_id
            )
        )
        return {c: bool(m) for c, m in rows}


BIG_SPENDERS = {"match": "all", "conditions": [
    {"field": "total_purchases", "op": "gte", "value": "100"}]}  # fmt: skip


def order(order_id: str, total: str, email: str = "a@example.com", **kw: Any) -> OrderPlaced:
    return OrderPlaced(
        store_id=STORE, order_id=order_id, total=Decimal(total), currency="USD",
        contact=Contact(email=email), occurred_at=T, **kw,
    )  # fmt: skip


def test_refresh_adds_matches_removes_non_matches_and_keeps_manual_members(
    state: Any, seen: MembershipRecorder
) -> None:
    with state.db.transaction() as session:
        rich = insert_customer(session, total_spent=Decimal(150))
        poor = insert_customer(session, total_spent=Decimal(10))
        handpicked = insert_customer(session, total_spent=Decimal(5))
        insert_customer(session, store_id="other", total_spent=Decimal(999))
    group_id = make_group(state, BIG_SPENDERS)
    assert members(state, group_id) == {rich: False}
    assert seen.changes[-1]["added"] == {str(rich)}
    with state.db.transaction() as session:
        group = session.get(CustomerGroup, group_id)
        membership.add_members(session, group, [handpicked, poor])
        session.execute(
            Customer.__table__.update()
            .where(Customer.id == rich)
            .values(total_spent=Customer.total_spent - 100)
        )
    result = state.jobs.submit("refresh_group", str(group_id))
    assert result["removed"] == 1
    assert members(state, group_id) == {handpicked: True, poor: True}
    assert seen.changes[-1]["removed"] == {str(rich)}


def test_a_refresh_nobody_listens_to_counts_who_joined_and_left(make_app: Any) -> None:
    """Without a ``group_membership_changed`` listener the refresh counts the change instead
    of reading the ids: the same members, the same counts."""
    state = make_app(CUSTOMERS_PLUGINS=[]).extensions["customers"]
    assert not membership.has_listeners(state.pm, "group_membership_changed")
    with state.db.transaction() as session:
        rich = [insert_customer(session, total_spent=Decimal(150 + i)) for i in range(3)]
        poor = insert_customer(session, total_spent=Decimal(10))
    group_id = make_group(state, BIG_SPENDERS)
    assert members(state, group_id) == dict.fromkeys(rich, False)
    with state.db.transaction() as session:
        session.execute(
            Customer.__table__.update()
            .where(Customer.id.in_([rich[0], poor]))
            .values(total_spent=Decimal(90))
        )
    result = state.jobs.submit("refresh_group", str(group_id))
    assert (result["added"], result["removed"]) == (0, 1)
    with state.db.transaction() as session:
        session.execute(
            Customer.__table__.update().where(Customer.id == poor).values(total_spent=Decimal(200))
        )
    assert state.jobs.submit("refresh_group", str(group_id))["added"] == 1
    assert members(state, group_id) == {rich[1]: False, rich[2]: False, poor: False}


def test_running_a_refresh_twice_changes_nothing_the_second_time(state: Any) -> None:
    with state.db.transaction() as session:
        insert_customer(session, total_spent=Decimal(150))
    group_id = make_group(state, BIG_SPENDERS)
    before = members(state, group_id)
    assert state.jobs.submit("refresh_group", str(group_id))["added"] == 0
    assert members(state, group_id) == before


def test_an_order_makes_the_customer_join_at_once_and_a_cancellation_makes_them_leave(
    state: Any, seen: MembershipRecorder
) -> None:
    group_id = make_group(state, BIG_SPENDERS)
    customer_id = state.hook.on_order_placed(event=order("o1", "120.00"))[0]
    assert members(state, group_id) == {_uuid(customer_id): False}
    assert seen.changes[-1] == {"store_id": STORE, "group_id": str(group_id),
                                "added": {customer_id}, "removed": set()}  # fmt: skip
    state.hook.on_order_updated(
        event=OrderUpdated(store_id=STORE, order_id="o1", status="cancelled",
                           contact=Contact(email="a@example.com"), occurred_at=T)
    )  # fmt: skip
    assert members(state, group_id) == {}
    assert seen.changes[-1]["removed"] == {customer_id}


def test_a_host_event_evaluates_groups_once_inside_its_own_transaction(
    state: Any, recorder: Any
) -> None:
    """The groups module's ``customer_created`` listener does not redo the flow's work (the
    recorder, a third-party listener, still gets the notification)."""
    make_group(state, BIG_SPENDERS)

    def reads_groups(statement: str) -> bool:
        return "FROM customers_groups" in statement

    with statements_sent(state.db.engine, reads_groups) as group_reads:
        customer_id = state.hook.on_order_placed(event=order("o1", "120.00"))[0]
    assert len(group_reads) == 1
    assert [c["customer"].id for c in recorder.named("customer_created")] == [customer_id]


def test_a_replayed_event_announces_no_membership_change(
    state: Any, seen: MembershipRecorder
) -> None:
    make_group(state, BIG_SPENDERS)
    state.hook.on_order_placed(event=order("o1", "120.00"))
    count = len(seen.changes)
    state.hook.on_order_placed(event=order("o1", "120.00"))
    assert len(seen.changes) == count


def test_a_review_moves_the_customer_into_a_rating_group(state: Any) -> None:
    group_id = make_group(
        state, {"match": "all", "conditions": [
            {"field": "product_rating", "op": "gte", "value": "4.5"}]}
    )  # fmt: skip
    customer_id = state.hook.on_review_submitted(
        event=ReviewSubmitted(store_id=STORE, review_id="r1", product_id="p1", rating=5,
                              contact=Contact(email="fan@example.com"), occurred_at=T)
    )[0]  # fmt: skip
    assert members(state, group_id) == {_uuid(customer_id): False}


def test_removing_a_matching_customer_by_hand_keeps_them_as_automatic_member(
    state: Any,
) -> None:
    with state.db.transaction() as session:
        rich = insert_customer(session, total_spent=Decimal(500))
        other = insert_customer(session)
    group_id = make_group(state, BIG_SPENDERS)
    with state.db.transaction() as session:
        group = session.get(CustomerGroup, group_id)
        membership.add_members(session, group, [rich, other])
    with state.db.transaction() as session:
        group = session.get(CustomerGroup, group_id)
        change, kept = membership.remove_members(
            session, registry_for(state.pm), group, [rich, other]
        )
    assert set(change.removed) == {other}
    assert kept == [rich]
    assert members(state, group_id) == {rich: False}


def test_preview_counts_matches_and_who_would_join_or_leave(state: Any) -> None:
    with state.db.transaction() as session:
        rich = insert_customer(session, total_spent=Decimal(150), orders_count=1)
        insert_customer(session, total_spent=Decimal(50), orders_count=3)
        insert_customer(session, total_spent=Decimal(10), orders_count=0)
    group_id = make_group(state, BIG_SPENDERS)
    assert members(state, group_id) == {rich: False}
    registry = registry_for(state.pm)
    several_orders = {"match": "all", "conditions": [
        {"field": "orders_count", "op": "gte", "value": 2}]}  # fmt: skip
    from customers_plugin.services.groups.conditions import parse

    with state.db.session() as session:
        group = session.get(CustomerGroup, group_id)
        answer = membership.preview(
            session, registry, STORE, parse(several_orders, registry), group
        )
    assert answer == {"matching": 1, "would_join": 1, "would_leave": 1}


def test_customer_groups_explain_the_values_that_matched(state: Any) -> None:
    with state.db.transaction() as session:
        customer_id = insert_customer(
            session, total_spent=Decimal("1600.50"), orders_count=3, country="SA"
        )
    vip = {"match": "any", "conditions": [
        {"field": "total_purchases", "op": "gt", "value": "1500"},
        {"field": "orders_count", "op": "gt", "value": 10}]}  # fmt: skip
    make_group(state, vip, name="VIP")
    with state.db.session() as session:
        groups = membership.customer_groups(session, registry_for(state.pm), STORE, customer_id)
    assert [g["name"] for g in groups] == ["VIP"]
    spent, count = groups[0]["conditions"]
    assert (spent["customer_value"], spent["matched"]) == ("1600.50", True)
    assert (count["customer_value"], count["matched"]) == (3, False)


def test_deleting_a_group_keeps_its_customers(state: Any) -> None:
    with state.db.transaction() as session:
        insert_customer(session, total_spent=Decimal(150))
    group_id = make_group(state, BIG_SPENDERS)
    with state.db.transaction() as session:
        assert manage.delete_group(session, STORE, group_id)
    with state.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Customer)) == 1
        assert session.scalar(select(func.count()).select_from(GroupMember)) == 0


def test_refresh_all_groups_covers_every_group(state: Any) -> None:
    with state.db.transaction() as session:
        insert_customer(session, total_spent=Decimal(150), orders_count=12)
    make_group(state, BIG_SPENDERS, name="a")
    make_group(state, {"match": "all", "conditions": [
        {"field": "orders_count", "op": "gt", "value": 10}]}, name="b")  # fmt: skip
    with state.db.transaction() as session:
        session.execute(GroupMember.__table__.delete())
    assert state.jobs.submit("refresh_all_groups") == {"groups": 2, "added": 2, "removed": 0}


def test_cli_refreshes_groups(state: Any) -> None:
    with state.db.transaction() as session:
        rich = insert_customer(session, total_spent=Decimal(150))
    group_id = make_group(state, BIG_SPENDERS)
    with state.db.transaction() as session:
        session.execute(GroupMember.__table__.delete())
    result = state.app.test_cli_runner().invoke(args=["customers", "groups", "refresh"])
    assert result.exit_code == 0, result.output
    assert members(state, group_id) == {rich: False}


class WalletConditions:
    @hookimpl
    def register_condition_types(self, register: Any) -> None:
        register("wallet", lambda store_id: Customer.wallet_balance, "money", ["gte", "lt"])


class DuplicateConditions:
    @hookimpl
    def register_condition_types(self, register: Any) -> None:
        register("fine_one", lambda store_id: Customer.orders_count, "integer")
        register("orders_count", lambda store_id: Customer.orders_count, "integer")


def test_plugins_add_condition_types_and_a_duplicate_name_is_refused(
    make_app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app(CUSTOMERS_PLUGINS=[WalletConditions(), DuplicateConditions()])
    state = app.extensions["customers"]
    registry = registry_for(state.pm)
    assert "wallet" in registry
    assert "fine_one" not in registry  # the failing plugin adds nothing
    assert "were skipped" in caplog.text
    with state.db.transaction() as session:
        saver = insert_customer(session, wallet_balance=Decimal(20))
        insert_customer(session, wallet_balance=Decimal(5))
    group_id = make_group(
        state, {"match": "all", "conditions": [{"field": "wallet", "op": "gte", "value": "10"}]}
    )
    assert members(state, group_id) == {saver: False}


def _uuid(value: str) -> Any:
    import uuid

    return uuid.UUID(value)


def test_a_refresh_on_a_later_day_moves_time_based_members(state: Any) -> None:
    registry = registry_for(state.pm)
    with state.db.transaction() as session:
        veteran = insert_customer(session, joined_at=dt.datetime(2026, 10, 24, 12, tzinfo=dt.UTC))
        old = {"field": "joined_days_ago", "op": "gt", "value": 30}
        conditions = {"match": "all", "conditions": [old]}
        group = manage.create_group(
            session, registry, STORE, {"name": "Old", "conditions": conditions}
        )
    for today, expected in ((dt.date(2026, 11, 23), {}), (dt.date(2026, 11, 24), {veteran: False})):
        with state.db.transaction() as session:
            refresh_group(session, registry, session.get(CustomerGroup, group.id), today=today)
        assert members(state, group.id) == expected
