"""PostgreSQL expressions that write a value as JSON text, byte for byte as the API's encoder
(orjson, keys sorted) writes the value its response schema dumps: compact, text outside ASCII
as UTF-8 and control characters escaped as orjson escapes them (``to_json`` does the same),
ids in their dashed form, datetimes in UTC as Python's ``isoformat`` writes them (the
fraction only when there is one), amounts as ``Money`` writes them (two decimals unless the
third is used).

A list page written this way costs Python nothing per row (see ``listing.page_as_json``).
tests/api/test_list_json.py holds every writer here to Python's bytes over generated
values on real PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Numeric,
    Select,
    Text,
    case,
    cast,
    func,
    literal_column,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by

NULL = "null"


def constant(text: str) -> ColumnElement[str]:
    """Fixed JSON text written into the statement (keys and punctuation, never user input)."""
    if "'" in text or "\\" in text:
        raise ValueError(f"{text!r} cannot be written into the statement")
    return literal_column(f"'{text}'", Text)


def concat(*parts: ColumnElement[Any]) -> ColumnElement[str]:
    """``a || b || …`` (NULL if any part is NULL)."""
    out = parts[0]
    for part in parts[1:]:
        out = out.op("||", return_type=Text)(part)
    return out


def _or_null(value: ColumnElement[Any]) -> ColumnElement[str]:
    return func.coalesce(value, constant(NULL), type_=Text)


def string(column: ColumnElement[Any]) -> ColumnElement[str]:
    return _or_null(cast(func.to_json(cast(column, Text)), Text))


def identifier(column: ColumnElement[Any]) -> ColumnElement[str]:
    """A UUID, dashed, as a JSON string."""
    return _or_null(concat(constant('"'), cast(column, Text), constant('"')))


def integer(column: ColumnElement[Any]) -> ColumnElement[str]:
    return _or_null(cast(column, Text))


def boolean(column: ColumnElement[Any]) -> ColumnElement[str]:
    return case(
        (column.is_(True), constant("true")),
        (column.is_(False), constant("false")),
        else_=constant(NULL),
    )


def utc_datetime(column: ColumnElement[Any]) -> ColumnElement[str]:
    """A ``timestamptz`` as ``"2026-12-06T17:59:40.123456+00:00"`` (no fraction when it is
    a whole second), whatever the session's time zone."""
    utc = func.timezone(constant("UTC"), column)
    fraction = case(
        (func.date_trunc(constant("second"), column) == column, constant("")),
        else_=func.to_char(utc, constant(".US")),
    )
    seconds = func.to_char(utc, constant('YYYY-MM-DD"T"HH24:MI:SS'))
    return _or_null(concat(constant('"'), seconds, fraction, constant('+00:00"')))


def money(column: ColumnElement[Any]) -> ColumnElement[str]:
    """An amount stored as thousandths (``types.Money``) as its decimal string."""
    units = type_coerce(column, BigInteger)
    amount = units.op("*", return_type=Numeric)(literal_column("0.001"))
    text = case(
        (
            units % literal_column("10") == literal_column("0"),
            cast(func.round(amount, literal_column("2")), Text),
        ),
        else_=cast(amount, Text),
    )
    return _or_null(concat(constant('"'), text, constant('"')))


def members(fields: Mapping[str, ColumnElement[str]]) -> list[ColumnElement[str]]:
    """The ``"key":value`` members of an object, keys sorted, as parts to ``concat`` (the
    commas between them included, the braces not)."""
    parts: list[ColumnElement[str]] = []
    for index, key in enumerate(sorted(fields)):
        if not key.isidentifier():
            raise ValueError(f"{key!r} cannot be a JSON key here")
        parts += [constant(("," if index else "") + f'"{key}":'), fields[key]]
    return parts


def obj(fields: Mapping[str, ColumnElement[str]]) -> ColumnElement[str]:
    """An object of JSON-text values, keys sorted."""
    if not fields:
        return constant("{}")
    return concat(constant("{"), *members(fields), constant("}"))


def array(
    query: Select[Any], item: ColumnElement[str], order_by: Sequence[ColumnElement[Any]]
) -> ColumnElement[str]:
    """The rows of ``query`` (a correlated subquery) as a JSON array of ``item``, in
    ``order_by`` order; ``[]`` when there are none."""
    joined = func.string_agg(item, aggregate_order_by(constant(","), *order_by), type_=Text)
    value = func.coalesce(concat(constant("["), joined, constant("]")), constant("[]"))
    return query.with_only_columns(value).scalar_subquery()
