"""Rows as JSON and back: what a merge keeps of a row it set aside (and of the merged customer)
so the undo can write it again with the same values and types."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import sqlalchemy as sa


def dump_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row's values as JSON values (ids, times and amounts as text)."""
    return {name: _dump(value) for name, value in row.items()}


def _dump(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.date):  # datetimes too
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def load_row(table: sa.Table, data: Mapping[str, Any]) -> dict[str, Any]:
    """The values of ``dump_row`` typed again for ``table`` (columns it no longer has are left
    out)."""
    return {name: _load(table.c[name], value) for name, value in data.items() if name in table.c}


def _load(column: sa.Column[Any], value: Any) -> Any:
    if value is None:
        return None
    kind = getattr(column.type, "impl", column.type)
    if isinstance(kind, sa.Uuid):
        return uuid.UUID(value)
    if isinstance(kind, sa.DateTime):
        return dt.datetime.fromisoformat(value)
    if isinstance(kind, sa.Date):
        return dt.date.fromisoformat(value)
    if isinstance(kind, sa.Numeric):
        return Decimal(value)
    return value
