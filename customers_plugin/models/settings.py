"""A store's own values of the settings it may override (``services/settings``): one row per
store and key, its JSON value, who changed it and when. A key with no row follows the app's
configuration."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from ..types import UTCDateTime, utcnow
from .base import Base


class StoreSetting(Base):
    __tablename__ = "customers_store_settings"

    store_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_by: Mapped[str | None] = mapped_column(String(128))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
