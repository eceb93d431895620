"""The hook implementations: what the loyalty plugin does with each event it hears.

One stateless object serves every app in the process; everything it knows lives in the ledger
of the app it is called in, found through ``customers_plugin.get_state()``. Hosts fire events
inside their app's context (views, CLI commands, jobs); an event fired outside any app context
is skipped with a warning rather than breaking the host's call.

Settings, read from the app's config: ``LOYALTY_WELCOME_POINTS`` (default 50) and
``LOYALTY_POINTS_PER_UNIT`` (points per whole currency unit of an order, default 1).
"""

from __future__ import annotations

import logging
from decimal import ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING

from flask import has_app_context

from customers_plugin import (
    CustomerInfo,
    OrderPlaced,
    OrderUpdated,
    get_state,
    hookimpl,
    order_customer_id,
)

from . import ledger

if TYPE_CHECKING:
    from customers_plugin import CustomersState

log = logging.getLogger(__name__)

REVERSING_STATUSES = frozenset({"cancelled", "canceled", "refunded", "voided"})


class LoyaltyPoints:
    """Registered under the entry-point name ``loyalty_points``."""

    @hookimpl
    def customer_created(self, customer: CustomerInfo) -> None:
        state = _state("customer_created")
        if state is None:
            return
        points = int(state.app.config.get("LOYALTY_WELCOME_POINTS", 50))
        if points > 0:
            ledger.award(state.db, customer.store_id, customer.id, "welcome", customer.id, points)

    @hookimpl
    def on_order_placed(self, event: OrderPlaced) -> None:
        state = _state("on_order_placed")
        if state is None or event.status.lower() in REVERSING_STATUSES:
            return
        per_unit = int(state.app.config.get("LOYALTY_POINTS_PER_UNIT", 1))
        points = points_for_total(event.total, per_unit)
        if points <= 0:
            return
        ledger.ensure_table(state.db)
        with state.db.transaction() as session:
            customer_id = order_customer_id(session, event.store_id, event.source, event.order_id)
            if customer_id is None:
                log.warning(
                    "loyalty: order %s of store %s is unknown", event.order_id, event.store_id
                )
                return
            ledger.record(session, event.store_id, customer_id, "order", event.order_id, points)

    @hookimpl
    def on_order_updated(self, event: OrderUpdated) -> None:
        state = _state("on_order_updated")
        if state is None or event.status.lower() not in REVERSING_STATUSES:
            return
        earned = ledger.points_for(state.db, event.store_id, "order", event.order_id)
        if not earned:
            return
        with state.db.transaction() as session:
            customer_id = order_customer_id(session, event.store_id, event.source, event.order_id)
            if customer_id is not None:
                ledger.record(
                    session, event.store_id, customer_id, "reversal", event.order_id, -earned
                )


def points_for_total(total: Decimal, per_unit: int = 1) -> int:
    """Points an order total earns: whole currency units times ``per_unit`` (never negative)."""
    return max(int(total.to_integral_value(rounding=ROUND_FLOOR)), 0) * per_unit


def _state(hook_name: str) -> CustomersState | None:
    if not has_app_context():
        log.warning("loyalty: %s fired outside an app context was skipped", hook_name)
        return None
    return get_state()


plugin = LoyaltyPoints()
