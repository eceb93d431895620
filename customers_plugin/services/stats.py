"""Customer stats: what one order or booking contributes, applied as atomic SQL deltas, and a
rebuild from the stored summaries that gives the same numbers.

Counters are only ever changed by ``UPDATE … SET n = n + :delta`` (never read-modify-write in
Python), so concurrent events for one customer keep exact totals.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from ..jobs import job
from ..models import BookingSummary, Customer, OrderSummary, Review

if TYPE_CHECKING:
    from ..state import CustomersState

# Orders in these statuses no longer count as purchases.
NOT_COUNTED_ORDER_STATUSES = frozenset({"cancelled", "canceled", "refunded", "failed", "voided"})
CANCELLED_ORDER_STATUSES = frozenset({"cancelled", "canceled"})
NOT_COUNTED_BOOKING_STATUSES = frozenset({"cancelled", "canceled", "declined"})


@dataclass(frozen=True, slots=True)
class OrderFacts:
    status: str
    total: Decimal | None
    currency: str | None


@dataclass(frozen=True, slots=True)
class Contribution:
    orders: int = 0
    spent: Decimal = Decimal(0)
    cancelled: int = 0

    def __add__(self, other: Contribution) -> Contribution:
        return Contribution(
            self.orders + other.orders, self.spent + other.spent, self.cancelled + other.cancelled
        )

    def __sub__(self, other: Contribution) -> Contribution:
        return Contribution(
            self.orders - other.orders, self.spent - other.spent, self.cancelled - other.cancelled
        )

    def __bool__(self) -> bool:
        return bool(self.orders or self.spent or self.cancelled)


NOTHING = Contribution()

# Core table, not the mapped class: these updates run on every event, and the ORM's bulk-update
# machinery costs more than the statement itself.
_customers = Customer.__table__


def order_contribution(order: OrderFacts | None, store_currency: str) -> Contribution:
    """What one order adds to its customer's stats, given its current state."""
    if order is None:
        return NOTHING
    status = order.status.lower()
    if status in NOT_COUNTED_ORDER_STATUSES:
        return Contribution(cancelled=int(status in CANCELLED_ORDER_STATUSES))
    counts_money = order.total is not None and (order.currency or "").upper() == store_currency
    return Contribution(orders=1, spent=order.total if counts_money else Decimal(0))


def booking_counts(status: str | None) -> int:
    return int(status is not None and status.lower() not in NOT_COUNTED_BOOKING_STATUSES)


def apply_order_delta(
    session: Session,
    customer_id: uuid.UUID,
    delta: Contribution,
    placed_at: dt.datetime | None = None,
) -> None:
    """Add an order's change of contribution to the customer, atomically."""
    c = _customers.c
    values: dict[str, object] = {}
    if delta.orders:
        values["orders_count"] = c.orders_count + delta.orders
    if delta.spent:
        values["total_spent"] = c.total_spent + delta.spent
    if delta.cancelled:
        values["cancelled_orders_count"] = c.cancelled_orders_count + delta.cancelled
    if placed_at is not None:
        values["last_order_at"] = case(
            (c.last_order_at.is_(None), placed_at),
            (c.last_order_at < placed_at, placed_at),
            else_=c.last_order_at,
        )
    if values:
        session.execute(update(_customers).where(c.id == customer_id).values(**values))


def apply_counter(session: Session, customer_id: uuid.UUID, **deltas: int) -> None:
    """Atomically add small integer deltas (``bookings_count=1``, ``rating_sum=4``…)."""
    values = {name: _customers.c[name] + d for name, d in deltas.items() if d}
    if values:
        session.execute(update(_customers).where(_customers.c.id == customer_id).values(**values))


def rebuild(session: Session, customer_id: uuid.UUID, store_currency: str) -> bool:
    """Recompute a customer's stats from the stored summaries. Returns False if gone."""
    customer = session.get(Customer, customer_id, with_for_update=True)
    if customer is None:
        return False
    orders = session.execute(
        select(
            OrderSummary.status, OrderSummary.total, OrderSummary.currency, OrderSummary.placed_at
        ).where(OrderSummary.customer_id == customer_id)
    ).all()
    total = NOTHING
    last_order_at = None
    for status, amount, currency, placed_at in orders:
        total += order_contribution(OrderFacts(status, amount, currency), store_currency)
        if placed_at is not None and (last_order_at is None or placed_at > last_order_at):
            last_order_at = placed_at
    booking_statuses = session.scalars(
        select(BookingSummary.status).where(BookingSummary.customer_id == customer_id)
    ).all()
    reviews_count, rating_sum = session.execute(
        select(func.count(), func.coalesce(func.sum(Review.rating), 0)).where(
            Review.customer_id == customer_id
        )
    ).one()
    customer.orders_count = total.orders
    customer.total_spent = total.spent
    customer.cancelled_orders_count = total.cancelled
    customer.last_order_at = last_order_at
    customer.bookings_count = sum(booking_counts(s) for s in booking_statuses)
    customer.reviews_count = reviews_count
    customer.rating_sum = rating_sum
    return True


@job("rebuild_stats", long=True)
def rebuild_stats_job(state: CustomersState, customer_id: str) -> bool:
    """Job: rebuild one customer's stats. Safe to run any number of times."""
    from . import settings

    with state.db.transaction() as session:
        store_id = session.scalar(
            select(Customer.store_id).where(Customer.id == uuid.UUID(customer_id))
        )
        if store_id is None:
            return False  # deleted meanwhile
        currency = settings.effective(store_id, "currency", state=state, session=session)
        return rebuild(session, uuid.UUID(customer_id), currency)
