"""Condition types: the fields a group condition can test, built-in and added by plugins.

A condition type knows how to turn ``(op, value)`` into a SQLAlchemy boolean over
``customers_customers``. Types answer only the five basic comparisons (gt, gte, lt, lte, eq)
and say when a customer has no value ("missing"); ``between``, ``in``, ``neq`` and ``is_null``
are derived from those in ``conditions.py``, so every type follows the same missing-value rule.

Third parties add types through the ``register_condition_types`` hook:
``register(name, column, value_type, ops)`` where ``column(store_id)`` is an expression over the
customers table. The registry of an app is built once per plugin manager.
"""

from __future__ import annotations

import datetime as dt
import logging
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import pluggy
from sqlalchemy import ColumnElement, false, true

from ...types import to_money

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
MAX_INTEGER = 10**12


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
    :param normalize: applied to each parsed value (e.g. upper-casing a country code).
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
    builtin: bool = field(default=False, compare=False)

    def basic(self, op: str, value: Any, ctx: EvalContext) -> ColumnElement[bool]:
        if self.compare is not None:
            return self.compare(op, value, ctx)
        return generic_compare(self.value_type, self.column(ctx.store_id), op, value)

    def is_missing(self, ctx: EvalContext) -> ColumnElement[bool]:
        if self.missing is not None:
            return self.missing(ctx)
        return self.column(ctx.store_id).is_(None)


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
            raise ValueError("must be true or false")
        return raw
    if isinstance(raw, bool):
        raise ValueError(f"must be a {value_type} value, not a boolean")
    if value_type == "money":
        if not isinstance(raw, (str, int)):
            raise ValueError('must be an amount written as a decimal string, e.g. "49.90"')
        try:
            return to_money(raw.strip() if isinstance(raw, str) else raw)
        except (TypeError, ValueError):
            raise ValueError("must be an amount with at most 3 decimals") from None
    if value_type == "integer":
        if isinstance(raw, str) and raw.strip().lstrip("-").isdigit():
            raw = int(raw.strip())
        if not isinstance(raw, int):
            raise ValueError("must be a whole number")
        if abs(raw) > MAX_INTEGER:
            raise ValueError("is out of range")
        return raw
    if value_type == "decimal":
        if not isinstance(raw, (str, int, float)):
            raise ValueError("must be a number")
        try:
            number = Decimal(str(raw).strip())
        except InvalidOperation:
            raise ValueError("must be a number") from None
        if not number.is_finite() or abs(number) > MAX_INTEGER:
            raise ValueError("must be a finite number")
        return number
    if value_type == "date":
        if not isinstance(raw, str):
            raise ValueError("must be a date written YYYY-MM-DD")
        try:
            return dt.date.fromisoformat(raw.strip())
        except ValueError:
            raise ValueError("must be a date written YYYY-MM-DD") from None
    if value_type == "string":
        if not isinstance(raw, str) or not raw.strip():
            raise ValueError("must be a non-empty text")
        if len(raw) > MAX_STRING:
            raise ValueError(f"must be at most {MAX_STRING} characters")
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
    ) -> None:
        """The ``register`` callback handed to ``register_condition_types`` implementations."""
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
