"""Custom field definitions are store settings: creating, relabelling or deleting one needs
``settings.manage``; ``customers.write`` only fills in values."""

from __future__ import annotations

SETTINGS = "settings.manage"
WRITER = "customers.read,customers.write"


def test_customers_write_cannot_create_a_field(staff):
    response = staff.as_(perms=WRITER).post("/fields", json={"label": "Dog", "type": "text"})
    assert response.status_code == 403
    assert staff.get("/fields").json["items"] == []


def test_customers_write_cannot_delete_or_relabel_a_field(staff):
    field = staff.post("/fields", json={"label": "Dog", "type": "text"}).json
    writer = staff.as_(perms=WRITER)
    assert writer.delete(f"/fields/{field['id']}").status_code == 403
    assert writer.patch(f"/fields/{field['id']}", json={"label": "Cat"}).status_code == 403
    assert [f["label"] for f in staff.get("/fields").json["items"]] == ["Dog"]


def test_settings_manage_creates_relabels_and_deletes_fields(staff):
    admin = staff.as_(perms=SETTINGS)
    created = admin.post("/fields", json={"label": "Dog", "type": "text"})
    assert created.status_code == 201
    field_id = created.json["id"]
    assert admin.patch(f"/fields/{field_id}", json={"label": "Cat"}).status_code == 200
    assert admin.delete(f"/fields/{field_id}").status_code == 204


def test_customers_write_still_fills_in_field_values(staff):
    staff.as_(perms=SETTINGS).post("/fields", json={"label": "Dog", "type": "text"})
    writer = staff.as_(perms=WRITER)
    card = writer.create(email="p@example.com", custom_fields={"dog": "Rex"})
    assert card["custom_fields"] == {"dog": "Rex"}
