"""Bulk transfer records: import batches (options, progress, checkpoint), their per-row report,
the per-customer undo record and the validated rows waiting for the writing pass; export
jobs.

The uploaded file itself lives on disk (``CUSTOMERS_TRANSFER_FOLDER``), named by the batch id;
these tables hold no file content, only what progress, the report and undo need.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, PrimaryKeyConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..types import UTCDateTime, utcnow
from .base import Base, id_column, store_column

IMPORT_STATUSES = ("queued", "validating", "importing", "done", "rejected", "failed", "undone")
EXPORT_STATUSES = ("queued", "running", "done", "failed", "expired")


class ImportBatch(Base):
    """One import: its options, where the file is, how far it got and what it did."""

    __tablename__ = "customers_import_batches"
    __table_args__ = (Index(None, "store_id", "created_at"),)

    id: Mapped[uuid.UUID] = id_column()
    store_id: Mapped[str] = store_column()
    kind: Mapped[str] = mapped_column(String(16), default="csv")  # csv | emails
    filename: Mapped[str | None] = mapped_column(String(255))
    options: Mapped[dict] = mapped_column(default=dict)
    actor: Mapped[str | None] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    message: Mapped[str | None] = mapped_column(Text)
    total_rows: Mapped[int | None] = mapped_column(Integer)
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    # last physical line of the file whose rows are committed (the resume point of a retry)
    checkpoint_line: Mapped[int] = mapped_column(Integer, default=1)
    created_count: Mapped[int] = mapped_column(Integer, default=0)
    updated_count: Mapped[int] = mapped_column(Integer, default=0)
    # rows that matched a customer and changed nothing (their undo records say ``unchanged``)
    unchanged_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    skipped_count: Mapped[int] = mapped_column(Integer, default=0)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    undone_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # the last write to the row (every status change, checkpoint and progress update): a
    # running batch whose row stops moving has lost its worker
    updated_at: Mapped[dt.datetime | None] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow
    )


class ImportRowError(Base):
    """One problem of one row: physical line (header = 1), column and reason."""

    __tablename__ = "customers_import_errors"

    batch_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customers_import_batches.id", ondelete="CASCADE"), primary_key=True
    )
    line: Mapped[int] = mapped_column(Integer, primary_key=True)
    column: Mapped[str] = mapped_column(String(100), primary_key=True)
    reason: Mapped[str] = mapped_column(String(300))


class ImportChange(Base):
    """What an import did to one customer, so that undo can reverse exactly that."""

    __tablename__ = "customers_import_changes"
    __table_args__ = (Index(None, "customer_id"),)

    batch_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customers_import_batches.id", ondelete="CASCADE"), primary_key=True
    )
    customer_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)  # no FK: outlives deletes
    store_id: Mapped[str] = store_column()
    line: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))  # created | updated
    previous: Mapped[dict] = mapped_column(default=dict)  # column/field:key -> value before
    added_tags: Mapped[list] = mapped_column(default=list)  # tag ids the import linked
    added_source: Mapped[bool] = mapped_column(default=False)


class ImportRow(Base):
    """One row of a running import as the validation pass left it: a good row's parsed values
    (and the id it gets if it creates a customer), or only the line of a bad one. Its email
    and phone keys find the later rows that repeat them (duplicates); the writing pass creates
    the customers of rows that match nobody from here, set-based. Rows leave with the chunk
    that writes them, the rest when the batch ends or is undone (no foreign key: a check per
    staged row that nothing needs)."""

    __tablename__ = "customers_import_rows"
    __table_args__ = (
        # the line first: a probe for one key of one batch can then only be planned on its key
        # index (a key looked up through the batch's primary key range is a scan of the batch,
        # which the planner chose for a batch newer than the table's statistics)
        PrimaryKeyConstraint("line", "batch_id"),
        Index("ix_customers_import_rows_email_key", "email_key", "batch_id"),
        Index("ix_customers_import_rows_phone", "phone", "batch_id"),
    )

    batch_id: Mapped[uuid.UUID] = mapped_column()
    line: Mapped[int] = mapped_column(Integer)
    ok: Mapped[bool] = mapped_column(Boolean)  # passed validation
    customer_id: Mapped[uuid.UUID | None] = mapped_column()  # the new customer's id, if any
    email: Mapped[str | None] = mapped_column(String(320))
    email_key: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(20))
    name: Mapped[str | None] = mapped_column(String(200))
    search_name: Mapped[str | None] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(2))
    language: Mapped[str | None] = mapped_column(String(16))
    gender: Mapped[str | None] = mapped_column(String(16))
    birthdate: Mapped[dt.date | None] = mapped_column(Date)
    company: Mapped[str | None] = mapped_column(String(200))
    position: Mapped[str | None] = mapped_column(String(200))
    vat_id: Mapped[str | None] = mapped_column(String(64))
    consent: Mapped[str | None] = mapped_column(String(16))  # as the row's cell says
    tags: Mapped[list | None] = mapped_column()
    fields: Mapped[dict | None] = mapped_column()  # field id -> [key, canonical value]


class ExportJob(Base):
    """A customer export written to a file by a job, downloadable when done."""

    __tablename__ = "customers_export_jobs"
    __table_args__ = (Index(None, "store_id", "created_at"),)

    id: Mapped[uuid.UUID] = id_column()
    store_id: Mapped[str] = store_column()
    kind: Mapped[str] = mapped_column(String(16), default="customers")  # customers | bookings
    params: Mapped[dict] = mapped_column(default=dict)
    actor: Mapped[str | None] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    message: Mapped[str | None] = mapped_column(Text)
    total_rows: Mapped[int | None] = mapped_column(Integer)
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # when the file is deleted by the sweep (CUSTOMERS_EXPORT_TTL_DAYS after it was written)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
