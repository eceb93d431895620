"""A direct Python evaluation of group conditions over plain customer facts: the reference the
SQL compilation is checked against. Written independently of the compiler on purpose."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import Any

from customers_plugin.normalize import search_key


def _age(birthdate: dt.date, today: dt.date) -> int:
    years = today.year - birthdate.year
    # born 29 Feb: a year older on 1 March in non-leap years
    if (today.month, today.day) < (birthdate.month, birthdate.day):
        years -= 1
    return years


def _next_birthday_days(birthdate: dt.date, today: dt.date) -> int:
    year = today.year
    while True:
        try:
            day = dt.date(year, birthdate.month, birthdate.day)
        except ValueError:
            day = dt.date(year, 3, 1)
        if day >= today:
            return (day - today).days
        year += 1


def value_of(field: str, facts: dict[str, Any], today: dt.date) -> Any:
    """The customer's value for a field, ``None`` when missing. Sets for tags and sources."""
    if field == "total_purchases":
        return Decimal(facts["total_spent"])
    if field in ("orders_count", "cancelled_orders_count", "bookings_count"):
        return facts[field]
    if field == "has_no_orders":
        return facts["orders_count"] == 0
    if field == "product_rating":
        if not facts["reviews_count"]:
            return None
        return Fraction(facts["rating_sum"], facts["reviews_count"])
    if field in ("gender", "country", "status", "birthdate"):
        return facts.get(field)
    if field == "age":
        return _age(facts["birthdate"], today) if facts.get("birthdate") else None
    if field == "days_until_birthday":
        b = facts.get("birthdate")
        return _next_birthday_days(b, today) if b else None
    if field == "joined_at":
        return facts["joined_at"].astimezone(dt.UTC).date()
    if field == "joined_days_ago":
        return (today - facts["joined_at"].astimezone(dt.UTC).date()).days
    if field == "last_order_at":
        v = facts.get("last_order_at")
        return v.astimezone(dt.UTC).date() if v else None
    if field == "last_order_days_ago":
        v = facts.get("last_order_at")
        return (today - v.astimezone(dt.UTC).date()).days if v else None
    if field == "tag":
        return {search_key(t) for t in facts.get("tags", ())} or None
    if field == "source":
        return set(facts.get("sources", ())) or None
    raise KeyError(field)


def _coerce(field: str, value: Any) -> Any:
    if field == "total_purchases":
        return Decimal(value)
    if field == "product_rating":
        return Fraction(Decimal(str(value)))
    if field in ("birthdate", "joined_at", "last_order_at"):
        return dt.date.fromisoformat(value)
    if field == "country":
        return value.upper()
    if field == "tag":
        return search_key(value)
    if field in ("gender", "status", "source"):
        return value.lower()
    return value


def _eq(field: str, actual: Any, expected: Any) -> bool:
    if field in ("tag", "source"):
        return expected in actual
    return actual == expected


def condition_holds(condition: dict[str, Any], facts: dict[str, Any], today: dt.date) -> bool:
    field, op, raw = condition["field"], condition["op"], condition.get("value")
    actual = value_of(field, facts, today)
    if op == "is_null":
        return (actual is None) == raw
    if op == "neq":  # the documented rule: a missing value is "not equal"
        return actual is None or not _eq(field, actual, _coerce(field, raw))
    if actual is None:
        return False
    if op == "in":
        return any(_eq(field, actual, _coerce(field, v)) for v in raw)
    if op == "between":
        low, high = (_coerce(field, v) for v in raw)
        return low <= actual <= high
    expected = _coerce(field, raw)
    return {
        "eq": lambda: _eq(field, actual, expected),
        "gt": lambda: actual > expected,
        "gte": lambda: actual >= expected,
        "lt": lambda: actual < expected,
        "lte": lambda: actual <= expected,
    }[op]()


def matches(document: dict[str, Any] | None, facts: dict[str, Any], today: dt.date) -> bool:
    if not document or not document.get("conditions"):
        return False
    results = [condition_holds(c, facts, today) for c in document["conditions"]]
    return all(results) if document.get("match", "all") == "all" else any(results)
