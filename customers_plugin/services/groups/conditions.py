"""Group conditions: validation of the JSON document and compilation to one SQL boolean.

Document: ``{"match": "all" | "any", "conditions": [{"field", "op", "value"}, …]}``.

Missing values (the rule, the same for every field):

- ``gt``, ``gte``, ``lt``, ``lte``, ``eq``, ``between`` and ``in`` never match a customer who has
  no value (no birthdate, no order yet, no review…);
- ``neq`` counts a missing value as "not equal": a customer with no country matches
  ``country neq SA``. Nobody is silently dropped by a "!=" condition;
- ``is_null`` with ``true`` matches exactly the customers with no value, with ``false`` the
  others.

Errors name the condition: ``{"conditions.2.value": ["…"]}``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, false, not_, or_, select

from ...i18n import _
from ...models import Customer
from .registry import ConditionRegistry, EvalContext, dump_value, parse_value

MATCHES = ("all", "any")
MAX_CONDITIONS = 20
MAX_IN_VALUES = 100


class ConditionsInvalid(ValueError):
    """The document is not valid; ``errors`` maps a path (``conditions.1.op``) to messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("invalid group conditions")
        self.errors = errors


@dataclass(frozen=True, slots=True)
class Condition:
    field: str
    op: str
    value: Any

    def as_json(self) -> dict[str, Any]:
        return {"field": self.field, "op": self.op, "value": dump_value(self.value)}


@dataclass(frozen=True, slots=True)
class Conditions:
    match: str
    items: tuple[Condition, ...]

    def as_json(self) -> dict[str, Any]:
        return {"match": self.match, "conditions": [c.as_json() for c in self.items]}


def parse(document: Any, registry: ConditionRegistry) -> Conditions | None:
    """Validate a conditions document. ``None`` or an empty list means "manual members only"."""
    if document is None:
        return None
    if not isinstance(document, dict):
        raise ConditionsInvalid({"conditions": [_("must be an object with match and conditions")]})
    errors: dict[str, list[str]] = {}
    match = document.get("match", "all")
    if match not in MATCHES:
        errors["match"] = ["must be all or any"]
    unknown_keys = set(document) - {"match", "conditions"}
    if unknown_keys:
        errors["conditions"] = [f"unknown keys: {', '.join(sorted(unknown_keys))}"]
    raw_items = document.get("conditions", [])
    if not isinstance(raw_items, list):
        errors["conditions"] = ["must be a list"]
        raw_items = []
    if len(raw_items) > MAX_CONDITIONS:
        errors["conditions"] = [f"at most {MAX_CONDITIONS} conditions"]
        raw_items = []
    items = []
    for index, raw in enumerate(raw_items):
        try:
            items.append(_parse_one(raw, registry))
        except ConditionsInvalid as exc:
            for key, messages in exc.errors.items():
                path = f"conditions.{index}" + (f".{key}" if key else "")
                errors[path] = [f"condition {index}: {m}" for m in messages]
    if errors:
        raise ConditionsInvalid(errors)
    if not items:
        return None
    return Conditions(match, tuple(items))


def _parse_one(raw: Any, registry: ConditionRegistry) -> Condition:
    if not isinstance(raw, dict):
        raise ConditionsInvalid({"": [_("must be an object with field, op and value")]})
    field, op = raw.get("field"), raw.get("op")
    condition_type = registry.get(field) if isinstance(field, str) else None
    if condition_type is None:
        raise ConditionsInvalid({"field": [_("unknown field '{field}'", field=field)]})
    if op not in condition_type.ops:
        allowed = ", ".join(sorted(condition_type.ops))
        raise ConditionsInvalid(
            {
                "op": [
                    _(
                        "op '{op}' is not allowed for {field} ({allowed})",
                        op=op,
                        field=field,
                        allowed=allowed,
                    )
                ]
            }
        )
    try:
        value = _parse_value(
            condition_type, op, raw.get("value", True if op == "is_null" else None)
        )
    except ValueError as exc:
        raise ConditionsInvalid({"value": [str(exc)]}) from None
    return Condition(field, op, value)


def _parse_value(condition_type: Any, op: str, raw: Any) -> Any:
    if op == "is_null":
        if not isinstance(raw, bool):
            raise ValueError(_("is_null takes true or false"))
        return raw
    if op == "between":
        if not isinstance(raw, list) or len(raw) != 2:
            raise ValueError(_("between takes a list of two values [min, max]"))
        low, high = (_one(condition_type, v) for v in raw)
        if low > high:
            raise ValueError(_("between: min is greater than max"))
        return (low, high)
    if op == "in":
        if not isinstance(raw, list) or not raw or len(raw) > MAX_IN_VALUES:
            raise ValueError(_("in takes a list of 1 to {n} values", n=MAX_IN_VALUES))
        return tuple(dict.fromkeys(_one(condition_type, v) for v in raw))
    return _one(condition_type, raw)


