"""The values hosts hand over for orders and coupons are checked when built: an order's
coupon code is bounded, a refusal names a snake_case reason, a payment link is an http(s) URL,
a discount is positive (a percent at most 100)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from customers_plugin.events import (
    Contact,
    Discount,
    HostRefusal,
    InvalidValue,
    OrderOutcome,
    OrderPlaced,
)


def _order(**kw):
    return OrderPlaced(
        store_id="a",
        contact=Contact(email="a@example.com"),
        order_id="o",
        total=Decimal(1),
        currency="SAR",
        **kw,
    )


def test_an_orders_coupon_code_is_bounded_and_blank_means_none():
    assert _order(coupon_code="  ").coupon_code is None
    assert _order(coupon_code="x" * 64).coupon_code == "x" * 64
    with pytest.raises(InvalidValue, match="coupon_code"):
        _order(coupon_code="x" * 65)


def test_outcomes_and_refusals_are_checked():
    placed = OrderOutcome.placed(
        "H1", payment_status="pay_later", payment_url="https://p.example/1"
    )
    assert (placed.outcome, placed.order_id) == ("placed", "H1")
    for bad in ("javascript:alert(1)", "https://" + "x" * 2000):
        with pytest.raises(InvalidValue, match="payment_url"):
            OrderOutcome.placed("H1", payment_url=bad)
    with pytest.raises(ValueError, match="order_id"):
        OrderOutcome.placed("")
    for reason in ("Out of stock", "", "x" * 65):
        with pytest.raises(InvalidValue, match="reason"):
            OrderOutcome.refused(reason, "no")
        with pytest.raises(InvalidValue, match="reason"):
            HostRefusal(reason, "no")
    with pytest.raises(InvalidValue, match="message"):
        HostRefusal("sold_out", "m" * 501)


def test_a_discount_is_positive_and_a_percent_at_most_100():
    assert Discount("percent", Decimal("100")).value == Decimal("100")
    assert Discount("amount", "5.5", "SAR").value == Decimal("5.5")
    for kind, value in (("percent", "0"), ("percent", "100.01"), ("amount", "-1")):
        with pytest.raises(InvalidValue, match="value"):
            Discount(kind, value, "SAR")
    with pytest.raises(ValueError, match="currency"):
        Discount("amount", "5")
    with pytest.raises(ValueError, match="kind"):
        Discount("free", "5")
