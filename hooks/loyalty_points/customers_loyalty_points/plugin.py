"""The hook implementations: what the loyalty plugin does with each event it hears.

One stateless object serves every app in the process; everything it knows lives in the ledger
of the app it is called in (found through ``customers_plugin.get_state()``, so hooks must be
fired inside the app's context, as a host does from its views and commands).

Settings, read from the app's config: ``LOYALTY_WELCOME_POINTS`` (default 50) and
``LOYALTY_POINTS_PER_UNIT`` (points per whole currency unit of an order, default 1).
"""

from __future__ import annotations

import logging
from decimal import ROUND_FLOOR, Decimal

from sqlalchemy import select

from customers_plugin import CustomerInfo, OrderPlaced, OrderUpdated, get_state, hookimpl
from customers_plugin.models import OrderSummary

from . import ledger

log = logging.getLogger(__name__)

REVERSING_STATUSES = frozenset({"cancelled", "canceled", "refunded", "voided"})


class LoyaltyPoints:
    """Registered under the entry-point name ``loyalty_points``."""

    @hookimpl
    def customer_created(self, customer: CustomerInfo) -> None:
        state = get_state()
        points = int(state.app.config.get("LOYALTY_WELCOME_POINTS", 50))
        if points > 0:
            ledger.award(state.db, customer.store_id, customer.id, "welcome", customer.id, points)

    @hookimpl
    def on_order_placed(self, event: OrderPlaced) -> None:
        state = get_state()
        if event.status.lower() in REVERSING_STATUSES:
            return
        customer_id = _order_customer(event.store_id, event.source, event.order_id)
        if customer_id is None:
            log.warning("loyalty: order %s of store %s is unknown", event.order_id, event.store_id)
            return
        per_unit = int(state.app.config.get("LOYALTY_POINTS_PER_UNIT", 1))
        points = points_for_total(event.total, per_unit)
        if points > 0:
            ledger.award(state.db, event.store_id, customer_id, "order", event.order_id, points)

    @hookimpl
    def on_order_updated(self, event: OrderUpdated) -> None:
        if event.status.lower() not in REVERSING_STATUSES:
            return
        db = get_state().db
        earned = ledger.points_for(db, event.store_id, "order", event.order_id)
        customer_id = _order_customer(event.store_id, event.source, event.order_id)
        if earned and customer_id is not None:
            ledger.award(db, event.store_id, customer_id, "reversal", event.order_id, -earned)


def _order_customer(store_id: str, source: str, order_id: str) -> str | None:
    """The customer the customers plugin filed this order under (it commits before we run)."""
    with get_state().db.session() as session:
        found = session.scalar(
            select(OrderSummary.customer_id).where(
                OrderSummary.store_id == store_id,
                OrderSummary.source == source,
                OrderSummary.external_id == order_id,
            )
        )
    return str(found) if found is not None else None


def points_for_total(total: Decimal, per_unit: int = 1) -> int:
    """Points an order total earns: whole currency units times ``per_unit`` (never negative)."""
    return max(int(total.to_integral_value(rounding=ROUND_FLOOR)), 0) * per_unit


plugin = LoyaltyPoints()