def _one(condition_type: Any, raw: Any) -> Any:
    value = parse_value(condition_type.value_type, raw)
    bounds = condition_type.value_range()  # first: a validator sees only values in range
    if bounds is not None and isinstance(value, (int, Decimal, dt.date)):
        low, high = bounds
        if (low is not None and value < low) or (high is not None and value > high):
            raise ValueError(
                _("must be between {low} and {high}", low=dump_value(low), high=dump_value(high))
            )
    if condition_type.normalize is not None:
        value = condition_type.normalize(value)
    if condition_type.choices is not None and value not in condition_type.choices:
        raise ValueError(_("must be one of {choices}", choices=", ".join(condition_type.choices)))
    return value


# -- compilation ---------------------------------------------------------------------------------


def compile_condition(
    condition: Condition, registry: ConditionRegistry, ctx: EvalContext
) -> ColumnElement[bool]:
    """One condition as a boolean over ``customers_customers`` (see the missing-value rule)."""
    kind = registry.get(condition.field)
    if kind is None:  # a plugin that registered it is gone: match nobody rather than everybody
        return false()
    op, value = condition.op, condition.value
    if op == "between":
        return and_(kind.basic("gte", value[0], ctx), kind.basic("lte", value[1], ctx))
    if op == "in":
        return kind.member_of(value, ctx)
    if op == "neq":
        return or_(kind.is_missing(ctx), not_(kind.basic("eq", value, ctx)))
    if op == "is_null":
        return kind.is_missing(ctx) if value else not_(kind.is_missing(ctx))
    return kind.basic(op, value, ctx)


def compile_conditions(
    conditions: Conditions | None, registry: ConditionRegistry, ctx: EvalContext
) -> ColumnElement[bool]:
    """The whole document as one boolean, scoped to the store. No conditions match nobody."""
    if conditions is None:
        return false()
    parts = [compile_condition(c, registry, ctx) for c in conditions.items]
    combined = and_(*parts) if conditions.match == "all" else or_(*parts)
    return and_(Customer.store_id == ctx.store_id, combined)


def load(stored: Any, registry: ConditionRegistry) -> Conditions | None:
    """Conditions as stored on a group; unknown fields match nobody. Values are checked again
    (a row saved before a check existed): one out of range raises ``ConditionsInvalid``."""
    if not stored or not stored.get("conditions"):
        return None
    items = []
    for index, raw in enumerate(stored["conditions"]):
        kind = registry.get(raw.get("field")) if isinstance(raw, dict) else None
        if kind is None:
            if not isinstance(raw, dict):
                raise ConditionsInvalid({f"conditions.{index}": [_("is not a condition")]})
            items.append(Condition(raw.get("field"), raw.get("op"), raw.get("value")))
            continue
        op = raw.get("op")
        if op not in kind.ops:
            raise ConditionsInvalid(
                {f"conditions.{index}.op": [_("op '{op}' is not allowed", op=op)]}
            )
        try:
            value = _parse_value(kind, op, raw.get("value"))
        except ValueError as exc:
            raise ConditionsInvalid({f"conditions.{index}.value": [str(exc)]}) from None
        items.append(Condition(raw["field"], op, value))
    return Conditions(stored.get("match", "all"), tuple(items))


def load_or_none(stored: Any, registry: ConditionRegistry) -> Conditions | None:
    """``load``, with conditions that no longer load matching nobody (a failing group)."""
    try:
        return load(stored, registry)
    except ConditionsInvalid:
        return None


def explain(
    session: Any,
    conditions: Conditions,
    registry: ConditionRegistry,
    ctx: EvalContext,
    customer_id: Any,
) -> list[dict[str, Any]]:
    """For one customer, each condition with the customer's value and whether it matched."""
    columns = []
    for index, condition in enumerate(conditions.items):
        kind = registry.get(condition.field)
        value = kind.column(ctx.store_id) if kind is not None else false()
        columns.append(value.label(f"v{index}"))
        columns.append(compile_condition(condition, registry, ctx).label(f"m{index}"))
    row = session.execute(
        select(*columns).where(Customer.id == customer_id, Customer.store_id == ctx.store_id)
    ).one_or_none()
    if row is None:
        return []
    result = []
    for index, condition in enumerate(conditions.items):
        result.append(
            {
                **condition.as_json(),
                "customer_value": _shown(row[2 * index]),
                "matched": bool(row[2 * index + 1]),
            }
        )
    return result


def _shown(value: Any) -> Any:
    if isinstance(value, float):
        return str(round(value, 2))
    if isinstance(value, Decimal) and value.as_tuple().exponent < -3:
        return str(value.quantize(Decimal("0.01")))
    if isinstance(value, (int, bool, str)) or value is None:
        return value
    return str(dump_value(value))
