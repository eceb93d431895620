"""The columns an import accepts and the check of a file's header against them.

Standard columns map to customer attributes; ``field:<key>`` columns to the store's custom
fields; the read-only columns of our own exports are accepted and ignored (so an export can be
imported back as is). Anything else is refused, by name, before a single row is written.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from ...i18n import _
from ..errors import Invalid

# the columns that are the customer's own (named as the customers table names them)
CUSTOMER_COLUMNS = (
    "email",
    "phone",
    "name",
    "country",
    "language",
    "gender",
    "birthdate",
    "company",
    "position",
    "vat_id",
)
STANDARD = (*CUSTOMER_COLUMNS, "tags", "marketing_consent")
REQUIRED_ANY = ("email", "phone")
# written by exports, ignored by imports
READ_ONLY = (
    "id",
    "status",
    "joined_at",
    "orders_count",
    "total_spent",
    "last_order_at",
    "bookings_count",
    "sources",
    "bookings_in_range",
    "last_booking_in_range",
)
FIELD_PREFIX = "field:"
MAX_LISTED = 20  # column names an error lists at most
MAX_LISTED_NAME = 100
EXAMPLE = {
    "email": "layla@example.com",
    "phone": "'+966501234567",  # the leading quote keeps Excel from making it a number
    "name": "ليلى أحمد",
    "country": "SA",
    "language": "ar",
    "gender": "female",
    "birthdate": "1990-04-21",
    "company": "",
    "position": "",
    "vat_id": "",
    "tags": "vip; newsletter",
    "marketing_consent": "yes",
}


@dataclass(frozen=True, slots=True)
class CustomField:
    id: uuid.UUID
    key: str
    type: str


@dataclass(frozen=True, slots=True)
class ColumnMap:
    """Which cell index holds which column (ignored columns are left out)."""

    names: tuple[str, ...]  # the file's header, as normalised
    indexes: tuple[tuple[int, str], ...]
    fields: dict[str, CustomField] = field(default_factory=dict)

    def has(self, name: str) -> bool:
        return any(n == name for _i, n in self.indexes)


def _listed(names: list[str]) -> list[str]:
    """At most ``MAX_LISTED`` names (each cut to ``MAX_LISTED_NAME`` characters), then how
    many more: an error never echoes a whole pathological header back."""
    shown = [n if len(n) <= MAX_LISTED_NAME else n[:MAX_LISTED_NAME] + "…" for n in names]
    if len(shown) > MAX_LISTED:
        return [*shown[:MAX_LISTED], f"(and {len(shown) - MAX_LISTED} more)"]
    return shown


def normalise_name(raw: str) -> str:
    text = raw.strip().lstrip("\ufeff").strip()
    if text.casefold().startswith(FIELD_PREFIX):
        return FIELD_PREFIX + text[len(FIELD_PREFIX) :].strip()
    return "_".join(text.casefold().split())


def template_columns(custom_fields: Sequence[CustomField]) -> list[str]:
    return list(STANDARD) + [FIELD_PREFIX + f.key for f in custom_fields]


def map_header(header: Sequence[str], custom_fields: Sequence[CustomField]) -> ColumnMap:
    """Check a header; raise ``Invalid`` naming unknown, repeated or missing columns."""
    names = tuple(normalise_name(h) for h in header)
    by_key = {f.key: f for f in custom_fields}
    unknown, seen, repeated = [], set(), []
    indexes: list[tuple[int, str]] = []
    for i, name in enumerate(names):
        if not name:
            unknown.append(f"(column {i + 1} has no name)")
            continue
        if name in seen:
            repeated.append(name)
            continue
        seen.add(name)
        if name in STANDARD or (
            name.startswith(FIELD_PREFIX) and name[len(FIELD_PREFIX) :] in by_key
        ):
            indexes.append((i, name))
        elif name not in READ_ONLY:
            unknown.append(header[i].strip())
    unknown, repeated = _listed(unknown), _listed(repeated)
    problems: dict[str, list[str]] = {}
    if unknown:
        problems["unknown_columns"] = unknown
    if repeated:
        problems["repeated_columns"] = repeated
    if not any(name in seen for name in REQUIRED_ANY):
        problems["missing_columns"] = [_("email or phone")]
    if problems:
        parts = []
        if unknown:
            parts.append(_("unknown columns: {names}", names=", ".join(unknown)))
        if repeated:
            parts.append(_("repeated columns: {names}", names=", ".join(repeated)))
        if "missing_columns" in problems:
            parts.append(_("missing column: email or phone (one of them is required)"))
        raise Invalid(
            _("the header is not accepted; {problems}", problems="; ".join(parts)),
            fields=problems,
        )
    used = {name[len(FIELD_PREFIX) :] for _i, name in indexes if name.startswith(FIELD_PREFIX)}
    return ColumnMap(names, tuple(indexes), {k: by_key[k] for k in used})
