"""Finding or creating the customer an event is about, safely under concurrency.

Host events are unverified sources (anyone can type any email and phone into a form), so
matching serves the merchant's records, never identity (``services/identity.py``):

- the email matches customer A: the event is A's; a phone belonging to another customer B
  is not taken, A and B are recorded as a duplicate suggestion;
- the email is new and the phone is B's: a new customer gets the email (the phone stays
  B's), recorded as a duplicate of B. The event never counts on B;
- no email, the phone is B's: the event is B's;
- neither is known: a new customer.

An email or phone of a customer merged into another (``services/merges``) leads to the kept
customer while the merge stands, so events for a merged-away contact land on the survivor.

Creation is an ``INSERT … ON CONFLICT DO NOTHING`` on the per-store unique keys, then a
re-read, so fifty concurrent first events for one new address still make exactly one customer.
Known contacts only gain what they lack, and never a primary email: a merchant's edits are
never overwritten by an event.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.orm import Session

from ..db import insert_ignore, insert_ignore_many, one_of
from ..events import Contact, FieldChange
from ..models import Customer, CustomerSource, CustomerTag, DuplicateSuggestion, Merge, Tag
from ..normalize import InvalidPhone, normalize_email, normalize_phone, search_key
from ..types import new_id, utcnow
from . import deferred

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


_customers = Customer.__table__
# what matching needs to know about a known customer (a Core row: no ORM identity map work)
_MATCH_COLUMNS = (
    _customers.c.id,
    _customers.c.store_id,
    _customers.c.name,
    _customers.c.country,
    _customers.c.language,
    _customers.c.phone,
    _customers.c.email,
    _customers.c.email_normalized,
)


def _find(session: Session, store_id: str, column: Any, value: Any) -> Row[Any] | None:
    """The customer whose ``column`` is ``value``, key-share locked on PostgreSQL until the
    event commits: a merge (which locks both customers for update) waits for the event, or
    the event waits for the merge and then finds the merged customer gone."""
    if value is None:
        return None
    known = session.info.get(_READ_AHEAD) if column is _customers.c.email_normalized else None
    if known is not None and (store_id, value) in known:
        return known[(store_id, value)]
    found = session.execute(
        select(*_MATCH_COLUMNS)
        .where(_customers.c.store_id == store_id, column == value)
        .with_for_update(read=True, key_share=True)
    ).first()
    if known is not None and found is not None:
        known[(store_id, value)] = found  # a customer the batch created: its next events
    return found


_READ_AHEAD = "customers_contacts_read_ahead"


@contextmanager
def read_ahead(session: Session, store_id: str, emails: Iterable[Any]) -> Iterator[None]:
    """For a batch of events: the known customers of these emails read in one statement,
    locked as ``_find`` locks each one (so, as there, none of them can be merged or deleted
    before the batch commits), and matched from memory by the batch's events (so is a customer
    the batch creates, once its next event has read it). A customer the batch fills in
    (``_fill_blanks``) is read again by its next event."""
    keys = sorted({key for key in map(normalize_email, emails) if key})
    known: dict[tuple[str, str], Row[Any]] = {}
    if keys:
        rows = session.execute(
            select(*_MATCH_COLUMNS)
            .where(
                _customers.c.store_id == store_id,
                one_of(session, _customers.c.email_normalized, keys),
            )
            .with_for_update(read=True, key_share=True)
        ).all()
        known = {(store_id, row.email_normalized): row for row in rows}
    session.info[_READ_AHEAD] = known
    try:
        yield
    finally:
        session.info.pop(_READ_AHEAD, None)


_MAX_REDIRECTS = 10  # merges chained A -> B -> C… followed at most this far


def _redirected(session: Session, store_id: str, column: Any, value: str | None) -> Row[Any] | None:
    """The customer a merged-away customer's email or phone now leads to: the kept customer
    of the live merge that removed its holder (following later merges of the kept one)."""
    if value is None:
        return None
    live = [Merge.store_id == store_id, Merge.undone_at.is_(None)]
    newest = (Merge.merged_at.desc(), Merge.id.desc())
    target = session.scalar(
        select(Merge.kept_id).where(*live, column == value).order_by(*newest).limit(1)
    )
    for _ in range(_MAX_REDIRECTS):
        if target is None:
            return None
        found = _find(session, store_id, _customers.c.id, target)
        if found is not None:
            return found
        target = session.scalar(
            select(Merge.kept_id).where(*live, Merge.merged_id == target).order_by(*newest).limit(1)
        )
    return None


@dataclass(frozen=True, slots=True)
class _Match:
    """What matching found: the customer the event is about (``None``: a new one), and the
    other customer whose phone the event also carried, if any."""

    customer: Row[Any] | None
    phone_of: Row[Any] | None


def _match(session: Session, store_id: str, keys: ContactKeys) -> _Match:
    by_email = _find(session, store_id, _customers.c.email_normalized, keys.email_key)
    if by_email is None:
        by_email = _redirected(session, store_id, Merge.merged_email_key, keys.email_key)
    if by_email is not None and by_email.phone == keys.phone:
        return _Match(by_email, None)  # the usual repeat customer: one query
    by_phone = _find(session, store_id, _customers.c.phone, keys.phone)
    if by_phone is None:
        by_phone = _redirected(session, store_id, Merge.merged_phone, keys.phone)
    if by_email is not None:
        other = by_phone if by_phone is not None and by_phone.id != by_email.id else None
        return _Match(by_email, other)
    if keys.email_key is None:
        return _Match(by_phone, None)
    return _Match(None, by_phone)


def resolve(
    session: Session,
    store_id: str,
    contact: Contact,
    *,
    region: str | None,
    source: str,
    seen_at: dt.datetime | None = None,
) -> Resolved:
    """Find or create the customer for ``contact`` in ``store_id`` and record ``source``.

    :param seen_at: when the event happened; a new customer joined then (never in the future).
    """
    keys = contact_keys(contact, region)
    for _ in range(_MATCH_ATTEMPTS):
        match = _match(session, store_id, keys)
        existing = match.customer
        if existing is not None:
            resolved = Resolved(existing.id, False, _fill_blanks(session, existing, keys))
            break
        now = utcnow()
        joined_at = min(seen_at, now) if seen_at is not None else now
        new_id_value = new_id()
        row = {
            "id": new_id_value,
            "store_id": store_id,
            "email": keys.email,
            "email_normalized": keys.email_key,
            "phone": keys.phone if match.phone_of is None else None,
            "name": keys.name,
            "search_name": search_key(keys.name),
            "country": keys.country,
            "language": keys.language,
            "joined_at": joined_at,
            "updated_at": now,
        }
        created = insert_ignore(session, _customers, row, returning=_customers.c.id).scalar()
        if created is not None:
            resolved = Resolved(created, True)
            break
    else:  # pragma: no cover - needs a customer deleted between conflict and re-read, 5 times
        raise RuntimeError("could not match or create the customer; try again")
    add_source(session, store_id, resolved.id, source)
    if match.phone_of is not None:
        suggest_duplicates(session, store_id, resolved.id, match.phone_of.id, source=source)
    return resolved


def suggest_duplicates(
    session: Session,
    store_id: str,
    customer_id: uuid.UUID,
    other_id: uuid.UUID,
    *,
    source: str,
    reason: str = "same_phone",
) -> None:
    """Record that two customers may be one person, once per direction (a replay adds
    nothing). The merchant reads them on each card; nothing is merged."""
    now = utcnow()
    for one, other in ((customer_id, other_id), (other_id, customer_id)):
        insert_ignore(
            session,
            DuplicateSuggestion.__table__,
            {
                "id": new_id(),
                "store_id": store_id,
                "customer_id": one,
                "other_id": other,
                "reason": reason,
                "source": source[:32],
                "detected_at": now,
            },
        )


def _fill_blanks(session: Session, customer: Row[Any], keys: ContactKeys) -> list[FieldChange]:
    """Give a known customer what the event knows and the record lacks, except a primary email:
    an unverified event never sets one (it would let whoever typed it read the customer's
    account by that address). A phone is filled only on a customer the email matched."""
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
        and not _taken(session, customer, _customers.c.phone, keys.phone)
    ):
        values["phone"] = keys.phone
    if not values:
        return []
    changes = [
        FieldChange(name, getattr(customer, name), value)
        for name, value in values.items()
        if name not in ("search_name", "email_normalized")
    ]
    values["updated_at"] = utcnow()
    session.info.get(_READ_AHEAD, {}).pop((customer.store_id, customer.email_normalized), None)
    # only fill what is still blank, whatever a concurrent writer did meanwhile
    guards = [_customers.c[name].is_(None) for name in values if name in _GUARDED]
    session.execute(
        update(_customers).where(_customers.c.id == customer.id, *guards).values(**values)
    )
    return changes


_GUARDED = {"name", "country", "language", "phone", "email"}


def _taken(session: Session, customer: Row[Any], column: Any, value: str) -> bool:
    return (
        session.scalar(
            select(_customers.c.id).where(
                _customers.c.store_id == customer.store_id,
                column == value,
                _customers.c.id != customer.id,
            )
        )
        is not None
    )


def add_source(session: Session, store_id: str, customer_id: uuid.UUID, source: str) -> None:
    """Record that ``customer_id`` came through ``source`` (once; the first time is kept).
    Inside a batch of events, once per customer and source, in the batch's single INSERT."""
    row = {
        "customer_id": customer_id,
        "source": source,
        "store_id": store_id,
        "first_seen_at": utcnow(),
    }
    waiting = deferred.buffer(session, "sources", dict, _insert_sources)
    if waiting is None:
        _insert_sources(session, {(customer_id, source): row})
    else:
        waiting.setdefault((customer_id, source), row)


