"""Column types that behave the same on SQLite and PostgreSQL: exact money, UTC times, ids.

Nothing here touches a session or Flask.
"""

from __future__ import annotations

import datetime as dt
import os
import time
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import BigInteger, DateTime
from sqlalchemy.types import TypeDecorator

MONEY_SCALE = 3  # thousandths: enough for KWD, BHD, OMR, JOD, TND (three-decimal currencies)
_MONEY_FACTOR = Decimal(10) ** MONEY_SCALE
_CENT = Decimal("0.01")


def new_id() -> uuid.UUID:
    """A UUIDv7: time-ordered (friendly to B-tree indexes) with 74 random bits (not guessable)."""
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (millis & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= ((rand >> 62) & 0xFFF) << 64
    value |= 0b10 << 62
    value |= rand & ((1 << 62) - 1)
    return uuid.UUID(int=value)


def to_money(value: Any) -> Decimal:
    """Parse an amount exactly; floats are refused because they are not exact."""
    if isinstance(value, float):
        raise TypeError("money must be a Decimal, an int or a string, never a float")
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    if not amount.is_finite():
        raise ValueError("amount must be finite")
    if amount.as_tuple().exponent < -MONEY_SCALE and amount != amount.quantize(
        Decimal(1).scaleb(-MONEY_SCALE)
    ):
        raise ValueError(f"amount has more than {MONEY_SCALE} decimals: {value!r}")
    return amount


class Money(TypeDecorator[Decimal]):
    """A Decimal stored as an integer count of thousandths: exact and atomic in SQL everywhere."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> int | None:
        if value is None:
            return None
        return int(to_money(value) * _MONEY_FACTOR)

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        if value is None:
            return None
        return money_from_units(int(value))


def money_from_units(units: int) -> Decimal:
    """Thousandths back to a Decimal, with two decimals unless the third one is used."""
    amount = Decimal(units).scaleb(-MONEY_SCALE)
    return amount.quantize(_CENT) if units % 10 == 0 else amount


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC datetimes on both backends (SQLite stores them naive, in UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are refused: give a timezone-aware value")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
