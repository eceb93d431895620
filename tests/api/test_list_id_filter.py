"""``?id=`` lists the named customers in one request (a screen naming several at once, e.g. the
duplicates page): another store's ids name nobody, and the status filter still applies."""

from __future__ import annotations

import uuid


def _ids(response) -> set[str]:
    assert response.status_code == 200, response.json
    return {row["id"] for row in response.json["items"]}


def test_the_id_filter_lists_exactly_the_named_customers(staff):
    people = {n: staff.create(email=f"{n}@example.com", name=n)["id"] for n in "abc"}
    named = staff.get("/customers", query_string={"id": [people["a"], people["c"]]})
    assert _ids(named) == {people["a"], people["c"]}


def test_the_id_filter_keeps_the_status_rule(staff):
    kept = staff.create(email="kept@example.com")["id"]
    quiet = staff.create(email="quiet@example.com")["id"]
    assert staff.post(f"/customers/{quiet}/deactivate").status_code == 200
    default = staff.get("/customers", query_string={"id": [kept, quiet]})
    assert _ids(default) == {kept}
    every = staff.get(
        "/customers", query_string={"id": [kept, quiet], "status": ["active", "inactive"]}
    )
    assert _ids(every) == {kept, quiet}


def test_another_stores_ids_name_nobody(staff):
    theirs = staff.as_("b").create(email="theirs@example.com")["id"]
    assert _ids(staff.get("/customers", query_string={"id": theirs})) == set()


def test_the_id_filter_is_bounded_and_typed(staff):
    too_many = [str(uuid.uuid4()) for _ in range(51)]
    over = staff.get("/customers", query_string={"id": too_many})
    assert over.status_code == 422 and "id" in over.json["error"]["fields"]
    bad = staff.get("/customers", query_string={"id": "not-an-id"})
    assert bad.status_code == 422 and "id.0" in bad.json["error"]["fields"]
