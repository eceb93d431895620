"""Custom fields: the types a value can have (built in, plus those added by the
``register_field_types`` hook, collected once per app), the store's field definitions and the
customers' values in canonical text form.

The built-in card fields of the Wix contact card (extra email, phone and address, company,
position, language, VAT id, birthdate) are columns of the customer, listed by ``PREDEFINED``.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

import pluggy
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..db import insert
from ..i18n import _
from ..models import FieldDefinition, FieldValue
from ..normalize import search_key
from ..types import new_id, utcnow
from .errors import Conflict, Invalid, NotFound, invalid

log = logging.getLogger(__name__)

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
MAX_TEXT_VALUE = 2000
MAX_FIELDS_PER_STORE = 200

# The predefined fields of the contact card: built-in columns, edited through PATCH.
PREDEFINED: tuple[tuple[str, str, str], ...] = (
    ("extra_emails", "Email", "email list"),
    ("extra_phones", "Phone", "phone list"),
    ("addresses", "Address", "address list"),
    ("company", "Company", "text"),
    ("position", "Position", "text"),
    ("language", "Language", "text"),
    ("vat_id", "VAT ID", "text"),
    ("birthdate", "Birthdate", "date"),
)


@dataclass(frozen=True, slots=True)
class FieldType:
    """A custom-field type: ``parse(value)`` returns the canonical text or raises ValueError."""

    name: str
    parse: Callable[[Any], str]
    label: str


def _parse_text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(_("must be text"))
    text = value.strip()
    if len(text) > MAX_TEXT_VALUE:
        raise ValueError(_("must be at most {n} characters", n=MAX_TEXT_VALUE))
    return text


def _parse_number(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValueError(_("must be a number"))
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(_("must be a number")) from None
    if not number.is_finite() or abs(number) >= Decimal(10) ** 15:
        raise ValueError(_("must be a finite number below 10^15"))
    if number == number.to_integral_value():
        return str(number.quantize(Decimal(1)))
    return format(number.normalize(), "f")


def _parse_date(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(_("must be a date (YYYY-MM-DD)"))
    try:
        return dt.date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise ValueError(_("must be a date (YYYY-MM-DD)")) from None


def _parse_url(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(_("must be a URL"))
    text = value.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        raise ValueError(_("must be a URL")) from None
    if parts.scheme not in ("http", "https") or not parts.netloc or len(text) > MAX_TEXT_VALUE:
        raise ValueError(_("must be an http(s) URL"))
    return text


BUILTIN_TYPES = (
    FieldType("text", _parse_text, "Text"),
    FieldType("number", _parse_number, "Number"),
    FieldType("date", _parse_date, "Date"),
    FieldType("url", _parse_url, "URL"),
)


class FieldTypes(Mapping[str, FieldType]):
    """The field types of one app, collected once from the ``register_field_types`` hook."""

    def __init__(self, types: Iterable[FieldType] = BUILTIN_TYPES) -> None:
        self._types = {t.name: t for t in types}

    def __getitem__(self, name: str) -> FieldType:
        return self._types[name]

    def __iter__(self) -> Any:
        return iter(self._types)

    def __len__(self) -> int:
        return len(self._types)

    @classmethod
    def collect(cls, pm: pluggy.PluginManager) -> FieldTypes:
        types = cls()
        for impl in reversed(pm.hook.register_field_types.get_hookimpls()):
            added: dict[str, FieldType] = {}

            def register(
                name: str,
                parse: Callable[[Any], str],
                label: str | None = None,
                _added: dict[str, FieldType] = added,
            ) -> None:
                if not isinstance(name, str) or not KEY_PATTERN.match(name):
                    raise ValueError(f"field type name {name!r} must match {KEY_PATTERN.pattern}")
                if name in types._types or name in _added:
                    raise ValueError(f"field type {name!r} is registered twice")
                _added[name] = FieldType(name, parse, label or name)

            try:
                impl.function(register=register)
            except Exception:
                log.exception("plugin %r failed in register_field_types", impl.plugin_name)
                continue
            types._types.update(added)
        return types

    def canonical(self, type_name: str, value: Any) -> str:
        """The stored form of ``value`` for ``type_name``; raises ValueError with a message."""
        result = self[type_name].parse(value)
        if not isinstance(result, str):
            raise ValueError(_("the field type returned no text"))
        if "\x00" in result or len(result) > MAX_TEXT_VALUE:
            raise ValueError(_("value is too long or holds a NUL byte"))
        return result


# -- definitions ------------------------------------------------------------------------------


def list_definitions(session: Session, store_id: str) -> list[FieldDefinition]:
    return list(
        session.scalars(
            select(FieldDefinition)
            .where(FieldDefinition.store_id == store_id)
            .order_by(FieldDefinition.position, FieldDefinition.key)
        )
    )


def get_definition(session: Session, store_id: str, field_id: uuid.UUID) -> FieldDefinition:
    found = session.scalar(
        select(FieldDefinition).where(
            FieldDefinition.store_id == store_id, FieldDefinition.id == field_id
        )
    )
    if found is None:
        raise NotFound(_("no such field"))
    return found


def slug(label: str) -> str:
    folded = re.sub(r"[^a-z0-9]+", "_", search_key(label)).strip("_")
    if not folded or not folded[0].isalpha():
        folded = "field_" + folded
    return folded[:64].rstrip("_")


def create_definition(
    session: Session,
    store_id: str,
    types: FieldTypes,
    *,
    label: str,
    type: str,
    key: str | None = None,
    position: int | None = None,
) -> FieldDefinition:
    if type not in types:
        raise invalid(
            "type", _("unknown field type; one of: {choices}", choices=", ".join(sorted(types)))
        )
    key = key or slug(label)
    if not KEY_PATTERN.match(key):
        raise invalid("key", _("lower-case letters, digits and _; starting with a letter"))
    if key in {name for name, _label, _type in PREDEFINED}:
        raise Conflict(_("a predefined field has this key"), fields={"key": [_("already used")]})
    count = session.scalar(
        select(func.count())
        .select_from(FieldDefinition)
        .where(FieldDefinition.store_id == store_id)
    )
    if count >= MAX_FIELDS_PER_STORE:
        raise Invalid(_("a store has at most {n} custom fields", n=MAX_FIELDS_PER_STORE))
    field_id = session.execute(
        insert(session, FieldDefinition.__table__)
        .values(
            id=new_id(),
            store_id=store_id,
            key=key,
            label=label,
            type=type,
            position=count if position is None else position,
            created_at=utcnow(),
        )
        .on_conflict_do_nothing()
        .returning(FieldDefinition.__table__.c.id)
    ).scalar()
    if field_id is None:
        raise Conflict(
            _("a field with key '{key}' exists", key=key), fields={"key": [_("already used")]}
        )
    return get_definition(session, store_id, field_id)


def update_definition(
    session: Session,
    store_id: str,
    field_id: uuid.UUID,
    *,
    label: str | None = None,
    position: int | None = None,
) -> FieldDefinition:
    definition = get_definition(session, store_id, field_id)
    if label is not None:
        definition.label = label
    if position is not None:
        definition.position = position
    session.flush()
    return definition


def delete_definition(session: Session, store_id: str, field_id: uuid.UUID) -> None:
    """Delete a field and every customer's value of it."""
    definition = get_definition(session, store_id, field_id)
    session.execute(
        delete(FieldValue).where(FieldValue.store_id == store_id, FieldValue.field_id == field_id)
    )
    session.delete(definition)
    session.flush()


