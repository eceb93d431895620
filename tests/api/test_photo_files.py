"""Photo files are deleted from storage when nothing references them any more — a replaced
or removed photo, a deleted customer's (by hand, bulk, import undo) — and only after the
change commits: a change that rolls back keeps its file."""

from __future__ import annotations

import io
import uuid
from pathlib import Path
from typing import Any

import pytest

from customers_plugin import hookimpl
from customers_plugin.services import attachments, customers, imports
from customers_plugin.services.fields import FieldTypes
from customers_plugin.services.scope import Scope

from .conftest import BearerAuth, Staff
from .test_access import PNG

OTHER_PNG = PNG + b"\0second"  # still a PNG by its first bytes


def _upload(staff: Staff, customer_id: str, data: bytes) -> Any:
    response = staff.put(
        f"/customers/{customer_id}/photo",
        data={"photo": (io.BytesIO(data), "p.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200, response.json
    return response


def _stored(folder: Path) -> list[bytes]:
    return sorted(p.read_bytes() for p in folder.rglob("*") if p.is_file())


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "attachments"


def test_replacing_a_photo_deletes_the_old_file(staff, folder):
    card = staff.create(email="p@example.com")
    _upload(staff, card["id"], PNG)
    assert _stored(folder) == [PNG]
    _upload(staff, card["id"], OTHER_PNG)
    assert _stored(folder) == [OTHER_PNG]
    assert staff.get(f"/customers/{card['id']}/photo").data == OTHER_PNG


def test_removing_the_photo_deletes_its_file(staff, folder):
    card = staff.create(email="p@example.com")
    _upload(staff, card["id"], PNG)
    assert staff.delete(f"/customers/{card['id']}/photo").status_code == 204
    assert _stored(folder) == []


def test_deleting_customers_deletes_their_photos_and_no_one_elses(staff, folder):
    kept, gone, bulk = (staff.create(email=f"{n}@example.com")["id"] for n in "abc")
    for customer_id, data in ((kept, PNG), (gone, OTHER_PNG), (bulk, PNG + b"bulk")):
        _upload(staff, customer_id, data)
    assert staff.delete(f"/customers/{gone}").status_code == 204
    assert _stored(folder) == sorted([PNG, PNG + b"bulk"])
    deleted = staff.post("/customers/bulk", json={"action": "delete", "ids": [bulk]})
    assert deleted.json["changed"] == 1
    assert _stored(folder) == [PNG]
    assert staff.get(f"/customers/{kept}/photo").data == PNG


def _scope(state: Any, session: Any) -> Scope:
    return Scope(session=session, store_id="a", state=state, pm=state.pm, field_types=FieldTypes())


def test_a_change_that_rolls_back_keeps_the_photo_file(api_app, staff, folder):
    state = api_app.extensions["customers"]
    card = staff.create(email="p@example.com")
    _upload(staff, card["id"], PNG)
    customer_id = uuid.UUID(card["id"])
    with pytest.raises(RuntimeError), state.db.transaction() as session:
        scope = _scope(state, session)
        customer = customers.get(scope, customer_id, lock=True)
        customer.photo_key = None
        customers.touch(scope, customer, "photo_removed")
        raise RuntimeError("the transaction fails after the change")
    with pytest.raises(RuntimeError), state.db.transaction() as session:
        customers.delete(_scope(state, session), [customer_id])
        raise RuntimeError("the deletion fails")
    assert _stored(folder) == [PNG]
    assert staff.get(f"/customers/{card['id']}/photo").data == PNG


def test_undoing_an_import_deletes_the_photos_of_the_customers_it_removes(api_app, staff, folder):
    state = api_app.extensions["customers"]
    started = imports.start_import(
        state, "a", imports.ImportOptions(), emails="new@example.com", actor="staff"
    )
    [row] = staff.get("/customers?q=new@example.com").json["items"]
    _upload(staff, row["id"], PNG)
    imports.request_undo(state, "a", uuid.UUID(started["id"]))
    assert staff.get(f"/customers/{row['id']}").status_code == 404
    assert _stored(folder) == []


class MemoryStore:
    """A storage plugin that keeps files in memory and can be told to fail deletes."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.broken = False

    @hookimpl
    def store_attachment(self, store_id: str, filename: str, content_type: str, stream: Any) -> str:
        key = f"{store_id}/{uuid.uuid4().hex}"
        self.files[key] = stream.read()
        return key

    @hookimpl
    def open_attachment(self, store_id: str, key: str) -> Any:
        return io.BytesIO(self.files[key]) if key in self.files else None

    @hookimpl
    def delete_attachment(self, store_id: str, key: str) -> bool | None:
        if self.broken:
            raise ConnectionError("storage is down")
        return True if self.files.pop(key, None) is not None else None


def test_a_storage_plugin_is_asked_to_delete_and_its_failure_loses_no_data(
    make_app, recorder, caplog
):
    storage = MemoryStore()
    staff = Staff(make_app(CUSTOMERS_PLUGINS=[recorder, BearerAuth(), storage]))
    card = staff.create(email="p@example.com")
    _upload(staff, card["id"], PNG)
    _upload(staff, card["id"], OTHER_PNG)
    assert list(storage.files.values()) == [OTHER_PNG]
    storage.broken = True
    assert staff.delete(f"/customers/{card['id']}/photo").status_code == 204
    assert staff.get(f"/customers/{card['id']}").json["has_photo"] is False
    assert "could not delete attachment" in caplog.text
    assert list(storage.files.values()) == [OTHER_PNG]  # left behind, the change stands


def test_the_built_in_store_ignores_keys_that_are_not_its_own(api_app, folder):
    pm = api_app.extensions["customers"].pm
    key = attachments.store(pm, "a", "p.png", "image/png", PNG)
    assert attachments.delete_stored(pm, "a", "../../etc/passwd") is False
    assert attachments.delete_stored(pm, "b", key) is False  # another store's folder
    assert _stored(folder) == [PNG]
    assert attachments.delete_stored(pm, "a", key) is True
    assert _stored(folder) == []
