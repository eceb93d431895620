"""Keyset pagination: an order over sort keys with the id as the final tie-break, an opaque
cursor carrying the last row's key values, and the WHERE clause that resumes after them.

NULLs sort last in both directions; so does an empty text of a nullable key (the key's column
maps it to NULL, e.g. with ``nullif``, and ``row_values`` reads it as ``None``). Cursors are
checked strictly (shape, types, ranges, the sort they were made for): a forged or damaged
cursor is an ``InvalidCursor``, never a crash.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import and_, false, literal, or_, select, tuple_
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import BindParameter, ColumnElement

from ..i18n import _
from ..types import to_money
from .errors import Invalid

MAX_CURSOR_LENGTH = 2048
CURSOR_PATTERN = r"^[A-Za-z0-9_-]+={0,2}$"
_CURSOR_CHARS = re.compile(CURSOR_PATTERN)
_INT_LIMIT = 2**31
_MONEY_LIMIT = Decimal(10) ** 14
_MAX_TEXT = 400


class InvalidCursor(Invalid):
    code = "invalid_cursor"


@dataclass(frozen=True, slots=True)
class SortKey:
    """A sortable column: public name, SQL column, value kind and the row attribute to read."""

    name: str
    column: Any
    kind: str  # str | int | datetime | decimal | bool | uuid
    nullable: bool = False
    attr: str | None = None

    @property
    def attribute(self) -> str:
        return self.attr or self.name


@dataclass(frozen=True, slots=True)
class Order:
    key: SortKey
    desc: bool


def parse_sort(spec: str, keys: dict[str, SortKey], tie_break: SortKey) -> list[Order]:
    """``"-joined_at,name"`` into orders, the tie-break (id) last, in the first key's direction.

    :raises Invalid: for an unknown or repeated key.
    """
    orders: list[Order] = []
    seen: set[str] = set()
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        desc = part.startswith("-")
        name = part.lstrip("+-")
        if name not in keys:
            allowed = ", ".join(sorted(keys))
            raise Invalid(
                _("cannot sort by '{name}'", name=name),
                fields={"sort": [_("sort by one of: {names}", names=allowed)]},
            )
        if name in seen:
            message = _("'{name}' is repeated", name=name)
            raise Invalid(message, fields={"sort": [message]})
        seen.add(name)
        orders.append(Order(keys[name], desc))
    if not orders:
        raise Invalid(_("empty sort"), fields={"sort": [_("give at least one key")]})
    orders.append(Order(tie_break, orders[0].desc))
    return orders


def signature(orders: list[Order]) -> str:
    return ",".join(("-" if o.desc else "") + o.key.name for o in orders)


def order_by(orders: list[Order]) -> list[Any]:
    clauses = []
    for o in orders:
        clause = o.key.column.desc() if o.desc else o.key.column.asc()
        clauses.append(clause.nulls_last() if o.key.nullable else clause)
    return clauses


def after(orders: list[Order], values: list[Any]) -> ColumnElement[bool]:
    """Rows strictly after the row whose sort values are ``values`` (or named parameters that
    will carry them; ``None`` stays a value, NULL)."""
    if all(not o.key.nullable for o in orders) and len({o.desc for o in orders}) == 1:
        row = tuple_(*(o.key.column for o in orders))
        # typed binds: a Money column stores thousandths, so a bare Decimal would compare wrong
        bound = tuple_(
            *(
                v if isinstance(v, BindParameter) else literal(v, o.key.column.type)
                for o, v in zip(orders, values, strict=True)
            )
        )
        return row < bound if orders[0].desc else row > bound
    alternatives = []
    for i, o in enumerate(orders):
        equal = [_equal(prev.key.column, values[j]) for j, prev in enumerate(orders[:i])]
        alternatives.append(and_(*equal, _beyond(o, values[i])))
    return or_(*alternatives)


def _equal(column: Any, value: Any) -> ColumnElement[bool]:
    return column.is_(None) if value is None else column == value


def _beyond(o: Order, value: Any) -> ColumnElement[bool]:
    if value is None:
        return false()  # NULLs are last: nothing sorts after a NULL within this key
    strictly = o.key.column < value if o.desc else o.key.column > value
    return or_(strictly, o.key.column.is_(None)) if o.key.nullable else strictly


def row_values(orders: list[Order], row: Any) -> list[Any]:
    values = [getattr(row, o.key.attribute) for o in orders]
    return [None if v == "" and o.key.nullable else v for o, v in zip(orders, values, strict=True)]


def encode(orders: list[Order], values: list[Any]) -> str:
    payload = {"s": signature(orders), "v": [_dump(v) for v in values]}
    raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(token: str, orders: list[Order]) -> list[Any]:
    """The sort values inside ``token``.

    :raises InvalidCursor: for anything that is not a cursor of this very sort.
    """
    if len(token) > MAX_CURSOR_LENGTH or not _CURSOR_CHARS.match(token):
        raise _bad()
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        payload = json.loads(raw.decode("ascii"))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise _bad() from None
    if (
        not isinstance(payload, dict)
        or payload.get("s") != signature(orders)
        or not isinstance(payload.get("v"), list)
        or len(payload["v"]) != len(orders)
    ):
        raise _bad()
    try:
        return [_load(o.key, v) for o, v in zip(orders, payload["v"], strict=True)]
    except (TypeError, ValueError, InvalidOperation, OverflowError):
        raise _bad() from None


def _bad() -> InvalidCursor:
    message = _("the cursor is not valid for this list; start again without it")
    return InvalidCursor(message, fields={"cursor": [message]})


def _dump(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    return value


def _load(key: SortKey, value: Any) -> Any:
    if value is None:
        if not key.nullable:
            raise ValueError("null for a non-null key")
        return None
    kind = key.kind
    if kind == "str":
        if not isinstance(value, str) or len(value) > _MAX_TEXT or "\x00" in value:
            raise ValueError("bad text")
        value.encode("utf-8")
        return value
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int) or abs(value) >= _INT_LIMIT:
            raise ValueError("bad int")
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise ValueError("bad bool")
        return value
    if not isinstance(value, str) or len(value) > 64:
        raise ValueError("bad value")
    if kind == "datetime":
        parsed = dt.datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError("naive datetime")
        return parsed.astimezone(dt.UTC)
    if kind == "decimal":
        amount = to_money(value)
        if abs(amount) >= _MONEY_LIMIT:
            raise ValueError("amount out of range")
        return amount
    if kind == "uuid":
        return uuid.UUID(value)
    raise ValueError(f"unknown kind {kind}")


def model_page(
    session: Session,
    model: Any,
    keys: dict[str, SortKey],
    sort: str,
    where: list[Any],
    limit: int,
    cursor: str | None,
) -> tuple[list[Any], str | None]:
    """One page of ``model`` rows matching ``where``, ordered by ``sort`` (keys of ``keys``,
    the id as the final tie-break), after ``cursor``; and the cursor of the next page."""
    orders = parse_sort(sort, keys, SortKey("id", model.id, "uuid"))
    return query_page(session, select(model).where(*where), orders, limit, cursor, scalars=True)


def query_page(
    session: Session,
    query: Any,
    orders: list[Order],
    limit: int,
    cursor: str | None,
    *,
    scalars: bool = False,
) -> tuple[list[Any], str | None]:
    """One page of any select in ``orders`` after ``cursor`` (ORM objects when ``scalars``,
    else rows); and the cursor of the next page."""
    if cursor:
        query = query.where(after(orders, decode(cursor, orders)))
    query = query.order_by(*order_by(orders)).limit(limit + 1)
    rows = list(session.scalars(query) if scalars else session.execute(query))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode(orders, row_values(orders, rows[-1])) if more else None
