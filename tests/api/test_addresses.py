"""Structured addresses: free text, Saudi National Address fields and a map point, held to
the store's address method; one default shipping and one default billing address."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import update

from customers_plugin.models import Customer

NATIONAL = {
    "building_number": "2929",
    "street": "King Fahd Road",
    "district": "Al Olaya",
    "city": "Riyadh",
    "postal_code": "12211",
    "additional_number": "7788",
    "short_address": "rrrd2929",
}


def _method(staff, method, store="a"):
    answer = staff.as_(store, "settings.manage").patch("/settings", json={"address_method": method})
    assert answer.status_code == 200


@pytest.fixture
def customer(staff):
    return staff.create(email="sara@example.com")["id"]


def test_a_national_address_is_stored_with_its_fields_and_an_id(staff, customer):
    _method(staff, "national_address")
    added = staff.post(f"/customers/{customer}/addresses", json=NATIONAL)
    assert added.status_code == 201, added.json
    assert added.json["short_address"] == "RRRD2929"
    assert added.json["id"]
    [listed] = staff.get(f"/customers/{customer}/addresses").json["items"]
    assert listed == added.json
    assert staff.get(f"/customers/{customer}").json["addresses"] == [added.json]


def test_the_national_address_method_names_each_missing_field(staff, customer):
    _method(staff, "national_address")
    refused = staff.post(
        f"/customers/{customer}/addresses", json={"line1": "near the mosque", "city": "Riyadh"}
    )
    assert refused.status_code == 422
    assert set(refused.json["error"]["fields"]) == {
        "building_number",
        "street",
        "district",
        "postal_code",
        "additional_number",
    }
    five_digits = staff.post(
        f"/customers/{customer}/addresses", json={**NATIONAL, "postal_code": "1221"}
    )
    assert list(five_digits.json["error"]["fields"]) == ["postal_code"]


def test_the_map_method_needs_a_point_and_free_text_needs_a_line_or_city(staff, customer):
    _method(staff, "map_location")
    refused = staff.post(f"/customers/{customer}/addresses", json={"line1": "Home"})
    assert set(refused.json["error"]["fields"]) == {"latitude", "longitude"}
    point = {"latitude": 24.7136, "longitude": 46.6753}
    assert staff.post(f"/customers/{customer}/addresses", json=point).status_code == 201
    _method(staff, "free_text")
    empty = staff.post(f"/customers/{customer}/addresses", json={"label": "home"})
    assert list(empty.json["error"]["fields"]) == ["line1"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("building_number", "29a9"),
        ("building_number", "29290"),
        ("additional_number", "77"),
        ("short_address", "RRR2929"),
        ("short_address", "RRRD292"),
        ("latitude", 90.5),
        ("longitude", -180.01),
        ("latitude", "24.7"),
        ("latitude", True),
    ],
)
def test_formats_are_checked_whatever_the_method(staff, customer, field, value):
    refused = staff.post(
        f"/customers/{customer}/addresses",
        json={"line1": "x", "latitude": 1.0, "longitude": 1.0, field: value},
    )
    assert refused.status_code == 422
    assert list(refused.json["error"]["fields"]) == [field]


def test_one_default_of_each_kind_moves_to_the_newest_choice(staff, customer):
    first = staff.post(
        f"/customers/{customer}/addresses",
        json={"line1": "Home", "default_shipping": True, "default_billing": True},
    ).json
    second = staff.post(
        f"/customers/{customer}/addresses", json={"line1": "Work", "default_shipping": True}
    ).json
    items = {a["id"]: a for a in staff.get(f"/customers/{customer}/addresses").json["items"]}
    assert items[second["id"]]["default_shipping"] is True
    assert "default_shipping" not in items[first["id"]]
    assert items[first["id"]]["default_billing"] is True
    moved = staff.patch(
        f"/customers/{customer}/addresses/{first['id']}", json={"default_shipping": True}
    )
    assert moved.json["default_shipping"] is True
    items = staff.get(f"/customers/{customer}/addresses").json["items"]
    assert [a.get("default_shipping", False) for a in items] == [True, False]


def test_a_whole_list_with_two_default_shipping_addresses_is_refused(staff, customer):
    refused = staff.patch(
        f"/customers/{customer}",
        json={
            "addresses": [
                {"line1": "Home", "default_shipping": True},
                {"line1": "Work", "default_shipping": True},
            ]
        },
    )
    assert refused.status_code == 422
    assert list(refused.json["error"]["fields"]) == ["addresses.1.default_shipping"]


def test_change_clears_a_field_with_null_and_delete_removes_the_address(staff, customer):
    added = staff.post(
        f"/customers/{customer}/addresses", json={"line1": "Home", "line2": "Floor 2"}
    ).json
    changed = staff.patch(f"/customers/{customer}/addresses/{added['id']}", json={"line2": None})
    assert changed.status_code == 200
    assert "line2" not in changed.json
    assert staff.delete(f"/customers/{customer}/addresses/{added['id']}").status_code == 204
    assert staff.get(f"/customers/{customer}/addresses").json["items"] == []
    gone = staff.delete(f"/customers/{customer}/addresses/{added['id']}")
    assert gone.status_code == 404


def test_switching_the_method_never_locks_older_addresses(staff, customer):
    old = staff.post(f"/customers/{customer}/addresses", json={"line1": "Home"}).json
    _method(staff, "national_address")
    assert staff.post(f"/customers/{customer}/addresses", json=NATIONAL).status_code == 201
    renamed = staff.patch(f"/customers/{customer}/addresses/{old['id']}", json={"label": "old"})
    assert renamed.status_code == 422  # a changed address is held to the method
    kept = staff.patch(f"/customers/{customer}", json={"name": "Sara"})
    assert kept.status_code == 200


def test_addresses_written_before_ids_get_stable_ids(api_app, staff, customer):
    state = api_app.extensions["customers"]
    with state.db.transaction() as session:
        session.execute(
            update(Customer)
            .where(Customer.id == uuid.UUID(customer))
            .values(addresses=[{"line1": "Old street"}, {"line1": "Older street"}])
        )
    first = staff.get(f"/customers/{customer}/addresses").json["items"]
    assert first == staff.get(f"/customers/{customer}/addresses").json["items"]
    changed = staff.patch(
        f"/customers/{customer}/addresses/{first[1]['id']}", json={"line2": "Door 3"}
    )
    assert changed.status_code == 200
    after = staff.get(f"/customers/{customer}/addresses").json["items"]
    assert [a["id"] for a in after] == [a["id"] for a in first]


def test_another_store_s_customer_and_addresses_are_not_found(staff, customer):
    added = staff.post(f"/customers/{customer}/addresses", json={"line1": "Home"}).json
    other = staff.as_("b")
    assert other.get(f"/customers/{customer}/addresses").status_code == 404
    assert other.post(f"/customers/{customer}/addresses", json={"line1": "x"}).status_code == 404
    path = f"/customers/{customer}/addresses/{added['id']}"
    assert other.patch(path, json={"line1": "x"}).status_code == 404
    assert other.delete(path).status_code == 404
    assert staff.get(path.rsplit("/", 1)[0]).json["items"] == [added]


def test_at_most_ten_addresses(staff, customer):
    for i in range(10):
        staff.post(f"/customers/{customer}/addresses", json={"line1": f"Street {i}"})
    refused = staff.post(f"/customers/{customer}/addresses", json={"line1": "Eleventh"})
    assert refused.status_code == 422
    assert list(refused.json["error"]["fields"]) == ["addresses"]


def test_the_one_customer_export_carries_the_structured_addresses(staff, customer):
    _method(staff, "national_address")
    added = staff.post(
        f"/customers/{customer}/addresses",
        json={**NATIONAL, "latitude": 24.7, "longitude": 46.6, "default_billing": True},
    ).json
    exported = staff.get(f"/customers/{customer}/export").json
    assert exported["profile"]["addresses"] == [added]
    assert added["latitude"] == 24.7
    erased = staff.post(f"/customers/{customer}/anonymize")
    assert erased.status_code == 200
    assert staff.get(f"/customers/{customer}/addresses").json["items"] == []


def test_the_fields_the_address_method_needs_are_named_in_arabic(staff, customer):
    _method(staff, "national_address")
    refused = staff.post(
        f"/customers/{customer}/addresses",
        json={**NATIONAL, "street": None, "postal_code": "1221"},
        headers={"Accept-Language": "ar"},
    )
    assert refused.status_code == 422
    assert refused.json["error"]["fields"] == {
        "street": ["مطلوب وفق طريقة العناوين في المتجر (national_address)"],
        "postal_code": ["رمز بريدي للعنوان الوطني: 5 أرقام"],
    }
