"""Languages of the plugin: English (the source), Arabic, Hebrew and Italian.

Catalogs are standard gettext ``.po`` files read at runtime with Babel (no compile step at
install), one per (locale, domain) and cached: the ``messages`` domain holds the REST API's
error messages (``customers_plugin/translations/<locale>/LC_MESSAGES/messages.po``), the
``admin`` domain the admin UI's strings (``customers_plugin/admin/translations/...``).

A request's locale is the host's answer (``current_locale`` hook), else the best match of its
``Accept-Language`` header, else ``CUSTOMERS_DEFAULT_LOCALE``. Code marks a message with
``_("no such {thing}", thing=...)``: the value is the English text (a ``Message``, a ``str``
that remembers its msgid and parameters) and the API translates it when it answers. Messages
reach the API as plain text too (marshmallow's, or a ``str(exc)``); ``translate`` then finds
the msgid whose placeholders match the text. This module never decides what a message says.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from babel.core import Locale, UnknownLocaleError, negotiate_locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from flask import g, has_request_context, request

SOURCE_LOCALE = "en"
LOCALES = ("en", "ar", "he", "it")
RTL_LOCALES = frozenset({"ar", "he"})
_PACKAGE = Path(__file__).resolve().parent
DOMAINS: dict[str, Path] = {
    "messages": _PACKAGE / "translations",
    "admin": _PACKAGE / "admin" / "translations",
}
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


class Message(str):
    """A marked message: its English text, with the msgid and parameters kept for
    translation (``Message("at most {n} tags", {"n": 5}) == "at most 5 tags"``)."""

    msgid: str
    params: Mapping[str, Any]

    def __new__(cls, msgid: str, params: Mapping[str, Any] | None = None) -> Message:
        params = dict(params or {})
        self = super().__new__(cls, format_message(msgid, params))
        self.msgid = msgid
        self.params = params
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (str, (str(self),))


def _(msgid: str, **params: Any) -> Message:
    """Mark ``msgid`` for translation; ``{name}`` placeholders are filled from ``params``."""
    return Message(msgid, params)


def N_(msgid: str) -> str:
    """Mark a message for extraction only (a text another library writes, matched later)."""
    return msgid


def format_message(template: str, params: Mapping[str, Any]) -> str:
    """``template`` with each ``{name}`` replaced by ``params[name]`` (other braces stay)."""
    if not params:
        return template
    return _PLACEHOLDER.sub(
        lambda m: str(params[m.group(1)]) if m.group(1) in params else m.group(0), template
    )


# --- catalogs ------------------------------------------------------------------------------


def catalog_path(locale: str, domain: str = "messages") -> Path:
    return DOMAINS[domain] / locale / "LC_MESSAGES" / f"{domain}.po"


@functools.lru_cache(maxsize=32)
def translations(locale: str, domain: str = "messages") -> NullTranslations:
    """The catalog of ``domain`` in ``locale``, read from its ``.po`` file once per process
    (fuzzy entries left out); English, or a missing file, translates nothing."""
    if locale == SOURCE_LOCALE or domain not in DOMAINS:
        return NullTranslations()
    path = catalog_path(locale, domain)
    if not path.is_file():
        return NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=locale, domain=domain)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=domain)


def messages_for(locale: str, domain: str = "admin") -> dict[str, str]:
    """Every translated message of ``domain`` in ``locale`` as ``{msgid: text}`` (for a page's
    script); plural entries are left out (use ``ngettext`` on the server)."""
    found = translations(locale, domain)
    catalog = getattr(found, "_catalog", {})
    return {k: v for k, v in catalog.items() if isinstance(k, str) and k and v}


@functools.lru_cache(maxsize=32)
def _templates(locale: str, domain: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    """The catalog's msgids with placeholders as patterns, the most literal text first."""
    patterns = []
    for msgid in messages_for(locale, domain):
        names = _PLACEHOLDER.findall(msgid)
        literal = _PLACEHOLDER.sub("", msgid)
        if not names or not literal.strip():
            continue
        parts, seen, last = [], set(), 0
        for match in _PLACEHOLDER.finditer(msgid):
            parts.append(re.escape(msgid[last : match.start()]))
            name = match.group(1)
            parts.append(f"(?P={name})" if name in seen else f"(?P<{name}>.+?)")
            seen.add(name)
            last = match.end()
        parts.append(re.escape(msgid[last:]))
        patterns.append((len(literal), re.compile("".join(parts), re.DOTALL), msgid))
    patterns.sort(key=lambda item: -item[0])
    return tuple((pattern, msgid) for _length, pattern, msgid in patterns)


