"""Notifications reach third parties once, after commit; a failing plugin loses nothing."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text

from customers_plugin import Contact, CustomerInfo, OrderUpdated, hookimpl
from customers_plugin.db import after_commit
from tests.helpers import customers_of, order


def test_customer_created_once_with_a_snapshot(customers, recorder):
    customers.hook.on_order_placed(event=order("1", email="new@x.co", name="Rania"))
    customers.hook.on_order_placed(event=order("2", email="NEW@x.co"))
    [call] = recorder.named("customer_created")
    info = call["customer"]
    assert isinstance(info, CustomerInfo)
    assert (info.email, info.name, info.sources, info.store_id) == (
        "new@x.co",
        "Rania",
        ("store",),
        "s1",
    )


def test_customer_updated_names_the_changed_fields(customers, recorder):
    customers.hook.on_order_placed(event=order("1", email="a@x.co"))
    customers.hook.on_order_placed(event=order("2", email="a@x.co", name="Giulia", country="IT"))
    [call] = recorder.named("customer_updated")
    changes = {c.field: (c.old, c.new) for c in call["changes"]}
    assert changes == {"name": (None, "Giulia"), "country": (None, "IT")}
    assert call["customer"].name == "Giulia"


class Exploding:
    @hookimpl
    def customer_created(self, customer):
        raise RuntimeError("third-party bug")


def test_raising_third_party_is_logged_and_loses_nothing(make_app, recorder, caplog):
    app = make_app(CUSTOMERS_PLUGINS=[recorder, Exploding()])
    state = app.extensions["customers"]
    with caplog.at_level(logging.ERROR):
        [cid] = state.hook.on_order_placed(event=order("1", email="safe@x.co"))
    assert [str(c.id) for c in customers_of(state.db)] == [cid]
    assert len(recorder.named("customer_created")) == 1  # the other plugin still heard it
    assert "third-party bug" in caplog.text
    assert "safe@x.co" not in caplog.text


class Late:
    """Listens to a host event hook after the plugin's own implementation."""

    def __init__(self):
        self.seen_customer_ids = []

    @hookimpl
    def on_order_updated(self, event):
        raise RuntimeError("loyalty service down")


def test_third_party_failing_on_a_host_event_cannot_undo_the_capture(make_app):
    app = make_app(CUSTOMERS_PLUGINS=[Late()])
    state = app.extensions["customers"]
    state.hook.on_order_placed(event=order("1", "40"))
    with pytest.raises(RuntimeError, match="loyalty service down"):
        state.hook.on_order_updated(
            event=OrderUpdated(
                store_id="s1",
                order_id="1",
                status="cancelled",
                contact=Contact(email="buyer@example.com"),
            )
        )
    [c] = customers_of(state.db)
    assert (c.orders_count, c.cancelled_orders_count) == (0, 1)  # committed before the raise


def test_after_commit_work_is_dropped_on_rollback(customers):
    ran = []
    with pytest.raises(ZeroDivisionError), customers.db.transaction() as session:
        session.execute(text("SELECT 1"))
        after_commit(session, lambda: ran.append("sent"))
        1 / 0  # noqa: B018
    with customers.db.transaction() as session:
        session.execute(text("SELECT 1"))
        after_commit(session, lambda: ran.append("after"))
    assert ran == ["after"]


def test_notifications_are_not_sent_before_commit(customers, recorder):
    seen_during_transaction = []

    class Spy:
        @hookimpl
        def customer_created(self, customer):
            # by now the customer must be visible to a fresh session: the commit happened
            seen_during_transaction.append(len(customers_of(customers.db)))

    customers.pm.register(Spy())
    customers.hook.on_order_placed(event=order("1", email="x@y.co"))
    assert seen_during_transaction == [1]


def test_after_commit_work_waits_for_the_outer_commit_not_a_savepoint(customers):
    ran = []
    with customers.db.transaction() as session:
        after_commit(session, lambda: ran.append("outer"))
        with session.begin_nested():
            session.execute(text("SELECT 1"))
        assert ran == []  # releasing a savepoint is not the commit
        with pytest.raises(ValueError), session.begin_nested():
            raise ValueError("savepoint rolled back")
    assert ran == ["outer"]  # a rolled-back savepoint does not drop the outer work
