"""Marketing consent (email and SMS, apart) and system-notification consent: the current status
on the customer and a history row for every change (what, when, how, who)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from ..models import CONSENT_STATUSES, ConsentEvent, Customer
from ..types import new_id, utcnow


def set_marketing(
    session: Session,
    store_id: str,
    customer_id: uuid.UUID,
    status: str,
    *,
    source: str,
    actor: str | None,
    at: dt.datetime | None = None,
    only_if_unset: bool = False,
) -> bool:
    """Record an email marketing-consent decision. Returns whether the status changed.

    :param only_if_unset: for implicit consent (a form's checkbox, a sign-up): never override
        a decision the customer or the merchant already made.
    """
    return _set_consent(
        session, store_id, customer_id, status, "marketing", source, actor, at, only_if_unset
    )


def set_sms(
    session: Session,
    store_id: str,
    customer_id: uuid.UUID,
    status: str,
    *,
    source: str,
    actor: str | None,
    at: dt.datetime | None = None,
    only_if_unset: bool = False,
) -> bool:
    """Record an SMS marketing-consent decision (history channel ``sms_marketing``), apart
    from email's. Returns whether the status changed."""
    return _set_consent(
        session, store_id, customer_id, status, "sms_marketing", source, actor, at, only_if_unset
    )


# history channel -> the customer's status, when and how columns
_COLUMNS = {
    "marketing": ("marketing_consent", "marketing_consent_at", "marketing_consent_source"),
    "sms_marketing": ("sms_consent", "sms_consent_at", "sms_consent_source"),
}


def _set_consent(
    session: Session,
    store_id: str,
    customer_id: uuid.UUID,
    status: str,
    channel: str,
    source: str,
    actor: str | None,
    at: dt.datetime | None,
    only_if_unset: bool,
) -> bool:
    if status not in CONSENT_STATUSES:
        raise ValueError(f"unknown consent status {status!r}")
    at = at or utcnow()
    status_column, at_column, source_column = _COLUMNS[channel]
    current = getattr(Customer, status_column)
    guard = current == "not_set" if only_if_unset else current != status
    changed = session.execute(
        update(Customer)
        .where(Customer.id == customer_id, guard)
        .values(
            {status_column: status, at_column: at, source_column: source, "updated_at": utcnow()}
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed:
        _history(session, store_id, customer_id, channel, status, source, actor, at)
    return bool(changed)


def set_system_notifications(
    session: Session,
    store_id: str,
    customer_id: uuid.UUID,
    enabled: bool,
    *,
    source: str,
    actor: str | None,
) -> bool:
    """Turn system notifications (order and booking messages) on or off, with a history row."""
    changed = session.execute(
        update(Customer)
        .where(Customer.id == customer_id, Customer.system_notifications != enabled)
        .values(system_notifications=enabled, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed:
        status = "subscribed" if enabled else "unsubscribed"
        _history(session, store_id, customer_id, "system", status, source, actor, utcnow())
    return bool(changed)


def _history(
    session: Session,
    store_id: str,
    customer_id: uuid.UUID,
    channel: str,
    status: str,
    source: str,
    actor: str | None,
    at: dt.datetime,
) -> None:
    session.execute(
        insert(ConsentEvent),
        [
            {
                "id": new_id(),
                "store_id": store_id,
                "customer_id": customer_id,
                "channel": channel,
                "status": status,
                "source": source,
                "actor": actor,
                "occurred_at": at,
            }
        ],
    )