# --- locales -------------------------------------------------------------------------------


def negotiate(preferred: list[str] | tuple[str, ...]) -> str | None:
    """The first of ``preferred`` (``ar-SA``, ``he_IL``, ``it``…) the plugin speaks."""
    cleaned = [str(p).replace("-", "_").strip() for p in preferred if p and str(p).strip()]
    aliases = {"iw": "he"}
    cleaned = [aliases.get(p.split("_")[0].lower(), p) for p in cleaned]
    chosen = negotiate_locale(cleaned, list(LOCALES), sep="_", aliases=None)
    return chosen.split("_")[0].lower() if chosen else None


def current_locale() -> str:
    """The locale of the current request (asked once per request): the host's
    ``current_locale`` hook, else ``Accept-Language``, else ``CUSTOMERS_DEFAULT_LOCALE``.
    Outside a request: the source locale."""
    if not has_request_context():
        return SOURCE_LOCALE
    if "customers_locale" not in g:
        g.customers_locale = _request_locale()
    return g.customers_locale


def _request_locale() -> str:
    from .security import resolve_store
    from .state import get_state

    state = get_state()
    answer = state.hook.current_locale(request=request, store_id=resolve_store())
    if isinstance(answer, str) and (chosen := negotiate([answer])):
        return chosen
    header = [lang for lang, _q in request.accept_languages]
    chosen = negotiate(header) if header else None
    if chosen:
        return chosen
    return negotiate([str(state.setting("CUSTOMERS_DEFAULT_LOCALE"))]) or SOURCE_LOCALE


def direction(locale: str | None = None) -> str:
    """``rtl`` for Arabic and Hebrew, else ``ltr``."""
    return "rtl" if (locale or current_locale()).split("_")[0] in RTL_LOCALES else "ltr"


def display_name(locale: str) -> str:
    """The language's own name (``العربية``, ``עברית``, ``italiano``, ``English``)."""
    try:
        return Locale.parse(locale).get_display_name(locale) or locale
    except (ValueError, UnknownLocaleError):
        return locale


# --- translating ---------------------------------------------------------------------------


def gettext(
    msgid: str, *, domain: str = "messages", locale: str | None = None, **params: Any
) -> str:
    """``msgid`` in the request's locale (or ``locale``), placeholders filled."""
    found = translations(locale or current_locale(), domain)
    return format_message(found.gettext(msgid), params)


def ngettext(
    singular: str,
    plural: str,
    n: int,
    *,
    domain: str = "messages",
    locale: str | None = None,
    **params: Any,
) -> str:
    """The plural form for ``n`` in the request's locale; ``{n}`` is ``n``."""
    found = translations(locale or current_locale(), domain)
    return format_message(found.ngettext(singular, plural, n), {"n": n, **params})


def translate(text: Any, *, locale: str | None = None, domain: str = "messages") -> str:
    """A message as the API sends it, in ``locale`` (default: the request's). A ``Message``
    is looked up by msgid; plain text by equality, else by the catalog's msgid whose
    placeholders match it (and the text in a placeholder the same way, one level down). Text
    no catalog knows stays as it is (English)."""
    locale = locale or current_locale()
    if locale == SOURCE_LOCALE or not isinstance(text, str):
        return text
    return _translate(text, translations(locale, domain), locale, domain, depth=1)


def _translate(text: Any, found: NullTranslations, locale: str, domain: str, depth: int) -> Any:
    if not isinstance(text, str) or not text:
        return text
    if isinstance(text, Message):
        params = {
            k: _translate(v, found, locale, domain, depth - 1) for k, v in text.params.items()
        }
        return format_message(found.gettext(text.msgid), params)
    exact = found.gettext(text)
    if exact != text or depth < 0:
        return exact
    for pattern, msgid in _templates(locale, domain):
        match = pattern.fullmatch(text)
        if match:
            params = {
                k: _translate(v, found, locale, domain, depth - 1)
                for k, v in match.groupdict().items()
            }
            return format_message(found.gettext(msgid), params)
    return text
