"""A customer list row written by PostgreSQL as the API writes it (``CustomerRow`` dumped and
encoded by orjson, keys sorted), in two text columns: the row up to its ``currency`` value, and
after it; and a whole page read as one row (``one_row``): its rows joined in order, each
row's currency marked by ``CURRENCY_MARK``. The currency is the store's, the same on every row,
and put in by the caller (``listing.page_as_json``): it would otherwise cost the statement a
settings lookup per row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Select,
    Subquery,
    Text,
    func,
    literal_column,
    select,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by

from ..models import Customer
from . import json_text as jt
from . import row_extras

HEAD, TAIL = "row_head", "row_tail"
CURRENCY = "currency"
# a page's labels: its rows' JSON text, and how many rows it read (one beyond the page: more)
ROWS, READ = "page_rows", "page_read"
POSITION = "page_position"
# where each row's currency goes: a control character, which JSON text never holds unescaped
CURRENCY_MARK = "\x1f"
# CustomerRow's columns and how each is written
WRITERS: dict[str, Callable[[Any], ColumnElement[str]]] = {
    "block_reason": jt.string,
    "country": jt.string,
    "email": jt.string,
    "id": jt.identifier,
    "joined_at": jt.utc_datetime,
    "last_order_at": jt.utc_datetime,
    "marketing_consent": jt.string,
    "name": jt.string,
    "orders_count": jt.integer,
    "phone": jt.string,
    "status": jt.string,
    "system_notifications": jt.boolean,
    "total_spent": jt.money,
}
# the extras a row carries by name (the others go under ``extras``)
TOP_LEVEL = frozenset({"groups", "sources", "tags"})
_BUILT: dict[tuple[row_extras.RowExtra, ...], list[ColumnElement[str]] | None] = {}


def columns() -> list[ColumnElement[str]] | None:
    """The row's two labelled columns for a ``select`` of customers, built once per set of
    registered extras; None when an extra has no JSON-text writer (Python writes the page)."""
    extras = tuple(row_extras.EXTRAS.values())
    if extras not in _BUILT:
        if len(_BUILT) >= 16:  # modules registering and unregistering extras (tests)
            _BUILT.clear()
        _BUILT[extras] = _build(extras)
    return _BUILT[extras]


def _build(extras: tuple[row_extras.RowExtra, ...]) -> list[ColumnElement[str]] | None:
    table = Customer.__table__
    values = {name: write(table.c[name]) for name, write in WRITERS.items()}
    nested = {}
    for extra in extras:
        if extra.json_text is None or (extra.top_level and extra.name not in TOP_LEVEL):
            return None
        (values if extra.top_level else nested)[extra.name] = extra.json_text()
    values["extras"] = jt.obj(nested)
    before = {k: v for k, v in values.items() if k < CURRENCY}
    after = {k: v for k, v in values.items() if k > CURRENCY}
    head = jt.concat(jt.constant("{"), *jt.members(before), jt.constant(f',"{CURRENCY}":'))
    tail = jt.concat(jt.constant(","), *jt.members(after), jt.constant("}"))
    return [head.label(HEAD), tail.label(TAIL)]


def position(order_by: list[Any]) -> ColumnElement[int]:
    """A page row's place in the page (from 1), for a page's ``select``."""
    return func.row_number().over(order_by=order_by).label(POSITION)


def one_row(
    page: Subquery, values: list[ColumnElement[Any]], limit: int, overrides: ColumnElement[Any]
) -> Select[Any]:
    """The page ``page`` (its rows with ``columns()``, the sort ``values`` and ``position``,
    ``limit + 1`` at most) as one row: the JSON text of its first ``limit`` rows joined in
    order, how many it read, the sort values of row ``limit`` (for the next page's cursor,
    under their own keys) and ``overrides``. One row instead of a page of them: the driver
    and Python spend nothing per row."""
    at = page.c[POSITION]
    size = literal_column(str(int(limit)))
    mark = func.chr(literal_column(str(ord(CURRENCY_MARK))))
    row = jt.concat(page.c[HEAD], mark, page.c[TAIL])
    rows = func.string_agg(row, aggregate_order_by(jt.constant(","), at), type_=Text)
    first = literal_column("1")
    last = [
        type_coerce(func.array_agg(page.c[v.key]).filter(at == size), ARRAY(v.type))[first].label(
            v.key
        )
        for v in values
    ]
    return select(
        rows.filter(at <= size).label(ROWS),
        func.count().label(READ),
        *last,
        overrides,
    ).select_from(page)
