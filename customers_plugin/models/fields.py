"""Custom field definitions of a store and their values per customer."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..types import UTCDateTime, utcnow
from .base import Base, id_column, store_column


class FieldDefinition(Base):
    __tablename__ = "customers_field_definitions"
    __table_args__ = (UniqueConstraint("store_id", "key"),)

    id: Mapped[uuid.UUID] = id_column()
    store_id: Mapped[str] = store_column()
    key: Mapped[str] = mapped_column(String(64))  # never changes after creation
    label: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(32))  # text | number | date | url | registered…
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class FieldValue(Base):
    """One value, stored in the canonical text form of its field type."""

    __tablename__ = "customers_field_values"
    __table_args__ = (Index(None, "field_id", "value"),)

    customer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customers_customers.id", ondelete="CASCADE"), primary_key=True
    )
    field_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customers_field_definitions.id", ondelete="CASCADE"), primary_key=True
    )
    store_id: Mapped[str] = store_column()
    value: Mapped[str] = mapped_column(Text)
