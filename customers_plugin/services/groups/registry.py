"""Condition types: the fields a group condition can test, built-in and added by plugins.

A condition type knows how to turn ``(op, value)`` into a SQLAlchemy boolean over
``customers_customers``. Types answer only the five basic comparisons (gt, gte, lt, lte, eq)
and say when a customer has no value ("missing"); ``between``, ``in``, ``neq`` and ``is_null``
are derived from those in ``conditions.py``, so every type follows the same missing-value rule.

Third parties add types through the ``register_condition_types`` hook:
``register(name, column, value_type, ops)`` where ``column(store_id)`` is an expression over the
customers table. The registry of an app is built once per plugin manager.

Every value a condition compares is checked against the real range of what it is compared with
(``value_range``): a type's declared ``minimum``/``maximum``, else the range of its column's SQL
type (32- or 64-bit integers, Numeric precision, money in thousandths on a 64-bit integer, dates
one day inside Python's calendar so a ``gt``/``lt`` step never leaves it). A value outside never
reaches SQL: it is refused when a group is saved or previewed.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import pluggy
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Float,
    Integer,
    Numeric,
    SmallInteger,
    false,
    or_,
    true,
)

from ...i18n import _
from ...sql import in_values
from ...types import MONEY_SCALE, Money, to_money

log = logging.getLogger(__name__)

BASIC_OPS = ("gt", "gte", "lt", "lte", "eq")
ALL_OPS = ("gt", "gte", "lt", "lte", "eq", "neq", "between", "in", "is_null")
VALUE_TYPES = ("money", "integer", "decimal", "date", "string", "boolean")

_ORDERED = frozenset({"gt", "gte", "lt", "lte", "eq", "neq", "between", "is_null"})
DEFAULT_OPS: dict[str, frozenset[str]] = {
    "money": _ORDERED,
    "integer": _ORDERED | {"in"},
    "decimal": _ORDERED,
    "date": _ORDERED,
    "string": frozenset({"eq", "neq", "in", "is_null"}),
    "boolean": frozenset({"eq", "neq", "is_null"}),
}

MAX_STRING = 200
INT16 = (-(2**15), 2**15 - 1)
INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
MAX_INTEGER = INT64[1]
# money is stored as a 64-bit count of thousandths
MONEY_RANGE = (Decimal(INT64[0] + 1).scaleb(-MONEY_SCALE), Decimal(INT64[1]).scaleb(-MONEY_SCALE))
# a decimal compared with a float or an unsized numeric: exact in a double, safe in any product
DECIMAL_RANGE = (Decimal(-(10**15)), Decimal(10**15))
# one day inside Python's calendar: ``gt 9999-12-30`` still has a next day to start from
DATE_RANGE = (dt.date(1, 1, 2), dt.date(9999, 12, 30))


@dataclass(frozen=True, slots=True)
class EvalContext:
    """What a compiled condition depends on besides the row: the store and today's UTC date."""

    store_id: str
    today: dt.date


Column = Callable[[str], ColumnElement[Any]]
Compare = Callable[[str, Any, EvalContext], ColumnElement[bool]]
Missing = Callable[[EvalContext], ColumnElement[bool]]


