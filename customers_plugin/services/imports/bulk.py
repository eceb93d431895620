"""Bulk inserts of many new rows in the caller's transaction: PostgreSQL ``COPY … FROM STDIN``
(one round trip for the whole chunk, values converted by the columns' own types), Core
``insert()`` executemany elsewhere (SQLite's executemany is already fast).

Only for rows that cannot conflict (new ids, keys checked first); inserts that may meet an
existing row keep ``ON CONFLICT DO NOTHING``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import JSON, Table
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from ...db import insert


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        session.execute(insert(session, table), list(rows))
        return
    given = list(rows[0])
    defaults = _defaults(table, given)
    names = given + list(defaults)
    # (column, converter) pairs; plain columns need no converter
    converted = [
        (n, f) for n in given if (f := _converter(table.c[n], connection.dialect)) is not None
    ]
    quoted = ", ".join(connection.dialect.identifier_preparer.quote(n) for n in names)
    target = connection.dialect.identifier_preparer.format_table(table)
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        with cursor.copy(f"COPY {target} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                values = dict(row)
                for name, convert in converted:
                    values[name] = convert(values[name])
                out = [values[n] for n in given]
                out += [make() for make in defaults.values()]
                copy.write_row(out)
    finally:
        cursor.close()


def _defaults(table: Table, given: list[str]) -> dict[str, Any]:
    """Python-side column defaults that COPY would not apply (Core insert does)."""
    out = {}
    for column in table.columns:
        default = column.default
        if column.name in given or default is None:
            continue
        if default.is_scalar:
            out[column.name] = lambda _v=default.arg: _v
        elif default.is_callable:
            out[column.name] = lambda _f=default.arg: _f(None)
    return out


def _converter(column: Any, dialect: Any) -> Any:
    """How a value of ``column`` is written (None: as it is)."""
    kind = column.type
    if isinstance(kind, TypeDecorator):
        return lambda value, _t=kind: _t.process_bind_param(value, dialect)
    if isinstance(kind, JSON):
        return lambda value: None if value is None else json.dumps(value)
    return None
