"""Conditions: validation errors name the condition; compiled SQL agrees with a direct Python
evaluation on both backends, including the missing-value rule and dates relative to today."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from customers_plugin.models import Customer
from customers_plugin.services.groups.conditions import (
    ConditionsInvalid,
    compile_conditions,
    parse,
)
from customers_plugin.services.groups.fields import days_until_birthday
from customers_plugin.services.groups.registry import EvalContext

from .conftest import STORE, facts_of, insert_customer
from .oracle import matches

TODAY = dt.date(2026, 11, 24)


def _errors(registry: Any, document: Any) -> dict[str, list[str]]:
    with pytest.raises(ConditionsInvalid) as caught:
        parse(document, registry)
    return caught.value.errors


def _matching(customers: Any, registry: Any, document: Any, today: dt.date = TODAY) -> set:
    conditions = parse(document, registry)
    with customers.db.session() as session:
        predicate = compile_conditions(conditions, registry, EvalContext(STORE, today))
        return set(session.scalars(select(Customer.id).where(predicate)))


def _expected(customers: Any, document: Any, today: dt.date = TODAY) -> set:
    with customers.db.session() as session:
        facts = facts_of(session)
    return {i for i, f in facts.items() if matches(document, f, today)}


def one(field: str, op: str, value: Any = None, match: str = "all") -> dict[str, Any]:
    condition = {"field": field, "op": op}
    if value is not None:
        condition["value"] = value
    return {"match": match, "conditions": [condition]}


# -- validation ---------------------------------------------------------------------------------


def test_unknown_field_is_refused_naming_the_condition_index(registry: Any) -> None:
    errors = _errors(
        registry,
        {"match": "all", "conditions": [{"field": "orders_count", "op": "gt", "value": 1},
                                        {"field": "shoe_size", "op": "gt", "value": 42}]},
    )  # fmt: skip
    assert list(errors) == ["conditions.1.field"]
    assert "condition 1" in errors["conditions.1.field"][0]


def test_unknown_op_for_a_field_is_refused(registry: Any) -> None:
    errors = _errors(registry, one("gender", "gt", "female"))
    assert list(errors) == ["conditions.0.op"]


def test_wrong_value_types_are_refused(registry: Any) -> None:
    assert "conditions.0.value" in _errors(registry, one("orders_count", "gt", "many"))
    assert "conditions.0.value" in _errors(registry, one("total_purchases", "gt", 49.5))
    assert "conditions.0.value" in _errors(registry, one("joined_at", "gt", "yesterday"))
    assert "conditions.0.value" in _errors(registry, one("gender", "eq", "robot"))
    assert "conditions.0.value" in _errors(registry, one("has_no_orders", "eq", "yes"))


def test_between_with_min_above_max_is_refused(registry: Any) -> None:
    errors = _errors(registry, one("orders_count", "between", [10, 2]))
    assert "min is greater than max" in errors["conditions.0.value"][0]


def test_match_must_be_all_or_any(registry: Any) -> None:
    assert "match" in _errors(registry, {"match": "some", "conditions": []})


def test_empty_conditions_mean_manual_members_only(registry: Any) -> None:
    assert parse({"match": "all", "conditions": []}, registry) is None
    assert parse(None, registry) is None


def test_money_values_are_kept_as_exact_decimal_strings(registry: Any) -> None:
    parsed = parse(one("total_purchases", "between", ["49.90", 1500]), registry)
    assert parsed.items[0].value == (Decimal("49.90"), Decimal(1500))
    assert parsed.as_json()["conditions"][0]["value"] == ["49.90", "1500"]


# -- compilation against the oracle -------------------------------------------------------------


@pytest.fixture
def population(customers: Any) -> None:
    """A small store covering missing values, edge amounts and calendar corners."""
    rows = [
        dict(total_spent=Decimal("49.99"), orders_count=2, cancelled_orders_count=5,
             gender="male", country="SA", birthdate=dt.date(2000, 2, 29),
             tags=("VIP",), sources=("store",)),
        dict(total_spent=Decimal("50.00"), orders_count=11, cancelled_orders_count=0,
             gender="female", country="IL", birthdate=dt.date(1990, 11, 24),
             reviews_count=3, rating_sum=13, sources=("store", "booking"),
             last_order_at=dt.datetime(2026, 11, 23, 23, 59, tzinfo=dt.UTC)),
        dict(total_spent=Decimal("1500.001"), orders_count=0, cancelled_orders_count=1,
             birthdate=dt.date(1985, 1, 3), reviews_count=2, rating_sum=9,
             joined_at=dt.datetime(2026, 10, 25, 0, 0, tzinfo=dt.UTC), tags=("vip", "late")),
        dict(total_spent=Decimal("0"), country="IT", bookings_count=4, status="blocked",
             birthdate=dt.date(2008, 12, 31),
             last_order_at=dt.datetime(2025, 11, 24, 0, 0, tzinfo=dt.UTC)),
        dict(),  # nothing known
    ]  # fmt: skip
    with customers.db.transaction() as session:
        for row in rows:
            insert_customer(session, **row)
        insert_customer(session, store_id="other", total_spent=Decimal(5000), orders_count=50)


CASES = [
    one("total_purchases", "lt", "50"),
    one("total_purchases", "gt", "1500"),
    one("total_purchases", "between", ["49.99", "50.00"]),
    one("total_purchases", "neq", "0"),
    one("orders_count", "gt", 10),
    one("orders_count", "in", [0, 2]),
    one("cancelled_orders_count", "gt", 4),
    one("bookings_count", "gte", 4),
    one("has_no_orders", "eq", True),
    one("has_no_orders", "neq", True),
    one("product_rating", "gte", "4.333"),
    one("product_rating", "gt", 4.5),
    one("product_rating", "lt", 5),
    one("product_rating", "neq", "4.5"),
    one("product_rating", "is_null", True),
    one("gender", "eq", "female"),
    one("gender", "neq", "female"),
    one("gender", "in", ["male", "other"]),
    one("gender", "is_null", True),
    one("country", "neq", "sa"),
    one("country", "in", ["SA", "IL"]),
    one("status", "neq", "blocked"),
    one("age", "gte", 26),
    one("age", "lt", 18),
    one("age", "between", [18, 40]),
    one("age", "neq", 36),
    one("age", "eq", 36),
    one("birthdate", "lt", "1990-01-01"),
    one("days_until_birthday", "lte", 0),
    one("days_until_birthday", "lte", 40),
    one("days_until_birthday", "between", [30, 100]),
    one("days_until_birthday", "gt", 300),
    one("days_until_birthday", "neq", 0),
    one("joined_at", "gte", "2026-10-25"),
    one("joined_at", "lt", "2026-10-25"),
    one("joined_days_ago", "gt", 30),
    one("joined_days_ago", "lte", 30),
    one("last_order_at", "eq", "2026-11-23"),
    one("last_order_at", "is_null", False),
    one("last_order_days_ago", "lte", 1),
    one("last_order_days_ago", "gte", 365),
    one("last_order_days_ago", "neq", 1),
    one("tag", "eq", "vip"),
    one("tag", "neq", "VIP"),
    one("tag", "in", ["late", "nobody"]),
    one("tag", "is_null", True),
    one("source", "eq", "booking"),
    one("source", "neq", "store"),
    {"match": "all", "conditions": [
        {"field": "cancelled_orders_count", "op": "gt", "value": 4},
        {"field": "total_purchases", "op": "lt", "value": "50"}]},
    {"match": "any", "conditions": [
        {"field": "total_purchases", "op": "gt", "value": "1500"},
        {"field": "orders_count", "op": "gt", "value": 10}]},
]  # fmt: skip


def test_every_compiled_condition_selects_what_python_evaluation_selects(
    customers: Any, registry: Any, population: None
) -> None:
    """One population, every case (one app per backend keeps the suite fast)."""
    wrong = [
        document
        for document in CASES
        if _matching(customers, registry, document) != _expected(customers, document)
    ]
    assert wrong == []


def test_neq_keeps_customers_without_a_value(customers: Any, registry: Any) -> None:
    with customers.db.transaction() as session:
        unknown = insert_customer(session)
        saudi = insert_customer(session, country="SA")
        italian = insert_customer(session, country="IT")
    assert _matching(customers, registry, one("country", "neq", "SA")) == {unknown, italian}
    assert _matching(customers, registry, one("country", "eq", "SA")) == {saudi}


def test_conditions_never_reach_another_store(customers: Any, registry: Any) -> None:
    with customers.db.transaction() as session:
        insert_customer(session, store_id="other", orders_count=3)
    assert _matching(customers, registry, one("orders_count", "gt", 1)) == set()


@pytest.mark.parametrize(
    ("today", "expected_days"),
    [
        (dt.date(2027, 2, 28), 1),  # non-leap: the 29 Feb birthday is on 1 March
        (dt.date(2027, 3, 1), 0),
        (dt.date(2028, 2, 28), 1),  # leap year: on 29 Feb itself
        (dt.date(2028, 2, 29), 0),
        (dt.date(2028, 3, 1), 365),
        (dt.date(2026, 12, 31), 60),  # across the new year
    ],
)
def test_birthday_on_29_february_and_across_the_year_end(
    customers: Any, registry: Any, today: dt.date, expected_days: int
) -> None:
    with customers.db.transaction() as session:
        leapling = insert_customer(session, birthdate=dt.date(2000, 2, 29))
    assert days_until_birthday(dt.date(2000, 2, 29), today) == expected_days
    hit = one("days_until_birthday", "eq", expected_days)
    miss = one("days_until_birthday", "eq", (expected_days + 1) % 366)
    assert _matching(customers, registry, hit, today) == {leapling}
    assert _matching(customers, registry, miss, today) == set()


def test_new_year_window_matches_birthdays_in_early_january(customers: Any, registry: Any) -> None:
    with customers.db.transaction() as session:
        january = insert_customer(session, birthdate=dt.date(1990, 1, 5))
        december = insert_customer(session, birthdate=dt.date(1990, 12, 20))
        insert_customer(session, birthdate=dt.date(1990, 2, 20))
    window = one("days_until_birthday", "lte", 14)
    assert _matching(customers, registry, window, dt.date(2026, 12, 25)) == {january}
    assert _matching(customers, registry, window, dt.date(2026, 12, 10)) == {december}


def test_age_of_a_leapling_changes_on_1_march_in_non_leap_years(
    customers: Any, registry: Any
) -> None:
    with customers.db.transaction() as session:
        leapling = insert_customer(session, birthdate=dt.date(2000, 2, 29))
    adult = one("age", "gte", 27)
    assert _matching(customers, registry, adult, dt.date(2027, 2, 28)) == set()
    assert _matching(customers, registry, adult, dt.date(2027, 3, 1)) == {leapling}


def test_relative_dates_move_with_today(customers: Any, registry: Any) -> None:
    with customers.db.transaction() as session:
        joined = insert_customer(
            session, joined_at=dt.datetime(2026, 10, 25, 23, 30, tzinfo=dt.UTC)
        )
    old = one("joined_days_ago", "gt", 30)
    assert _matching(customers, registry, old, dt.date(2026, 11, 24)) == set()
    assert _matching(customers, registry, old, dt.date(2026, 11, 25)) == {joined}
