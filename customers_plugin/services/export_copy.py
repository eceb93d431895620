"""The customer export on PostgreSQL: ``COPY (SELECT …) TO STDOUT (FORMAT csv)``, with every
cell built in SQL exactly as the portable writer (exports.py) builds it in Python, so both give
the same bytes (a property test over generated customers holds them to it).

What the SQL does per cell: text neutralised for spreadsheets (a leading ``= + - @``, tab, CR
or LF, or an escape quote before one, gets a ``'``), timestamps in UTC ISO 8601 with ``Z``
(microseconds only when there are some), money from its thousandths with two decimals unless
the third is used, tags and sources joined by ``"; "`` in the portable writer's order, and an
empty text as NULL: PostgreSQL then writes an unquoted empty cell, as Python's ``csv`` does,
and quotes exactly what ``csv`` quotes (a comma, a quote, CR or LF).

The rows come in chunks of ``CHUNK`` customers by id (a cheap probe finds each chunk's last
id), one COPY statement each: every statement stays short under the statement timeout, and
memory stays flat. An export of the whole store joins each chunk's tags and sources aggregated
in one pass over its id range; a filtered one looks them up per customer (``_lists``). COPY
takes no bound parameters: ``bound_statement`` hands SQLAlchemy's converted values to psycopg,
which merges them in as quoted literals. The booking report, a one-column export and other
databases use the portable writer.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BigInteger,
    Numeric,
    Select,
    Text,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by

from ..models import Customer, CustomerSource, CustomerTag, FieldValue, Tag
from .fields import list_definitions
from .imports.columns import FIELD_PREFIX
from .imports.values import FORMULA_START

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from .scope import Scope

CHUNK = 20_000  # customers per COPY statement
FLUSH = 1_000  # rows per piece handed on
_TEXT = "email phone name country language gender company position vat_id status"
_COUNTS = ("orders_count", "bookings_count")
_TIMES = ("joined_at", "last_order_at")
_RISKY = sorted(FORMULA_START)


def applies(dialect: str, kind: str, columns: Sequence[str]) -> bool:
    """Whether this export goes through COPY (PostgreSQL, customers, two columns or more)."""
    return dialect == "postgresql" and kind == "customers" and len(columns) > 1


def _neutral(text: Any) -> Any:
    """``exports.neutralise`` in SQL, an empty text as NULL."""
    first, second = func.substr(text, 1, 1), func.substr(text, 2, 1)
    risky = or_(first.in_(_RISKY), and_(first == "'", second.in_([*_RISKY, "'"])))
    return func.nullif(case((risky, literal("'", Text).concat(text)), else_=text), "")


def _iso(moment: Any) -> Any:
    """A timestamp as ``datetime.isoformat`` writes it in UTC, ``Z`` for ``+00:00``: one
    ``to_char`` with the microseconds, dropped when they are zero (``.000000Z`` can only be the
    end of that format)."""
    text = func.to_char(func.timezone("UTC", moment), 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
    return func.replace(text, ".000000Z", "Z")


def _money(column: Any) -> Any:
    """Thousandths as ``types.money_from_units`` writes them (two decimals unless the third
    one is used). Only a minus sign can make such a text risky for a spreadsheet, so the
    amount, computed once, is neutralised by its sign."""
    units = type_coerce(column, BigInteger)
    places = case((units % 10 == 0, 2), else_=3)
    text = cast(func.round(cast(units, Numeric) / 1000, places), Text)
    return case((units < 0, literal("'", Text).concat(text)), else_=text)


def _joined(value: Any, *order_by: Any) -> Any:
    """``"; "``.join of a customer's values in ``order_by`` order (NULL when none), neutralised
    where it is aggregated: outside, each mention of a subquery would run it again."""
    return _neutral(func.string_agg(value, aggregate_order_by(literal("; ", Text), *order_by)))


# tags and sources: (the rows of one store, the customer id column, the joined value)
def _tag_rows() -> tuple[Select[Any], Any, Any]:
    rows = select(CustomerTag.customer_id).join(Tag, Tag.id == CustomerTag.tag_id)
    return rows, CustomerTag.customer_id, _joined(Tag.name, Tag.name_key)


def _source_rows() -> tuple[Select[Any], Any, Any]:
    rows = select(CustomerSource.customer_id)
    joined = _joined(CustomerSource.source, CustomerSource.first_seen_at, CustomerSource.source)
    return rows, CustomerSource.customer_id, joined


_LISTS = {"tags": _tag_rows, "sources": _source_rows}


def _range(column: Any, last: Any, end: Any) -> list[Any]:
    """``column`` in the chunk ``(last, end]`` (an open end: None)."""
    return [
        *(() if last is None else (column > last,)),
        *(() if end is None else (column <= end,)),
    ]


def _lists(
    columns: Sequence[str], store_id: str, every: bool, last: Any, end: Any
) -> tuple[dict[str, Any], list[Any]]:
    """The tags and sources cells, and the subqueries to join for them.

    For an export of every customer (``every``), each list is aggregated once for the chunk's
    range of ids, grouped by customer, and joined: one pass over the chunk. A narrower export
    reads each selected customer's list by a correlated subquery instead, so it costs what it
    selects, not the whole range its customers span."""
    cells: dict[str, Any] = {}
    joins: list[Any] = []
    for name in (n for n in _LISTS if n in columns):
        rows, customer_id, joined = _LISTS[name]()
        table = customer_id.table
        if every:
            grouped = (
                rows.with_only_columns(customer_id.label("customer_id"), joined.label("value"))
                .where(table.c.store_id == store_id, *_range(customer_id, last, end))
                .group_by(customer_id)
                .subquery(name)
            )
            joins.append(grouped)
            cells[name] = grouped.c.value
        else:
            cells[name] = (
                rows.with_only_columns(joined).where(customer_id == Customer.id).scalar_subquery()
            )
    return cells, joins


def _cell(name: str, field_ids: dict[str, Any], lists: dict[str, Any]) -> Any:
    column = Customer.__table__.c
    if name in lists:
        return lists[name]
    if name in _TEXT.split() or name == "marketing_consent":
        return _neutral(cast(column[name], Text))
    if name == "id" or name in _COUNTS:
        return cast(column[name], Text)
    if name in _TIMES:
        return _iso(column[name])
    if name == "birthdate":
        return func.to_char(column.birthdate, "YYYY-MM-DD")
    if name == "total_spent":
        return _money(column.total_spent)
    value = select(_neutral(FieldValue.value)).where(
        FieldValue.customer_id == Customer.id, FieldValue.field_id == field_ids[name]
    )
    return value.scalar_subquery()


def pieces(
    scope: Scope, columns: Sequence[str], clauses: list[Any], header: bytes, *, every: bool
) -> Iterator[tuple[bytes, int]]:
    """The export file in pieces of bytes, each with the number of customers it holds: the
    BOM and ``header`` first (with none), then the rows by COPY. ``every``: the clauses select
    every customer of the store (in some statuses), see ``_lists``."""
    session, store_id = scope.session, scope.store_id
    field_ids = {
        FIELD_PREFIX + d.key: d.id
        for d in list_definitions(session, store_id)
        if FIELD_PREFIX + d.key in columns
    }
    yield header, 0
    cursor = session.connection().connection.driver_connection.cursor()
    # the statements are simple but look costly to the planner: compiling them (JIT) would
    # take longer than running them, and a parallel worker would aggregate a chunk's tags and
    # sources a second time
    cursor.execute(
        "SELECT set_config('jit', 'off', true), "
        "set_config('max_parallel_workers_per_gather', '0', true)"
    )
    try:
        last = None
        while True:
            after = [*clauses, *_range(Customer.id, last, None)]
            end = session.scalar(
                select(Customer.id).where(*after).order_by(Customer.id).offset(CHUNK - 1).limit(1)
            )
            lists, joins = _lists(columns, store_id, every, last, end)
            cells = [_cell(name, field_ids, lists).label(f"c{n}") for n, name in enumerate(columns)]
            query = select(*cells).select_from(Customer)
            for joined in joins:
                query = query.outerjoin(joined, joined.c.customer_id == Customer.id)
            query = query.where(*clauses, *_range(Customer.id, last, end)).order_by(Customer.id)
            yield from _copy(session, cursor, query)
            if end is None:
                return
            last = end
    finally:
        cursor.close()


def bound_statement(query: Any, dialect: Any) -> tuple[str, dict[str, Any]]:
    """``query``'s SQL and its parameters as the driver receives them (IN lists expanded, each
    value through its column type's conversion), for psycopg to merge into a statement that
    takes no parameters (COPY): psycopg quotes each value as a literal."""
    compiled = query.compile(dialect=dialect)
    state = compiled.construct_expanded_state(escape_names=False)
    expanded_from = {
        name: original for original, names in state.parameter_expansion.items() for name in names
    }
    params = {}
    for name, value in state.parameters.items():
        convert = compiled.binds[expanded_from.get(name, name)].type.bind_processor(dialect)
        params[name] = value if convert is None else convert(value)
    return state.statement, params


def _copy(session: Session, cursor: Any, query: Any) -> Iterator[tuple[bytes, int]]:
    """One COPY of ``query`` as CSV, in pieces of ``FLUSH`` rows (libpq hands one row at a
    time, ending in LF)."""
    sql, params = bound_statement(query, session.get_bind().dialect)
    block: list[bytes] = []
    with cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)", params) as copy:
        for row in copy:
            block.append(bytes(row[:-1]))  # its line end: "\n", the file's is CRLF
            if len(block) == FLUSH:
                yield _lines(block), FLUSH
                block = []
    if block:
        yield _lines(block), len(block)


def _lines(rows: list[bytes]) -> bytes:
    return b"\r\n".join(rows) + b"\r\n"
