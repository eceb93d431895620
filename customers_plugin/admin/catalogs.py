"""The admin's languages and the catalog of its texts (gettext domain ``admin``, standard
``.po`` files under ``translations/<locale>/LC_MESSAGES/admin.po``, read with Babel at run
time: no compile step). The page gets the chosen catalog as a plain mapping; English is the
message ids themselves."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

from babel.messages.pofile import read_po
from werkzeug.datastructures import LanguageAccept

LOCALES = {"en": "English", "ar": "العربية", "he": "עברית", "it": "Italiano"}
RIGHT_TO_LEFT = frozenset({"ar", "he"})
DEFAULT = "en"
FOLDER = Path(__file__).parent / "translations"
DOMAIN = "admin"


def negotiate(asked: str | None, accepted: LanguageAccept) -> str:
    """The page's language: ``?lang=`` when it names one of ours, else the browser's best."""
    if asked in LOCALES:
        return asked
    return accepted.best_match(list(LOCALES), default=DEFAULT) or DEFAULT


def direction(locale: str) -> str:
    return "rtl" if locale in RIGHT_TO_LEFT else "ltr"


@functools.cache
def messages(locale: str) -> dict[str, str]:
    """Message id -> translation (the translated ones only; fuzzy entries are left out)."""
    path = FOLDER / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    if locale == DEFAULT or not path.is_file():
        return {}
    with path.open("rb") as po:
        catalog = read_po(po, locale=locale, domain=DOMAIN)
    return {
        str(m.id): str(m.string)
        for m in catalog
        if m.id and m.string and not m.fuzzy and isinstance(m.id, str)
    }


def translator(locale: str) -> Callable[[str], str]:
    """``gettext`` for the page's server-rendered texts."""
    table = messages(locale)
    return lambda text: table.get(text, text)
