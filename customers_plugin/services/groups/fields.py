"""The built-in condition types: stats, profile, dates (absolute and relative to today), tags
and source modules.

Everything relative to "today" is turned into boundary dates computed here in Python and bound
as parameters, so SQLite and PostgreSQL evaluate the same SQL the same way:

- ``*_days_ago``: whole UTC calendar days between the date of the timestamp and today;
- ``age``: whole years; someone born on 29 February turns a year older on 1 March in
  non-leap years;
- ``days_until_birthday``: 0 on the birthday, counting to the next one; a 29 February birthday
  falls on 1 March in non-leap years. It compiles to ranges of ``month * 100 + day``.
"""

from __future__ import annotations

import datetime as dt
import operator
from bisect import bisect_left
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    and_,
    case,
    cast,
    exists,
    extract,
    false,
    func,
    or_,
    select,
)

from ...i18n import N_, _
from ...models import GENDERS, STATUSES, Customer, CustomerSource, CustomerTag, Tag
from ...normalize import search_key
from ...sql import in_values
from .registry import ConditionType, EvalContext

_DAY = dt.timedelta(days=1)
_ORDERED = frozenset({"gt", "gte", "lt", "lte", "eq", "neq", "between"})
_COUNT_OPS = _ORDERED | {"in"}
_NULLABLE_ORDERED = _ORDERED | {"is_null"}
_SET_OPS = frozenset({"eq", "neq", "in", "is_null"})

MAX_DAYS = 36_600  # a century: the largest relative day count a condition accepts
MAX_AGE = 150
MAX_BIRTHDAY_DAYS = 366
MAX_RATING = 5  # reviews rate 1 to 5


# -- helpers -------------------------------------------------------------------------------------


def interval(op: str, value: Any, step: Any) -> tuple[Any, Any]:
    """A basic op as an inclusive interval ``(low, high)``; ``None`` is unbounded."""
    if op == "gt":
        return value + step, None
    if op == "gte":
        return value, None
    if op == "lt":
        return None, value - step
    if op == "lte":
        return None, value
    if op == "eq":
        return value, value
    raise ValueError(f"not a basic op: {op}")


def day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), dt.UTC)


def _days_between(column: Any, low: dt.date | None, high: dt.date | None) -> ColumnElement[bool]:
    """A UTC timestamp column whose calendar date lies in ``[low, high]``."""
    parts = []
    if low is not None:
        parts.append(column >= day_start(low))
    if high is not None and high < dt.date.max:
        parts.append(column < day_start(high + _DAY))
    return and_(*parts) if parts else column.is_not(None)


def _bounded(limit: int, what: str) -> Any:
    def check(value: Any) -> Any:
        if not 0 <= value <= limit:
            raise ValueError(_("{what} must be between 0 and {limit}", what=what, limit=limit))
        return value

    return check


def shift_years(day: dt.date, years: int) -> dt.date:
    """``day`` moved back ``years`` years; 29 February becomes 28 February in non-leap years."""
    year = day.year - years
    if year < dt.MINYEAR:
        return dt.date.min
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)


def age_on(birthdate: dt.date, today: dt.date) -> int:
    """Whole years (the Python twin of the ``age`` condition)."""
    return (
        today.year - birthdate.year - ((today.month, today.day) < (birthdate.month, birthdate.day))
    )


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def days_until_birthday(birthdate: dt.date, today: dt.date) -> int:
    """Days to the next birthday, 0 on the day (the Python twin of ``days_until_birthday``)."""
    for year in (today.year, today.year + 1, today.year + 2):
        try:
            day = birthdate.replace(year=year)
        except ValueError:  # 29 February in a non-leap year
            day = dt.date(year, 3, 1)
        if day >= today:
            return (day - today).days
    raise AssertionError("unreachable")


# every month*100+day of a leap year, in calendar order
_ALL_MD = [d.month * 100 + d.day for d in (dt.date(2000, 1, 1) + _DAY * i for i in range(366))]


def _birthday_keys(today: dt.date, low: int, high: int) -> set[int]:
    """month*100+day keys of the birthdays that fall on one of the days today+low..today+high."""
    keys: set[int] = set()
    for offset in range(low, high + 1):
        day = today + _DAY * offset
        keys.add(day.month * 100 + day.day)
        if day.month == 3 and day.day == 1 and not _is_leap(day.year):
            keys.add(229)
    return keys


def _key_ranges(keys: set[int]) -> list[tuple[int, int]]:
    """Runs of consecutive calendar keys, so the SQL stays a few BETWEENs."""
    ranges: list[tuple[int, int]] = []
    for key in sorted(keys, key=lambda k: bisect_left(_ALL_MD, k)):
        position = bisect_left(_ALL_MD, key)
        if ranges and bisect_left(_ALL_MD, ranges[-1][1]) == position - 1:
            ranges[-1] = (ranges[-1][0], key)
        else:
            ranges.append((key, key))
    return ranges


