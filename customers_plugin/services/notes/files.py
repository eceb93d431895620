"""Files attached to notes: judged by their content against ``CUSTOMERS_NOTE_FILE_TYPES``,
bounded by ``CUSTOMERS_NOTE_FILE_MAX_BYTES``, kept by the attachment store
(``store_attachment`` / ``open_attachment`` / ``delete_attachment``) and removed from it only
after the transaction that dropped their row commits.
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Iterable
from typing import IO, BinaryIO

from sqlalchemy import delete as sql_delete
from sqlalchemy import select

from ...bounds import text_problem
from ...i18n import _
from ...models import NoteFile
from ...types import utcnow
from .. import activity, attachments
from ..errors import NotFound
from ..scope import Scope
from .manage import get as get_note

# every type a note's file can be recognised as (the configured list names some of them)
FILE_TYPES = ("application/pdf", "image/gif", "image/jpeg", "image/png", "image/webp", "text/plain")
MAX_FILENAME = 255
_SNIFF_TEXT = 64 * 1024


def file_type(data: bytes) -> str | None:
    """The type of a file from its content: an image, a PDF, or UTF-8 text within the text
    rule (no NUL or other control character but tab and line breaks); ``None`` otherwise."""
    image = attachments.image_type(data[:16])
    if image is not None:
        return image
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    head = data[:_SNIFF_TEXT]
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as error:
        # a multi-byte character cut at the end of the sample is still text
        if error.start < len(head) - 3 or len(data) <= _SNIFF_TEXT:
            return None
        text = head[: error.start].decode("utf-8")
    return "text/plain" if text_problem(text) is None else None


def safe_filename(name: str | None) -> str:
    """The last part of an uploaded file's name, without control or format characters,
    at most 255 characters; ``file`` when nothing is left."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip(" .")
    return kept[:MAX_FILENAME].strip() or "file"


def attach(scope: Scope, note_id: uuid.UUID, stream: IO[bytes], filename: str | None) -> NoteFile:
    """Store a file and attach it to the note.

    :raises TooLarge: above ``CUSTOMERS_NOTE_FILE_MAX_BYTES``.
    :raises UnsupportedType: empty, or not one of ``CUSTOMERS_NOTE_FILE_TYPES`` by content.
    :raises NotFound: no such note in this store.
    """
    note = get_note(scope, note_id, lock=True)
    limit = int(scope.state.setting("CUSTOMERS_NOTE_FILE_MAX_BYTES"))
    data = attachments.read_limited(stream, limit)
    allowed = [t for t in scope.state.setting("CUSTOMERS_NOTE_FILE_TYPES") if t in FILE_TYPES]
    content_type = file_type(data) if data else None
    if content_type is None or content_type not in allowed:
        raise attachments.UnsupportedType(
            _("a note accepts these files: {types}", types=", ".join(allowed))
        )
    name = safe_filename(filename)
    key = attachments.store(scope.pm, scope.store_id, name, content_type, data)
    row = NoteFile(
        store_id=scope.store_id,
        customer_id=note.customer_id,
        note_id=note.id,
        key=key,
        filename=name,
        content_type=content_type,
        size=len(data),
        uploaded_by=scope.actor,
        uploaded_at=utcnow(),
    )
    scope.session.add(row)
    scope.session.flush()
    _log(scope, row, "note_file_added")
    return row


def _find(scope: Scope, note_id: uuid.UUID, file_id: uuid.UUID) -> NoteFile:
    row = scope.session.scalar(
        select(NoteFile).where(
            NoteFile.store_id == scope.store_id,
            NoteFile.note_id == note_id,
            NoteFile.id == file_id,
        )
    )
    if row is None:
        raise NotFound(_("no such file"))
    return row


def open_file(scope: Scope, note_id: uuid.UUID, file_id: uuid.UUID) -> tuple[NoteFile, BinaryIO]:
    """The file's row and its content. :raises NotFound: no such file (or it is gone)."""
    row = _find(scope, note_id, file_id)
    stream = attachments.open_stored(scope.pm, scope.store_id, row.key)
    if stream is None:
        raise NotFound(_("the file is no longer in the attachment store"))
    return row, stream


def remove_file(scope: Scope, note_id: uuid.UUID, file_id: uuid.UUID) -> None:
    """Detach the file from its note; the store deletes it after commit."""
    row = _find(scope, note_id, file_id)
    attachments.delete_after_commit(scope.session, scope.pm, scope.store_id, [row.key])
    _log(scope, row, "note_file_removed")
    scope.session.execute(
        sql_delete(NoteFile)
        .where(NoteFile.store_id == scope.store_id, NoteFile.id == row.id)
        .execution_options(synchronize_session=False)
    )


def file_keys(scope: Scope, customer_ids: Iterable[uuid.UUID]) -> list[str]:
    """The attachment keys of these customers' note files (to delete after their rows go)."""
    ids = list(customer_ids)
    if not ids:
        return []
    return list(
        scope.session.scalars(
            select(NoteFile.key).where(
                NoteFile.store_id == scope.store_id, NoteFile.customer_id.in_(ids)
            )
        )
    )


def _log(scope: Scope, row: NoteFile, kind: str) -> None:
    data = {"note_id": str(row.note_id), "file_id": str(row.id), "content_type": row.content_type}
    activity.record(scope.session, scope.store_id, row.customer_id, kind, data, actor=scope.actor)
