"""The points ledger: one table of its own, written through the customers plugin's engine.

Every award is a row unique on (store, kind, reference), so a replayed event, a second delivery
or two processes racing on the same order can never award twice: the second INSERT is a no-op.
A balance is the sum of a customer's rows. The table is created on first use (it is not part
of the customers plugin's migrations, and the plugin's autogenerate ignores it).
"""

from __future__ import annotations

import datetime as dt
import threading
import weakref
from dataclasses import dataclass

from sqlalchemy import (
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.orm import Session

from customers_plugin import Database, insert

metadata = MetaData()

ledger = Table(
    "loyalty_points_ledger",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("store_id", String(64), nullable=False),
    Column("customer_id", String(36), nullable=False),
    Column("kind", String(16), nullable=False),  # welcome | order | reversal
    Column("reference", String(128), nullable=False),  # customer id or the host's order id
    Column("points", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("store_id", "kind", "reference", name="uq_loyalty_points_award"),
    Index("ix_loyalty_points_customer", "store_id", "customer_id"),
)

_ready: weakref.WeakSet[Database] = weakref.WeakSet()
_ready_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of a customer's ledger."""

    kind: str
    reference: str
    points: int
    created_at: dt.datetime


def ensure_table(db: Database) -> None:
    """Create the ledger table once per database (cheap check afterwards)."""
    if db in _ready:
        return
    with _ready_lock:
        if db not in _ready:
            metadata.create_all(db.engine, checkfirst=True)
            _ready.add(db)


def award(
    db: Database, store_id: str, customer_id: str, kind: str, reference: str, points: int
) -> bool:
    """Record an award in a transaction of its own; ``False`` when this (store, kind,
    reference) was already recorded."""
    ensure_table(db)
    with db.transaction() as session:
        return record(session, store_id, customer_id, kind, reference, points)


def record(
    session: Session, store_id: str, customer_id: str, kind: str, reference: str, points: int
) -> bool:
    """Record an award inside the caller's transaction (the table must exist)."""
    inserted = session.execute(
        insert(session, ledger)
        .values(
            store_id=store_id,
            customer_id=customer_id,
            kind=kind,
            reference=reference,
            points=points,
            created_at=dt.datetime.now(dt.UTC),
        )
        .on_conflict_do_nothing()
        .returning(ledger.c.id)
    ).scalar()
    return inserted is not None


def points_for(db: Database, store_id: str, kind: str, reference: str) -> int | None:
    """The points of one recorded award, or ``None`` when there is none."""
    ensure_table(db)
    with db.session() as session:
        return session.scalar(
            select(ledger.c.points).where(
                ledger.c.store_id == store_id,
                ledger.c.kind == kind,
                ledger.c.reference == reference,
            )
        )


def balance(db: Database, store_id: str, customer_id: str) -> int:
    """A customer's points: the sum of their ledger."""
    ensure_table(db)
    with db.session() as session:
        total = session.scalar(
            select(func.coalesce(func.sum(ledger.c.points), 0)).where(
                ledger.c.store_id == store_id, ledger.c.customer_id == customer_id
            )
        )
    return int(total)


def entries(db: Database, store_id: str, customer_id: str) -> list[Entry]:
    """A customer's ledger, oldest first."""
    ensure_table(db)
    with db.session() as session:
        rows = session.execute(
            select(ledger.c.kind, ledger.c.reference, ledger.c.points, ledger.c.created_at)
            .where(ledger.c.store_id == store_id, ledger.c.customer_id == customer_id)
            .order_by(ledger.c.id)
        ).all()
    return [Entry(*row) for row in rows]
