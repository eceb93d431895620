"""The reference third-party plugin (hooks/loyalty_points), found by entry point.

The venv has it installed (``pip install -e hooks/loyalty_points``); these tests prove that the
customers plugin loads it from the ``customers_plugin`` entry-point group and that it hears
each event once, whatever the host replays or another plugin breaks.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from decimal import Decimal
from importlib.metadata import entry_points
from typing import Any

import customers_loyalty_points
import pytest
from customers_loyalty_points import ledger
from customers_loyalty_points.plugin import LoyaltyPoints
from flask import Flask
from sqlalchemy import delete

from customers_plugin import (
    ENTRY_POINT_GROUP,
    Contact,
    OrderPlaced,
    OrderUpdated,
    hookimpl,
)
from customers_plugin.models import Customer

STORE = "default"


def order(order_id: str = "1001", total: str = "42.90", email: str = "Lina@Example.com") -> Any:
    return OrderPlaced(
        store_id=STORE,
        contact=Contact(email=email, name="Lina Haddad"),
        order_id=order_id,
        total=Decimal(total),
        currency="USD",
    )


@pytest.fixture
def loyalty_app(make_app: Any) -> Iterator[Any]:
    """A factory of apps that load entry points; the ledger is emptied afterwards."""
    made: list[Flask] = []

    def factory(**config: Any) -> Flask:
        app = make_app(CUSTOMERS_LOAD_ENTRY_POINTS=True, **config)
        made.append(app)
        return app

    yield factory
    for app in made[:1]:
        db = app.extensions["customers"].db
        ledger.ensure_table(db)
        with db.transaction() as session:
            session.execute(delete(ledger.ledger))


@pytest.fixture
def awards(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Every award the plugin asks the ledger for, as (kind, reference)."""
    calls: list[tuple[str, str]] = []
    real = ledger.award

    def spy(db: Any, store_id: str, customer_id: str, kind: str, ref: str, points: int) -> bool:
        calls.append((kind, ref))
        return real(db, store_id, customer_id, kind, ref, points)

    monkeypatch.setattr(ledger, "award", spy)
    return calls


def customer_id(app: Flask, email: str = "lina@example.com") -> str:
    db = app.extensions["customers"].db
    with db.session() as session:
        found = session.query(Customer).filter_by(store_id=STORE, email_normalized=email).one()
        return str(found.id)


def test_entry_point_is_declared_in_the_customers_plugin_group() -> None:
    found = {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}
    assert "loyalty_points" in found
    assert isinstance(found["loyalty_points"].load(), LoyaltyPoints)


def test_app_loads_the_plugin_from_its_entry_point(loyalty_app: Any) -> None:
    app = loyalty_app()
    pm = app.extensions["customers"].pm
    assert pm.get_plugin("loyalty_points") is customers_loyalty_points.plugin


def test_app_without_entry_points_does_not_load_it(make_app: Any) -> None:
    app = make_app(CUSTOMERS_LOAD_ENTRY_POINTS=False)
    assert app.extensions["customers"].pm.get_plugin("loyalty_points") is None


def test_new_customer_gets_welcome_points_and_order_points(loyalty_app: Any) -> None:
    app = loyalty_app()
    with app.app_context():
        app.extensions["customers"].hook.on_order_placed(event=order(total="42.90"))
        cid = customer_id(app)
        lines = ledger.entries(app.extensions["customers"].db, STORE, cid)
        assert [(e.kind, e.reference, e.points) for e in lines] == [
            ("welcome", cid, 50),
            ("order", "1001", 42),
        ]
        assert customers_loyalty_points.balance(app.extensions["customers"].db, STORE, cid) == 92


def test_each_event_is_heard_once_even_when_the_host_replays_it(
    loyalty_app: Any, awards: list[tuple[str, str]]
) -> None:
    app = loyalty_app()
    hook = app.extensions["customers"].hook
    with app.app_context():
        hook.on_order_placed(event=order("1001", "10.00"))
        hook.on_order_placed(event=order("1001", "10.00"))  # the host replays it
        hook.on_order_placed(event=order("1002", "5.50"))
        cid = customer_id(app)
        welcome_calls = [c for c in awards if c[0] == "welcome"]
        assert welcome_calls == [("welcome", cid)]
        lines = ledger.entries(app.extensions["customers"].db, STORE, cid)
        assert [(e.kind, e.reference, e.points) for e in lines] == [
            ("welcome", cid, 50),
            ("order", "1001", 10),
            ("order", "1002", 5),
        ]


def test_cancelled_order_takes_its_points_back_once(loyalty_app: Any) -> None:
    app = loyalty_app()
    hook = app.extensions["customers"].hook
    cancel = OrderUpdated(
        store_id=STORE,
        contact=Contact(email="lina@example.com"),
        order_id="1001",
        status="cancelled",
    )
    with app.app_context():
        hook.on_order_placed(event=order("1001", "30.00"))
        hook.on_order_updated(event=cancel)
        hook.on_order_updated(event=cancel)
        cid = customer_id(app)
        assert ledger.balance(app.extensions["customers"].db, STORE, cid) == 50


def test_points_are_kept_per_store(loyalty_app: Any) -> None:
    app = loyalty_app()
    hook = app.extensions["customers"].hook
    other = OrderPlaced(
        store_id="second",
        contact=Contact(email="lina@example.com"),
        order_id="1001",
        total=Decimal("7"),
        currency="USD",
    )
    with app.app_context():
        hook.on_order_placed(event=order("1001", "20.00"))
        hook.on_order_placed(event=other)
        db = app.extensions["customers"].db
        assert ledger.balance(db, STORE, customer_id(app)) == 70
        with db.session() as session:
            second = session.query(Customer).filter_by(store_id="second").one()
        assert ledger.balance(db, "second", str(second.id)) == 57


class Broken:
    """A third-party plugin whose notification hook always fails."""

    @hookimpl
    def customer_created(self, customer: Any) -> None:
        raise RuntimeError("broken plugin")


def test_plugin_raising_in_a_notification_hook_loses_nothing(
    loyalty_app: Any, recorder: Any, caplog: pytest.LogCaptureFixture
) -> None:
    app = loyalty_app(CUSTOMERS_PLUGINS=[Broken(), recorder])
    with app.app_context(), caplog.at_level(logging.ERROR):
        app.extensions["customers"].hook.on_order_placed(event=order("1001", "12.00"))
        cid = customer_id(app)
        db = app.extensions["customers"].db
        with db.session() as session:
            customer = session.get(Customer, uuid.UUID(cid))
            assert (customer.orders_count, customer.total_spent) == (1, Decimal("12.00"))
        assert ledger.balance(db, STORE, cid) == 62
    assert len(recorder.named("customer_created")) == 1
    assert any("broken plugin" in str(r.exc_info[1]) for r in caplog.records if r.exc_info)


def test_events_fired_outside_an_app_context_are_skipped_without_breaking_the_host(
    loyalty_app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    app = loyalty_app()
    with caplog.at_level(logging.WARNING, logger="customers_loyalty_points.plugin"):
        app.extensions["customers"].hook.on_order_placed(event=order("1001", "9.00"))

    cid = customer_id(app)
    assert ledger.balance(app.extensions["customers"].db, STORE, cid) == 0
    skipped = [r.getMessage() for r in caplog.records if r.name.startswith("customers_loyalty")]
    assert skipped == [
        "loyalty: customer_created fired outside an app context was skipped",
        "loyalty: on_order_placed fired outside an app context was skipped",
    ]
