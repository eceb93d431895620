"""Host events waiting for a worker (capture mode ``queue``). A row lives only until its event
is applied: the payload holds the contact, so nothing keeps it longer than needed. ``lane``
(from the contact, services/inbox.py) keeps one person's events in one ordered lane."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Index, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..types import UTCDateTime, utcnow
from .base import Base, id_column, store_column


class EventInbox(Base):
    __tablename__ = "customers_event_inbox"
    __table_args__ = (Index(None, "store_id", "lane", "received_at"),)

    id: Mapped[uuid.UUID] = id_column()
    store_id: Mapped[str] = store_column()
    lane: Mapped[int] = mapped_column(SmallInteger, server_default="0")
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict] = mapped_column()
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
