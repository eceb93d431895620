"""Sorting the customer list: customers without a value for the sort key come last in both
directions, on both backends, and keyset pages cross from set to empty values without losing
or repeating anyone."""

from __future__ import annotations

import pytest

from customers_plugin.services.listing import SORT_KEYS

from .conftest import place_order

# the list columns a customer may leave empty, by sort key
MAY_BE_EMPTY = {
    "name": "name",
    "email": "email",
    "phone": "phone",
    "country": "country",
    "last_order_at": "last_order_at",
}


@pytest.fixture
def mixed(staff, api_app):
    staff.create(name="Zed Young", email="zed@example.com", phone="0501234567", country="SA")
    staff.create(name="amy", email="amy@example.com")
    staff.create(phone="0507654321", country="AE")
    staff.create(email="nameless@example.com", name="")
    staff.create(name="Émile", email="emile@example.com", country="FR")
    place_order(api_app, "a", "zed@example.com", "o1", "30")
    place_order(api_app, "a", "amy@example.com", "o2", "10")


def _page(staff, **query):
    response = staff.get("/customers", query_string=query)
    assert response.status_code == 200, response.json
    return response.json


@pytest.mark.parametrize("desc", [False, True], ids=["ascending", "descending"])
@pytest.mark.parametrize("key", sorted(SORT_KEYS))
def test_customers_without_a_value_sort_last_and_page_once(staff, mixed, key, desc):
    sort = ("-" if desc else "") + key
    items = _page(staff, sort=sort, limit=50)["items"]
    assert len(items) == 5
    column = MAY_BE_EMPTY.get(key)
    if column:
        empty = [not item[column] for item in items]
        assert empty == sorted(empty), [item[column] for item in items]
        assert any(empty), "the fixture leaves this key empty for someone"
    seen, cursor = [], None
    for _ in range(10):
        page = _page(staff, sort=sort, limit=1, **({"cursor": cursor} if cursor else {}))
        seen.extend(item["id"] for item in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [item["id"] for item in items]


def test_names_sort_alphabetically_whatever_their_case_and_accents(staff, mixed):
    names = [item["name"] for item in _page(staff, sort="name")["items"]]
    assert names[:3] == ["amy", "Émile", "Zed Young"]
    assert [item["name"] for item in _page(staff, sort="-name")["items"]][:3] == names[:3][::-1]
