"""Staff tasks about a customer: a title, a description, a due time (UTC), an assignee (a staff
id of the host's ``list_staff``), a status (open, done) and when the assignee was reminded.

``reminded_at`` is the claim of the reminder: set once, atomically, by whoever sends it; a
reschedule clears it so the new due time gets its own reminder.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..types import UTCDateTime, utcnow
from .base import Base, id_column, store_column

TASK_STATUSES = ("open", "done")


class Task(Base):
    __tablename__ = "customers_tasks"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'done')", name="status"),
        Index(None, "store_id", "due_at", "id"),
        Index(None, "customer_id", "due_at", "id"),
        Index(None, "store_id", "assignee_id", "due_at"),
        Index(None, "due_at", "reminded_at"),
        Index("ix_customers_tasks_timeline", "customer_id", "created_at", "id"),
    )

    id: Mapped[uuid.UUID] = id_column()
    store_id: Mapped[str] = store_column()
    customer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customers_customers.id", ondelete="CASCADE")
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(String(5000))
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    assignee_id: Mapped[str | None] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(8), default="open")
    created_by: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
