"""``?group=`` narrows the customer list and the export to a group's members; a query
parameter that a list endpoint does not know answers 422 naming it (a typo is never silently
ignored)."""

from __future__ import annotations

import csv
import io
import uuid

import pytest

from customers_plugin.services import exports
from customers_plugin.services.listing import Filters


def _ids(response) -> set[str]:
    assert response.status_code == 200, response.json
    return {row["id"] for row in response.json["items"]}


@pytest.fixture
def grouped(staff):
    people = {n: staff.create(email=f"{n}@example.com", name=n)["id"] for n in "abcd"}

    def group(name: str, *members: str, who=staff) -> str:
        body = {"name": name, "members": [people[m] for m in members]}
        response = who.post("/groups", json=body)
        assert response.status_code == 201, response.json
        return response.json["id"]

    return people, group


def test_group_filter_lists_only_the_groups_members(staff, grouped):
    people, group = grouped
    vip = group("VIP", "a", "b")
    late = group("Late payers", "c")
    assert _ids(staff.get("/customers", query_string={"group": vip})) == {
        people["a"],
        people["b"],
    }
    both = staff.get("/customers", query_string={"group": [vip, late], "include_total": 1})
    assert _ids(both) == {people["a"], people["b"], people["c"]}
    assert both.json["total"] == 3


def test_another_stores_group_selects_nobody(staff, grouped):
    _people, _group = grouped
    other = staff.as_("b")
    theirs = other.post("/groups", json={"name": "Theirs"}).json["id"]
    assert _ids(staff.get("/customers", query_string={"group": theirs})) == set()


def test_the_export_follows_the_group_filter(staff, grouped):
    _people, group = grouped
    vip = group("VIP", "a", "d")
    response = staff.get("/exports/customers.csv", query_string={"group": vip, "columns": "email"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert sorted(rows[1:]) == [["a@example.com"], ["d@example.com"]]


def test_an_export_job_keeps_the_group_filter(grouped):
    _people, group = grouped
    vip = group("VIP", "a")
    request = exports.ExportRequest(filters=Filters(groups=[uuid.UUID(vip)]))
    params = exports.request_to_params(request, ["email"])
    assert exports.params_to_request(params).filters.groups == request.filters.groups


def test_a_bad_group_id_answers_422(staff):
    response = staff.get("/customers", query_string={"group": "not-a-uuid"})
    assert response.status_code == 422
    assert "group.0" in response.json["error"]["fields"]


@pytest.mark.parametrize(
    "path",
    [
        "/customers",
        "/tags",
        "/fields",
        "/groups",
        "/imports",
        "/exports/customers.csv",
        "/wishlists/products",
    ],
)
def test_an_unknown_query_parameter_on_a_list_answers_422_naming_it(staff, path):
    response = staff.get(path, query_string={"grop": "vip"})
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.json["error"]["code"] == "validation_error"
    assert "grop" in response.json["error"]["fields"]


def test_a_customers_sub_lists_refuse_unknown_parameters_too(staff, grouped):
    people, group = grouped
    vip = group("VIP", "a")
    for path in (f"/groups/{vip}/members", f"/customers/{people['a']}/orders"):
        response = staff.get(path, query_string={"sort_by": "name"})
        assert response.status_code == 422, path
        assert "sort_by" in response.json["error"]["fields"], path
