"""Internal notes through the API: typed notes with the staff author from ``current_staff``,
pinned first then newest, keyset pages, edits kept as history, the activity log without the
note's text, permissions, and configured extra types."""

from __future__ import annotations

from typing import Any

import pytest

from customers_plugin import hookimpl

from .conftest import BearerAuth, Staff


class StaffFromHeader:
    """The host's ``current_staff``: the ``X-Staff`` header names the staff member."""

    @hookimpl
    def current_staff(self, request: Any, store_id: str) -> str | None:
        return request.headers.get("X-Staff")


@pytest.fixture
def notes_app(make_app, recorder, tmp_path):
    return make_app(
        CUSTOMERS_PLUGINS=[recorder, BearerAuth(), StaffFromHeader()],
        CUSTOMERS_ATTACHMENTS_FOLDER=str(tmp_path / "attachments"),
        CUSTOMERS_NOTE_TYPES=["complaint"],
    )


@pytest.fixture
def layla(notes_app) -> tuple[Staff, str]:
    staff = Staff(notes_app)
    return staff, staff.create(email="layla@example.com")["id"]


def _add(staff: Staff, customer_id: str, headers: Any = None, **body: Any) -> dict[str, Any]:
    response = staff.post(
        f"/customers/{customer_id}/notes", json={"text": "hello", **body}, headers=headers or {}
    )
    assert response.status_code == 201, response.json
    return response.json


def test_a_note_records_its_author_from_the_current_staff_hook(layla):
    staff, cid = layla
    note = _add(staff, cid, headers={"X-Staff": "staff-7"}, type="call_summary")
    assert note["author"] == "staff-7"
    assert (note["type"], note["pinned"], note["edited_at"], note["files"]) == (
        "call_summary",
        False,
        None,
        [],
    )
    assert staff.get(f"/notes/{note['id']}").json == note


def test_without_a_current_staff_answer_the_author_is_admin(layla):
    staff, cid = layla
    assert _add(staff, cid)["author"] == "admin"
    assert _add(staff, cid, headers={"X-Staff": "x" * 129})["author"] == "admin"


def test_notes_list_pinned_first_then_newest_across_pages(layla):
    staff, cid = layla
    ids = [_add(staff, cid, text=f"n{i}")["id"] for i in range(5)]
    staff.patch(f"/notes/{ids[1]}", json={"pinned": True})
    seen, cursor = [], None
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = staff.get(f"/customers/{cid}/notes", query_string=query).json
        seen += [n["id"] for n in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [ids[1], ids[4], ids[3], ids[2], ids[0]]


def test_the_list_filters_by_type(layla):
    staff, cid = layla
    _add(staff, cid)
    meeting = _add(staff, cid, type="meeting_summary")
    page = staff.get(f"/customers/{cid}/notes", query_string={"type": "meeting_summary"}).json
    assert [n["id"] for n in page["items"]] == [meeting["id"]]


def test_a_store_adds_note_types_by_configuration(layla):
    staff, cid = layla
    assert _add(staff, cid, type="complaint")["type"] == "complaint"
    refused = staff.post(f"/customers/{cid}/notes", json={"text": "x", "type": "gossip"})
    assert refused.status_code == 422
    assert "type" in refused.json["error"]["fields"]


@pytest.mark.parametrize("text", ["", "   ", "a\x00b", "x" * 10_001])
def test_a_note_text_follows_the_text_rule(layla, text):
    staff, cid = layla
    response = staff.post(f"/customers/{cid}/notes", json={"text": text})
    assert response.status_code == 422
    assert "text" in response.json["error"]["fields"]


def test_an_edit_keeps_the_previous_text_and_type_with_who_and_when(layla):
    staff, cid = layla
    note = _add(staff, cid, text="first", headers={"X-Staff": "amal"})
    edited = staff.patch(
        f"/notes/{note['id']}",
        json={"text": "second", "type": "meeting_summary"},
        headers={"X-Staff": "badr"},
    ).json
    assert (edited["text"], edited["type"], edited["author"]) == (
        "second",
        "meeting_summary",
        "amal",
    )
    assert edited["edited_by"] == "badr" and edited["edited_at"] is not None
    staff.patch(f"/notes/{note['id']}", json={"text": "third"}, headers={"X-Staff": "amal"})
    history = staff.get(f"/notes/{note['id']}/history").json
    assert [(h["text"], h["type"], h["edited_by"]) for h in history["items"]] == [
        ("second", "meeting_summary", "amal"),
        ("first", "note", "badr"),
    ]
    assert history["next_cursor"] is None


def test_pinning_alone_is_no_edit(layla):
    staff, cid = layla
    note = _add(staff, cid)
    pinned = staff.patch(f"/notes/{note['id']}", json={"pinned": True}).json
    assert pinned["pinned"] is True and pinned["edited_at"] is None
    assert staff.get(f"/notes/{note['id']}/history").json["items"] == []


def test_every_note_action_is_in_the_activity_log_without_the_text(layla):
    staff, cid = layla
    note = _add(staff, cid, text="secret words", headers={"X-Staff": "amal"})
    staff.patch(f"/notes/{note['id']}", json={"text": "other secret"})
    assert staff.delete(f"/notes/{note['id']}").status_code == 204
    items = staff.get(f"/customers/{cid}/activity").json["items"]
    kinds = [(a["kind"], a["actor"]) for a in items if a["kind"].startswith("note_")]
    assert kinds == [("note_deleted", "admin"), ("note_edited", "admin"), ("note_added", "amal")]
    assert "secret" not in str(items)
    assert staff.get(f"/notes/{note['id']}").status_code == 404


def test_reading_needs_customers_read_and_writing_customers_write(layla):
    staff, cid = layla
    note = _add(staff, cid)
    reader = staff.as_(perms="customers.read")
    assert reader.get(f"/customers/{cid}/notes").status_code == 200
    assert reader.get(f"/notes/{note['id']}").status_code == 200
    assert reader.patch(f"/notes/{note['id']}", json={"pinned": True}).status_code == 403
    assert reader.delete(f"/notes/{note['id']}").status_code == 403
    assert reader.post(f"/customers/{cid}/notes", json={"text": "x"}).status_code == 403
    writer = staff.as_(perms="customers.write")
    assert writer.get(f"/notes/{note['id']}").status_code == 403


def test_a_note_for_an_unknown_customer_answers_404(layla):
    staff, _ = layla
    missing = "00000000-0000-4000-8000-000000000000"
    assert staff.post(f"/customers/{missing}/notes", json={"text": "x"}).status_code == 404
    assert staff.get(f"/customers/{missing}/notes").status_code == 404


def test_the_current_staff_answer_names_the_actor_of_other_admin_actions(layla):
    staff, cid = layla
    credit = {"type": "credit", "amount": "5", "reason": "goodwill", "idempotency_key": "k1"}
    posted = staff.post(
        f"/customers/{cid}/wallet/transactions", json=credit, headers={"X-Staff": "amal"}
    )
    assert posted.status_code == 201, posted.json
    assert posted.json["actor"] == "amal"
