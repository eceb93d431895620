"""The network's table: one row per (contact hash, store hash) that blocked it, written through
the customers plugin's engine. Only keyed hashes are stored (HMAC-SHA256 with the network's
secret): a leaked table names no contact and no store, and without the secret nobody can test
whether a given address is in it. The table is created on first use (it is not part of the
customers plugin's migrations)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import threading
import weakref
from collections.abc import Sequence

from sqlalchemy import Column, DateTime, MetaData, String, Table, func, select

from customers_plugin import Database, insert

metadata = MetaData()

blocks = Table(
    "fraud_network_blocks",
    metadata,
    Column("contact_hash", String(64), primary_key=True),
    Column("store_hash", String(64), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

_ready: weakref.WeakSet[Database] = weakref.WeakSet()
_ready_lock = threading.Lock()


def keyed(secret: str, kind: str, value: str) -> str:
    """The HMAC-SHA256 (hex) of ``kind:value`` under the network's secret."""
    message = f"{kind}:{value}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def contact_hashes(secret: str, email: str | None, phone: str | None) -> list[str]:
    """The hashes of a contact's normalised email and E.164 phone (those it has)."""
    found = []
    if email:
        found.append(keyed(secret, "email", email))
    if phone:
        found.append(keyed(secret, "phone", phone))
    return found


def ensure_table(db: Database) -> None:
    if db in _ready:
        return
    with _ready_lock:
        if db not in _ready:
            metadata.create_all(db.engine, checkfirst=True)
            _ready.add(db)


def record(db: Database, store_hash: str, hashes: Sequence[str], blocked: bool) -> None:
    """The store blocks (adds its rows) or unblocks (removes them) these contact hashes."""
    ensure_table(db)
    with db.transaction() as session:
        if blocked:
            now = dt.datetime.now(dt.UTC)
            for contact_hash in hashes:
                row = {"contact_hash": contact_hash, "store_hash": store_hash, "created_at": now}
                session.execute(insert(session, blocks).values(**row).on_conflict_do_nothing())
        else:
            session.execute(
                blocks.delete().where(
                    blocks.c.store_hash == store_hash, blocks.c.contact_hash.in_(hashes)
                )
            )


def other_stores(db: Database, store_hash: str, hashes: Sequence[str]) -> int:
    """How many distinct stores other than this one blocked any of these contact hashes."""
    if not hashes:
        return 0
    ensure_table(db)
    with db.session() as session:
        return session.scalar(
            select(func.count(func.distinct(blocks.c.store_hash))).where(
                blocks.c.contact_hash.in_(hashes), blocks.c.store_hash != store_hash
            )
        )
