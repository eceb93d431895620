"""Event values validate themselves when the host builds them."""

import datetime as dt
from decimal import Decimal

import pytest

from customers_plugin import BookingMade, Contact, LineItem, OrderPlaced, ReviewSubmitted

NOW = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)


def test_contact_needs_email_or_phone():
    with pytest.raises(ValueError, match="email or a phone"):
        Contact(name="Nobody")
    assert Contact(phone="+972541234567").phone


def test_order_total_refuses_floats_and_keeps_decimals():
    contact = Contact(email="a@b.co")
    with pytest.raises(TypeError, match="float"):
        OrderPlaced(store_id="s", order_id="1", total=10.1, currency="SAR", contact=contact)
    order = OrderPlaced(store_id="s", order_id="1", total="10.10", currency="SAR", contact=contact)
    assert order.total == Decimal("10.10")


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="timezone"):
        OrderPlaced(
            store_id="s",
            order_id="1",
            total=Decimal(1),
            currency="EUR",
            contact=Contact(email="a@b.co"),
            occurred_at=dt.datetime(2026, 1, 1),
        )


def test_booking_cannot_end_before_it_starts():
    with pytest.raises(ValueError, match="ends_at"):
        BookingMade(
            store_id="s",
            booking_id="b",
            service="Massage",
            starts_at=NOW,
            ends_at=NOW - dt.timedelta(hours=1),
            contact=Contact(email="a@b.co"),
        )


def test_rating_is_an_int_between_1_and_5():
    base = dict(store_id="s", review_id="r", product_id="p", contact=Contact(email="a@b.co"))
    with pytest.raises(ValueError):
        ReviewSubmitted(rating=6, **base)
    with pytest.raises(TypeError):
        ReviewSubmitted(rating=True, **base)
    assert ReviewSubmitted(rating=5, **base).rating == 5


def test_events_are_frozen():
    event = OrderPlaced(
        store_id="s",
        order_id="1",
        total=Decimal(1),
        currency="EUR",
        contact=Contact(email="a@b.co"),
        items=[LineItem("p1", "Tea", 2, Decimal("0.50"))],
    )
    assert isinstance(event.items, tuple)
    with pytest.raises(AttributeError):
        event.total = Decimal(2)  # type: ignore[misc]
