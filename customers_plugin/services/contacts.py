"""Finding or creating the customer an event is about, safely under concurrency.

Matching: the normalised email first, then the phone in E.164. Creation is an
``INSERT … ON CONFLICT DO NOTHING`` on the per-store unique keys, then a re-read, so fifty
concurrent first events for one new address still make exactly one customer. Known contacts
only gain what they lack: a merchant's edits are never overwritten by an event.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..db import insert
from ..events import Contact, FieldChange
from ..models import Customer, CustomerSource, CustomerTag, Tag
from ..normalize import InvalidPhone, normalize_email, normalize_phone, search_key
from ..types import new_id, utcnow

log = logging.getLogger(__name__)

_MATCH_ATTEMPTS = 5


@dataclass(slots=True)
class Resolved:
    """The customer an event belongs to, and what resolving it changed."""

    id: uuid.UUID
    created: bool
    changes: list[FieldChange] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ContactKeys:
    email: str | None
    email_key: str | None
    phone: str | None
    name: str | None
    country: str | None
    language: str | None


def contact_keys(contact: Contact, region: str | None) -> ContactKeys:
    """Normalise an event's contact. A phone that cannot be parsed is dropped, not fatal,
    unless it was the only way to reach the person."""
    email_key = normalize_email(contact.email)
    try:
        phone = normalize_phone(contact.phone, region)
    except InvalidPhone:
        if not email_key:
            raise
        log.warning("an event carried an unparseable phone; it was ignored")
        phone = None
    country = (contact.country or "").strip().upper() or None
    if country is not None and (len(country) != 2 or not country.isalpha()):
        country = None
    return ContactKeys(
        email=contact.email.strip() if email_key and contact.email else None,
        email_key=email_key,
        phone=phone,
        name=" ".join(contact.name.split()) if contact.name and contact.name.strip() else None,
        country=country,
        language=(contact.language or "").strip() or None,
    )


def _match(session: Session, store_id: str, keys: ContactKeys) -> Customer | None:
    for column, value in (
        (Customer.email_normalized, keys.email_key),
        (Customer.phone, keys.phone),
    ):
        if value is None:
            continue
        found = session.scalars(
            select(Customer).where(Customer.store_id == store_id, column == value).limit(1)
        ).first()
        if found is not None:
            return found
    return None


def resolve(
    session: Session, store_id: str, contact: Contact, *, region: str | None, source: str
) -> Resolved:
    """Find or create the customer for ``contact`` in ``store_id`` and record ``source``."""
    keys = contact_keys(contact, region)
    for _ in range(_MATCH_ATTEMPTS):
        existing = _match(session, store_id, keys)
        if existing is not None:
            resolved = Resolved(existing.id, False, _fill_blanks(session, existing, keys))
            break
        now = utcnow()
        new_id_value = new_id()
        row = {
            "id": new_id_value,
            "store_id": store_id,
            "email": keys.email,
            "email_normalized": keys.email_key,
            "phone": keys.phone,
            "name": keys.name,
            "search_name": search_key(keys.name),
            "country": keys.country,
            "language": keys.language,
            "joined_at": now,
            "updated_at": now,
        }
        created = session.execute(
            insert(session, Customer.__table__)
            .values(**row)
            .on_conflict_do_nothing()
            .returning(Customer.__table__.c.id)
        ).scalar()
        if created is not None:
            resolved = Resolved(created, True)
            break
    else:  # pragma: no cover - needs a customer deleted between conflict and re-read, 5 times
        raise RuntimeError("could not match or create the customer; try again")
    add_source(session, store_id, resolved.id, source)
    return resolved


def _fill_blanks(session: Session, customer: Customer, keys: ContactKeys) -> list[FieldChange]:
    """Give a known customer what the event knows and the record lacks."""
    values: dict[str, Any] = {}
    if keys.name and not customer.name:
        values["name"] = keys.name
        values["search_name"] = search_key(keys.name)
    if keys.country and not customer.country:
        values["country"] = keys.country
    if keys.language and not customer.language:
        values["language"] = keys.language
    if (
        keys.phone
        and not customer.phone
        and not _taken(session, customer, Customer.phone, keys.phone)
    ):
        values["phone"] = keys.phone
    if (
        keys.email_key
        and not customer.email_normalized
        and not _taken(session, customer, Customer.email_normalized, keys.email_key)
    ):
        values["email"] = keys.email
        values["email_normalized"] = keys.email_key
    if not values:
        return []
    changes = [
        FieldChange(name, getattr(customer, name), value)
        for name, value in values.items()
        if name not in ("search_name", "email_normalized")
    ]
    values["updated_at"] = utcnow()
    # only fill what is still blank, whatever a concurrent writer did meanwhile
    guards = [getattr(Customer, name).is_(None) for name in values if name in _GUARDED]
    session.execute(
        update(Customer)
        .where(Customer.id == customer.id, *guards)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session.expire(customer)
    return changes


_GUARDED = {"name", "country", "language", "phone", "email"}


def _taken(session: Session, customer: Customer, column: Any, value: str) -> bool:
    return (
        session.scalar(
            select(Customer.id).where(
                Customer.store_id == customer.store_id, column == value, Customer.id != customer.id
            )
        )
        is not None
    )


def add_source(session: Session, store_id: str, customer_id: uuid.UUID, source: str) -> None:
    session.execute(
        insert(session, CustomerSource.__table__)
        .values(customer_id=customer_id, source=source, store_id=store_id, first_seen_at=utcnow())
        .on_conflict_do_nothing()
    )


def add_tag(
    session: Session, store_id: str, customer_id: uuid.UUID, name: str, *, automatic: bool
) -> bool:
    """Label a customer, creating the tag if the store has none by that (folded) name.

    :return: whether the customer gained the tag.
    """
    name = " ".join(name.split())[:100]
    key = search_key(name)
    session.execute(
        insert(session, Tag.__table__)
        .values(
            id=new_id(),
            store_id=store_id,
            name=name,
            name_key=key,
            automatic=automatic,
            created_at=utcnow(),
        )
        .on_conflict_do_nothing()
    )
    tag_id = session.scalar(select(Tag.id).where(Tag.store_id == store_id, Tag.name_key == key))
    added = session.execute(
        insert(session, CustomerTag.__table__)
        .values(customer_id=customer_id, tag_id=tag_id, store_id=store_id, added_at=utcnow())
        .on_conflict_do_nothing()
        .returning(CustomerTag.__table__.c.tag_id)
    ).scalar()
    return added is not None
