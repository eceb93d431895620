"""Capture mode ``queue``: the host's hook call only stores the event and queues a job; a
worker applies it with the same capture code as the inline mode.

The host's request then pays one INSERT and one queue push, whatever the event does. Applying
is idempotent (the capture rules are), so a retried or duplicated job changes nothing twice.
Job arguments are the inbox row's id: the contact stays in the database, never in Redis.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from ..events import (
    BookingMade,
    BookingUpdated,
    Contact,
    CustomerSignedUp,
    FormSubmitted,
    LineItem,
    OrderPlaced,
    OrderUpdated,
    ReviewSubmitted,
)
from ..jobs import job
from ..models import EventInbox
from ..types import new_id, utcnow

if TYPE_CHECKING:
    from ..state import CustomersState
    from .capture import Capture

# kind -> (event class, name of the Capture method that applies it)
KINDS: dict[str, tuple[type, str]] = {
    "order_placed": (OrderPlaced, "order_placed"),
    "order_updated": (OrderUpdated, "order_updated"),
    "booking_made": (BookingMade, "booking_made"),
    "booking_updated": (BookingUpdated, "booking_updated"),
    "form_submitted": (FormSubmitted, "form_submitted"),
    "review_submitted": (ReviewSubmitted, "review_submitted"),
    "customer_signed_up": (CustomerSignedUp, "customer_signed_up"),
}
_DATETIMES = {"occurred_at", "starts_at", "ends_at"}
_DECIMALS = {"total", "price"}


def to_payload(event: Any) -> dict[str, Any]:
    """A JSON-ready dict of an event (Decimals as strings, datetimes in ISO 8601)."""

    def plain(value: Any) -> Any:
        if dataclasses.is_dataclass(value):
            return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, dt.datetime):
            return value.isoformat()
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value

    return plain(event)


def from_payload(kind: str, payload: dict[str, Any]) -> Any:
    """Rebuild the frozen event a payload was made from."""
    cls = KINDS[kind][0]
    values = dict(payload)
    values["contact"] = Contact(**values["contact"])
    if "items" in values:
        values["items"] = tuple(
            LineItem(i["product_id"], i["name"], i["quantity"], Decimal(i["unit_price"]))
            for i in values["items"]
        )
    for name in _DATETIMES & values.keys():
        if values[name] is not None:
            values[name] = dt.datetime.fromisoformat(values[name])
    for name in _DECIMALS & values.keys():
        if values[name] is not None:
            values[name] = Decimal(values[name])
    return cls(**values)


def accept(state: CustomersState, kind: str, event: Any) -> None:
    """Store the event and queue its application (after this small transaction commits)."""
    with state.db.transaction() as session:
        inbox_id = new_id()
        session.execute(
            EventInbox.__table__.insert(),
            [
                {
                    "id": inbox_id,
                    "store_id": event.store_id,
                    "kind": kind,
                    "payload": to_payload(event),
                    "received_at": utcnow(),
                    "attempts": 0,
                }
            ],
        )
        state.jobs.enqueue_after_commit(
            session, "apply_event", str(inbox_id), store_id=event.store_id
        )


def apply(state: CustomersState, capture: Capture, inbox_id: uuid.UUID) -> str | None:
    """Apply one stored event and delete its row in the same transaction: applied exactly
    once, whatever retries or duplicate jobs happen. Returns the customer id."""
    try:
        with state.db.transaction() as session:
            row = session.execute(
                select(EventInbox.kind, EventInbox.payload)
                .where(EventInbox.id == inbox_id)
                .with_for_update(skip_locked=True)
            ).first()
            if row is None:
                return None  # applied already, or another worker holds it right now
            kind, payload = row
            customer_id = getattr(capture, KINDS[kind][1])(
                from_payload(kind, payload), session=session
            )
            session.execute(EventInbox.__table__.delete().where(EventInbox.id == inbox_id))
            return customer_id
    except Exception as exc:
        with state.db.transaction() as session:
            session.execute(
                EventInbox.__table__.update()
                .where(EventInbox.id == inbox_id)
                .values(attempts=EventInbox.attempts + 1, last_error=type(exc).__name__)
            )
        raise


@job("apply_event", keep_result=False)
def apply_event_job(state: CustomersState, inbox_id: str) -> str | None:
    """Job: apply one queued host event."""
    return apply(state, state.capture, uuid.UUID(inbox_id))
