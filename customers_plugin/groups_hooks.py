"""The groups room's hook implementations: the checkout answers, driven by group rules (and,
for coupons, by the customer's personal coupons too).

Registered once per app as a built-in plugin. Each checkout answer opens a short read-only
session; an unknown customer gets the answer of a customer in no group. Benefits (free
shipping, coupons limited to groups) go only to the customer linked to the signed-in account
(``user_id``); restrictions (hidden payment methods) also follow the checkout contact, so
checking out as a guest does not lift them.

Memberships are not kept here: whatever changes a customer's facts (host events, imports, tag
changes, the admin API through ``Scope.facts_changed``) re-evaluates them in its own
transaction with ``services.groups.reevaluate_customers``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .plugins import hookimpl
from .services import coupons, identity
from .services.groups import checkout

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from .events import Contact
    from .state import CustomersState


class GroupHooks:
    """The checkout answers of the customer groups."""

    def __init__(self, state: CustomersState) -> None:
        self._state = state

    @staticmethod
    def _benefits(
        session: Session, store_id: str, user_id: str | None
    ) -> list[checkout.GroupRules]:
        """The rules of the signed-in account's customer (none for a guest)."""
        customer_id = identity.linked_customer(session, store_id, str(user_id)) if user_id else None
        return checkout.rules_of(session, store_id, customer_id)

    def _restrictions(
        self, session: Session, store_id: str, contact: Contact | None, user_id: str | None
    ) -> list[checkout.GroupRules]:
        """The rules of the account's customer and of the customer the contact matches."""
        rules = self._benefits(session, store_id, user_id)
        if contact is not None:
            region = self._state.setting("CUSTOMERS_DEFAULT_REGION")
            matched = checkout.find_customer(session, store_id, contact, region)
            rules += checkout.rules_of(session, store_id, matched)
        return rules

    @hookimpl
    def allowed_payment_methods(
        self,
        store_id: str,
        user_id: str | None,
        contact: Contact | None,
        methods: Sequence[str],
    ) -> list[str]:
        with self._state.db.session() as session:
            rules = self._restrictions(session, store_id, contact, user_id)
            return checkout.allowed_payment_methods(rules, list(methods))

    @hookimpl
    def coupon_applies(self, store_id: str, user_id: str | None, coupon_code: str) -> bool | None:
        """Group coupons and personal coupons (``services.coupons``), for the account's
        customer only."""
        with self._state.db.session() as session:
            customer_id = (
                identity.linked_customer(session, store_id, str(user_id)) if user_id else None
            )
            return coupons.customer_may_use(session, store_id, customer_id, coupon_code)

    @hookimpl
    def free_shipping_applies(self, store_id: str, user_id: str | None) -> bool | None:
        with self._state.db.session() as session:
            return (
                True if checkout.free_shipping(self._benefits(session, store_id, user_id)) else None
            )
