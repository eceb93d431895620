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
memory stays flat. The booking report, a one-column export and other databases use the
portable writer.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BigInteger,
    Numeric,
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
    """A timestamp as ``datetime.isoformat`` writes it in UTC, ``Z`` for ``+00:00``."""
    utc = func.timezone("UTC", moment)
    micro = func.to_char(utc, "US")
    fraction = case((micro == "000000", ""), else_=literal(".", Text).concat(micro))
    return func.to_char(utc, 'YYYY-MM-DD"T"HH24:MI:SS').concat(fraction).concat("Z")


def _money(column: Any) -> Any:
    """Thousandths as ``types.money_from_units`` writes them (two decimals unless the third
    one is used)."""
    units = type_coerce(column, BigInteger)
    amount = cast(units, Numeric) / 1000
    rounded = case((units % 10 == 0, func.round(amount, 2)), else_=func.round(amount, 3))
    return _neutral(cast(rounded, Text))


def _joined(query: Any, value: Any, *order_by: Any) -> Any:
    """``"; "``.join of a customer's values in ``order_by`` order (NULL when none),
    neutralised inside the subquery: outside, each mention of it would run it again."""
    joined = func.string_agg(value, aggregate_order_by(literal("; ", Text), *order_by))
    return query.with_only_columns(_neutral(joined)).scalar_subquery()


def _cell(name: str, field_ids: dict[str, Any]) -> Any:
    column = Customer.__table__.c
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
    if name == "tags":
        tags = select(Tag.name).join(CustomerTag, CustomerTag.tag_id == Tag.id)
        return _joined(tags.where(CustomerTag.customer_id == Customer.id), Tag.name, Tag.name_key)
    if name == "sources":
        sources = select(CustomerSource.source).where(CustomerSource.customer_id == Customer.id)
        return _joined(
            sources, CustomerSource.source, CustomerSource.first_seen_at, CustomerSource.source
        )
    value = select(_neutral(FieldValue.value)).where(
        FieldValue.customer_id == Customer.id, FieldValue.field_id == field_ids[name]
    )
    return value.scalar_subquery()


def pieces(
    scope: Scope, columns: Sequence[str], clauses: list[Any], header: bytes
) -> Iterator[tuple[bytes, int]]:
    """The export file in pieces of bytes, each with the number of customers it holds: the
    BOM and ``header`` first (with none), then the rows by COPY."""
    session = scope.session
    field_ids = {
        FIELD_PREFIX + d.key: d.id
        for d in list_definitions(session, scope.store_id)
        if FIELD_PREFIX + d.key in columns
    }
    cells = [_cell(name, field_ids).label(f"c{n}") for n, name in enumerate(columns)]
    yield header, 0
    cursor = session.connection().connection.driver_connection.cursor()
    # the statements are simple but look costly to the planner: compiling them (JIT) would
    # take longer than running them
    cursor.execute("SELECT set_config('jit', 'off', true)")
    try:
        last = None
        while True:
            chunk = list(clauses) if last is None else [*clauses, Customer.id > last]
            end = session.scalar(
                select(Customer.id).where(*chunk).order_by(Customer.id).offset(CHUNK - 1).limit(1)
            )
            if end is not None:
                chunk.append(Customer.id <= end)
            query = select(*cells).select_from(Customer).where(*chunk).order_by(Customer.id)
            yield from _copy(session, cursor, query)
            if end is None:
                return
            last = end
    finally:
        cursor.close()


def _copy(session: Session, cursor: Any, query: Any) -> Iterator[tuple[bytes, int]]:
    """One COPY of ``query`` as CSV, in pieces of ``FLUSH`` rows (libpq hands one row at a
    time, ending in LF). Parameters are merged into the statement by psycopg (COPY takes
    none)."""
    compiled = query.compile(
        dialect=session.get_bind().dialect, compile_kwargs={"render_postcompile": True}
    )
    processors = compiled._bind_processors  # the columns' own conversions, as execute applies
    params = {
        key: processors[key](value) if key in processors else value
        for key, value in compiled.construct_params().items()
    }
    statement = f"COPY ({compiled.string}) TO STDOUT (FORMAT csv)"
    block: list[bytes] = []
    with cursor.copy(statement, params) as copy:
        for row in copy:
            block.append(bytes(row[:-1]))  # its line end: "\n", the file's is CRLF
            if len(block) == FLUSH:
                yield _lines(block), FLUSH
                block = []
    if block:
        yield _lines(block), len(block)


def _lines(rows: list[bytes]) -> bytes:
    return b"\r\n".join(rows) + b"\r\n"
