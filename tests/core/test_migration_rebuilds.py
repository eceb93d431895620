"""Migrations that rebuild a table on SQLite (Alembic's batch mode: create, copy, drop, rename)
keep every row that points at it: with foreign keys enforced, dropping the old table would
cascade-delete the customers' orders, tags and ledger."""

from __future__ import annotations

from decimal import Decimal

from flask import Flask
from sqlalchemy import func, select

from customers_plugin import CustomersPlugin, migrate
from customers_plugin.events import Contact, OrderPlaced
from customers_plugin.models import Customer, OrderSummary


def _counts(db) -> tuple[int, int]:
    with db.session() as session:
        return (
            session.scalar(select(func.count()).select_from(Customer)),
            session.scalar(select(func.count()).select_from(OrderSummary)),
        )


def test_a_downgrade_and_upgrade_through_rebuilt_tables_keep_the_orders(fresh_url):
    app = Flask("rebuilds")
    app.config.update(CUSTOMERS_DATABASE_URI=fresh_url, CUSTOMERS_LOAD_ENTRY_POINTS=False)
    CustomersPlugin(app)
    state = app.extensions["customers"]
    migrate.upgrade(state.db)
    with app.app_context():
        for n in range(3):
            state.hook.on_order_placed(
                event=OrderPlaced(
                    store_id="default",
                    contact=Contact(email=f"c{n}@example.com"),
                    order_id=f"o{n}",
                    total=Decimal("10.00"),
                    currency="USD",
                )
            )
    assert _counts(state.db) == (3, 3)
    migrate.downgrade(state.db, "0007")
    assert _counts(state.db) == (3, 3)
    migrate.upgrade(state.db)
    assert _counts(state.db) == (3, 3)
    state.db.dispose()
