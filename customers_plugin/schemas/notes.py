"""Bodies and answers of internal notes: a note in and out, its files, its edit history and
the customer's notes page."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest.fields import Upload
from marshmallow import fields, validate

from .common import Body, PageArgs, Text, UTCDateTime

NOTE_TEXT_MAX = 10_000


class NoteTypeName(Text):
    """A note's type: the built-in ones or one the app configures (``CUSTOMERS_NOTE_TYPES``);
    the document lists the app's types as an enum."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(max_length=40, **kwargs)  # type: ignore[arg-type]


def _note_text(**kwargs: object) -> Text:
    return Text(
        max_length=NOTE_TEXT_MAX,
        validate=[validate.Length(min=1)],
        metadata={"description": f"1 to {NOTE_TEXT_MAX} characters, not only spaces."},
        **kwargs,  # type: ignore[arg-type]
    )


class NoteIn(Body):
    text = _note_text(required=True)
    type = NoteTypeName(load_default="note")
    pinned = fields.Boolean(load_default=False)


class NotePatch(Body):
    """Any of the three; a new text or type is kept in the history, pinning is not."""

    text = _note_text()
    type = NoteTypeName()
    pinned = fields.Boolean()


class NoteArgs(PageArgs):
    type = NoteTypeName(metadata={"description": "Only notes of this type."})


class NoteFileUpload(ma.Schema):
    file = Upload(required=True)


class NoteFileOut(ma.Schema):
    id = fields.UUID(required=True)
    filename = fields.String(required=True)
    content_type = fields.String(required=True)
    size = fields.Integer(required=True)
    uploaded_by = fields.String(required=True)
    uploaded_at = UTCDateTime(required=True)


class NoteOut(ma.Schema):
    id = fields.UUID(required=True)
    customer_id = fields.UUID(required=True)
    text = fields.String(required=True)
    type = fields.String(required=True)
    author = fields.String(required=True, metadata={"description": "The staff member's id."})
    pinned = fields.Boolean(required=True)
    created_at = UTCDateTime(required=True)
    edited_at = UTCDateTime(allow_none=True, required=True)
    edited_by = fields.String(allow_none=True, required=True)
    files = fields.List(fields.Nested(NoteFileOut), required=True)


class NotePage(ma.Schema):
    items = fields.List(fields.Nested(NoteOut), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class NoteRevisionOut(ma.Schema):
    """The text and type the note had before an edit; who made that edit and when."""

    id = fields.UUID(required=True)
    text = fields.String(required=True)
    type = fields.String(required=True)
    edited_by = fields.String(required=True)
    edited_at = UTCDateTime(required=True)


class NoteHistoryPage(ma.Schema):
    items = fields.List(fields.Nested(NoteRevisionOut), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class NoteExport(NoteOut):
    """A note in the customer's data export, with its earlier versions."""

    history = fields.List(fields.Nested(NoteRevisionOut), required=True)
