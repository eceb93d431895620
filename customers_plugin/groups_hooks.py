"""The groups room's hook implementations: the checkout answers, driven by group rules, and
re-evaluation of memberships after changes made outside host events.

Registered once per app as a built-in plugin. Each checkout answer opens a short read-only
session; an unknown customer gets the answer of a customer in no group.

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
from .services.groups import checkout, reevaluate_customers

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from .events import Contact, CustomerInfo
    from .extension import CustomersState


class GroupHooks:
    """Checkout answers, and membership re-evaluation after customer notifications."""

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
