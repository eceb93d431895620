"""The transactional outbox of jobs: a job is recorded in the transaction that asks for it and
relayed to RQ once Redis answers.

``record`` writes the row (ids only in its arguments, never personal data) on the caller's
session, so the job exists exactly when the work it belongs to does. ``relay`` claims pending
rows and hands them to RQ under their stored job id: the claim is an UPDATE of rows still
``pending``, chosen with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL and under the write lock
that ``BEGIN IMMEDIATE`` takes on SQLite, in the transaction that pushes them. Two relays
racing therefore never claim the same row, a push that fails leaves its row pending, and a
relay that dies before commit leaves its rows pending for the next one (which RQ then refuses
as a duplicate while the first copy's job hash lives; the jobs are idempotent besides).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select, text, update

from .db import _WRITE_OPTION  # BEGIN IMMEDIATE on SQLite, as Database.transaction does
from .models import JobOutbox
from .types import new_id, utcnow

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy.orm import Session

    from .db import Database

log = logging.getLogger(__name__)

RELAY_BATCH = 100
_TABLE = JobOutbox.__table__

Push = Callable[[str, list[Any], str], Any]


def record(
    session: Session, store_id: str, name: str, args: Sequence[Any], job_id: str | None = None
) -> uuid.UUID:
    """Write a pending job on ``session`` (it exists once the session commits); returns the
    row's id. Without ``job_id`` the job is queued as ``<name>-<row id>``."""
    row_id = new_id()
    session.execute(
        _TABLE.insert(),
        [
            {
                "id": row_id,
                "store_id": store_id,
                "job": name,
                "args": list(args),
                "job_id": job_id or f"{name}-{row_id}",
                "state": "pending",
                "attempts": 0,
                "created_at": utcnow(),
            }
        ],
    )
    return row_id


def relay(
    db: Database,
    push: Push,
    *,
    ids: Sequence[uuid.UUID] | None = None,
    store_id: str | None = None,
) -> list[str]:
    """Hand pending rows (all, or only ``ids``, or one store's) to ``push``, oldest first, in
    batches of ``RELAY_BATCH``, until none is left or a push fails (when Redis is not
    answering, what is left stays pending). Returns the job ids relayed."""
    relayed: list[str] = []
    while True:
        batch, failed = _relay_batch(db, push, ids, store_id)
        relayed += batch
        if failed or len(batch) < RELAY_BATCH:
            return relayed


def _relay_batch(
    db: Database, push: Push, ids: Sequence[uuid.UUID] | None, store_id: str | None
) -> tuple[list[str], bool]:
    chosen = select(_TABLE.c.id).where(_TABLE.c.state == "pending")
    if ids is not None:
        chosen = chosen.where(_TABLE.c.id.in_(list(ids)))
    if store_id is not None:
        chosen = chosen.where(_TABLE.c.store_id == store_id)
    chosen = chosen.order_by(_TABLE.c.created_at).limit(RELAY_BATCH)
    with _writing(db) as conn:
        claim = chosen.with_for_update(skip_locked=True).cte("chosen")
        if conn.dialect.name == "postgresql":
            # chosen once: a LIMIT … SKIP LOCKED subquery under IN may be run again per row
            # and claim more than a batch
            claim = claim.prefix_with("MATERIALIZED")
            # losing this commit in a server crash is harmless (the rows are relayed again and
            # RQ refuses the duplicates), so it need not wait for its WAL flush
            conn.execute(text("SET LOCAL synchronous_commit TO OFF"))
        claimed = conn.execute(
            update(_TABLE)
            .where(_TABLE.c.state == "pending", _TABLE.c.id == claim.c.id)
            .values(state="relayed", relayed_at=utcnow(), attempts=_TABLE.c.attempts + 1)
            .returning(
                _TABLE.c.id, _TABLE.c.job, _TABLE.c.args, _TABLE.c.job_id, _TABLE.c.created_at
            )
        ).all()
        claimed.sort(key=lambda row: (row.created_at, row.job_id))
        return _push_claimed(conn, push, claimed)


def _push_claimed(conn: Connection, push: Push, claimed: list[Any]) -> tuple[list[str], bool]:
    """Push the claimed rows in order. Redis failing stops the batch (the rest stays pending);
    a row's own failure (a job this version does not know…) keeps only that row pending."""
    from redis.exceptions import RedisError

    relayed: list[str] = []
    failed = False
    for done, row in enumerate(claimed):
        try:
            push(row.job, row.args, row.job_id)
        except RedisError as exc:
            _keep_pending(conn, row, claimed[done + 1 :], type(exc).__name__)
            return relayed, True
        except Exception as exc:
            _keep_pending(conn, row, [], type(exc).__name__)
            failed = True
        else:
            relayed.append(row.job_id)
    return relayed, failed


@contextmanager
def _writing(db: Database) -> Iterator[Connection]:
    """A Core connection in one write transaction (the relay needs no ORM session)."""
    with db.engine.connect().execution_options(**{_WRITE_OPTION: True}) as conn, conn.begin():
        yield conn


def _keep_pending(conn: Connection, failed: Any, untried: list[Any], error_kind: str) -> None:
    """``failed`` could not be pushed and ``untried`` were not tried: all stay pending."""
    conn.execute(
        update(_TABLE)
        .where(_TABLE.c.id == failed.id)
        .values(state="pending", relayed_at=None, last_error=error_kind[:64])
    )
    if untried:
        conn.execute(
            update(_TABLE)
            .where(_TABLE.c.id.in_([r.id for r in untried]))
            .values(state="pending", relayed_at=None, attempts=_TABLE.c.attempts - 1)
        )
    log.warning(
        "customers: job %s (%s) stays pending in the outbox, the queue did not take it (%s)%s",
        failed.job_id,
        failed.job,
        error_kind,
        f"; {len(untried)} more left pending" if untried else "",
    )


def prune(db: Database, before: dt.datetime) -> list[uuid.UUID]:
    """Delete rows relayed before ``before``; returns their ids."""
    with db.transaction() as session:
        return list(
            session.scalars(
                delete(_TABLE)
                .where(_TABLE.c.state == "relayed", _TABLE.c.relayed_at < before)
                .returning(_TABLE.c.id)
            )
        )


def pending(db: Database, store_id: str | None = None) -> dict[str, Any]:
    """What waits to be relayed: ``count``, ``oldest`` (created_at or None) and ``failing``
    (rows a relay already failed to push)."""
    query = select(
        func.count(),
        func.min(_TABLE.c.created_at),
        func.count().filter(_TABLE.c.last_error.is_not(None)),
    ).where(_TABLE.c.state == "pending")
    if store_id is not None:
        query = query.where(_TABLE.c.store_id == store_id)
    with db.reading() as session:
        count, oldest, failing = session.execute(query).one()
    return {"count": count, "oldest": oldest, "failing": failing}
