"""Writing and reading notes: create, edit (the replaced text and type are kept as a revision
with who and when), pin, delete, the customer's notes page (pinned first, then newest) and
the note's edit history. Every change writes the activity log, never the note's text.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete as sql_delete
from sqlalchemy import select

from ...i18n import _
from ...models import Note, NoteFile, NoteRevision
from ...types import utcnow
from .. import activity, attachments
from ..customers import get as get_customer
from ..errors import NotFound
from ..keyset import SortKey, model_page
from ..scope import Scope
from .kinds import check_type

NOTE_SORT = "-pinned,-created_at"
_NOTE_KEYS = {
    "pinned": SortKey("pinned", Note.pinned, "bool"),
    "created_at": SortKey("created_at", Note.created_at, "datetime"),
}
_REVISION_KEYS = {"edited_at": SortKey("edited_at", NoteRevision.edited_at, "datetime")}


def get(scope: Scope, note_id: uuid.UUID, *, lock: bool = False) -> Note:
    """The note with this id in the scope's store; another store's id is not found."""
    query = select(Note).where(Note.store_id == scope.store_id, Note.id == note_id)
    if lock:
        query = query.with_for_update()
    note = scope.session.scalar(query)
    if note is None:
        raise NotFound(_("no such note"))
    return note


def create(scope: Scope, customer_id: uuid.UUID, data: Mapping[str, Any]) -> Note:
    """Add a note to the customer, written by ``scope.actor``.

    :raises NotFound: not a customer of this store. :raises Invalid: an unknown type.
    """
    customer = get_customer(scope, customer_id)
    note = Note(
        store_id=scope.store_id,
        customer_id=customer.id,
        text=data["text"],
        type=check_type(scope.state, data.get("type") or "note"),
        author=scope.actor,
        pinned=bool(data.get("pinned", False)),
        created_at=utcnow(),
    )
    scope.session.add(note)
    scope.session.flush()
    _log(scope, note, "note_added", {"type": note.type, "pinned": note.pinned})
    return note


def update(scope: Scope, note_id: uuid.UUID, data: Mapping[str, Any]) -> Note:
    """Change the text, type or pin of a note. A new text or type keeps the old pair as a
    revision and marks the note edited; pinning alone is no edit. Nothing given, nothing done.
    """
    note = get(scope, note_id, lock=True)
    text = data.get("text", note.text)
    kind = check_type(scope.state, data["type"]) if "type" in data else note.type
    pinned = data.get("pinned", note.pinned)
    changed = [
        name
        for name, old, new in (("text", note.text, text), ("type", note.type, kind))
        if old != new
    ]
    now = utcnow()
    if changed:
        scope.session.add(
            NoteRevision(
                store_id=scope.store_id,
                customer_id=note.customer_id,
                note_id=note.id,
                text=note.text,
                type=note.type,
                edited_by=scope.actor,
                edited_at=now,
            )
        )
        note.text, note.type, note.edited_at, note.edited_by = text, kind, now, scope.actor
    if pinned != note.pinned:
        note.pinned = pinned
        changed.append("pinned")
    if changed:
        scope.session.flush()
        _log(scope, note, "note_edited", {"fields": changed, "pinned": note.pinned})
    return note


def delete(scope: Scope, note_id: uuid.UUID) -> None:
    """Delete a note with its history and files; the files leave the store after commit."""
    note = get(scope, note_id, lock=True)
    keys = scope.session.scalars(select(NoteFile.key).where(NoteFile.note_id == note.id))
    attachments.delete_after_commit(scope.session, scope.pm, scope.store_id, list(keys))
    for model in (NoteFile, NoteRevision):
        scope.session.execute(
            sql_delete(model)
            .where(model.store_id == scope.store_id, model.note_id == note.id)
            .execution_options(synchronize_session=False)
        )
    _log(scope, note, "note_deleted", {"type": note.type})
    scope.session.delete(note)


def notes_page(
    scope: Scope,
    customer_id: uuid.UUID,
    *,
    kind: str | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[Note], str | None]:
    """The customer's notes, pinned first, then newest first; ``kind`` keeps one type."""
    customer = get_customer(scope, customer_id)
    where = [Note.store_id == scope.store_id, Note.customer_id == customer.id]
    if kind is not None:
        where.append(Note.type == kind)
    return model_page(scope.session, Note, _NOTE_KEYS, NOTE_SORT, where, limit, cursor)


def history_page(
    scope: Scope, note_id: uuid.UUID, *, limit: int, cursor: str | None
) -> tuple[list[NoteRevision], str | None]:
    """The versions edits replaced, newest first (each with who replaced it and when)."""
    note = get(scope, note_id)
    where = [NoteRevision.store_id == scope.store_id, NoteRevision.note_id == note.id]
    return model_page(
        scope.session, NoteRevision, _REVISION_KEYS, "-edited_at", where, limit, cursor
    )


def files_of(scope: Scope, notes: list[Note]) -> dict[uuid.UUID, list[NoteFile]]:
    """The files of these notes, oldest first, in one query."""
    found: dict[uuid.UUID, list[NoteFile]] = defaultdict(list)
    if notes:
        rows = scope.session.scalars(
            select(NoteFile)
            .where(NoteFile.store_id == scope.store_id, NoteFile.note_id.in_([n.id for n in notes]))
            .order_by(NoteFile.uploaded_at, NoteFile.id)
        )
        for row in rows:
            found[row.note_id].append(row)
    return found


def export_notes(scope: Scope, customer_id: uuid.UUID) -> list[dict[str, Any]]:
    """Every note of the customer for their data export, oldest first: text, type, author,
    times, pin, the earlier versions and the names of the attached files."""
    session = scope.session
    mine = {"store_id": scope.store_id, "customer_id": customer_id}
    notes = list(session.scalars(select(Note).filter_by(**mine).order_by(Note.created_at, Note.id)))
    revisions: dict[uuid.UUID, list[NoteRevision]] = defaultdict(list)
    for revision in session.scalars(
        select(NoteRevision).filter_by(**mine).order_by(NoteRevision.edited_at, NoteRevision.id)
    ):
        revisions[revision.note_id].append(revision)
    files = files_of(scope, notes)
    return [{**note_data(note, files[note.id]), "history": revisions[note.id]} for note in notes]


def note_data(note: Note, files: list[NoteFile]) -> dict[str, Any]:
    """A note as the API shows it, with its files."""
    data = {c.key: getattr(note, c.key) for c in Note.__table__.columns}
    data["files"] = files
    return data


def _log(scope: Scope, note: Note, kind: str, data: dict[str, Any]) -> None:
    activity.record(
        scope.session,
        scope.store_id,
        note.customer_id,
        kind,
        {"note_id": str(note.id), **data},
        actor=scope.actor,
    )
