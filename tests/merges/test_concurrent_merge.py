"""Events for a customer arriving while it is merged away lose nothing: each one ends up on
the kept customer (PostgreSQL: real row locks; the merge locks both customers, an event's
match key-share locks its customer, and a merged contact leads to the kept one)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from customers_plugin.models import Customer, OrderSummary
from tests.api.conftest import BearerAuth, Staff, place_order

EVENTS = 30


def test_orders_for_the_merged_email_during_a_merge_all_land_on_the_kept_customer(
    make_app, backend
):
    if backend != "postgresql":
        pytest.skip("SQLite has one writer at a time: nothing runs during a merge")
    app = make_app(
        CUSTOMERS_PLUGINS=[BearerAuth()],
        CUSTOMERS_CURRENCY="SAR",
        CUSTOMERS_ENGINE_OPTIONS={"pool_size": 10, "max_overflow": 30},
    )
    staff = Staff(app)
    kept = staff.create(email="kept@shop.example")["id"]
    other = staff.create(email="merged@shop.example")["id"]
    place_order(app, "a", "merged@shop.example", "before", "1.00")
    barrier = threading.Barrier(EVENTS + 1)

    def order(i: int) -> str:
        barrier.wait()
        return place_order(app, "a", "merged@shop.example", f"o-{i}", "2.00")

    def merge() -> int:
        barrier.wait()
        return Staff(app).post(f"/customers/{kept}/merge", json={"other_id": other}).status_code

    with ThreadPoolExecutor(max_workers=EVENTS + 1) as pool:
        orders = [pool.submit(order, i) for i in range(EVENTS)]
        merged = pool.submit(merge)
        owners = {future.result() for future in orders}
    assert merged.result() == 200
    assert owners <= {kept, other}
    state = app.extensions["customers"]
    with state.db.session() as session:
        rows = session.execute(
            select(OrderSummary.customer_id, func.count()).group_by(OrderSummary.customer_id)
        ).all()
        card = session.scalar(select(Customer).where(Customer.email == "kept@shop.example"))
    assert [(str(c), n) for c, n in rows] == [(kept, EVENTS + 1)]
    assert card.orders_count == EVENTS + 1
    assert card.total_spent == Decimal("1.00") + Decimal("2.00") * EVENTS
