"""An ``in`` condition is one list parameter (an array on PostgreSQL, a JSON array on SQLite),
never one OR-ed comparison per value, and matches the same customers as before."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from customers_plugin.models import Customer
from customers_plugin.services.groups.conditions import Condition, compile_condition, parse
from customers_plugin.services.groups.membership import preview
from customers_plugin.services.groups.registry import EvalContext

from .conftest import STORE, insert_customer

CTX = EvalContext(STORE, dt.date(2026, 12, 6))


def test_an_in_list_of_a_hundred_values_is_one_parameter(customers: Any, registry: Any) -> None:
    dialect = customers.db.engine.dialect
    for field, values in (
        ("orders_count", tuple(range(100))),
        ("tag", tuple(f"tag {i}" for i in range(100))),
        ("source", tuple(f"source{i}" for i in range(100))),
    ):
        clause = compile_condition(Condition(field, "in", values), registry, CTX)
        compiled = select(func.count()).select_from(Customer).where(clause).compile(dialect=dialect)
        sql = str(compiled)
        assert " OR " not in sql, sql
        list_params = [v for v in compiled.params.values() if isinstance(v, list)]
        assert len(list_params) == 1 and len(list_params[0]) == 100, (field, compiled.params)
        assert ("ANY" in sql) if dialect.name == "postgresql" else ("json_each" in sql)


def test_in_lists_match_the_customers_whose_value_is_listed(customers: Any, registry: Any) -> None:
    with customers.db.transaction() as session:
        one = insert_customer(session, orders_count=1, tags=("VIP",), sources=("store",))
        insert_customer(session, orders_count=2, tags=("Late",), sources=("booking",))
        three = insert_customer(session, orders_count=3, tags=("vip", "Late"), status="blocked")
        insert_customer(session, store_id="other", orders_count=1, tags=("VIP",))

    def matching(*conditions: dict[str, Any]) -> int:
        parsed = parse({"match": "all", "conditions": list(conditions)}, registry)
        with customers.db.session() as session:
            return preview(session, registry, STORE, parsed)["matching"]

    assert matching({"field": "orders_count", "op": "in", "value": [1, 3, 7]}) == 2
    assert matching({"field": "tag", "op": "in", "value": ["vip", "Nobody"]}) == 2
    assert matching({"field": "source", "op": "in", "value": ["store", "forms"]}) == 1
    assert matching({"field": "status", "op": "in", "value": ["blocked", "inactive"]}) == 1
    assert (
        matching(
            {"field": "orders_count", "op": "in", "value": [3]},
            {"field": "tag", "op": "in", "value": ["late"]},
        )
        == 1
    )
    assert one and three
