"""Writes a batch of host events gathers and sends once, at the end of the batch.

A worker draining the event inbox applies up to ``CUSTOMERS_INBOX_BATCH`` events in one
transaction. What a later event of the batch may read (its customer, a summary it replays or
updates) is written as each event is applied, but the rows nobody reads before the batch
commits (new orders, activity lines, customer sources, stats deltas, staff-order links) are
kept here and written by one statement per kind when the batch ends: a round trip to the
database per event and kind was most of a worker's time.

Outside a batch (``gathering``) every write goes out at once, through the same function that
flushes a batch: one way of writing each kind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy.orm import Session

_KEY = "customers_deferred_writes"
Buffer = TypeVar("Buffer")
Flush = Callable[[Session, Any], None]


@contextmanager
def gathering(session: Session) -> Iterator[None]:
    """Inside this block, writes that go through ``buffer`` wait; they are written, one
    statement per kind, when the block ends without an error (an error drops them with the
    transaction they belonged to)."""
    pending: dict[str, tuple[Any, Flush]] = {}
    session.info[_KEY] = pending
    try:
        yield
    finally:
        session.info.pop(_KEY, None)
    for buffered, flush in pending.values():
        flush(session, buffered)


def buffer(session: Session, kind: str, empty: Callable[[], Buffer], flush: Flush) -> Buffer | None:
    """The buffer of ``kind`` in the batch ``session`` is gathering (made by ``empty`` on first
    use, written by ``flush(session, buffer)`` when the batch ends), or ``None`` outside a batch:
    then the caller writes at once."""
    pending = session.info.get(_KEY)
    if pending is None:
        return None
    if kind not in pending:
        pending[kind] = (empty(), flush)
    return pending[kind][0]


def flush_now(session: Session, kind: str) -> None:
    """Write what the batch holds of ``kind`` now (before something reads those rows)."""
    pending = session.info.get(_KEY)
    if pending is not None and kind in pending:
        buffered, flush = pending.pop(kind)
        flush(session, buffered)
