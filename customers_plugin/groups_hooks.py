"""The groups room's hook implementations: the checkout answers, driven by group rules, and
re-evaluation of memberships after changes made outside host events.

Registered once per app as a built-in plugin. Each checkout answer opens a short read-only
session; an unknown customer gets the answer of a customer in no group. Benefits (free
shipping, coupons limited to groups) go only to the customer linked to the signed-in account
(``user_id``); restrictions (hidden payment methods) also follow the checkout contact, so
checking out as a guest does not lift them.

Host events re-evaluate memberships inside their own transaction (``services/capture.py``).
Changes made elsewhere (the admin API's profile edits, tags, status and blocks, customers created
by hand) announce ``customer_created`` / ``customer_updated`` / ``customer_blocked`` /
``customer_unblocked`` after commit; listening to them brings that customer's groups up to date
in a short transaction of its own, so membership stays right whichever module changed the facts.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .plugins import hookimpl
from .services import identity
from .services.groups import checkout, reevaluate_customers

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from .events import Contact, CustomerInfo
    from .extension import CustomersState


class GroupHooks:
    """Checkout answers, and membership re-evaluation after customer notifications."""

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
        with self._state.db.session() as session:
            rules = self._benefits(session, store_id, user_id)
            return checkout.coupon_applies(session, store_id, rules, coupon_code)

    @hookimpl
    def free_shipping_applies(self, store_id: str, user_id: str | None) -> bool | None:
        with self._state.db.session() as session:
            return (
                True if checkout.free_shipping(self._benefits(session, store_id, user_id)) else None
            )

    # -- membership after changes made outside host events -------------------------------

    def _reevaluate(self, customer: CustomerInfo) -> None:
        with self._state.db.transaction() as session:
            reevaluate_customers(session, self._state, customer.store_id, [uuid.UUID(customer.id)])

    @hookimpl
    def customer_created(self, customer: CustomerInfo) -> None:
        self._reevaluate(customer)

    @hookimpl
    def customer_updated(self, customer: CustomerInfo) -> None:
        self._reevaluate(customer)

    @hookimpl
    def customer_blocked(self, customer: CustomerInfo) -> None:
        self._reevaluate(customer)

    @hookimpl
    def customer_unblocked(self, customer: CustomerInfo) -> None:
        self._reevaluate(customer)
