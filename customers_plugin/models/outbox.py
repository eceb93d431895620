"""Jobs recorded in the transaction that asks for them (the transactional outbox).

A row is written beside the work it belongs to (an import batch, an export, an inbox event…)
and handed to RQ after commit by a relay; it holds the job's name and its arguments (ids only,
never personal data) and the RQ job id it is relayed under, so relaying it twice queues it once.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..types import UTCDateTime, utcnow
from .base import Base, id_column, store_column

OUTBOX_STATES = ("pending", "relayed")


class JobOutbox(Base):
    __tablename__ = "customers_job_outbox"
    __table_args__ = (
        Index("ix_customers_job_outbox_state", "state", "created_at"),
        Index("ix_customers_job_outbox_store", "store_id", "state", "created_at"),
    )

    id: Mapped[uuid.UUID] = id_column()
    store_id: Mapped[str] = store_column()
    job: Mapped[str] = mapped_column(String(64))
    args: Mapped[list] = mapped_column()
    job_id: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    relayed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(64))
