"""Parsing one cell of an import: countries in four languages, dates in three layouts,
genders, consent answers, tag lists, and the spreadsheet-formula escape of our own exports.

Pure functions: no database, no Flask. Each parser returns the stored value or raises
``ValueError`` with the reason shown in the row report.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable

from ...i18n import _
from ...normalize import ascii_digits, search_key

COUNTRY_LOCALES = ("en", "ar", "he", "it")
# everyday short names that the official lists spell out in full
COUNTRY_ALIASES = {
    "السعودية": "SA",
    "السعوديه": "SA",
    "الامارات": "AE",
    "الإمارات": "AE",
    "امريكا": "US",
    "أمريكا": "US",
    "بريطانيا": "GB",
    "ארה״ב": "US",
    "ארהב": "US",
    "אנגליה": "GB",
    "UK": "GB",
    "USA": "US",
    "America": "US",
    "Inghilterra": "GB",
    "Emirati Arabi": "AE",
}
FORMULA_START = frozenset("=+-@\t\r\n")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")
_TAG_SPLIT = re.compile(r"[,;|]")

GENDERS = {
    "female": "female",
    "f": "female",
    "male": "male",
    "m": "male",
    "other": "other",
}
CONSENT = {
    "subscribed": "subscribed",
    "yes": "subscribed",
    "y": "subscribed",
    "true": "subscribed",
    "1": "subscribed",
    "نعم": "subscribed",
    "כן": "subscribed",
    "si": "subscribed",
    "sì": "subscribed",
    "unsubscribed": "unsubscribed",
    "no": "unsubscribed",
    "n": "unsubscribed",
    "false": "unsubscribed",
    "0": "unsubscribed",
    "لا": "unsubscribed",
    "לא": "unsubscribed",
    "not_set": "not_set",
    "pending": "pending",
}


def unescape_formula(value: str) -> str:
    """Undo ``exports.neutralise``: drop the ``'`` put before a formula-like cell."""
    if len(value) > 1 and value[0] == "'" and (value[1] in FORMULA_START or value[1] == "'"):
        return value[1:]
    return value


@functools.cache
def _country_names() -> dict[str, str]:
    import pycountry
    from babel import Locale

    table: dict[str, str] = {}
    for country in pycountry.countries:
        code = country.alpha_2
        for name in (
            code,
            country.alpha_3,
            country.name,
            getattr(country, "official_name", None),
            getattr(country, "common_name", None),
        ):
            if name:
                table.setdefault(search_key(name), code)
    for alias, code in COUNTRY_ALIASES.items():
        table.setdefault(search_key(alias), code)
    for locale in COUNTRY_LOCALES:
        for code, name in Locale.parse(locale).territories.items():
            if len(code) == 2 and code.isalpha():
                table.setdefault(search_key(name), code)
    return table


@functools.lru_cache(maxsize=4096)
def parse_country(value: str) -> str:
    """ISO 3166-1 alpha-2 from a code (alpha-2/alpha-3) or a name in English, Arabic, Hebrew
    or Italian, case and accents ignored."""
    code = _country_names().get(search_key(value))
    if code is None:
        raise ValueError(_("unknown country"))
    return code


def parse_date(value: str) -> dt.date:
    """YYYY-MM-DD, DD/MM/YYYY or YYYY/MM/DD (digits of any script)."""
    text = ascii_digits(value).strip()
    parts = re.split(r"[-/.]", text)
    try:
        if len(parts) == 3 and all(p.isdigit() for p in parts):
            if len(parts[0]) == 4:
                return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
            if len(parts[2]) == 4 and "/" in text:
                return dt.date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        pass
    raise ValueError(_("not a date (YYYY-MM-DD, DD/MM/YYYY or YYYY/MM/DD)"))


def parse_gender(value: str) -> str:
    gender = GENDERS.get(value.strip().casefold())
    if gender is None:
        raise ValueError(_("gender must be female, male or other"))
    return gender


def parse_consent(value: str) -> str:
    status = CONSENT.get(value.strip().casefold())
    if status is None:
        raise ValueError(_("marketing_consent must be yes or no (or subscribed / unsubscribed)"))
    return status


def parse_language(value: str) -> str:
    text = value.strip()
    if not _LANGUAGE.match(text) or len(text) > 16:
        raise ValueError(_("language must be a language code such as ar, he, it or en-US"))
    return text


def parse_tags(value: str) -> list[str]:
    """Tag names separated by commas, semicolons or bars; blanks dropped, order kept."""
    names = [" ".join(part.split())[:100] for part in _TAG_SPLIT.split(value)]
    return list(dict.fromkeys(n for n in names if n))


def text_limit(limit: int) -> Callable[[str], str]:
    def parse(value: str) -> str:
        text = value.strip()
        if len(text) > limit:
            raise ValueError(_("at most {n} characters", n=limit))
        return text

    return parse
