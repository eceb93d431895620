"""Search keys: one folded form per name, email and phone, whatever the script."""

import unicodedata

import phonenumbers
import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from customers_plugin.normalize import (
    _ARABIC_FOLD,
    InvalidEmail,
    InvalidPhone,
    _international_answer,
    _national_answer,
    ascii_digits,
    normalize_email,
    normalize_phone,
    search_key,
    validate_email_address,
)


@pytest.mark.parametrize(
    ("written", "plain"),
    [
        ("أَحْمَد الإدريسي", "احمد الادريسي"),  # harakat and hamza on alef
        ("آمنة", "امنه"),  # alef madda, teh marbuta
        ("مُصْطَفَى", "مصطفي"),  # alef maksura
        ("ٱلرَّحْمَٰن", "الرحمن"),  # alef wasla, dagger alef
        ("محمـــد", "محمد"),  # tatweel
        ("שָׁלוֹם כֹּהֵן", "שלום כהן"),  # niqqud
        ("Niccolò Citrò", "niccolo citro"),
        ("  ÉLODIE   d'Àngelo ", "elodie d'angelo"),
        ("Straße", "strasse"),
        ("Flat ٣٤ / ۵", "flat 34 / 5"),
    ],
)
def test_search_key_folds_each_script_to_one_form(written, plain):
    assert search_key(written) == search_key(plain)


