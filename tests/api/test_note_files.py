"""Files on notes: accepted by content within the configured types and size, served back as a
safe download, and removed from the attachment store after commit when their note, their
customer or the customer's person data goes; the customer's export names them."""

from __future__ import annotations

import io
import uuid
from pathlib import Path
from typing import Any

import pytest

from customers_plugin.api.files import content_disposition
from customers_plugin.services import imports, notes
from customers_plugin.services.fields import FieldTypes
from customers_plugin.services.scope import Scope

from .conftest import BearerAuth, Staff
from .test_access import PNG

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HTML = b"<html><script>alert(1)</script></html>\x00"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "attachments"


@pytest.fixture
def files_app(make_app, recorder, folder, tmp_path):
    return make_app(
        CUSTOMERS_PLUGINS=[recorder, BearerAuth()],
        CUSTOMERS_ATTACHMENTS_FOLDER=str(folder),
        CUSTOMERS_TRANSFER_FOLDER=str(tmp_path / "transfer"),
        CUSTOMERS_NOTE_FILE_MAX_BYTES=1000,
        CUSTOMERS_NOTE_FILE_TYPES=["application/pdf", "image/png", "text/plain"],
    )


@pytest.fixture
def staff(files_app) -> Staff:
    return Staff(files_app)


def _stored(folder: Path) -> list[bytes]:
    return sorted(p.read_bytes() for p in folder.rglob("*") if p.is_file())


def _note(staff: Staff, email: str = "n@example.com") -> tuple[str, str]:
    cid = staff.create(email=email)["id"]
    note = staff.post(f"/customers/{cid}/notes", json={"text": "see file"}).json
    return cid, note["id"]


def _attach(staff: Staff, note_id: str, data: bytes, name: str = "f.pdf") -> Any:
    return staff.post(
        f"/notes/{note_id}/files",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_a_file_is_served_back_as_a_safe_download(staff):
    _, note_id = _note(staff)
    added = _attach(staff, note_id, PDF, "../../Contrat été.pdf")
    assert added.status_code == 201, added.json
    assert (added.json["filename"], added.json["content_type"], added.json["size"]) == (
        "Contrat été.pdf",
        "application/pdf",
        len(PDF),
    )
    response = staff.get(f"/notes/{note_id}/files/{added.json['id']}")
    assert response.data == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"Contrat _t_.pdf\"; filename*=UTF-8''Contrat%20%C3%A9t%C3%A9.pdf"
    )
    note = staff.get(f"/notes/{note_id}").json
    assert [f["id"] for f in note["files"]] == [added.json["id"]]


def test_the_type_comes_from_the_content_not_the_name(staff):
    _, note_id = _note(staff)
    text = _attach(staff, note_id, b"plain words\n", "page.html")
    assert text.status_code == 201
    served = staff.get(f"/notes/{note_id}/files/{text.json['id']}")
    assert served.headers["Content-Type"] == "text/plain; charset=utf-8"
    for refused in (HTML, b"GIF89a....", b""):  # control bytes; a type not configured; empty
        response = _attach(staff, note_id, refused, "x.pdf")
        assert response.status_code == 415, refused
        assert response.json["error"]["code"] == "unsupported_media_type"


def test_a_file_above_the_configured_size_answers_413(staff, folder):
    _, note_id = _note(staff)
    response = _attach(staff, note_id, PDF + b"0" * 1000)
    assert response.status_code == 413
    assert _stored(folder) == []


def test_a_quoted_or_control_character_never_reaches_the_header():
    header = content_disposition('a"b\\c;d%e\u202e.pdf')
    assert header.startswith("attachment; filename=\"a_b_c_d_e_.pdf\"; filename*=UTF-8''")
    assert "\u202e" not in header and "\r" not in header


def test_deleting_a_file_removes_it_from_the_store_after_commit(staff, folder):
    _, note_id = _note(staff)
    file_id = _attach(staff, note_id, PDF).json["id"]
    assert _stored(folder) == [PDF]
    assert staff.delete(f"/notes/{note_id}/files/{file_id}").status_code == 204
    assert _stored(folder) == []
    assert staff.get(f"/notes/{note_id}/files/{file_id}").status_code == 404


