"""A merchant's group rule never stops capture: values are checked against each field's real
range at save and preview, a group that fails to evaluate (a row saved before the checks, a
plugin condition whose SQL fails) is marked failing and announced while the event is recorded,
and manual members must belong to the store."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import BigInteger, Integer, func, literal, literal_column, select, text

from customers_plugin import hookimpl
from customers_plugin.models import Customer, CustomerGroup, OrderSummary
from customers_plugin.types import new_id, utcnow

from ..api.conftest import BearerAuth, Staff, place_order

ONE_ORDER = {"field": "orders_count", "op": "gte", "value": 1}
INT32_RANGE = (-(2**31), 2**31 - 1)
OUT_OF_RANGE = [
    pytest.param("joined_at", "gt", "9999-12-31", id="joined_at-end-of-calendar"),
    pytest.param("orders_count", "gt", 10**12, id="orders_count-10e12"),
    pytest.param("total_purchases", "gt", "999999999999999999999", id="total_purchases-huge"),
    pytest.param("product_rating", "gt", "99999999999", id="product_rating-huge"),
    pytest.param("cancelled_orders_count", "in", [1, 2**31], id="count-in-list-over-int32"),
]


class GroupWatcher:
    """A third party that records group notifications."""

    def __init__(self) -> None:
        self.failed: list[dict[str, Any]] = []
        self.changed: list[dict[str, Any]] = []

    @hookimpl
    def group_failed(self, store_id: str, group_id: str, reason: str) -> None:
        self.failed.append({"store_id": store_id, "group_id": group_id, "reason": reason})

    @hookimpl
    def group_membership_changed(
        self, store_id: str, group_id: str, added_ids: Any, removed_ids: Any
    ) -> None:
        self.changed.append({"group_id": group_id, "added": list(added_ids)})


class OverflowCondition:
    """A plugin condition type whose SQL always fails at run time (an integer overflow on
    both backends), although its values are valid."""

    @hookimpl
    def register_condition_types(self, register: Any) -> None:
        register(
            "overflowing",
            lambda store_id: func.abs(literal(-(2**63), BigInteger)) + Customer.orders_count,
            "integer",
        )


class SlowCondition:
    """A plugin condition type that takes half a second on PostgreSQL."""

    @hookimpl
    def register_condition_types(self, register: Any) -> None:
        register(
            "slow",
            lambda store_id: literal_column("(SELECT 1 FROM pg_sleep(0.5))", Integer),
            "integer",
        )


@pytest.fixture
def watcher() -> GroupWatcher:
    return GroupWatcher()


@pytest.fixture
def api_app(make_app: Any, recorder: Any, watcher: GroupWatcher) -> Flask:
    return make_app(
        CUSTOMERS_PLUGINS=[recorder, watcher, BearerAuth(), OverflowCondition()],
        CUSTOMERS_CURRENCY="SAR",
    )


@pytest.fixture
def staff(api_app: Flask) -> Staff:
    return Staff(api_app)


def _conditions(*items: dict[str, Any]) -> dict[str, Any]:
    return {"match": "all", "conditions": list(items)}


def _stored_group(app: Flask, name: str, conditions: dict[str, Any], store: str = "a") -> str:
    """A group row written straight to the database, as one saved before values were checked."""
    state = app.extensions["customers"]
    group_id = new_id()
    with state.db.transaction() as session:
        session.execute(
            CustomerGroup.__table__.insert().values(
                id=group_id, store_id=store, name=name, conditions=conditions,
                hidden_payment_methods=[], coupon_codes=[], free_shipping=False,
                created_at=utcnow(), updated_at=utcnow(),
            )
        )  # fmt: skip
    return str(group_id)


@pytest.mark.parametrize(("field", "op", "value"), OUT_OF_RANGE)
def test_an_out_of_range_value_answers_422_naming_it_at_save_and_preview(
    staff: Staff, field: str, op: str, value: Any
) -> None:
    conditions = _conditions(ONE_ORDER, {"field": field, "op": op, "value": value})
    for path, body in (
        ("/groups", {"name": "Too far", "conditions": conditions}),
        ("/groups/preview", {"conditions": conditions}),
    ):
        response = staff.post(path, json=body)
        assert response.status_code == 422, (path, response.json)
        error = response.json["error"]
        assert error["code"] == "validation_error"
        assert list(error["fields"]) == ["conditions.1.value"], error
    assert staff.get("/groups").json["items"] == []


def test_condition_types_show_their_range_and_plugins_can_narrow_it(make_app: Any) -> None:
    class Loyalty:
        @hookimpl
        def register_condition_types(self, register: Any) -> None:
            def even(value: int) -> int:
                if value % 2:
                    raise ValueError("must be an even number of points")
                return value

            register("points", lambda store_id: Customer.orders_count, "integer",
                     minimum=0, maximum=1000, validate=even)  # fmt: skip

    staff = Staff(make_app(CUSTOMERS_PLUGINS=[BearerAuth(), Loyalty()]))
    types = {t["field"]: t for t in staff.get("/groups/condition-types").json["items"]}
    assert (types["orders_count"]["minimum"], types["orders_count"]["maximum"]) == INT32_RANGE
    assert (types["points"]["minimum"], types["points"]["maximum"]) == (0, 1000)
    assert types["joined_at"]["maximum"] == "9999-12-30"
    assert types["country"]["minimum"] is None
    for value, message in ((1001, "between 0 and 1000"), (3, "even number")):
        body = {"conditions": _conditions({"field": "points", "op": "gt", "value": value})}
        answer = staff.post("/groups/preview", json=body)
        assert answer.status_code == 422, answer.json
        assert message in answer.json["error"]["fields"]["conditions.0.value"][0]
    ok = {"conditions": _conditions({"field": "points", "op": "gt", "value": 4})}
    assert staff.post("/groups/preview", json=ok).status_code == 200


def test_values_at_the_edge_of_each_range_are_accepted(api_app: Flask, staff: Staff) -> None:
    place_order(api_app, "a", "buyer@example.com", "o1", "20.00")
    conditions = _conditions(
        {"field": "orders_count", "op": "lt", "value": 2**31 - 1},
        {"field": "joined_at", "op": "lt", "value": "9999-12-30"},
        {"field": "total_purchases", "op": "lt", "value": "9000000000000"},
        {"field": "product_rating", "op": "is_null", "value": True},
    )
    preview = staff.post("/groups/preview", json={"conditions": conditions})
    assert preview.status_code == 200, preview.json
    assert preview.json["matching"] == 1
    created = staff.post("/groups", json={"name": "Edge", "conditions": conditions})
    assert created.status_code == 201, created.json
    assert created.json["members_count"] == 1
    assert created.json["failing"] is False


@pytest.mark.parametrize(("field", "op", "value"), OUT_OF_RANGE)
def test_a_stored_group_with_an_out_of_range_value_never_stops_capture(
    api_app: Flask,
    staff: Staff,
    watcher: GroupWatcher,
    caplog: pytest.LogCaptureFixture,
    field: str,
    op: str,
    value: Any,
) -> None:
    buyers = staff.post("/groups", json={"name": "Buyers", "conditions": _conditions(ONE_ORDER)})
    broken = _stored_group(
        api_app, "Broken", _conditions(ONE_ORDER, {"field": field, "op": op, "value": value})
    )
    caplog.set_level(logging.INFO)

    first = place_order(api_app, "a", "first@example.com", "o1", "20.00")
    second = place_order(api_app, "a", "second@example.com", "o2", "30.00")

    state = api_app.extensions["customers"]
    with state.db.session() as session:
        assert session.scalar(select(func.count()).select_from(OrderSummary)) == 2
    assert staff.get(f"/customers/{first}").json["orders_count"] == 1
    members = staff.get(f"/groups/{buyers.json['id']}/members").json["items"]
    assert {m["id"] for m in members} == {first, second}  # the healthy group still works

    group = staff.get(f"/groups/{broken}").json
    assert group["failing"] is True
    assert "conditions.1.value" in group["failure_reason"]
    assert group["failed_at"] is not None
    assert group["members_count"] == 0
    assert [(f["store_id"], f["group_id"]) for f in watcher.failed] == [("a", broken)]
    assert "first@example.com" not in caplog.text and "second@example.com" not in caplog.text

    assert staff.get(f"/customers/{first}/groups").status_code == 200
    removed = staff.post(f"/groups/{broken}/members/remove", json={"ids": [first]})
    assert removed.status_code == 200, removed.json


def test_editing_a_failing_group_clears_its_failure(
    api_app: Flask, staff: Staff, watcher: GroupWatcher
) -> None:
    broken = _stored_group(
        api_app, "Broken", _conditions({"field": "joined_at", "op": "gt", "value": "9999-12-31"})
    )
    buyer = place_order(api_app, "a", "buyer@example.com", "o1", "20.00")
    assert staff.get(f"/groups/{broken}").json["failing"] is True

    fixed = staff.patch(f"/groups/{broken}", json={"conditions": _conditions(ONE_ORDER)})
    assert fixed.status_code == 200, fixed.json
    assert (fixed.json["failing"], fixed.json["failure_reason"]) == (False, None)
    assert fixed.json["members_count"] == 1
    place_order(api_app, "a", "buyer@example.com", "o2", "20.00")
    assert staff.get(f"/groups/{broken}").json["failing"] is False
    assert [f["group_id"] for f in watcher.failed] == [broken]
    assert buyer


def test_a_condition_whose_sql_fails_marks_the_group_and_the_event_is_recorded(
    api_app: Flask, staff: Staff, watcher: GroupWatcher
) -> None:
    earlier = place_order(api_app, "a", "earlier@example.com", "o0", "5.00")
    buyers = staff.post("/groups", json={"name": "Buyers", "conditions": _conditions(ONE_ORDER)})
    created = staff.post(
        "/groups",
        json={"name": "Overflow", "conditions": _conditions(
            {"field": "overflowing", "op": "gt", "value": 1})},
    )  # fmt: skip
    assert created.status_code == 201, created.json
    group_id = created.json["id"]
    # the refresh that follows the save failed: the group says so
    assert created.json["failing"] is True
    assert "database" in created.json["failure_reason"]

    buyer = place_order(api_app, "a", "buyer@example.com", "o1", "20.00")
    assert staff.get(f"/customers/{buyer}").json["orders_count"] == 1
    members = staff.get(f"/groups/{buyers.json['id']}/members").json["items"]
    assert {m["id"] for m in members} == {earlier, buyer}
    assert [f["group_id"] for f in watcher.failed] == [group_id]

    # the merchant's other views of the group keep working
    assert staff.post(f"/groups/{group_id}/members", json={"ids": [buyer]}).status_code == 200
    explained = staff.get(f"/customers/{buyer}/groups")
    assert explained.status_code == 200, explained.json
    assert {g["name"] for g in explained.json["items"]} == {"Buyers", "Overflow"}
    removed = staff.post(f"/groups/{group_id}/members/remove", json={"ids": [buyer]})
    assert removed.json == {"added": 0, "removed": 1, "kept_matching": 0}


def test_a_group_failing_in_sql_during_an_event_is_left_out_and_the_others_still_apply(
    api_app: Flask, staff: Staff, watcher: GroupWatcher
) -> None:
    buyers = staff.post("/groups", json={"name": "Buyers", "conditions": _conditions(ONE_ORDER)})
    overflow = _stored_group(
        api_app, "Overflow", _conditions({"field": "overflowing", "op": "gt", "value": 1})
    )
    buyer = place_order(api_app, "a", "buyer@example.com", "o1", "20.00")
    assert staff.get(f"/customers/{buyer}").json["orders_count"] == 1
    members = staff.get(f"/groups/{buyers.json['id']}/members").json["items"]
    assert [m["id"] for m in members] == [buyer]
    group = staff.get(f"/groups/{overflow}").json
    assert group["failing"] is True
    assert group["failure_reason"].startswith("the database refused the conditions")
    assert [f["group_id"] for f in watcher.failed] == [overflow]


def test_a_failing_preview_answers_a_clear_error(staff: Staff) -> None:
    conditions = _conditions({"field": "overflowing", "op": "gt", "value": 1})
    staff.create(email="someone@example.com")
    response = staff.post("/groups/preview", json={"conditions": conditions})
    assert response.status_code == 422, response.json
    assert response.json["error"]["code"] == "conditions_failed"


def test_preview_needs_groups_manage(staff: Staff) -> None:
    body = {"conditions": _conditions(ONE_ORDER)}
    assert staff.as_(perms="customers.read").post("/groups/preview", json=body).status_code == 403
    manager = staff.as_(perms="groups.manage")
    assert manager.post("/groups/preview", json=body).status_code == 200


def test_another_stores_customer_cannot_be_added_to_a_group(api_app: Flask, staff: Staff) -> None:
    theirs = place_order(api_app, "b", "theirs@example.com", "o1", "20.00")
    mine = place_order(api_app, "a", "mine@example.com", "o2", "20.00")
    created = staff.post("/groups", json={"name": "Picked", "members": [theirs]})
    assert created.status_code == 404, created.json
    assert staff.get("/groups").json["items"] == []

    group = staff.post("/groups", json={"name": "Picked"}).json
    added = staff.post(f"/groups/{group['id']}/members", json={"ids": [mine, theirs]})
    assert added.status_code == 404, added.json
    assert added.json["error"]["code"] == "not_found"
    assert staff.get(f"/groups/{group['id']}").json["members_count"] == 0
    assert staff.post(f"/groups/{group['id']}/members", json={"ids": [mine]}).json["added"] == 1


@pytest.fixture
def slow_app(make_app: Any, backend: str, watcher: GroupWatcher) -> Flask:
    if backend != "postgresql":
        pytest.skip("statement timeouts are PostgreSQL's")
    return make_app(
        CUSTOMERS_PLUGINS=[watcher, BearerAuth(), SlowCondition()],
        CUSTOMERS_STATEMENT_TIMEOUT_MS=200,
    )


SLOW = {"match": "all", "conditions": [{"field": "slow", "op": "gt", "value": 0}]}


def test_a_preview_past_the_statement_timeout_answers_query_timeout_in_time(
    slow_app: Flask,
) -> None:
    staff = Staff(slow_app)
    staff.create(email="someone@example.com")
    started = time.monotonic()
    response = staff.post("/groups/preview", json={"conditions": SLOW})
    elapsed = time.monotonic() - started
    assert response.status_code == 503, response.json
    assert response.json["error"]["code"] == "query_timeout"
    assert elapsed < 0.45  # stopped by the 200 ms timeout, not after the 500 ms sleep


def test_a_group_slower_than_the_timeout_is_marked_failing_and_capture_goes_on(
    slow_app: Flask, watcher: GroupWatcher
) -> None:
    staff = Staff(slow_app)
    buyers = staff.post("/groups", json={"name": "Buyers", "conditions": _conditions(ONE_ORDER)})
    slow = _stored_group(slow_app, "Slow", SLOW)
    buyer = place_order(slow_app, "a", "buyer@example.com", "o1", "20.00")
    assert staff.get(f"/customers/{buyer}").json["orders_count"] == 1
    assert staff.get(f"/groups/{buyers.json['id']}").json["members_count"] == 1
    group = staff.get(f"/groups/{slow}").json
    assert group["failing"] is True
    assert group["failure_reason"].startswith("query_timeout")
    assert [f["group_id"] for f in watcher.failed] == [slow]


def test_jobs_run_without_the_request_time_timeout(slow_app: Flask) -> None:
    staff = Staff(slow_app)
    staff.create(email="someone@example.com")
    created = staff.post("/groups", json={"name": "Slow", "conditions": SLOW})
    assert created.status_code == 201, created.json
    assert (created.json["failing"], created.json["members_count"]) == (False, 1)


def test_request_sessions_carry_the_timeout_and_job_sessions_do_not(slow_app: Flask) -> None:
    db = slow_app.extensions["customers"].db

    def timeout_of_a_new_session() -> str:
        with db.session() as session:  # the pool hands the same connection back each time
            return session.scalar(text("SHOW statement_timeout"))

    request = timeout_of_a_new_session()
    with db.for_jobs():
        job = timeout_of_a_new_session()
    assert (request, job, timeout_of_a_new_session()) == ("200ms", "0", "200ms")


def test_an_import_completes_beside_a_stored_group_with_an_out_of_range_value(
    make_app: Any, tmp_path: Any, watcher: GroupWatcher
) -> None:
    from ..transfer.conftest import csv_bytes, run_import

    app = make_app(
        CUSTOMERS_PLUGINS=[watcher], CUSTOMERS_TRANSFER_FOLDER=str(tmp_path / "transfer")
    )
    broken = _stored_group(
        app, "Broken", _conditions({"field": "orders_count", "op": "gt", "value": 10**12}), "s1"
    )
    rows = [["email", "name"], ["a@example.com", "A"], ["b@example.com", "B"]]
    result = run_import(app.extensions["customers"], csv_bytes(rows))
    assert (result["status"], result["created"], result["errors"]) == ("done", 2, 0)
    assert [f["group_id"] for f in watcher.failed] == [broken]
