"""``/groups`` over HTTP: CRUD with 422s naming the condition, members pages, manual members,
preview, explanations, permissions, store isolation, the customer-list column and bulk actions,
and the reference condition-type plugin of ``hooks/``."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from ..api.conftest import BearerAuth, Staff, place_order

VIP = {"match": "any", "conditions": [
    {"field": "total_purchases", "op": "gt", "value": "1500"},
    {"field": "orders_count", "op": "gt", "value": 10}]}  # fmt: skip


@pytest.fixture
def api_app(make_app: Any, recorder: Any) -> Flask:
    return make_app(CUSTOMERS_PLUGINS=[recorder, BearerAuth()], CUSTOMERS_CURRENCY="SAR")


@pytest.fixture
def staff(api_app: Flask) -> Staff:
    return Staff(api_app)


def test_group_lifecycle_with_automatic_and_manual_members(api_app: Flask, staff: Staff) -> None:
    rich = place_order(api_app, "a", "rich@example.com", "o1", "2000.00")
    small = place_order(api_app, "a", "small@example.com", "o2", "10.00")
    created = staff.post("/groups", json={"name": "VIP", "icon": "star", "conditions": VIP,
                                          "free_shipping": True, "members": [small]})  # fmt: skip
    assert created.status_code == 201, created.json
    group = created.json
    assert (group["members_count"], group["manual_members_count"]) == (2, 1)
    assert group["conditions"]["conditions"][0]["value"] == "1500"

    page = staff.get(f"/groups/{group['id']}/members?sort=-total_spent&limit=1")
    assert page.status_code == 200, page.json
    assert [m["id"] for m in page.json["items"]] == [rich]
    second = staff.get(
        f"/groups/{group['id']}/members?sort=-total_spent&limit=1&cursor={page.json['next_cursor']}"
    )
    assert [(m["id"], m["manual"]) for m in second.json["items"]] == [(small, True)]
    assert second.json["next_cursor"] is None

    removed = staff.post(f"/groups/{group['id']}/members/remove", json={"ids": [small, rich]})
    assert removed.json == {"added": 0, "removed": 1, "kept_matching": 1}

    listed = staff.get("/groups").json["items"]
    assert [(g["name"], g["members_count"]) for g in listed] == [("VIP", 1)]

    why = staff.get(f"/customers/{rich}/groups").json["items"]
    assert why[0]["name"] == "VIP"
    assert [c["matched"] for c in why[0]["conditions"]] == [True, False]

    assert staff.delete(f"/groups/{group['id']}").status_code == 204
    assert staff.get(f"/customers/{rich}").status_code == 200
    assert staff.get(f"/groups/{group['id']}").status_code == 404


def test_changing_conditions_recomputes_members(api_app: Flask, staff: Staff) -> None:
    buyer = place_order(api_app, "a", "buyer@example.com", "o1", "20.00")
    group = staff.post("/groups", json={"name": "Buyers"}).json
    assert group["members_count"] == 0
    one_order = {"field": "orders_count", "op": "gte", "value": 1}
    changed = staff.patch(
        f"/groups/{group['id']}", json={"conditions": {"match": "all", "conditions": [one_order]}}
    )
    assert changed.json["members_count"] == 1
    members = staff.get(f"/groups/{group['id']}/members").json["items"]
    assert [m["id"] for m in members] == [buyer]


def test_invalid_conditions_answer_422_naming_the_condition(staff: Staff) -> None:
    response = staff.post("/groups", json={"name": "Bad", "conditions": {
        "match": "all", "conditions": [
            {"field": "orders_count", "op": "gt", "value": 1},
            {"field": "orders_count", "op": "between", "value": [9, 2]},
            {"field": "nope", "op": "eq", "value": 1}]}})  # fmt: skip
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "validation_error"
    assert set(error["fields"]) == {"conditions.1.value", "conditions.2.field"}


def test_preview_counts_without_saving(api_app: Flask, staff: Staff) -> None:
    place_order(api_app, "a", "x@example.com", "o1", "2000.00")
    place_order(api_app, "a", "y@example.com", "o2", "5.00")
    group = staff.post("/groups", json={"name": "VIP", "conditions": VIP}).json
    cheap = {"field": "total_purchases", "op": "lt", "value": "100"}
    answer = staff.post(
        "/groups/preview",
        json={"group_id": group["id"], "conditions": {"match": "all", "conditions": [cheap]}},
    )
    assert answer.json == {"matching": 1, "would_join": 1, "would_leave": 1}
    assert staff.get(f"/groups/{group['id']}").json["members_count"] == 1


def test_reads_need_customers_read_and_writes_need_groups_manage(staff: Staff) -> None:
    reader = staff.as_(perms="customers.read")
    assert reader.get("/groups").status_code == 200
    assert reader.post("/groups", json={"name": "x"}).status_code == 403
    manager = staff.as_(perms="customers.read,groups.manage")
    assert manager.post("/groups", json={"name": "x"}).status_code == 201
    anonymous = Staff(staff.app)
    anonymous.headers = {}
    assert anonymous.get("/groups").status_code == 401


def test_another_store_cannot_see_or_change_a_group(staff: Staff) -> None:
    group = staff.post("/groups", json={"name": "Mine"}).json
    other = staff.as_(store="b")
    assert other.get(f"/groups/{group['id']}").status_code == 404
    assert other.delete(f"/groups/{group['id']}").status_code == 404
    assert other.get("/groups").json["items"] == []


def test_customer_list_shows_groups_and_bulk_actions_change_membership(
    api_app: Flask, staff: Staff
) -> None:
    one = place_order(api_app, "a", "one@example.com", "o1", "10.00")
    two = place_order(api_app, "a", "two@example.com", "o2", "10.00")
    group = staff.post("/groups", json={"name": "Picked"}).json
    added = staff.post("/customers/bulk", json={"action": "add_to_group", "ids": [one, two],
                                                "group_id": group["id"]})  # fmt: skip
    assert added.status_code == 200, added.json
    assert added.json["changed"] == 2
    rows = {r["id"]: r["groups"] for r in staff.get("/customers").json["items"]}
    assert rows[one] == [{"id": group["id"], "name": "Picked"}]
    removed = staff.post("/customers/bulk", json={"action": "remove_from_group", "ids": [one],
                                                  "group_id": group["id"]})  # fmt: skip
    assert removed.json["changed"] == 1
    rows = {r["id"]: r["groups"] for r in staff.get("/customers").json["items"]}
    assert rows[one] == []
    assert rows[two] == [{"id": group["id"], "name": "Picked"}]


def test_reference_plugin_adds_condition_types(make_app: Any, recorder: Any) -> None:
    plugin = pytest.importorskip("customers_profile_conditions.plugin").plugin
    app = make_app(CUSTOMERS_PLUGINS=[recorder, BearerAuth(), plugin])
    staff = Staff(app)
    fields = {t["field"] for t in staff.get("/groups/condition-types").json["items"]}
    assert {"wallet_balance", "language", "total_purchases"} <= fields
    place_order(app, "a", "w@example.com", "o1", "10.00")
    conditions = [
        {"field": "language", "op": "is_null", "value": True},
        {"field": "wallet_balance", "op": "lt", "value": "1"},
    ]
    group = staff.post(
        "/groups",
        json={"name": "No language", "conditions": {"match": "all", "conditions": conditions}},
    )
    assert group.status_code == 201, group.json
    assert group.json["members_count"] == 1


def test_profile_edits_and_tags_from_the_admin_api_update_membership(
    api_app: Flask, staff: Staff
) -> None:
    card = staff.create(email="p@example.com")
    saudi = {"field": "country", "op": "eq", "value": "SA"}
    tagged = {"field": "tag", "op": "eq", "value": "wholesale"}
    by_country = staff.post(
        "/groups", json={"name": "Saudi", "conditions": {"match": "all", "conditions": [saudi]}}
    ).json
    by_tag = staff.post(
        "/groups", json={"name": "Trade", "conditions": {"match": "all", "conditions": [tagged]}}
    ).json

    def groups_of_card() -> list[str]:
        return [g["name"] for g in staff.get(f"/customers/{card['id']}/groups").json["items"]]

    assert groups_of_card() == []
    assert staff.patch(f"/customers/{card['id']}", json={"country": "SA"}).status_code == 200
    assert groups_of_card() == ["Saudi"]
    staff.post(f"/customers/{card['id']}/tags", json={"tags": ["Wholesale"]})
    assert groups_of_card() == ["Saudi", "Trade"]
    assert staff.get(f"/groups/{by_tag['id']}").json["members_count"] == 1
    assert staff.get(f"/groups/{by_country['id']}").json["members_count"] == 1


def test_deleting_a_group_announces_that_its_members_left(make_app: Any, recorder: Any) -> None:
    from .test_membership import MembershipRecorder

    seen = MembershipRecorder()
    app = make_app(CUSTOMERS_PLUGINS=[recorder, BearerAuth(), seen])
    staff = Staff(app)
    buyer = place_order(app, "a", "b@example.com", "o1", "10.00")
    group = staff.post("/groups", json={"name": "Picked", "members": [buyer]}).json
    assert seen.changes[-1]["added"] == {buyer}
    assert staff.delete(f"/groups/{group['id']}").status_code == 204
    assert seen.changes[-1] == {
        "store_id": "a", "group_id": group["id"], "added": set(), "removed": {buyer}
    }  # fmt: skip
