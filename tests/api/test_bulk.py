"""POST /customers/bulk: over ids or over a filter, all or nothing, with counts."""

from __future__ import annotations

import uuid


def _tags(staff, customer_id):
    return [t["name"] for t in staff.get(f"/customers/{customer_id}").json["tags"]]


def test_bulk_tag_and_untag_over_ids(staff):
    ids = [staff.create(email=f"{i}@example.com")["id"] for i in range(3)]
    staff.post(f"/customers/{ids[0]}/tags", json={"tags": ["Promo"]})
    tagged = staff.post("/customers/bulk", json={"action": "tag", "tag": "promo", "ids": ids})
    assert tagged.json == {"action": "tag", "matched": 3, "changed": 2}
    assert all(_tags(staff, i) == ["Promo"] for i in ids)
    untagged = staff.post(
        "/customers/bulk", json={"action": "untag", "tag": "PROMO", "ids": ids[:2]}
    )
    assert untagged.json == {"action": "untag", "matched": 2, "changed": 2}
    assert _tags(staff, ids[2]) == ["Promo"]


def test_bulk_over_the_current_filter(staff):
    keep = staff.create(email="keep@example.com", country="IL")
    for i in range(3):
        staff.create(email=f"sa{i}@example.com", country="SA")
    result = staff.post(
        "/customers/bulk", json={"action": "deactivate", "filter": {"country": ["SA"]}}
    )
    assert result.json == {"action": "deactivate", "matched": 3, "changed": 3}
    assert [row["id"] for row in staff.get("/customers").json["items"]] == [keep["id"]]


def test_bulk_is_all_or_nothing(staff):
    ids = [staff.create(email=f"{i}@example.com")["id"] for i in range(2)]
    response = staff.post(
        "/customers/bulk", json={"action": "delete", "ids": [*ids, str(uuid.uuid4())]}
    )
    assert response.status_code == 404
    assert len(staff.get("/customers").json["items"]) == 2
    blocked = ids[1]
    staff.post(f"/customers/{blocked}/block", json={"reason": "spam"})
    refused = staff.post("/customers/bulk", json={"action": "deactivate", "ids": ids})
    assert refused.status_code == 409
    assert staff.get(f"/customers/{ids[0]}").json["status"] == "active"


def test_bulk_delete_removes_everyone_chosen_and_announces_each(staff, recorder):
    ids = [staff.create(email=f"{i}@example.com")["id"] for i in range(3)]
    response = staff.post("/customers/bulk", json={"action": "delete", "ids": ids[:2]})
    assert response.json == {"action": "delete", "matched": 2, "changed": 2}
    assert {c["customer_id"] for c in recorder.named("customer_deleted")} == set(ids[:2])
    assert [row["id"] for row in staff.get("/customers").json["items"]] == [ids[2]]


def test_bulk_requests_are_checked(staff):
    some = staff.create(email="x@example.com")["id"]
    cases = [
        ({"action": "explode", "ids": [some]}, "action"),
        ({"action": "tag", "ids": [some]}, "tag"),
        ({"action": "tag", "tag": "x"}, "ids"),
        ({"action": "tag", "tag": "x", "ids": [some], "filter": {}}, "ids"),
        ({"action": "tag", "tag": "x", "filter": {"store_id": "b"}}, "filter.store_id"),
        ({"action": "tag", "tag": "x", "ids": ["nope"]}, "ids.0"),
    ]
    for body, field in cases:
        response = staff.post("/customers/bulk", json=body)
        assert response.status_code == 422, body
        assert field in response.json["error"]["fields"], (body, response.json)


def test_bulk_over_a_filter_refuses_more_than_the_limit(make_app, recorder):
    from .conftest import BearerAuth, Staff

    app = make_app(CUSTOMERS_PLUGINS=[recorder, BearerAuth()], CUSTOMERS_MAX_BULK=2)
    staff = Staff(app)
    for i in range(3):
        staff.create(email=f"{i}@example.com")
    response = staff.post("/customers/bulk", json={"action": "deactivate", "filter": {}})
    assert response.status_code == 422
    assert len(staff.get("/customers").json["items"]) == 3
