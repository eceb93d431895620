"""The plugin's own implementations of the wishlist, review-request and wallet hooks.

``on_wishlist_changed`` follows the flow of every host event (resolve the contact, record,
re-evaluate groups, announce). ``on_order_updated`` here only schedules the automatic
review request of a delivered order; it runs after the capture implementation has committed,
and a failure is logged, never raised into the host. ``wishlist_size`` is registered as a group
condition type; ``spend_wallet`` answers the host's checkout for the signed-in account.
"""

from __future__ import annotations

import logging
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .i18n import N_
from .plugins import hookimpl
from .services import review_requests, settings, wallet, wishlist

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from .events import OrderUpdated, WalletSpend, WishlistChanged
    from .state import CustomersState

log = logging.getLogger(__name__)


class CommerceHooks:
    """Registered once per app under the name ``customers.commerce``."""

    def __init__(self, state: CustomersState) -> None:
        self._state = state

    @hookimpl(tryfirst=True)
    def on_wishlist_changed(self, event: WishlistChanged) -> str:
        def apply(session: Session, customer_id: uuid.UUID) -> bool:
            if event.action == "removed":
                return wishlist.remove(
                    session,
                    event.store_id,
                    customer_id,
                    event.product_id,
                    actor=event.source,
                    at=event.occurred_at,
                )
            product = wishlist.Product.of(
                event.product_id, event.product_name or "", event.price, event.currency or ""
            )
            return wishlist.add(
                session,
                event.store_id,
                customer_id,
                product,
                source=event.source,
                at=event.occurred_at,
                max_items=settings.effective(
                    event.store_id, "wishlist_max_items", state=self._state, session=session
                ),
            )[1]

        return str(
            wishlist.for_contact(self._state, event.store_id, event.contact, event.source, apply)
        )

    @hookimpl
    def on_order_updated(self, event: OrderUpdated) -> None:
        if event.status.lower() not in review_requests.DELIVERED_STATUSES:
            return
        try:
            review_requests.schedule_after_delivery(
                self._state, event.store_id, event.source, event.order_id, event.occurred_at
            )
        except Exception:
            log.exception("customers: scheduling the review request of an order failed")

    @hookimpl
    def register_condition_types(self, register: Any) -> None:
        register(
            "wishlist_size",
            wishlist.wishlist_size_column,
            "integer",
            label=N_("Products in the wishlist"),
        )

    @hookimpl
    def spend_wallet(
        self, store_id: str, user_id: str | None, order_id: str, amount: Decimal, currency: str
    ) -> WalletSpend:
        return wallet.spend_at_checkout(self._state, store_id, user_id, order_id, amount, currency)
