"""Erasure that keeps the accounts (GDPR art. 17 with bookkeeping duties): the customer row
stays, with its id, stats and wallet balance, so their orders, bookings and wallet ledger stay
whole, but every piece of person data is gone.

What ``anonymize`` removes: the profile (name, email, phone, host account link, country,
language, gender, birthdate, company, position, VAT id, extra emails, phones and addresses,
block details, photo, email and SMS consent), tags, sources, internal notes with their history
and files, messages and threads with their files, custom field values, group memberships,
wishlist, review requests, staff tasks about them, form submissions, the notes of orders staff
placed for them, the answers given with bookings, review comments, any activity value that is
not an id, amount or status, the import undo rows and the export files holding them
(``traces``). What stays: order and booking summaries (amounts, products, dates), the wallet
ledger, review ratings, consent history (what was agreed, when, by which channel), the activity
kinds, erasure requests (no person data: the record that erasure was asked for and done), and
personal coupons, revoked (a code once assigned stays limited to its holders). Third parties
hear ``customer_deleted``: the person is gone for them too.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, select, update

from ...models import (
    Activity,
    BookingSummary,
    Coupon,
    Customer,
    Review,
    StaffOrder,
)
from ...types import utcnow
from .. import activity, attachments
from ..customers import get
from ..messages.threads import attachment_keys
from ..notes import file_keys
from ..scope import Scope
from .owned import PERSONAL_ROWS
from .traces import forget

# the key a row with neither email nor phone keeps (the table requires one of them): no
# normalised address can equal it, since it has no "@"
ERASED_KEY = "erased:{customer_id}"
# activity values kept after erasure: ids the host or the ledger know, amounts and states
KEPT_ACTIVITY_KEYS = frozenset(
    {
        "order_id",
        "booking_id",
        "submission_id",
        "review_id",
        "transaction_id",
        "request_id",
        "amount",
        "currency",
        "balance",
        "reference",
        "status",
        "from",
        "to",
        "source",
        "channel",
        "orders",
        "fields",
        "reason",
    }
)
_PROFILE_CLEARED: dict[str, Any] = {
    "email": None,
    "phone": None,
    "name": None,
    "search_name": "",
    "host_user_id": None,
    "country": None,
    "language": None,
    "photo_key": None,
    "gender": None,
    "birthdate": None,
    "company": None,
    "position": None,
    "vat_id": None,
    "extra_emails": [],
    "extra_phones": [],
    "addresses": [],
    "marketing_consent": "not_set",
    "marketing_consent_source": None,
    "sms_consent": "not_set",
    "sms_consent_source": None,
    "system_notifications": False,
    "status": "inactive",
    "block_reason": None,
    "block_details": None,
}
# rows that are only about the person: deleted outright (registered in ``owned``)
_PERSONAL_ROWS = PERSONAL_ROWS


def anonymize(scope: Scope, customer_id: uuid.UUID) -> tuple[Customer, bool]:
    """Erase the person data of one customer and keep their accounts. Idempotent: a second
    call changes nothing. Returns the customer row and whether this call erased it.

    :raises NotFound: not a customer of this store.
    """
    session = scope.session
    customer = get(scope, customer_id, lock=True)
    if customer.erased_at is not None:
        return customer, False
    forget(scope, [customer.id])
    attachments.delete_after_commit(
        session,
        scope.pm,
        scope.store_id,
        [
            customer.photo_key,
            *file_keys(scope, [customer.id]),
            *attachment_keys(scope, [customer.id]),
        ],
    )
    now = utcnow()
    session.execute(
        update(Customer)
        .where(Customer.store_id == scope.store_id, Customer.id == customer.id)
        .values(
            **_PROFILE_CLEARED,
            email_normalized=ERASED_KEY.format(customer_id=customer.id),
            marketing_consent_at=now,
            sms_consent_at=now,
            status_changed_at=now,
            updated_at=now,
            erased_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    for model in _PERSONAL_ROWS:
        session.execute(
            delete(model)
            .where(model.store_id == scope.store_id, model.customer_id == customer.id)
            .execution_options(synchronize_session=False)
        )
    _keep_accounts_only(scope, customer.id)
    activity.record(session, scope.store_id, customer.id, "anonymized", actor=scope.actor)
    scope.announce("customer_deleted", store_id=scope.store_id, customer_id=str(customer.id))
    session.refresh(customer)
    return customer, True


def _keep_accounts_only(scope: Scope, customer_id: uuid.UUID) -> None:
    """Strip what the person said or gave from the rows the accounts keep."""
    session = scope.session
    mine = {"store_id": scope.store_id, "customer_id": customer_id}
    session.execute(
        update(BookingSummary).filter_by(**mine).values(form_answers={}),
        execution_options={"synchronize_session": False},
    )
    session.execute(
        update(Review).filter_by(**mine).values(comment=None),
        execution_options={"synchronize_session": False},
    )
    session.execute(
        update(StaffOrder).filter_by(**mine).values(note=None),
        execution_options={"synchronize_session": False},
    )
    session.execute(
        update(Coupon)
        .filter_by(**mine)
        .where(Coupon.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_by=scope.actor),
        execution_options={"synchronize_session": False},
    )
    rows = session.execute(select(Activity.id, Activity.data).filter_by(**mine)).all()
    for activity_id, data in rows:
        kept = {k: v for k, v in (data or {}).items() if k in KEPT_ACTIVITY_KEYS}
        if kept != (data or {}):
            session.execute(
                update(Activity).where(Activity.id == activity_id).values(data=kept),
                execution_options={"synchronize_session": False},
            )
