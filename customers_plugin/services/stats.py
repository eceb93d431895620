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
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, case, func, or_, select, update
from sqlalchemy.orm import Session

from ..jobs import job
from ..models import BookingSummary, Customer, OrderSummary, Review
from . import deferred

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
    _add(
        session,
        customer_id,
        {
            "orders_count": delta.orders,
            "total_spent": delta.spent,
            "cancelled_orders_count": delta.cancelled,
        },
        placed_at,
    )


def apply_counter(session: Session, customer_id: uuid.UUID, **deltas: int) -> None:
    """Atomically add small integer deltas (``bookings_count=1``, ``rating_sum=4``…)."""
    _add(session, customer_id, deltas, None)


# customer id -> (counter deltas, latest order time): what a batch adds to each customer
Pending = dict[uuid.UUID, tuple[dict[str, Any], dt.datetime | None]]


def _add(
    session: Session,
    customer_id: uuid.UUID,
    deltas: dict[str, Any],
    placed_at: dt.datetime | None,
) -> None:
    """Add ``deltas`` now, or, inside a batch of events, to the customer's sum of the batch
    (one UPDATE per customer when the batch ends, whatever number of events it had)."""
    deltas = {name: d for name, d in deltas.items() if d}
    if not deltas and placed_at is None:
        return
    waiting = deferred.buffer(session, "stats", dict, _update)
    if waiting is None:
        _update(session, {customer_id: (deltas, placed_at)})
        return
    summed, latest = waiting.get(customer_id, ({}, None))
    for name, d in deltas.items():
        summed[name] = summed.get(name, 0) + d
    if placed_at is not None and (latest is None or placed_at > latest):
        latest = placed_at
    waiting[customer_id] = (summed, latest)


_COUNTERS = (
    "orders_count",
    "total_spent",
    "cancelled_orders_count",
    "bookings_count",
    "reviews_count",
    "rating_sum",
)


def _update(session: Session, pending: Pending) -> None:
    """One statement for every customer (an executemany, in id order so two batches lock their
    customers in one order): each counter plus its delta, ``last_order_at`` moved forward only."""
    c = _customers.c
    newest = func.coalesce(bindparam("placed_at", type_=c.last_order_at.type), c.last_order_at)
    statement = (
        update(_customers)
        .where(c.id == bindparam("customer_id", type_=c.id.type))
        .values(
            {name: c[name] + bindparam(name, type_=c[name].type) for name in _COUNTERS}
            | {
                "last_order_at": case(
                    (or_(c.last_order_at.is_(None), c.last_order_at < newest), newest),
                    else_=c.last_order_at,
                )
            }
        )
    )
    rows = [
        {"customer_id": customer_id, "placed_at": latest}
        | {name: deltas.get(name, 0) for name in _COUNTERS}
        for customer_id, (deltas, latest) in sorted(pending.items(), key=lambda kv: str(kv[0]))
    ]
    if rows:
        session.connection().execute(statement, rows)


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