# -- comparisons of the built-in types -----------------------------------------------------------


def _absolute_date_on(column: Any) -> Any:
    def compare(op: str, value: dt.date, ctx: EvalContext) -> ColumnElement[bool]:
        low, high = interval(op, value, _DAY)
        return _days_between(column, low, high)

    return compare


def _days_ago_on(column: Any) -> Any:
    def compare(op: str, value: int, ctx: EvalContext) -> ColumnElement[bool]:
        low, high = interval(op, value, 1)
        # days_ago >= low  <=>  date <= today - low ; days_ago <= high  <=>  date >= today - high
        return _days_between(
            column,
            ctx.today - _DAY * high if high is not None else None,
            ctx.today - _DAY * low if low is not None else None,
        )

    return compare


def _age(op: str, value: int, ctx: EvalContext) -> ColumnElement[bool]:
    low, high = interval(op, value, 1)
    parts = [Customer.birthdate.is_not(None)]
    if low is not None:
        parts.append(Customer.birthdate <= shift_years(ctx.today, low))
    if high is not None:
        parts.append(Customer.birthdate > shift_years(ctx.today, high + 1))
    return and_(*parts)


def _birthday_key() -> ColumnElement[Any]:
    return extract("month", Customer.birthdate) * 100 + extract("day", Customer.birthdate)


def _days_until_birthday(op: str, value: int, ctx: EvalContext) -> ColumnElement[bool]:
    low, high = interval(op, value, 1)
    low = max(low or 0, 0)
    high = min(MAX_BIRTHDAY_DAYS if high is None else high, MAX_BIRTHDAY_DAYS)
    if low > high:
        return false()
    keys = _birthday_keys(ctx.today, low, high)
    if low > 0:
        keys -= _birthday_keys(ctx.today, 0, low - 1)  # the next birthday comes earlier
    if not keys:
        return false()
    key = _birthday_key()
    return and_(
        Customer.birthdate.is_not(None),
        or_(*(key.between(a, b) if a != b else key == a for a, b in _key_ranges(keys))),
    )


_RATING_SCALE = 1000
_OPERATORS = {
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
    "eq": operator.eq,
}


def _rating(op: str, value: Decimal, ctx: EvalContext) -> ColumnElement[bool]:
    # avg = rating_sum / reviews_count compared exactly in integers: sum*1000 OP v*1000*count
    units = int(value * _RATING_SCALE)
    compare = _OPERATORS[op]
    # in 64-bit integers: the 32-bit columns times a thousand may not fit in 32 bits
    return and_(
        Customer.reviews_count > 0,
        compare(
            cast(Customer.rating_sum, BigInteger) * _RATING_SCALE,
            cast(Customer.reviews_count, BigInteger) * units,
        ),
    )


def _rating_units(value: Decimal) -> Decimal:
    if value * _RATING_SCALE != int(value * _RATING_SCALE):
        raise ValueError(_("a rating has at most 3 decimals"))
    return value


def _tag_match(op: str, value: str, ctx: EvalContext) -> ColumnElement[bool]:
    return _has_tag(Tag.name_key == search_key(value), ctx)


def _tag_in(values: tuple[str, ...], ctx: EvalContext) -> ColumnElement[bool]:
    return _has_tag(in_values(Tag.name_key, [search_key(v) for v in values]), ctx)


def _has_tag(name_matches: ColumnElement[bool], ctx: EvalContext) -> ColumnElement[bool]:
    return exists(
        select(CustomerTag.tag_id)
        .join(Tag, Tag.id == CustomerTag.tag_id)
        .where(CustomerTag.customer_id == Customer.id, Tag.store_id == ctx.store_id, name_matches)
    )


def _no_tags(ctx: EvalContext) -> ColumnElement[bool]:
    return ~exists(select(CustomerTag.tag_id).where(CustomerTag.customer_id == Customer.id))


def _tag_names(store_id: str) -> ColumnElement[Any]:
    return (
        select(func.aggregate_strings(Tag.name, ", "))
        .select_from(CustomerTag)
        .join(Tag, Tag.id == CustomerTag.tag_id)
        .where(CustomerTag.customer_id == Customer.id)
        .scalar_subquery()
    )


def _source_match(op: str, value: str, ctx: EvalContext) -> ColumnElement[bool]:
    return _has_source(CustomerSource.source == value, ctx)


def _source_in(values: tuple[str, ...], ctx: EvalContext) -> ColumnElement[bool]:
    return _has_source(in_values(CustomerSource.source, values), ctx)


def _has_source(source_matches: ColumnElement[bool], ctx: EvalContext) -> ColumnElement[bool]:
    return exists(
        select(CustomerSource.source).where(
            CustomerSource.customer_id == Customer.id,
            CustomerSource.store_id == ctx.store_id,
            source_matches,
        )
    )


