"""Internal notes on a customer: the note (text, type, staff author, pinned), the earlier
versions an edit replaced (who changed it and when) and the files attached to it.

Every row names its store and its customer, so deleting, anonymising and exporting one
customer reach all three tables with one condition each.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..types import UTCDateTime, utcnow
from .base import Base, id_column, store_column

_CUSTOMER = "customers_customers.id"
_NOTE = "customers_notes.id"


class Note(Base):
    __tablename__ = "customers_notes"
    __table_args__ = (
        Index("ix_customers_notes_page", "store_id", "customer_id", "pinned", "created_at", "id"),
        Index("ix_customers_notes_timeline", "customer_id", "created_at", "id"),
    )

    id: Mapped[uuid.UUID] = id_column()
    store_id: Mapped[str] = store_column()
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(_CUSTOMER, ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(40))
    author: Mapped[str] = mapped_column(String(128))
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    edited_by: Mapped[str | None] = mapped_column(String(128))


class NoteRevision(Base):
    """The text and type a note had before one edit, with who edited it and when."""

    __tablename__ = "customers_note_revisions"
    __table_args__ = (Index("ix_customers_note_revisions_note", "note_id", "edited_at", "id"),)

    id: Mapped[uuid.UUID] = id_column()
    store_id: Mapped[str] = store_column()
    customer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(_CUSTOMER, ondelete="CASCADE"), index=True
    )
    note_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(_NOTE, ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(40))
    edited_by: Mapped[str] = mapped_column(String(128))
    edited_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class NoteFile(Base):
    """A file attached to a note: the attachment store's key and what the API serves back."""

    __tablename__ = "customers_note_files"
    __table_args__ = (Index("ix_customers_note_files_note", "note_id", "uploaded_at", "id"),)

    id: Mapped[uuid.UUID] = id_column()
    store_id: Mapped[str] = store_column()
    customer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(_CUSTOMER, ondelete="CASCADE"), index=True
    )
    note_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(_NOTE, ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by: Mapped[str] = mapped_column(String(128))
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
