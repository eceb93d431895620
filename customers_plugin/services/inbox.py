"""Capture mode ``queue``: the host's hook call only stores the event and queues a job; a
worker applies it with the same capture code as the inline mode.

The host's request then pays one INSERT and one queue push, whatever the event does. Events
wait in lanes (by contact); a job drains one lane of a store in batches, each event exactly
once and in order. Job arguments are the store id and the lane number: the contact stays in
the database, never in Redis.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
import uuid
import zlib
from contextlib import ExitStack
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from ..db import after_commit_actions, one_of
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
from ..normalize import ascii_digits, normalize_email
from ..types import new_id, utcnow
from . import contacts, deferred, settings
from .capture import orders_ahead

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
PARKED_AFTER = 5  # failures after which an event stays in the inbox, no longer tried
DRAIN_SECONDS = 30  # a drain job hands the rest of a busy lane to a new job after this
_LOCK_CLASS = 0x6375  # first key of the lanes' advisory locks on PostgreSQL
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


def lane_of(event: Any, lanes: int) -> int:
    """The lane of an event: one contact's events (same email, or same phone digits when there
    is no email) always share a lane, and a lane is applied in the order its events came."""
    contact = event.contact
    key = normalize_email(contact.email)
    if key is None:
        key = "".join(ch for ch in ascii_digits(contact.phone or "") if "0" <= ch <= "9")
    return zlib.crc32(key.encode()) % max(1, int(lanes))


def accept(state: CustomersState, kind: str, event: Any) -> None:
    """Store the event and queue the draining of its lane (after this small transaction
    commits; while a drain of that lane waits in the queue, no second one is queued)."""
    lane = lane_of(event, state.setting("CUSTOMERS_INBOX_LANES"))
    with state.db.transaction() as session:
        session.execute(
            EventInbox.__table__.insert(),
            [
                {
                    "id": new_id(),
                    "store_id": event.store_id,
                    "lane": lane,
                    "kind": kind,
                    "payload": to_payload(event),
                    "received_at": utcnow(),
                    "attempts": 0,
                }
            ],
        )
        state.jobs.enqueue_after_commit(
            session, "apply_events", event.store_id, lane, store_id=event.store_id
        )


def drain(state: CustomersState, capture: Capture, store_id: str, lane: int) -> int:
    """Apply the waiting events of one lane of a store, oldest first, in transactions of up to
    ``CUSTOMERS_INBOX_BATCH`` events, until the lane is empty (or ``DRAIN_SECONDS`` have
    passed: the rest goes to a new job). Returns the number applied.

    Each event's row is deleted in the transaction that applies it: applied exactly once,
    whatever retries or duplicate jobs happen. Drains of one lane never overlap (an advisory
    lock on PostgreSQL, the write lock on SQLite), so a lane keeps its order. A batch reads
    the store's settings and its contacts' customers once, writes its new orders, activity
    lines, sources and stats deltas by one statement each at its end (``deferred``), and
    re-evaluates the customers' groups once. An event that fails is rolled back alone (the
    batch is applied again with a savepoint per event), keeps its row with ``attempts`` and
    the error's kind, and is tried again by the next drain until it has failed
    ``PARKED_AFTER`` times; the others of its batch are applied. The first failure is raised
    once the batch commits (the job is retried, and recorded as failed by its kind).
    """
    size = max(1, int(state.setting("CUSTOMERS_INBOX_BATCH")))
    deadline = time.monotonic() + DRAIN_SECONDS
    applied = 0
    while True:
        try:
            done, claimed, failure = _apply_batch(state, capture, store_id, lane, size, False)
        except Exception:  # one event failed the batch: again, each event in a savepoint
            done, claimed, failure = _apply_batch(state, capture, store_id, lane, size, True)
        applied += done
        if failure is not None:
            raise failure
        if claimed < size:
            return applied
        if time.monotonic() > deadline and not state.jobs.inline:
            state.jobs.submit("apply_events", store_id, lane)
            return applied


def _apply_batch(
    state: CustomersState, capture: Capture, store_id: str, lane: int, size: int, isolate: bool
) -> tuple[int, int, Exception | None]:
    """One transaction of ``drain``: (events applied, rows claimed, first failure). The
    events' groups are re-evaluated once, at the end. Without ``isolate`` the writes that wait
    for the batch's end are gathered, and a failing event fails the whole batch (the caller then
    runs it again with ``isolate``: every event in a savepoint of its own, writing at once, a
    failing one rolled back and marked)."""
    table = EventInbox.__table__
    failure: Exception | None = None
    applied: list[uuid.UUID] = []
    with state.db.transaction() as session:
        if session.get_bind().dialect.name == "postgresql":
            key = zlib.crc32(f"{store_id}\x00{lane}".encode()) - 2**31
            session.execute(select(func.pg_advisory_xact_lock(_LOCK_CLASS, key)))
        rows = session.execute(
            select(table.c.id, table.c.kind, table.c.payload)
            .where(
                table.c.store_id == store_id,
                table.c.lane == lane,
                table.c.attempts < PARKED_AFTER,
            )
            .order_by(table.c.received_at, table.c.id)
            .limit(size)
        ).all()
        with capture.groups_at_the_end(session), ExitStack() as batch:
            batch.enter_context(settings.request_cache())  # the store's settings read once
            emails = (_email_of(row.payload) for row in rows)
            batch.enter_context(contacts.read_ahead(session, store_id, emails))
            if not isolate:
                batch.enter_context(deferred.gathering(session))
                orders = [_order_of(row) for row in rows if row.kind in _ORDER_KINDS]
                batch.enter_context(orders_ahead(session, store_id, orders))
            for row in rows:
                if not isolate:
                    _apply_one(capture, session, row)
                    applied.append(row.id)
                    continue
                queued = len(after_commit_actions(session))
                try:
                    with session.begin_nested():
                        _apply_one(capture, session, row)
                except Exception as exc:
                    del after_commit_actions(session)[queued:]  # its notifications and jobs
                    failure = failure or exc
                    session.execute(
                        table.update()
                        .where(table.c.id == row.id)
                        .values(attempts=table.c.attempts + 1, last_error=type(exc).__name__[:64])
                    )
                else:
                    applied.append(row.id)
        if applied:
            session.execute(table.delete().where(one_of(session, table.c.id, applied)))
    return len(applied), len(rows), failure


_ORDER_KINDS = {"order_placed", "order_updated"}


def _order_of(row: Any) -> tuple[str, str]:
    return (str(row.payload.get("source", "store")), str(row.payload.get("order_id")))


def _email_of(payload: Any) -> str | None:
    email = payload.get("contact", {}).get("email") if isinstance(payload, dict) else None
    return email if isinstance(email, str) else None


def _apply_one(capture: Capture, session: Any, row: Any) -> None:
    getattr(capture, KINDS[row.kind][1])(from_payload(row.kind, row.payload), session=session)


@job("apply_events", keep_result=False, coalesce=True)
def apply_events_job(state: CustomersState, store_id: str, lane: int) -> int:
    """Job: apply the queued host events of one lane of a store."""
    return drain(state, state.capture, store_id, int(lane))


@job("apply_event", keep_result=False)
def apply_event_job(state: CustomersState, inbox_id: str) -> int:
    """Job queued by earlier versions (one per event): drains the lane of that event."""
    with state.db.reading() as session:
        row = session.execute(
            select(EventInbox.store_id, EventInbox.lane).where(EventInbox.id == uuid.UUID(inbox_id))
        ).first()
    return 0 if row is None else drain(state, state.capture, row.store_id, row.lane)
