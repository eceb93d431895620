"""Search keys computed once, on write: emails, phones and free text in any script.

The same plain indexes then serve SQLite and PostgreSQL. Pure functions; no database, no Flask.

- text: Unicode compatibility form, case folded, accents, Arabic diacritics and Hebrew niqqud
  removed, Arabic alef/hamza/yeh/teh-marbuta variants unified, tatweel dropped, digits of any
  script made ASCII, runs of spaces collapsed.
- email: NFKC, surrounding space removed, lower case.
- phone: digits of any script made ASCII, parsed by ``phonenumbers`` in a default region, E.164.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

import phonenumbers
from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email
from phonenumbers.phonemetadata import PhoneMetadata

__all__ = [
    "InvalidEmail",
    "InvalidPhone",
    "ascii_digits",
    "normalize_email",
    "normalize_phone",
    "search_key",
    "validate_email_address",
]

# Letters that carry a hamza or a variant shape in Arabic but are searched as their base letter.
# (Alef with madda/hamza above/below decompose under NFD and lose their marks on their own.)
_ARABIC_FOLD = str.maketrans(
    {
        "\u0671": "\u0627",  # alef wasla -> alef
        "\u0649": "\u064a",  # alef maksura -> yeh
        "\u0629": "\u0647",  # teh marbuta -> heh
        "\u06cc": "\u064a",  # farsi yeh -> yeh
        "\u06a9": "\u0643",  # keheh -> kaf
        "\u0621": "",  # standalone hamza
        "\u0640": "",  # tatweel (kashida)
    }
)


class InvalidEmail(ValueError):
    """An email address that cannot be an address."""


class InvalidPhone(ValueError):
    """A phone number that cannot be dialled."""


def ascii_digits(text: str) -> str:
    """Replace decimal digits of any script (Arabic-Indic, Persian, …) with ASCII digits."""
    if text.isascii():
        return text
    out = []
    for ch in text:
        if ch.isdigit() and not ("0" <= ch <= "9"):
            digit = unicodedata.decimal(ch, None)
            out.append(str(digit) if digit is not None else ch)
        else:
            out.append(ch)
    return "".join(out)


def search_key(text: str | None) -> str:
    """The folded form of free text that search compares against: compatibility forms
    decomposed, combining marks (accents, harakat, niqqud) dropped, Arabic letter variants
    folded, digits of every script made ASCII, case folded, spaces collapsed."""
    if not text:
        return ""
    if text.isascii():  # nothing to decompose, drop or fold but case and spaces
        return " ".join(text.casefold().split())
    decomposed = unicodedata.normalize("NFKD", text)
    folded = decomposed.translate(_search_fold()).casefold()
    return " ".join(unicodedata.normalize("NFC", folded).split())


@functools.cache
def _search_fold() -> dict[int, str | None]:
    """One ``str.translate`` table for ``search_key``: combining marks to nothing, the Arabic
    variants to their base letter, decimal digits of other scripts to ASCII (built once, on
    the first text that is not ASCII; no such character lies beyond U+1FFFF)."""
    table: dict[int, str | None] = {}
    for code in range(128, 0x20000):
        char = chr(code)
        if unicodedata.combining(char):
            table[code] = None
        elif code in _ARABIC_FOLD:
            table[code] = _ARABIC_FOLD[code] or None
        elif char.isdigit() and (digit := unicodedata.decimal(char, None)) is not None:
            table[code] = str(digit)
    return table


def normalize_email(email: str | None) -> str | None:
    """The matching key of an email: NFKC, trimmed, lower case. ``None`` for blank input."""
    if email is None:
        return None
    value = unicodedata.normalize("NFKC", email).strip().lower()
    return value or None


def validate_email_address(email: str) -> str:
    """Check that an email is well formed (no network look-up); return its normalised form.

    Most addresses are plain ASCII of a shape ``email_validator`` always accepts; those skip
    it (an import validates every row: the full check costs about 20 µs an address).
    """
    value = normalize_email(email)
    if not value:
        raise InvalidEmail("email is empty")
    if _plainly_valid(value):
        return value
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidEmail(str(exc)) from exc
    return value


def normalize_phone(phone: str | None, region: str | None = None) -> str | None:
    """The E.164 form of a phone number; ``None`` for blank input.

    :param region: ISO 3166-1 alpha-2 region used for numbers written without a country code.
    :raises InvalidPhone: when the number cannot be parsed or is not a possible number.
    """
    if phone is None or not phone.strip():
        return None
    e164, problem = _phone_answer(phone, region)
    if problem is not None:
        raise InvalidPhone(problem)
    return e164


# Parsing costs ~50 µs a number, and the same customer's number comes back with each of their
# events. Small and bounded (about 350 KB when full): an import's numbers are mostly new ones,
# and its memory must not grow with the file.
@functools.lru_cache(maxsize=1024)
def _phone_answer(phone: str, region: str | None) -> tuple[str | None, str | None]:
    """(E.164, None) or (None, the reason): the answer of ``normalize_phone`` for non-blank
    input, cached by the raw string and the region."""
    raw = ascii_digits(unicodedata.normalize("NFKC", phone)).strip()
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    quick = _international_answer(raw)
    if quick is None and region is not None:
        quick = _national_answer(raw, region)
    if quick is not None:
        return quick
    try:
        parsed = phonenumbers.parse(raw, None if raw.startswith("+") else region)
    except phonenumbers.NumberParseException as exc:
        return None, f"not a phone number: {exc}"
    if not phonenumbers.is_possible_number(parsed):
        return None, _NOT_POSSIBLE
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164), None


_NOT_POSSIBLE = "not a possible phone number for its country"
# "+", then digit groups separated by single spaces or hyphens: the shapes ``parse`` reads
# as nothing but a country code and a national number (no extension, no phone context)
_INTERNATIONAL = re.compile(r"\+[0-9]+(?:[ -][0-9]+)*")
_MAX_NSN = 17  # phonenumbers' own bounds of a national significant number
_MIN_NSN = 2


def _international_answer(raw: str) -> tuple[str | None, str | None] | None:
    """The answer for a number already written internationally, without ``parse``'s regular
    expressions; ``None`` when the number needs them (then ``parse`` decides).

    Taken only where ``parse`` provably keeps the digits as they are: the country code is
    the first 1-3 digits that name one (as ``parse`` looks it up), the rest does not start
    with a zero (Italian leading zeros) nor with the region's national prefix (which
    ``parse`` may strip), and its length is within ``parse``'s bounds.
    """
    if not _INTERNATIONAL.fullmatch(raw):
        return None
    digits = raw[1:].replace(" ", "").replace("-", "")
    if len(digits) <= _MIN_NSN or digits[0] == "0":
        return None
    for size in (1, 2, 3):
        if int(digits[:size]) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            code, national = int(digits[:size]), digits[size:]
            break
    else:
        return None
    if not (_MIN_NSN <= len(national) <= _MAX_NSN) or national[0] == "0":
        return None
    prefix = _national_prefix(code)
    if prefix is None or prefix.match(national):
        return None
    if _length(code, national) not in _POSSIBLE:
        return None, _NOT_POSSIBLE
    return "+" + digits, None


_NO_PREFIX = re.compile(r"(?!)")  # matches nothing: the region has no national prefix
# digit groups separated by single spaces or hyphens, no "+": a number written nationally
_NATIONAL = re.compile(r"[0-9]+(?:[ -][0-9]+)*")


@dataclass(frozen=True, slots=True)
class _NationalPlan:
    """What ``parse`` consults to read a national number of one region."""

    code: int
    idd: re.Pattern[str]  # the region's international dialling prefix
    prefix: re.Pattern[str]  # its national prefix (``_NO_PREFIX`` if none)
    general: re.Pattern[str]  # the shape of any of its national numbers


def _national_answer(raw: str, region: str) -> tuple[str | None, str | None] | None:
    """The answer for a number written nationally (digits, single spaces or hyphens) in
    ``region``, without ``parse``'s regular expressions; ``None`` when ``parse`` must decide.

    Taken only where ``parse`` provably reads the digits as the region's national number:
    the region is its country code's main region and its national prefix needs neither a
    carrier code nor a transformation; the digits start with neither the international
    dialling prefix nor the country code (``parse`` may read either as one); a national
    prefix is stripped only where ``parse`` strips it (the rest has the region's shape and a
    possible length); the national number does not start with a zero (Italian leading zeros).
    """
    plan = _national_plan(region)
    if plan is None or not _NATIONAL.fullmatch(raw):
        return None
    digits = raw.replace(" ", "").replace("-", "")
    if not (_MIN_NSN < len(digits) <= _MAX_NSN) or plan.idd.match(digits):
        return None
    if digits.startswith(str(plan.code)):
        return None
    national = digits
    found = plan.prefix.match(digits)
    if found is not None and found.end() > 0:
        rest = digits[found.end() :]
        if plan.general.fullmatch(digits) and not plan.general.fullmatch(rest):
            return None  # parse keeps the prefix: it decides
        if not rest or rest[0] == "0" or _length(plan.code, rest) != _IS_POSSIBLE:
            return None  # parse strips it only from a number of a possible length
        national = rest
    if national[0] == "0" or len(national) <= _MIN_NSN:
        return None
    if _length(plan.code, national) not in _POSSIBLE:
        return None, _NOT_POSSIBLE
    return f"+{plan.code}{national}", None


_IS_POSSIBLE = phonenumbers.ValidationResult.IS_POSSIBLE
# what ``is_possible_number`` accepts
_POSSIBLE = (_IS_POSSIBLE, phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY)


def _length(code: int, national: str) -> int:
    """How ``phonenumbers`` judges the length of a national number of a country code."""
    number = phonenumbers.PhoneNumber(country_code=code, national_number=int(national))
    return phonenumbers.is_possible_number_with_reason(number)


@functools.cache
def _national_plan(region: str) -> _NationalPlan | None:
    metadata = PhoneMetadata.metadata_for_region(region.upper(), None)
    if metadata is None or metadata.country_code is None:
        return None
    code = metadata.country_code
    if phonenumbers.region_code_for_country_code(code) != region.upper():
        return None  # a region sharing its code (CA, VA, …): lengths may differ
    if metadata.national_prefix_transform_rule or not metadata.general_desc:
        return None
    pattern = metadata.general_desc.national_number_pattern
    if not pattern or not metadata.international_prefix:
        return None
    prefix = _NO_PREFIX
    if metadata.national_prefix_for_parsing:
        prefix = re.compile(metadata.national_prefix_for_parsing)
        if prefix.groups:
            return None  # carrier codes: parse decides
    idd = re.compile(metadata.international_prefix)
    return _NationalPlan(code, idd, prefix, re.compile(pattern))


@functools.cache
def _national_prefix(code: int) -> re.Pattern[str] | None:
    """The pattern of the national prefix ``parse`` strips for a country code (one that
    matches nothing if there is none); ``None`` without metadata (``parse`` decides)."""
    region = phonenumbers.region_code_for_country_code(code)
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(code, region)
    if metadata is None:
        return None
    if not metadata.national_prefix_for_parsing:
        return _NO_PREFIX
    return re.compile(metadata.national_prefix_for_parsing)


# dot-separated atoms @ dot-separated LDH labels, a letters-only top-level domain
_PLAIN_EMAIL = re.compile(
    r"[a-z0-9_%+-]+(?:\.[a-z0-9_%+-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
)


def _plainly_valid(value: str) -> bool:
    """True only for addresses ``email_validator`` accepts unchanged (False means: ask it)."""
    if len(value) > 254 or not _PLAIN_EMAIL.fullmatch(value):
        return False
    local, domain = value.split("@")
    return (
        len(local) <= 64
        and "--" not in domain  # punycode labels (xn--) need the IDNA check
        and domain.rsplit(".", 1)[1] not in SPECIAL_USE_DOMAIN_NAMES
    )
