"""Uploaded files (customer photos): size and type checks by magic bytes, storage through the
``store_attachment`` / ``open_attachment`` / ``delete_attachment`` hooks, and the built-in
implementation of those hooks that keeps files in a folder (``CUSTOMERS_ATTACHMENTS_FOLDER``,
default: the app's instance folder). Another plugin's implementation runs first and replaces it.

A file is deleted only after the transaction that dropped its last reference commits
(``delete_after_commit``): a rollback keeps both the reference and the file.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
from collections.abc import Iterable
from typing import IO, Any, BinaryIO

import pluggy
from sqlalchemy.orm import Session

from ..db import after_commit
from ..i18n import _
from ..plugins import hookimpl
from ..types import new_id
from .errors import ServiceError

# (content type, magic test) - images only
_IMAGE_SIGNATURES: tuple[tuple[str, Any], ...] = (
    ("image/jpeg", lambda head: head.startswith(b"\xff\xd8\xff")),
    ("image/png", lambda head: head.startswith(b"\x89PNG\r\n\x1a\n")),
    ("image/gif", lambda head: head[:6] in (b"GIF87a", b"GIF89a")),
    ("image/webp", lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP"),
)
_KEY = re.compile(r"^[0-9a-f]{32}$")
log = logging.getLogger(__name__)


class TooLarge(ServiceError):
    code = "too_large"


class UnsupportedType(ServiceError):
    code = "unsupported_media_type"


def image_type(head: bytes) -> str | None:
    """The content type of an image from its first bytes, or ``None`` if it is not one."""
    for content_type, matches in _IMAGE_SIGNATURES:
        if matches(head):
            return content_type
    return None


def read_limited(stream: IO[bytes], limit: int) -> bytes:
    """Read at most ``limit`` bytes; raise ``TooLarge`` if there is more."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(_("the file is larger than {limit} bytes", limit=limit))
    return data


def check_image(data: bytes) -> str:
    if not data:
        raise UnsupportedType(_("the file is empty"))
    content_type = image_type(data[:16])
    if content_type is None:
        raise UnsupportedType(_("only JPEG, PNG, GIF and WebP images are accepted"))
    return content_type


def store(
    pm: pluggy.PluginManager, store_id: str, filename: str, content_type: str, data: bytes
) -> str:
    key = pm.hook.store_attachment(
        store_id=store_id, filename=filename, content_type=content_type, stream=io.BytesIO(data)
    )
    if not key:
        raise RuntimeError("no store_attachment implementation stored the file")
    return str(key)


def open_stored(pm: pluggy.PluginManager, store_id: str, key: str) -> BinaryIO | None:
    return pm.hook.open_attachment(store_id=store_id, key=key)


def delete_stored(pm: pluggy.PluginManager, store_id: str, key: str) -> bool:
    """Delete one stored file; a storage error is logged (the data change stands)."""
    try:
        return bool(pm.hook.delete_attachment(store_id=store_id, key=key))
    except Exception:
        log.exception("customers: could not delete attachment %s of store %s", key, store_id)
        return False


def delete_after_commit(
    session: Session, pm: pluggy.PluginManager, store_id: str, keys: Iterable[str | None]
) -> None:
    """Delete these files once ``session`` commits (never before: a rollback keeps them)."""
    doomed = [key for key in dict.fromkeys(keys) if key]
    if doomed:
        after_commit(session, lambda: [delete_stored(pm, store_id, key) for key in doomed])


class LocalAttachments:
    """The built-in attachment store: one file per attachment under ``folder/<store hash>/``.

    Keys are random hex ids; store ids are hashed into folder names, so no input ever
    becomes a path.
    """

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def _path(self, store_id: str, key: str) -> str:
        store_dir = hashlib.sha256(store_id.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        return os.path.join(self.folder, store_dir, key)

    @hookimpl(trylast=True)
    def store_attachment(
        self, store_id: str, filename: str, content_type: str, stream: BinaryIO
    ) -> str:
        key = new_id().hex
        path = self._path(store_id, key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "xb") as out:
            while chunk := stream.read(64 * 1024):
                out.write(chunk)
        return key

    @hookimpl(trylast=True)
    def open_attachment(self, store_id: str, key: str) -> BinaryIO | None:
        if not _KEY.match(key):
            return None
        try:
            return open(self._path(store_id, key), "rb")
        except FileNotFoundError:
            return None

    @hookimpl(trylast=True)
    def delete_attachment(self, store_id: str, key: str) -> bool | None:
        if not _KEY.match(key):
            return None
        try:
            os.remove(self._path(store_id, key))
        except FileNotFoundError:
            return None
        return True
