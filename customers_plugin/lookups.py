"""Read-only questions a plugin may ask about what the customers plugin recorded, inside a
session of the plugin's database (``get_state().db.transaction()`` or ``.session()``).

They answer with ids and plain values, never ORM objects.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import OrderSummary


def order_customer_id(session: Session, store_id: str, source: str, order_id: str) -> str | None:
    """The id of the customer a host order was filed under, or ``None`` if it is unknown.

    The plugin's own capture runs first and commits before third-party implementations of the
    same host event, so a plugin listening to ``on_order_placed`` finds the order here.
    """
    found = session.scalar(
        select(OrderSummary.customer_id).where(
            OrderSummary.store_id == store_id,
            OrderSummary.source == source,
            OrderSummary.external_id == order_id,
        )
    )
    return str(found) if found is not None else None
