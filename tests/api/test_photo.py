"""Customer photos: images only (by content), size limited, stored through the hooks."""

from __future__ import annotations

import io
from typing import Any

from customers_plugin import hookimpl

from .conftest import BearerAuth, Staff
from .test_access import PNG


def _upload(staff, customer_id, data: bytes, name: str = "p.png"):
    return staff.put(
        f"/customers/{customer_id}/photo",
        data={"photo": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_a_photo_is_stored_served_and_removed(staff, api_app, tmp_path):
    card = staff.create(email="p@example.com")
    response = _upload(staff, card["id"], PNG)
    assert response.status_code == 200
    assert response.json["has_photo"] is True
    served = staff.get(f"/customers/{card['id']}/photo")
    assert served.status_code == 200
    assert served.data == PNG and served.mimetype == "image/png"
    assert staff.delete(f"/customers/{card['id']}/photo").status_code == 204
    assert staff.get(f"/customers/{card['id']}/photo").status_code == 404


def test_a_file_that_is_not_an_image_answers_415_whatever_its_name(staff):
    card = staff.create(email="p@example.com")
    response = _upload(staff, card["id"], b"<?php echo 1; ?>", "photo.png")
    assert response.status_code == 415
    assert response.json["error"]["code"] == "unsupported_media_type"
    assert staff.get(f"/customers/{card['id']}").json["has_photo"] is False


def test_a_photo_above_the_size_limit_answers_413(make_app, recorder):
    app = make_app(CUSTOMERS_PLUGINS=[recorder, BearerAuth()], CUSTOMERS_MAX_UPLOAD_BYTES=1000)
    staff = Staff(app)
    card = staff.create(email="big@example.com")
    response = _upload(staff, card["id"], PNG + b"\0" * 2000)
    assert response.status_code == 413
    assert response.json["error"]["code"] == "too_large"
    huge = _upload(staff, card["id"], PNG + b"\0" * 200_000)
    assert huge.status_code == 413
    assert "error" in huge.json


def test_an_upload_without_a_file_answers_422(staff):
    card = staff.create(email="p@example.com")
    response = staff.put(
        f"/customers/{card['id']}/photo", data={}, content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert "photo" in response.json["error"]["fields"]


class MemoryStore:
    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    @hookimpl
    def store_attachment(self, store_id: str, filename: str, content_type: str, stream: Any) -> str:
        key = f"{store_id}/{len(self.files)}"
        self.files[key] = stream.read()
        return key

    @hookimpl
    def open_attachment(self, store_id: str, key: str) -> Any:
        return io.BytesIO(self.files[key]) if key.startswith(store_id + "/") else None


def test_a_storage_plugin_replaces_the_built_in_folder(make_app, recorder):
    storage = MemoryStore()
    app = make_app(CUSTOMERS_PLUGINS=[recorder, BearerAuth(), storage])
    staff = Staff(app)
    card = staff.create(email="p@example.com")
    _upload(staff, card["id"], PNG)
    assert list(storage.files.values()) == [PNG]
    assert staff.get(f"/customers/{card['id']}/photo").data == PNG