def _search_key_reference(text: str) -> str:
    """search_key spelled out step by step, as it was written before its one-table fold."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    folded = ascii_digits(stripped.translate(_ARABIC_FOLD)).casefold()
    return " ".join(unicodedata.normalize("NFC", folded).split())


_SCRIPTS = st.sampled_from(
    [
        "ليلى محمّد إيمان فاطمة آل ٱلأحمد ى ة ی ک ء ـ ٠١٢٣٤٥٦٧٨٩ ۰۱۲",
        "נועה יוֹסֵף שִׁירָה כהן לוי",
        "Giulia Niccolò Perché È ÀÉÎÕÜ ß ﬁ Ⅻ ½ ²",
        "abcXYZ 019 \t\n  -_.@+",
    ]
)


@settings(max_examples=1000, deadline=None)
@given(
    text=st.one_of(
        st.lists(_SCRIPTS.flatmap(lambda s: st.sampled_from(list(s)))).map("".join),
        st.text(max_size=30),
    )
)
def test_search_key_is_the_stepwise_fold(text):
    assert search_key(text) == (_search_key_reference(text) if text else "")


def test_the_fold_table_misses_no_character_beyond_its_range():
    for code in range(0x20000, 0x110000):
        char = chr(code)
        assert not unicodedata.combining(char)
        assert not (char.isdigit() and unicodedata.decimal(char, None) is not None)


def test_search_key_of_nothing_is_empty():
    assert search_key(None) == ""
    assert search_key("   ") == ""


def test_ascii_digits_converts_arabic_indic_and_persian():
    assert ascii_digits("٠١٢٣٤٥٦٧٨٩") == "0123456789"
    assert ascii_digits("۰۱۲۳۴۵۶۷۸۹") == "0123456789"
    assert ascii_digits("x²") == "x²"  # superscripts are not decimal digits


def test_email_is_trimmed_lowered_and_nfkc():
    assert normalize_email("  Ahmed.Ali@Example.COM ") == "ahmed.ali@example.com"
    assert normalize_email("ｊｏｈｎ@example.com") == "john@example.com"  # full-width letters
    assert normalize_email("   ") is None


def test_invalid_email_is_refused_with_a_reason():
    with pytest.raises(InvalidEmail):
        validate_email_address("not-an-email")
    assert validate_email_address("Mario@Esempio.IT") == "mario@esempio.it"


# addresses built from the characters where the plain-ASCII shortcut and email_validator could
# disagree: dots, hyphens, digits, the special-use and numeric top-level domains, punycode
_ATOM = st.text(alphabet="ab0-._+%x", min_size=0, max_size=12)
_LABEL = st.sampled_from(
    ["xn--", "xn--abc", "ab--cd", "a-", "-b", "ex", "0", "test", "local", "com", "c0m", "it", "a"]
)


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    local=_ATOM,
    labels=st.lists(st.one_of(_LABEL, _ATOM), min_size=1, max_size=4),
    upper=st.booleans(),
)
def test_the_plain_ascii_shortcut_agrees_with_email_validator(local, labels, upper):
    """Every address the shortcut accepts, email_validator accepts unchanged."""
    address = f"{local}@{'.'.join(labels)}"
    try:
        expected = validate_email(address.lower(), check_deliverability=False).normalized
    except EmailNotValidError:
        expected = None
    try:
        got = validate_email_address(address.upper() if upper else address)
    except InvalidEmail:
        got = None
    assert got == expected


def test_plain_addresses_and_odd_ones_both_validate():
    assert validate_email_address("c12@example.com") == "c12@example.com"
    assert validate_email_address("Ömer@Örnek.com.tr") == "ömer@örnek.com.tr"  # the full check
    for bad in ("a..b@x.com", "a@x.test", "a@-x.com", ".a@x.com", "a@x.123", "a@localhost"):
        with pytest.raises(InvalidEmail):
            validate_email_address(bad)


@pytest.mark.parametrize(
    "typed",
    [
        "+966 50 123 4567",
        "0501234567",
        "٠٥٠١٢٣٤٥٦٧",
        "۰۵۰۱۲۳۴۵۶۷",
        "00966501234567",
        "+966-50-123-4567",
    ],
)
def test_saudi_phone_matches_however_typed(typed):
    assert normalize_phone(typed, "SA") == "+966501234567"


def test_phone_with_country_code_ignores_default_region():
    assert normalize_phone("+39 06 1234 5678", "SA") == "+390612345678"
    assert normalize_phone("054-123-4567", "IL") == "+972541234567"


def test_unparseable_phone_raises():
    with pytest.raises(InvalidPhone):
        normalize_phone("call me", "SA")
    with pytest.raises(InvalidPhone):
        normalize_phone("12", "SA")


def test_local_phone_without_region_is_invalid():
    with pytest.raises(InvalidPhone):
        normalize_phone("0501234567", None)


def _phonenumbers_answer(phone: str, region: str | None) -> tuple[str | None, str | None]:
    """What ``phonenumbers`` alone says of a non-blank phone: (E.164, None) or (None, why)."""
    raw = ascii_digits(unicodedata.normalize("NFKC", phone)).strip()
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    try:
        parsed = phonenumbers.parse(raw, None if raw.startswith("+") else region)
    except phonenumbers.NumberParseException as exc:
        return None, f"not a phone number: {exc}"
    if not phonenumbers.is_possible_number(parsed):
        return None, "not a possible phone number for its country"
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164), None


def _answer(phone: str, region: str | None) -> tuple[str | None, str | None]:
    try:
        return normalize_phone(phone, region), None
    except InvalidPhone as exc:
        return None, str(exc)


# calling codes with and without national prefixes (US "1", SA/IL "0", IT none), with a
# leading-zero national number (IT), short codes (7, 1) and non-geographic ones (800, 882)
_CODES = ["966", "972", "39", "1", "44", "971", "7", "49", "33", "800", "882", "86", "55", "2"]
_SEPARATOR = st.sampled_from(["", "", "", " ", "-", "  ", ".", "/", "(", ")", "x", "#"])


@st.composite
def _typed_phones(draw: st.DrawFn) -> str:
    """Phones as people type them: international (+ or 00), national (SA, IL, IT, US), with
    separators and junk, too short and too long."""
    shape = draw(st.sampled_from(["plain", "plain", "plus", "idd", "national", "digits", "text"]))
    digits = draw(st.text(alphabet="0123456789", min_size=0, max_size=19))
    separator = _SEPARATOR
    if shape == "plain":  # what the fast paths take: digits, single spaces or hyphens
        shape, separator = (
            draw(st.sampled_from(["plus", "national"])),
            st.sampled_from(["", "", " ", "-"]),
        )
    if shape == "text":
        return draw(st.text(alphabet="+0123456789 -()x#٠١٥abc", min_size=1, max_size=24))
    if shape == "national":
        start = ["05", "5", "0", "3", "06", "1", "212", "", "00", "011", "07", "966", "39", "44"]
        digits = draw(st.sampled_from(start)) + digits
    parts, rest = [], digits
    while rest:
        size = draw(st.integers(1, 5))
        parts.append(rest[:size] + draw(separator))
        rest = rest[size:]
    body = "".join(parts)
    if shape in ("plus", "idd"):
        code = draw(st.sampled_from(_CODES))
        body = ("+" if shape == "plus" else "00") + code + draw(separator) + body
    return draw(st.sampled_from(["", " "])) + body


# regions with a national prefix (SA, IL, AE, GB, FR, DE "0"; US "1"), none (IT), one shared
# code (CA, VA: not their code's main region), carrier codes (BR) and transformations (AR)
_REGIONS = ["SA", "IL", "IT", "US", "AE", "GB", "FR", "DE", "CA", "VA", "BR", "AR", None]


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(phone=_typed_phones(), region=st.sampled_from(_REGIONS))
def test_phone_answer_is_phonenumbers_answer(phone, region):
    """The cached answer and the fast paths for numbers written internationally or
    nationally agree with ``phonenumbers`` on every number, valid or not."""
    if not phone.strip():
        return
    assert _answer(phone, region) == _phonenumbers_answer(phone, region)
    assert _answer(phone, region) == _phonenumbers_answer(phone, region)  # from the cache


@pytest.mark.parametrize(
    ("raw", "answer"),
    [
        ("+966501234567", ("+966501234567", None)),
        ("+39 333 123 4567", ("+393331234567", None)),
        ("+1 212-555-1234", ("+12125551234", None)),
        ("+96650", (None, "not a possible phone number for its country")),
        ("+39 06 1234 5678", None),  # Italian leading zero: parse decides
        ("+1 1212 555 1234", None),  # starts with the US national prefix: parse decides
        ("+44 (20) 7946", None),  # punctuation beyond spaces and hyphens
    ],
)
def test_international_fast_path_takes_only_plain_international_numbers(raw, answer):
    assert _international_answer(raw) == answer


@settings(max_examples=2000, deadline=None)
@given(
    prefix=st.sampled_from(["", "0", "0", "1", "00", "05", "3", "7"]),
    digits=st.text(alphabet="0123456789", min_size=3, max_size=13),
    separator=st.sampled_from(["", " ", "-"]),
    region=st.sampled_from(["SA", "IL", "IT", "US", "AE", "GB", "FR", "DE"]),
)
def test_numbers_written_nationally_get_phonenumbers_answer(prefix, digits, separator, region):
    """Mostly the fast path's own ground: digits as merchants type them in their region."""
    phone = separator.join([prefix + digits[:3], digits[3:7], digits[7:]]).strip(" -")
    assert _answer(phone, region) == _phonenumbers_answer(phone, region)


@pytest.mark.parametrize(
    ("raw", "region", "answer"),
    [
        ("0501234567", "SA", ("+966501234567", None)),
        ("050-123-4567", "IL", ("+972501234567", None)),
        ("333 123 4567", "IT", ("+393331234567", None)),
        ("07911 123456", "GB", ("+447911123456", None)),
        ("0501", "SA", None),  # too short once the prefix goes: parse decides
        ("06 1234 5678", "IT", None),  # Italian leading zero
        ("966501234567", "SA", None),  # starts with the country code
        ("00966501234567", "SA", None),  # the international dialling prefix
        ("4165551234", "CA", None),  # CA shares +1 with the US
        ("011 2345 6789", "BR", None),  # carrier codes
        ("0501234567", None, None),
        ("050 123 4567 x12", "SA", None),  # an extension
    ],
)
def test_national_fast_path_takes_only_plain_national_numbers(raw, region, answer):
    assert (_national_answer(raw, region) if region else None) == answer