@dataclass(frozen=True, slots=True)
class ConditionType:
    """One field a condition can test.

    :param column: ``column(store_id)``: the customer's value, shown in explanations and compared
        by the generic comparisons.
    :param compare: ``compare(op, value, ctx)`` for the basic ops, when the generic comparison
        over ``column`` is not right (relative dates, EXISTS over tags…).
    :param missing: ``missing(ctx)``: true when the customer has no value (default: column IS NULL).
    :param choices: allowed values for a string field.
    :param normalize: applied to each parsed value (e.g. upper-casing a country code); may
        raise ``ValueError`` with a message for the merchant (a plugin's ``validate``).
    :param minimum: the smallest value accepted (default: from the column's SQL type).
    :param maximum: the largest value accepted (default: from the column's SQL type).
    :param one_of: ``one_of(values, ctx)`` for the ``in`` op when ``compare`` is custom
        (e.g. one EXISTS over tags); by default ``in`` is the column against one list parameter.
    """

    name: str
    value_type: str
    ops: frozenset[str]
    column: Column
    compare: Compare | None = None
    missing: Missing | None = None
    choices: tuple[str, ...] | None = None
    normalize: Callable[[Any], Any] | None = None
    label: str | None = None
    minimum: Any = None
    maximum: Any = None
    one_of: Callable[[tuple[Any, ...], EvalContext], ColumnElement[bool]] | None = None
    builtin: bool = field(default=False, compare=False)

    def basic(self, op: str, value: Any, ctx: EvalContext) -> ColumnElement[bool]:
        if self.compare is not None:
            return self.compare(op, value, ctx)
        return generic_compare(self.value_type, self.column(ctx.store_id), op, value)

    def member_of(self, values: tuple[Any, ...], ctx: EvalContext) -> ColumnElement[bool]:
        """The ``in`` op: one list parameter (never one comparison per value)."""
        if self.one_of is not None:
            return self.one_of(values, ctx)
        if self.compare is None and self.value_type != "boolean":
            return in_values(self.column(ctx.store_id), values)
        return or_(*(self.basic("eq", value, ctx) for value in values))

    def is_missing(self, ctx: EvalContext) -> ColumnElement[bool]:
        if self.missing is not None:
            return self.missing(ctx)
        return self.column(ctx.store_id).is_(None)

    def value_range(self) -> tuple[Any, Any] | None:
        """The inclusive range a value must lie in (``None``: no range, e.g. strings)."""
        low, high = _type_range(self)
        if self.minimum is not None:
            low = self.minimum if low is None else max(low, self.minimum)
        if self.maximum is not None:
            high = self.maximum if high is None else min(high, self.maximum)
        return None if low is None and high is None else (low, high)


@functools.lru_cache(maxsize=1024)
def _type_range(condition_type: ConditionType) -> tuple[Any, Any]:
    value_type = condition_type.value_type
    if value_type == "money":
        return MONEY_RANGE
    if value_type == "date":
        return DATE_RANGE
    if value_type not in ("integer", "decimal"):
        return None, None
    try:
        sql_type = condition_type.column("").type
    except Exception:  # a column that needs a real store: the value type's own range
        sql_type = None
    if value_type == "integer":
        if isinstance(sql_type, SmallInteger):
            return INT16
        if isinstance(sql_type, Integer) and not isinstance(sql_type, BigInteger):
            return INT32
        return INT64
    if isinstance(sql_type, Money):
        return MONEY_RANGE
    if isinstance(sql_type, Numeric) and not isinstance(sql_type, Float) and sql_type.precision:
        scale = sql_type.scale or 0
        limit = Decimal(10) ** (sql_type.precision - scale) - Decimal(10) ** -scale
        return -limit, limit
    return DECIMAL_RANGE


def generic_compare(
    value_type: str, column: ColumnElement[Any], op: str, value: Any
) -> ColumnElement[bool]:
    """The plain comparison of a column with a parsed value (NULL never matches)."""
    if value_type == "boolean":
        return column.is_(true()) if value else column.is_(false())
    if op == "gt":
        return column > value
    if op == "gte":
        return column >= value
    if op == "lt":
        return column < value
    if op == "lte":
        return column <= value
    if op == "eq":
        return column == value
    raise ValueError(f"not a basic op: {op}")


# -- values --------------------------------------------------------------------------------------


def parse_value(value_type: str, raw: Any) -> Any:
    """One value of a type from its JSON form; raises ``ValueError`` with a user message."""
    if value_type == "boolean":
        if not isinstance(raw, bool):
            raise ValueError(_("must be true or false"))
        return raw
    if isinstance(raw, bool):
        raise ValueError(_("must be a {type} value, not a boolean", type=value_type))
    if value_type == "money":
        if not isinstance(raw, (str, int)):
            raise ValueError(_('must be an amount written as a decimal string, e.g. "49.90"'))
        try:
            return to_money(raw.strip() if isinstance(raw, str) else raw)
        except (TypeError, ValueError):
            raise ValueError(_("must be an amount with at most 3 decimals")) from None
    if value_type == "integer":
        if isinstance(raw, str) and raw.strip().lstrip("-").isdigit():
            raw = int(raw.strip())
        if not isinstance(raw, int):
            raise ValueError(_("must be a whole number"))
        if not INT64[0] <= raw <= INT64[1]:
            raise ValueError(_("is out of range"))
        return raw
    if value_type == "decimal":
        if not isinstance(raw, (str, int, float)):
            raise ValueError(_("must be a number"))
        try:
            number = Decimal(str(raw).strip())
        except InvalidOperation:
            raise ValueError(_("must be a number")) from None
        if not number.is_finite():
            raise ValueError(_("must be a finite number"))
        if abs(number) > MAX_INTEGER:
            raise ValueError(_("is out of range"))
        return number
    if value_type == "date":
        if not isinstance(raw, str):
            raise ValueError(_("must be a date written YYYY-MM-DD"))
        try:
            return dt.date.fromisoformat(raw.strip())
        except ValueError:
            raise ValueError(_("must be a date written YYYY-MM-DD")) from None
    if value_type == "string":
        if not isinstance(raw, str) or not raw.strip():
            raise ValueError(_("must be a non-empty text"))
        if len(raw) > MAX_STRING:
            raise ValueError(_("must be at most {n} characters", n=MAX_STRING))
        return raw.strip()
    raise ValueError(f"unknown value type {value_type}")