# -- values -----------------------------------------------------------------------------------


def definitions_by_key(session: Session, store_id: str) -> dict[str, FieldDefinition]:
    return {d.key: d for d in list_definitions(session, store_id)}


def canonical_values(
    session: Session, store_id: str, types: FieldTypes, values: Mapping[str, Any]
) -> dict[uuid.UUID, tuple[str, str | None]]:
    """Validate ``{key: value}``; return ``{field_id: (key, canonical or None to clear)}``.

    :raises Invalid: naming every unknown key and every bad value.
    """
    known = definitions_by_key(session, store_id) if values else {}
    errors: dict[str, list[str]] = {}
    out: dict[uuid.UUID, tuple[str, str | None]] = {}
    for key, value in values.items():
        definition = known.get(key)
        if definition is None:
            errors[f"custom_fields.{key}"] = ["no such custom field"]
            continue
        if value is None or value == "":
            out[definition.id] = (key, None)
            continue
        try:
            out[definition.id] = (key, types.canonical(definition.type, value))
        except ValueError as exc:
            errors[f"custom_fields.{key}"] = [str(exc) or _("invalid value")]
        except Exception:
            log.exception("field type %r failed to parse a value", definition.type)
            errors[f"custom_fields.{key}"] = [_("invalid value")]
    if errors:
        raise Invalid(_("some custom field values are not valid"), fields=errors)
    return out


def write_values(
    session: Session,
    store_id: str,
    customer_id: uuid.UUID,
    values: Mapping[uuid.UUID, tuple[str, str | None]],
) -> dict[str, tuple[str | None, str | None]]:
    """Store canonical values; return ``{key: (old, new)}`` for the ones that changed."""
    if not values:
        return {}
    current = dict(
        session.execute(
            select(FieldValue.field_id, FieldValue.value).where(
                FieldValue.customer_id == customer_id, FieldValue.field_id.in_(list(values))
            )
        ).all()
    )
    changed: dict[str, tuple[str | None, str | None]] = {}
    for field_id, (key, new) in values.items():
        old = current.get(field_id)
        if old == new:
            continue
        changed[key] = (old, new)
        if new is None:
            session.execute(
                delete(FieldValue).where(
                    FieldValue.customer_id == customer_id, FieldValue.field_id == field_id
                )
            )
        elif old is None:
            session.add(
                FieldValue(customer_id=customer_id, field_id=field_id, store_id=store_id, value=new)
            )
        else:
            session.execute(
                FieldValue.__table__.update()
                .where(FieldValue.customer_id == customer_id, FieldValue.field_id == field_id)
                .values(value=new)
            )
    session.flush()
    return changed


def values_of(session: Session, customer_id: uuid.UUID) -> dict[str, str]:
    return dict(
        session.execute(
            select(FieldDefinition.key, FieldValue.value)
            .join(FieldValue, FieldValue.field_id == FieldDefinition.id)
            .where(FieldValue.customer_id == customer_id)
            .order_by(FieldDefinition.position, FieldDefinition.key)
        ).all()
    )


def filter_value(
    session: Session, store_id: str, types: FieldTypes, key: str, value: str
) -> tuple[uuid.UUID, str]:
    """The field id and canonical value of a ``field=key:value`` list filter."""
    definition = definitions_by_key(session, store_id).get(key)
    if definition is None:
        raise invalid("field", _("no custom field '{key}'", key=key))
    try:
        return definition.id, types.canonical(definition.type, value)
    except ValueError as exc:
        raise invalid("field", _("{key}: {problem}", key=key, problem=str(exc))) from None
