"""Portable SQL constructs: a column compared with a list of values through one parameter.

``in_values(column, values)`` is ``column = ANY(:array)`` on PostgreSQL and
``column IN (SELECT value FROM json_each(:json))`` on SQLite: one bound parameter whatever the
list's length, so the statement's text (and its cached plan) does not grow with the list.

``email_domain(column)`` is the part of an email after its ``@`` (``split_part`` on
PostgreSQL, ``substr``/``instr`` on SQLite).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Boolean, String, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import TypeDecorator, TypeEngine


class ValueList(TypeDecorator[Any]):
    """A list bound as one parameter: an array of ``item_type`` on PostgreSQL, a JSON array
    of the items' bound forms elsewhere."""

    impl = String
    cache_ok = True

    def __init__(self, item_type: TypeEngine[Any]) -> None:
        super().__init__()
        self.item_type = item_type

    def load_dialect_impl(self, dialect: Any) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(ARRAY(self.item_type))
        return dialect.type_descriptor(String())

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        if value is None:
            return None
        if dialect.name == "postgresql":
            return list(value)
        process = self.item_type.dialect_impl(dialect).bind_processor(dialect)
        return json.dumps([process(v) if process else v for v in value], default=str)


class InValues(ColumnElement[bool]):
    """``column`` equals one of a list of values (see the module)."""

    __visit_name__ = "customers_in_values"
    inherit_cache = True
    _traverse_internals = [
        ("column", InternalTraversal.dp_clauseelement),
        ("values", InternalTraversal.dp_clauseelement),
    ]
    type = Boolean()

    def __init__(self, column: ColumnElement[Any], values: Iterable[Any]) -> None:
        self.column = column
        self.values = bindparam(None, list(values), type_=ValueList(column.type))


def in_values(column: Any, values: Iterable[Any]) -> ColumnElement[bool]:
    """``column IN values`` as one parameter (NULL never matches)."""
    return InValues(column, values)


@compiles(InValues, "postgresql")
def _in_values_postgresql(element: InValues, compiler: Any, **kw: Any) -> str:
    column = compiler.process(element.column, **kw)
    return f"{column} = ANY ({compiler.process(element.values, **kw)})"


@compiles(InValues)
def _in_values_json(element: InValues, compiler: Any, **kw: Any) -> str:
    column = compiler.process(element.column, **kw)
    return f"{column} IN (SELECT value FROM json_each({compiler.process(element.values, **kw)}))"


class email_domain(FunctionElement[str]):  # an SQL function, named like one
    """The domain of an email column (see the module)."""

    type = String()
    inherit_cache = True
    name = "email_domain"


@compiles(email_domain, "postgresql")
def _email_domain_postgresql(element: email_domain, compiler: Any, **kw: Any) -> str:
    return f"split_part({compiler.process(element.clauses, **kw)}, '@', 2)"


@compiles(email_domain)
def _email_domain_sqlite(element: email_domain, compiler: Any, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"substr({column}, instr({column}, '@') + 1)"
