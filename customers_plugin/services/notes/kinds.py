"""The types a note may have: the built-in ``note``, ``meeting_summary`` and
``call_summary``, plus the names a store lists in ``CUSTOMERS_NOTE_TYPES``."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ...i18n import _
from ..errors import invalid

if TYPE_CHECKING:
    from ...state import CustomersState

BUILT_IN_TYPES = ("note", "meeting_summary", "call_summary")
TYPE_NAME = re.compile(r"^[a-z0-9_]{1,40}$")


def type_names(extra: Iterable[str] | None) -> tuple[str, ...]:
    """The built-in types, then ``extra`` (the configured ones), each once.

    :raises ValueError: when ``extra`` holds a name that is not one.
    """
    extra = list(extra or [])
    for name in extra:
        if not isinstance(name, str) or not TYPE_NAME.match(name):
            raise ValueError(f"CUSTOMERS_NOTE_TYPES: {name!r} is not a note type name")
    return tuple(dict.fromkeys((*BUILT_IN_TYPES, *extra)))


def note_types(state: CustomersState) -> tuple[str, ...]:
    """The types of this app's notes (``CUSTOMERS_NOTE_TYPES`` added to the built-in ones)."""
    return type_names(state.setting("CUSTOMERS_NOTE_TYPES"))


def check_type(state: CustomersState, name: str) -> str:
    """``name`` if it is a type of this app's notes. :raises Invalid: otherwise."""
    allowed = note_types(state)
    if name not in allowed:
        raise invalid("type", _("a note's type is one of: {choices}", choices=", ".join(allowed)))
    return name