def _insert_sources(session: Session, rows: dict[tuple[uuid.UUID, str], dict[str, Any]]) -> None:
    """The rows in key order: two batches adding the same sources lock them in one order."""
    ordered = [rows[key] for key in sorted(rows, key=lambda k: (str(k[0]), k[1]))]
    insert_ignore_many(session, CustomerSource.__table__, ordered)


def add_tag(
    session: Session, store_id: str, customer_id: uuid.UUID, name: str, *, automatic: bool
) -> bool:
    """Label a customer, creating the tag if the store has none by that (folded) name.

    :return: whether the customer gained the tag.
    """
    name = " ".join(name.split())[:100]
    key = search_key(name)
    tag = {
        "id": new_id(),
        "store_id": store_id,
        "name": name,
        "name_key": key,
        "automatic": automatic,
        "created_at": utcnow(),
    }
    insert_ignore(session, Tag.__table__, tag)
    tag_id = session.scalar(select(Tag.id).where(Tag.store_id == store_id, Tag.name_key == key))
    link = {
        "customer_id": customer_id,
        "tag_id": tag_id,
        "store_id": store_id,
        "added_at": utcnow(),
    }
    added = insert_ignore(
        session, CustomerTag.__table__, link, returning=CustomerTag.__table__.c.tag_id
    ).scalar()
    return added is not None
