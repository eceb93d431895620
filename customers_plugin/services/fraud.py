"""Fraud signals shared across stores, for the stores that opt in
(``CUSTOMERS_FRAUD_SHARING_STORES``): a block or an unblock is reported to ``fraud_report``
implementations after commit; the card and capture ask ``fraud_signals`` how many other stores
blocked the contact and show ``{"flagged": true, "stores": N}``, never which store or why.

Nothing here can fail the merchant's action or an event: every call into a plugin is isolated,
and a store that does not share neither reports nor asks. Privacy rules:
docs/security/fraud-network.md.
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from ..db import after_commit
from ..models import Customer
from ..plugins import deliver, listeners
from . import activity

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ..state import CustomersState

log = logging.getLogger(__name__)


def sharing(state: CustomersState, store_id: str) -> bool:
    """Whether this store shares (and reads) fraud signals."""
    return store_id in (state.setting("CUSTOMERS_FRAUD_SHARING_STORES") or ())


def report(
    state: CustomersState, session: Session, store_id: str, customer_id: uuid.UUID, blocked: bool
) -> None:
    """Tell ``fraud_report`` implementations, once this session commits, that the store blocked
    (or unblocked) this customer's contact."""
    impls = listeners(state.pm, "fraud_report")
    if not impls or not sharing(state, store_id):
        return
    email, phone = _contact(session, customer_id)
    if email is None and phone is None:
        return
    after_commit(
        session,
        lambda: deliver(
            impls, "fraud_report", store_id=store_id, email=email, phone=phone, blocked=blocked
        ),
    )


def label(
    state: CustomersState, store_id: str, email: str | None, phone: str | None
) -> dict[str, Any] | None:
    """``{"flagged": True, "stores": N}`` when N other stores blocked this contact, else None."""
    email = email if email and "@" in email else None  # an erased customer's key is none
    if (email is None and phone is None) or not sharing(state, store_id):
        return None
    stores = 0
    for impl in listeners(state.pm, "fraud_signals"):
        try:
            answer = impl.function(
                **{
                    name: value
                    for name, value in (("store_id", store_id), ("email", email), ("phone", phone))
                    if name in impl.argnames
                }
            )
        except Exception:
            log.exception("customers hook fraud_signals of plugin %r raised", impl.plugin_name)
            continue
        if isinstance(answer, int) and not isinstance(answer, bool) and answer > stores:
            stores = answer
    return {"flagged": True, "stores": stores} if stores else None


def check_new_customer(
    state: CustomersState, session: Session, store_id: str, customer_id: uuid.UUID
) -> None:
    """After this session commits, ask whether a newly captured customer's contact is flagged
    elsewhere; if so, their activity log says so (``fraud_flagged`` with the number of stores).
    Runs apart from the event: a failure is logged and the event stays recorded."""
    if not listeners(state.pm, "fraud_signals") or not sharing(state, store_id):
        return

    def check() -> None:
        try:
            with state.db.transaction() as own:
                found = label(state, store_id, *_contact(own, customer_id))
                if found is not None:
                    activity.record(
                        own, store_id, customer_id, "fraud_flagged", {"stores": found["stores"]}
                    )
        except Exception:
            log.exception("customers: the fraud check of a new customer failed")

    after_commit(session, check)


def _contact(session: Session, customer_id: uuid.UUID) -> tuple[str | None, str | None]:
    row = session.execute(
        select(Customer.email_normalized, Customer.phone).where(Customer.id == customer_id)
    ).first()
    if row is None:
        return None, None
    email = row.email_normalized
    return (email if email and "@" in email else None), row.phone
