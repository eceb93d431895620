"""Merges of duplicate customers: who merged which customer into which, when, and every row
that moved (or was set aside as a duplicate), so the merge can be undone exactly.

A live merge (``undone_at`` empty) is also the redirect of the merged customer's primary email
and phone: capture of an event carrying them finds the kept customer (services/contacts.py).
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..types import UTCDateTime, utcnow
from .base import Base, id_column, store_column

MERGE_ROW_ACTIONS = ("moved", "dropped")


class Merge(Base):
    """One customer folded into another. ``merged`` holds the merged customer's row as it was
    (to restore it), ``kept_before`` the kept customer's columns the merge changed."""

    __tablename__ = "customers_merges"
    __table_args__ = (
        Index(None, "store_id", "merged_at", "id"),
        Index(None, "store_id", "merged_email_key"),
        Index(None, "store_id", "merged_phone"),
        Index(None, "store_id", "merged_id"),
        Index(None, "store_id", "kept_id"),
    )

    id: Mapped[uuid.UUID] = id_column()
    store_id: Mapped[str] = store_column()
    # plain ids, no foreign keys: the merged customer is gone, the record outlives it
    kept_id: Mapped[uuid.UUID] = mapped_column()
    merged_id: Mapped[uuid.UUID] = mapped_column()
    merged_email_key: Mapped[str | None] = mapped_column(String(320))
    merged_phone: Mapped[str | None] = mapped_column(String(20))
    merged: Mapped[dict] = mapped_column()
    kept_before: Mapped[dict] = mapped_column()
    actor: Mapped[str | None] = mapped_column(String(128))
    merged_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    undo_until: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    undone_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    undone_by: Mapped[str | None] = mapped_column(String(128))


class MergeRow(Base):
    """A row of a customer-owned table the merge moved to the kept customer (``moved``: its
    key) or removed as a duplicate of one the kept customer has (``dropped``: its values)."""

    __tablename__ = "customers_merge_rows"

    merge_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customers_merges.id", ondelete="CASCADE"), primary_key=True
    )
    table_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    row_key: Mapped[str] = mapped_column(String(160), primary_key=True)
    store_id: Mapped[str] = store_column()
    action: Mapped[str] = mapped_column(String(8))
    data: Mapped[dict | None] = mapped_column()
