"""Validation of one import row into the values to write, or the reasons it cannot be
written (column + reason, reported with the row's line). Every cell first passes the text
bound of ``bounds`` (a NUL byte makes a bad row, never a failed batch). No database access."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ...bounds import text_problem
from ...i18n import _
from ...normalize import (
    InvalidEmail,
    InvalidPhone,
    normalize_phone,
    validate_email_address,
)
from ..fields import FieldTypes
from .columns import FIELD_PREFIX, ColumnMap
from .decoding import Row
from .values import (
    parse_consent,
    parse_country,
    parse_date,
    parse_gender,
    parse_language,
    parse_tags,
    text_limit,
    unescape_formula,
)

PARSERS: dict[str, Callable[[str], Any]] = {
    "name": text_limit(200),
    "country": parse_country,
    "language": parse_language,
    "gender": parse_gender,
    "birthdate": parse_date,
    "company": text_limit(200),
    "position": text_limit(200),
    "vat_id": text_limit(64),
}


@dataclass(slots=True)
class ParsedRow:
    line: int
    values: dict[str, Any] = field(default_factory=dict)  # customer columns
    email_key: str | None = None
    fields: dict[uuid.UUID, tuple[str, str]] = field(default_factory=dict)  # id -> (key, value)
    tags: list[str] = field(default_factory=list)
    consent: str | None = None
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column, reason)


def parse_row(
    row: Row,
    columns: ColumnMap,
    types: FieldTypes,
    region: str | None,
) -> ParsedRow:
    """Validate a row."""
    parsed = ParsedRow(row.line)
    cells: dict[str, str] = {}
    for index, name in columns.indexes:
        raw = row.cells[index] if index < len(row.cells) else ""
        problem = text_problem(raw)
        if problem is not None:
            parsed.errors.append((name, problem))
            continue
        value = unescape_formula(raw.strip())
        if value:
            cells[name] = value
    extra = row.cells[len(columns.names) :]
    if any(c.strip() for c in extra):
        parsed.errors.append(("", _("more cells than header columns")))
    for name, value in cells.items():
        try:
            _apply(parsed, name, value, columns, types)
        except ValueError as exc:
            parsed.errors.append((name, str(exc) or _("invalid value")))
    phone = cells.get("phone")
    if phone:
        try:
            parsed.values["phone"] = normalize_phone(phone, parsed.values.get("country") or region)
        except InvalidPhone:
            parsed.errors.append(("phone", _("not a valid phone number")))
    if not cells.get("email") and not cells.get("phone"):
        parsed.errors.append(("email", _("an email or a phone is required")))
    return parsed


def _apply(parsed: ParsedRow, name: str, value: str, columns: ColumnMap, types: FieldTypes) -> None:
    if name == "email":
        try:
            parsed.email_key = validate_email_address(value)
        except InvalidEmail:
            raise ValueError(_("not a valid email address")) from None
        parsed.values["email"] = value
    elif name == "phone":
        return  # parsed last, with the row's country as region
    elif name == "tags":
        parsed.tags = parse_tags(value)
    elif name == "marketing_consent":
        parsed.consent = parse_consent(value)
    elif name.startswith(FIELD_PREFIX):
        custom = columns.fields[name[len(FIELD_PREFIX) :]]
        if custom.type == "date":
            value = parse_date(value).isoformat()
        try:
            parsed.fields[custom.id] = (custom.key, types.canonical(custom.type, value))
        except ValueError as exc:
            raise ValueError(
                _("not a valid {type}: {problem}", type=custom.type, problem=exc)
            ) from None
    else:
        parsed.values[name] = PARSERS[name](value)


def jsonable(value: Any) -> Any:
    """A column value as stored in the undo record (dates as ISO text)."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value
