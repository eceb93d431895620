"""Internal notes on a customer: typed notes with an edit history (``manage``), the types a
store may use (``kinds``) and the files attached to notes through the attachment store
(``files``)."""

from .files import attach, file_keys, open_file, remove_file
from .kinds import BUILT_IN_TYPES, note_types
from .manage import create, delete, export_notes, get, history_page, notes_page, update

__all__ = [
    "BUILT_IN_TYPES",
    "attach",
    "create",
    "delete",
    "export_notes",
    "file_keys",
    "get",
    "history_page",
    "note_types",
    "notes_page",
    "open_file",
    "remove_file",
    "update",
]
