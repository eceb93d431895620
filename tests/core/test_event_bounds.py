"""Host events out of bounds are refused when they are built, with ``InvalidValue`` naming the
field, so nothing is half-recorded; events at the bounds are recorded on both backends."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from customers_plugin import (
    BookingMade,
    Contact,
    FormSubmitted,
    InvalidValue,
    LineItem,
    OrderPlaced,
    ReviewSubmitted,
)
from customers_plugin.bounds import MAX_DEPTH, MONEY_MAX
from customers_plugin.models import Customer, OrderSummary

NOW = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)
SARA = Contact(email="sara@example.sa")


def order(**changes):
    values = {"store_id": "s", "contact": SARA, "order_id": "o-1", "total": "10", "currency": "SAR"}
    return OrderPlaced(**{**values, **changes})


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: Contact(email="sara\x00@example.sa"), "email"),
        (lambda: Contact(email="sara@example.sa", name="Sara\x00"), "name"),
        (lambda: Contact(email="sara@example.sa", name="S" * 201), "name"),
        (lambda: Contact(email="sara@example.sa", language="x" * 17), "language"),
        (lambda: order(order_id="o\x00"), "order_id"),
        (lambda: order(order_id="o" * 129), "order_id"),
        (lambda: order(status="s" * 33), "status"),
        (lambda: order(source="s" * 33), "source"),
        (lambda: order(store_id="s" * 65), "store_id"),
        (lambda: order(currency="SARX"), "currency"),
        (lambda: order(total=Decimal("1e16")), "total"),
        (lambda: order(total=MONEY_MAX), "total"),
        (lambda: order(total="1.0001"), "total"),
        (lambda: LineItem("p", "n", quantity=10**30), "quantity"),
        (lambda: LineItem("p", "n", quantity=-1), "quantity"),
        (lambda: LineItem("p", "n", unit_price=10**20), "unit_price"),
        (lambda: order(items=[LineItem("p", "n")] * 1001), "items"),
        (
            lambda: ReviewSubmitted(
                store_id="s", contact=SARA, review_id="r", product_id="p", rating=5, comment="\x00"
            ),
            "comment",
        ),
        (
            lambda: BookingMade(
                store_id="s", contact=SARA, booking_id="b", service="x" * 201, starts_at=NOW
            ),
            "service",
        ),
    ],
)
def test_an_out_of_bounds_value_is_refused_when_the_event_is_built(build, field):
    with pytest.raises(InvalidValue) as raised:
        build()
    assert raised.value.field == field
    assert isinstance(raised.value, ValueError)


def _nested(depth):
    value: object = "leaf"
    for _ in range(depth):
        value = {"x": value}
    return value


def test_form_answers_are_bounded_in_depth_and_checked_as_text():
    def form(answers):
        return FormSubmitted(
            store_id="s", contact=SARA, submission_id="f", form_name="Contact", answers=answers
        )

    assert form({"a": _nested(MAX_DEPTH - 1)})
    with pytest.raises(InvalidValue, match="nested deeper"):
        form({"a": _nested(100_000)})
    with pytest.raises(InvalidValue) as raised:
        form({"a": ["fine", {"b\x00": "x"}]})
    assert raised.value.field == "answers.a.1"
    with pytest.raises(InvalidValue) as raised:
        form({"message": "hello\x00"})
    assert raised.value.field == "answers.message"


def test_values_at_the_bounds_are_recorded(customers):
    event = order(
        store_id="s" * 64,
        order_id="o" * 128,
        status="s" * 32,
        contact=Contact(email="sara@example.sa", name="N" * 200, language="en-US"),
        total=MONEY_MAX - Decimal("0.001"),
        items=[LineItem("p" * 128, "n" * 300, quantity=2**31 - 1, unit_price="0.001")],
    )
    customers.hook.on_order_placed(event=event)
    with customers.db.session() as session:
        summary = session.scalars(select(OrderSummary)).one()
        assert summary.total == MONEY_MAX - Decimal("0.001")
        assert session.scalars(select(Customer.name)).one() == "N" * 200