def test_deleting_a_note_removes_its_files(staff, folder):
    _, note_id = _note(staff)
    _attach(staff, note_id, PDF)
    _attach(staff, note_id, PNG, "p.png")
    assert staff.delete(f"/notes/{note_id}").status_code == 204
    assert _stored(folder) == []


def test_deleting_a_customer_removes_their_notes_and_files_only(staff, folder):
    cid, note_id = _note(staff)
    _, other_note = _note(staff, "other@example.com")
    _attach(staff, note_id, PDF)
    _attach(staff, other_note, PNG, "p.png")
    assert staff.delete(f"/customers/{cid}").status_code == 204
    assert _stored(folder) == [PNG]
    assert staff.get(f"/notes/{note_id}").status_code == 404
    assert staff.get(f"/notes/{other_note}").status_code == 200


def test_anonymising_a_customer_removes_notes_history_and_files(staff, folder):
    cid, note_id = _note(staff)
    staff.patch(f"/notes/{note_id}", json={"text": "changed"})
    _attach(staff, note_id, PDF)
    assert staff.post(f"/customers/{cid}/anonymize").status_code == 200
    assert _stored(folder) == []
    assert staff.get(f"/customers/{cid}/notes").json["items"] == []
    assert staff.get(f"/customers/{cid}/export").json["notes"] == []


def test_the_customer_export_holds_notes_with_history_and_file_names(staff):
    cid, note_id = _note(staff)
    staff.patch(f"/notes/{note_id}", json={"text": "edited", "type": "call_summary"})
    _attach(staff, note_id, PDF, "contract.pdf")
    exported = staff.get(f"/customers/{cid}/export").json["notes"]
    assert len(exported) == 1
    note = exported[0]
    assert (note["text"], note["type"], note["author"]) == ("edited", "call_summary", "admin")
    assert note["created_at"] and note["edited_at"]
    assert [f["filename"] for f in note["files"]] == ["contract.pdf"]
    assert [(h["text"], h["type"]) for h in note["history"]] == [("see file", "note")]


def test_bulk_deletion_and_import_undo_remove_the_note_files(files_app, staff, folder):
    state = files_app.extensions["customers"]
    _, bulk_note = _note(staff, "bulk@example.com")
    _attach(staff, bulk_note, PDF)
    [customer_id] = [n["customer_id"] for n in [staff.get(f"/notes/{bulk_note}").json]]
    deleted = staff.post("/customers/bulk", json={"action": "delete", "ids": [customer_id]})
    assert deleted.json["changed"] == 1
    assert _stored(folder) == []
    started = imports.start_import(
        state, "a", imports.ImportOptions(), emails="new@example.com", actor="staff"
    )
    [row] = staff.get("/customers?q=new@example.com").json["items"]
    note = staff.post(f"/customers/{row['id']}/notes", json={"text": "x"}).json
    _attach(staff, note["id"], PNG, "p.png")
    imports.request_undo(state, "a", uuid.UUID(started["id"]))
    assert staff.get(f"/customers/{row['id']}").status_code == 404
    assert _stored(folder) == []


def test_a_change_that_rolls_back_keeps_the_note_file(files_app, staff, folder):
    state = files_app.extensions["customers"]
    _, note_id = _note(staff)
    file_id = _attach(staff, note_id, PDF).json["id"]
    for remove in (
        lambda scope: notes.remove_file(scope, uuid.UUID(note_id), uuid.UUID(file_id)),
        lambda scope: notes.delete(scope, uuid.UUID(note_id)),
    ):
        with pytest.raises(RuntimeError), state.db.transaction() as session:
            remove(
                Scope(
                    session=session,
                    store_id="a",
                    state=state,
                    pm=state.pm,
                    field_types=FieldTypes(),
                )
            )
            raise RuntimeError("the transaction fails after the change")
    assert _stored(folder) == [PDF]
    assert staff.get(f"/notes/{note_id}/files/{file_id}").data == PDF
