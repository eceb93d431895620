"""The plugin's answers to the checkout hooks, driven by group rules.

Registered once per app as a built-in plugin. Each answer opens a short read-only session; an
unknown customer gets the answer of a customer in no group.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .plugins import hookimpl
from .services.groups import checkout

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from .events import Contact
    from .extension import CustomersState


class GroupHooks:
    """``allowed_payment_methods``, ``coupon_applies`` and ``free_shipping_applies``."""

    def __init__(self, state: CustomersState) -> None:
        self._state = state

    def _rules(
        self, session: Session, store_id: str, contact: Contact
    ) -> list[checkout.GroupRules]:
        region = self._state.setting("CUSTOMERS_DEFAULT_REGION")
        customer_id = checkout.find_customer(session, store_id, contact, region)
        return checkout.rules_of(session, store_id, customer_id)

    @hookimpl
    def allowed_payment_methods(
        self, store_id: str, contact: Contact, methods: Sequence[str]
    ) -> list[str]:
        with self._state.db.session() as session:
            return checkout.allowed_payment_methods(
                self._rules(session, store_id, contact), list(methods)
            )

    @hookimpl
    def coupon_applies(self, store_id: str, contact: Contact, coupon_code: str) -> bool | None:
        with self._state.db.session() as session:
            return checkout.coupon_applies(
                session, store_id, self._rules(session, store_id, contact), coupon_code
            )

    @hookimpl
    def free_shipping_applies(self, store_id: str, contact: Contact) -> bool | None:
        with self._state.db.session() as session:
            return True if checkout.free_shipping(self._rules(session, store_id, contact)) else None
