"""/tags (counts, rename, delete everywhere) and /fields (types, immutable keys, values)."""

from __future__ import annotations

from typing import Any

from customers_plugin import hookimpl

from .conftest import BearerAuth, Staff


def test_tags_list_with_counts_rename_and_delete_everywhere(staff):
    one = staff.create(email="1@example.com", tags=["VIP", "Gold"])
    two = staff.create(email="2@example.com", tags=["vip"])
    tags = {t["name"]: t for t in staff.get("/tags").json["items"]}
    assert {name: t["customers_count"] for name, t in tags.items()} == {"Gold": 1, "VIP": 2}
    renamed = staff.patch(f"/tags/{tags['VIP']['id']}", json={"name": "Platinum"})
    assert renamed.json["name"] == "Platinum" and renamed.json["customers_count"] == 2
    assert staff.patch(f"/tags/{tags['Gold']['id']}", json={"name": "platinum"}).status_code == 409
    listed = staff.get("/customers", query_string={"tag": "platinum"}).json["items"]
    assert {row["id"] for row in listed} == {one["id"], two["id"]}
    assert staff.delete(f"/tags/{tags['VIP']['id']}").status_code == 204
    assert [t["name"] for t in staff.get(f"/customers/{one['id']}").json["tags"]] == ["Gold"]
    assert staff.get(f"/customers/{two['id']}").json["tags"] == []
    assert staff.delete(f"/tags/{tags['VIP']['id']}").status_code == 404


def test_fields_are_created_listed_and_their_key_never_changes(staff):
    created = staff.post("/fields", json={"label": "Dog's Name", "type": "text"})
    assert created.status_code == 201
    assert created.json["key"] == "dog_s_name"
    listing = staff.get("/fields").json
    assert [f["key"] for f in listing["items"]] == ["dog_s_name"]
    assert {"company", "position", "vat_id", "birthdate", "language"} <= {
        f["key"] for f in listing["predefined"]
    }
    assert [t["name"] for t in listing["types"]] == ["text", "number", "date", "url"]
    field_id = created.json["id"]
    refused = staff.patch(f"/fields/{field_id}", json={"key": "dog"})
    assert refused.status_code == 422
    assert "never changes" in refused.json["error"]["fields"]["key"][0]
    relabelled = staff.patch(f"/fields/{field_id}", json={"label": "Dog"})
    assert relabelled.json == {**created.json, "label": "Dog"}
    again = staff.post("/fields", json={"label": "x", "key": "dog_s_name", "type": "text"})
    assert again.status_code == 409
    assert staff.post("/fields", json={"label": "x", "type": "colour"}).status_code == 422
    assert (
        staff.post("/fields", json={"label": "x", "key": "company", "type": "text"}).status_code
        == 409
    )


def test_custom_field_values_are_validated_by_type(staff):
    for key, kind in (("weight", "number"), ("visit", "date"), ("site", "url"), ("note", "text")):
        staff.post("/fields", json={"label": key, "key": key, "type": kind})
    card = staff.create(
        email="f@example.com",
        custom_fields={"weight": "12.50", "visit": "2024-02-29", "site": "https://x.example"},
    )
    assert card["custom_fields"] == {
        "weight": "12.5",
        "visit": "2024-02-29",
        "site": "https://x.example",
    }
    bad = staff.patch(
        f"/customers/{card['id']}",
        json={"custom_fields": {"weight": "heavy", "visit": "2024-02-30", "site": "javascript:x"}},
    )
    assert bad.status_code == 422
    assert set(bad.json["error"]["fields"]) == {
        "custom_fields.weight",
        "custom_fields.visit",
        "custom_fields.site",
    }
    assert staff.get(f"/customers/{card['id']}").json["custom_fields"]["weight"] == "12.5"
    cleared = staff.patch(f"/customers/{card['id']}", json={"custom_fields": {"weight": None}})
    assert "weight" not in cleared.json["custom_fields"]


def test_deleting_a_field_deletes_its_values(staff):
    field = staff.post("/fields", json={"label": "Breed", "type": "text"}).json
    card = staff.create(email="d@example.com", custom_fields={"breed": "Poodle"})
    assert staff.delete(f"/fields/{field['id']}").status_code == 204
    assert staff.get(f"/customers/{card['id']}").json["custom_fields"] == {}
    recreated = staff.post("/fields", json={"label": "Breed", "type": "text"}).json
    assert recreated["key"] == "breed"
    assert staff.get(f"/customers/{card['id']}").json["custom_fields"] == {}


class ColourType:
    """A third-party plugin adding a field type."""

    @hookimpl
    def register_field_types(self, register: Any) -> None:
        def parse(value: Any) -> str:
            if not isinstance(value, str) or not value.startswith("#") or len(value) != 7:
                raise ValueError("must be a colour like #a1b2c3")
            return value.lower()

        register("colour", parse, label="Colour")


class BrokenTypes:
    @hookimpl
    def register_field_types(self, register: Any) -> None:
        register("text", str)  # a duplicate: this plugin is skipped, the app keeps working


def test_field_types_added_by_a_plugin_validate_values(make_app, recorder, caplog):
    app = make_app(CUSTOMERS_PLUGINS=[recorder, BearerAuth(), ColourType(), BrokenTypes()])
    staff = Staff(app)
    types = [t["name"] for t in staff.get("/fields").json["types"]]
    assert types == ["text", "number", "date", "url", "colour"]
    assert "failed in register_field_types" in caplog.text
    staff.post("/fields", json={"label": "Favourite colour", "key": "fav", "type": "colour"})
    card = staff.create(email="c@example.com", custom_fields={"fav": "#A1B2C3"})
    assert card["custom_fields"] == {"fav": "#a1b2c3"}
    bad = staff.patch(f"/customers/{card['id']}", json={"custom_fields": {"fav": "red"}})
    assert bad.json["error"]["fields"] == {"custom_fields.fav": ["must be a colour like #a1b2c3"]}
