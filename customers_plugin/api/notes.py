"""``/customers/{id}/notes`` and ``/notes/{id}``: internal notes on a customer (read with
``customers.read``, written with ``customers.write``), their edit history and their files,
served back as downloads (``Content-Disposition: attachment``, ``nosniff``)."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Response
from flask_smorest import Blueprint

from .. import security
from ..schemas.common import PageArgs
from ..schemas.notes import (
    NoteArgs,
    NoteFileOut,
    NoteFileUpload,
    NoteHistoryPage,
    NoteIn,
    NoteOut,
    NotePage,
    NotePatch,
)
from ..security import require
from ..services import notes
from ..services.notes.files import FILE_TYPES
from ..services.notes.manage import files_of, note_data
from .common import page_size, scope
from .errors import install
from .files import file_response
from .openapi import file_download

blp = install(Blueprint("customer-notes", __name__, description="Internal notes on customers."))


def _one(s: Any, note: Any) -> dict[str, Any]:
    return note_data(note, files_of(s, [note])[note.id])


@blp.route("/customers/<uuid:customer_id>/notes", methods=["POST"])
@require(security.WRITE)
@blp.arguments(NoteIn())
@blp.response(201, NoteOut)
def add_note(body: dict[str, Any], customer_id: uuid.UUID) -> Any:
    """Add an internal note to the customer; its author is the staff member who asks (the
    host's ``current_staff`` hook, else ``admin``)."""
    with scope() as s:
        return note_data(notes.create(s, customer_id, body), [])


@blp.route("/customers/<uuid:customer_id>/notes", methods=["GET"])
@require(security.READ)
@blp.arguments(NoteArgs(), location="query", as_kwargs=True)
@blp.response(200, NotePage)
def customer_notes(customer_id: uuid.UUID, **args: Any) -> Any:
    """The customer's notes: pinned ones first, then newest first; ``type`` keeps one type."""
    with scope(write=False) as s:
        items, next_cursor = notes.notes_page(
            s,
            customer_id,
            kind=args.get("type"),
            limit=page_size(args),
            cursor=args.get("cursor"),
        )
        files = files_of(s, items)
        return {"items": [note_data(n, files[n.id]) for n in items], "next_cursor": next_cursor}


@blp.route("/notes/<uuid:note_id>", methods=["GET"])
@require(security.READ)
@blp.response(200, NoteOut)
def get_note(note_id: uuid.UUID) -> Any:
    """One note with its files."""
    with scope(write=False) as s:
        return _one(s, notes.get(s, note_id))


@blp.route("/notes/<uuid:note_id>", methods=["PATCH"])
@require(security.WRITE)
@blp.arguments(NotePatch())
@blp.response(200, NoteOut)
def edit_note(body: dict[str, Any], note_id: uuid.UUID) -> Any:
    """Change the text, type or pin. The replaced text and type join the note's history with
    who edited and when (``edited_at``/``edited_by``); pinning alone is no edit."""
    with scope() as s:
        return _one(s, notes.update(s, note_id, body))


@blp.route("/notes/<uuid:note_id>", methods=["DELETE"])
@require(security.WRITE)
@blp.response(204)
def delete_note(note_id: uuid.UUID) -> None:
    """Delete the note, its history and its files (removed from the store after commit)."""
    with scope() as s:
        notes.delete(s, note_id)


@blp.route("/notes/<uuid:note_id>/history", methods=["GET"])
@require(security.READ)
@blp.arguments(PageArgs(), location="query", as_kwargs=True)
@blp.response(200, NoteHistoryPage)
def note_history(note_id: uuid.UUID, **args: Any) -> Any:
    """The versions edits replaced, newest first: each with the text and type it had, who
    replaced it and when."""
    with scope(write=False) as s:
        items, next_cursor = notes.history_page(
            s, note_id, limit=page_size(args), cursor=args.get("cursor")
        )
    return {"items": items, "next_cursor": next_cursor}


@blp.route("/notes/<uuid:note_id>/files", methods=["POST"])
@require(security.WRITE)
@blp.arguments(NoteFileUpload(), location="files")
@blp.response(201, NoteFileOut)
def attach_file(files: dict[str, Any], note_id: uuid.UUID) -> Any:
    """Attach a file to the note: one of ``CUSTOMERS_NOTE_FILE_TYPES`` judged by its content
    (415 otherwise), at most ``CUSTOMERS_NOTE_FILE_MAX_BYTES`` (413 above)."""
    upload = files["file"]
    with scope() as s:
        return notes.attach(s, note_id, upload.stream, upload.filename)


@blp.route("/notes/<uuid:note_id>/files/<uuid:file_id>", methods=["GET"])
@require(security.READ)
@file_download(FILE_TYPES, "The file, as an attachment to save (never shown inline).")
def download_file(note_id: uuid.UUID, file_id: uuid.UUID) -> Response:
    """The file, with the type its content was recognised as when it was attached."""
    with scope(write=False) as s:
        row, stream = notes.open_file(s, note_id, file_id)
        filename, content_type = row.filename, row.content_type
    return file_response(filename, content_type, stream)


@blp.route("/notes/<uuid:note_id>/files/<uuid:file_id>", methods=["DELETE"])
@require(security.WRITE)
@blp.response(204)
def delete_file(note_id: uuid.UUID, file_id: uuid.UUID) -> None:
    """Detach the file; the store deletes it after commit."""
    with scope() as s:
        notes.remove_file(s, note_id, file_id)