def _no_sources(ctx: EvalContext) -> ColumnElement[bool]:
    return ~exists(select(CustomerSource.source).where(CustomerSource.customer_id == Customer.id))


def _source_names(store_id: str) -> ColumnElement[Any]:
    return (
        select(func.aggregate_strings(CustomerSource.source, ", "))
        .where(CustomerSource.customer_id == Customer.id)
        .scalar_subquery()
    )


def _country(value: str) -> str:
    code = value.upper()
    if len(code) != 2 or not code.isascii() or not code.isalpha():
        raise ValueError(_("must be an ISO 3166-1 alpha-2 country code, e.g. SA"))
    return code


def _never(ctx: EvalContext) -> ColumnElement[bool]:
    return false()


def _col(attribute: Any) -> Any:
    return lambda store_id: attribute


def builtin_types() -> list[ConditionType]:
    """The condition types every app has."""
    c = Customer
    return [
        ConditionType("total_purchases", "money", _ORDERED, _col(c.total_spent),
                      missing=_never, label=N_("Total purchases")),
        ConditionType("orders_count", "integer", _COUNT_OPS, _col(c.orders_count),
                      missing=_never, label=N_("Number of orders")),
        ConditionType("cancelled_orders_count", "integer", _COUNT_OPS,
                      _col(c.cancelled_orders_count), missing=_never,
                      label=N_("Cancelled orders")),
        ConditionType("bookings_count", "integer", _COUNT_OPS, _col(c.bookings_count),
                      missing=_never, label=N_("Number of bookings")),
        ConditionType("has_no_orders", "boolean", frozenset({"eq", "neq"}),
                      _col(c.orders_count == 0), missing=_never, label=N_("Has no orders")),
        ConditionType("product_rating", "decimal", _NULLABLE_ORDERED,
                      _col(case((c.reviews_count > 0, c.rating_sum * 1.0 / c.reviews_count))),
                      compare=_rating, missing=lambda ctx: Customer.reviews_count == 0,
                      normalize=_rating_units, minimum=Decimal(0), maximum=Decimal(MAX_RATING),
                      label=N_("Average product rating")),
        ConditionType("gender", "string", _SET_OPS, _col(c.gender), choices=GENDERS,
                      normalize=str.lower, label=N_("Gender")),
        ConditionType("status", "string", frozenset({"eq", "neq", "in"}), _col(c.status),
                      choices=STATUSES, normalize=str.lower, missing=_never, label=N_("Status")),
        ConditionType("country", "string", _SET_OPS, _col(c.country), normalize=_country,
                      label=N_("Country")),
        ConditionType("birthdate", "date", _NULLABLE_ORDERED, _col(c.birthdate),
                      label=N_("Birthdate")),
        ConditionType("age", "integer", _NULLABLE_ORDERED, _col(c.birthdate), compare=_age,
                      missing=lambda ctx: Customer.birthdate.is_(None),
                      normalize=_bounded(MAX_AGE, "an age"), label=N_("Age")),
        ConditionType("days_until_birthday", "integer", _NULLABLE_ORDERED, _col(c.birthdate),
                      compare=_days_until_birthday,
                      missing=lambda ctx: Customer.birthdate.is_(None),
                      normalize=_bounded(MAX_BIRTHDAY_DAYS, "a number of days"),
                      label=N_("Birthday within N days")),
        ConditionType("joined_at", "date", _ORDERED, _col(c.joined_at),
                      compare=_absolute_date_on(c.joined_at), missing=_never,
                      label=N_("Account created on")),
        ConditionType("joined_days_ago", "integer", _ORDERED, _col(c.joined_at),
                      compare=_days_ago_on(c.joined_at), missing=_never,
                      normalize=_bounded(MAX_DAYS, "a number of days"),
                      label=N_("Account created N days ago")),
        ConditionType("last_order_at", "date", _NULLABLE_ORDERED, _col(c.last_order_at),
                      compare=_absolute_date_on(c.last_order_at), label=N_("Last order on")),
        ConditionType("last_order_days_ago", "integer", _NULLABLE_ORDERED,
                      _col(c.last_order_at), compare=_days_ago_on(c.last_order_at),
                      missing=lambda ctx: Customer.last_order_at.is_(None),
                      normalize=_bounded(MAX_DAYS, "a number of days"),
                      label=N_("Last order N days ago")),
        ConditionType("tag", "string", _SET_OPS, _tag_names, compare=_tag_match, one_of=_tag_in,
                      missing=_no_tags, label=N_("Tag")),
        ConditionType("source", "string", _SET_OPS, _source_names, compare=_source_match,
                      one_of=_source_in,
                      missing=_no_sources, normalize=str.lower, label=N_("Source module")),
    ]  # fmt: skip