def dump_value(value: Any) -> Any:
    """A parsed value back to its JSON form (Decimal as string, dates ISO)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [dump_value(v) for v in value]
    return value


# -- the registry --------------------------------------------------------------------------------


class DuplicateConditionType(ValueError):
    pass


class ConditionRegistry:
    """The condition types of one app, by name."""

    def __init__(self) -> None:
        self._types: dict[str, ConditionType] = {}

    def add(self, condition_type: ConditionType) -> None:
        if condition_type.name in self._types:
            raise DuplicateConditionType(f"condition type {condition_type.name!r} exists already")
        if condition_type.value_type not in VALUE_TYPES:
            raise ValueError(f"unknown value type {condition_type.value_type!r}")
        unknown = set(condition_type.ops) - set(ALL_OPS)
        if unknown:
            raise ValueError(f"unknown ops {sorted(unknown)}")
        self._types[condition_type.name] = condition_type

    def register(
        self,
        name: str,
        column: Column,
        value_type: str,
        ops: Iterable[str] | None = None,
        *,
        label: str | None = None,
        choices: Iterable[str] | None = None,
        minimum: Any = None,
        maximum: Any = None,
        validate: Callable[[Any], Any] | None = None,
    ) -> None:
        """The ``register`` callback handed to ``register_condition_types`` implementations.

        ``minimum``/``maximum`` narrow the accepted values (in the value type: ``Decimal`` for
        money and decimals, ``date`` for dates); ``validate(value)`` returns the value to use or
        raises ``ValueError`` with a message the merchant sees under ``conditions.N.value``.
        """
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"condition type names are identifiers, not {name!r}")
        self.add(
            ConditionType(
                name=name,
                value_type=value_type,
                ops=frozenset(ops) if ops is not None else DEFAULT_OPS.get(value_type, frozenset()),
                column=column,
                label=label,
                choices=tuple(choices) if choices is not None else None,
                normalize=validate,
                minimum=minimum,
                maximum=maximum,
            )
        )

    def get(self, name: str) -> ConditionType | None:
        return self._types.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._types

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._types.values())

    def names(self) -> list[str]:
        return sorted(self._types)


_REGISTRIES: weakref.WeakKeyDictionary[pluggy.PluginManager, ConditionRegistry] = (
    weakref.WeakKeyDictionary()
)


def registry_for(pm: pluggy.PluginManager) -> ConditionRegistry:
    """The app's registry: the built-in types, then each plugin's (a plugin that fails is logged
    and skipped, a duplicate name is refused)."""
    registry = _REGISTRIES.get(pm)
    if registry is None:
        from .fields import builtin_types

        registry = ConditionRegistry()
        for condition_type in builtin_types():
            registry.add(condition_type)
        for impl in reversed(pm.hook.register_condition_types.get_hookimpls()):
            staged = _Staged(registry)
            try:
                impl.function(**({"register": staged.register} if impl.argnames else {}))
                staged.commit()
            except Exception:
                log.exception("condition types of plugin %r were skipped", impl.plugin_name)
        _REGISTRIES[pm] = registry
    return registry


class _Staged:
    """Collects one plugin's registrations so a plugin that fails half-way adds nothing."""

    def __init__(self, registry: ConditionRegistry) -> None:
        self._registry = registry
        self._pending = ConditionRegistry()

    def register(self, *args: Any, **kwargs: Any) -> None:
        self._pending.register(*args, **kwargs)
        name = args[0] if args else kwargs.get("name")
        if name in self._registry:
            raise DuplicateConditionType(f"condition type {name!r} exists already")

    def commit(self) -> None:
        for condition_type in self._pending:
            self._registry.add(condition_type)
