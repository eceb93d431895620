"""Writing one chunk of validated rows, set-based: one query finds the existing customers,
Core ``insert()`` executemany creates the new ones, and the undo record (created, or the
previous values of what was updated; tags and source added) is written in the same
transaction as the rows themselves.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from ...db import insert, one_of
from ...events import FieldChange
from ...models import (
    ConsentEvent,
    Customer,
    CustomerSource,
    CustomerTag,
    FieldValue,
    ImportChange,
    Tag,
)
from ...normalize import search_key
from ...types import new_id, utcnow
from .bulk import insert_rows
from .rows import ParsedRow, jsonable

SOURCE = "import"
UNCHANGED = "unchanged"  # the action of an undo record that changed nothing
_HIDDEN = {"email_normalized", "search_name", "marketing_consent_at", "marketing_consent_source"}
CONSENT_COLUMNS = ("marketing_consent", "marketing_consent_at", "marketing_consent_source")
_MATCH_COLUMNS = (
    Customer.id,
    Customer.email,
    Customer.email_normalized,
    Customer.phone,
    Customer.name,
    Customer.country,
    Customer.language,
    Customer.gender,
    Customer.birthdate,
    Customer.company,
    Customer.position,
    Customer.vat_id,
    Customer.marketing_consent,
    Customer.marketing_consent_at,
    Customer.marketing_consent_source,
)


@dataclass(frozen=True, slots=True)
class WriteOptions:
    store_id: str
    batch_id: uuid.UUID
    actor: str | None
    subscribe: bool = False
    tags: tuple[str, ...] = ()
    update_existing: bool = False


@dataclass(slots=True)
class ChunkResult:
    created: list[uuid.UUID] = field(default_factory=list)
    updated: list[uuid.UUID] = field(default_factory=list)
    skipped: int = 0
    unchanged: list[dict[str, Any]] = field(default_factory=list)  # their undo records
    changes: dict[uuid.UUID, list[FieldChange]] = field(default_factory=dict)
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # line, column, reason


def write_chunk(session: Session, options: WriteOptions, rows: Sequence[ParsedRow]) -> ChunkResult:
    """Create or update the customers of ``rows`` (valid rows, no duplicates among them)."""
    result = ChunkResult()
    if not rows:
        return result
    now = utcnow()
    store_id = options.store_id
    by_email, by_phone = _existing(session, store_id, rows)
    touched = _touched_by_batch(
        session, options.batch_id, [c["id"] for c in {**by_email, **by_phone}.values()]
    )
    new_rows: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    consent_events: list[dict[str, Any]] = []
    linked: list[tuple[uuid.UUID, ParsedRow]] = []
    for row in rows:
        match = (by_email.get(row.email_key) if row.email_key else None) or (
            by_phone.get(row.values.get("phone")) if row.values.get("phone") else None
        )
        if match is None:
            customer_id = new_id()
            new_rows.append(_new_customer(customer_id, store_id, row, options, now))
            if _consent_for(row, options) == "subscribed":
                consent_events.append(_consent_event(options, customer_id, "subscribed", now))
            changes.append(_change(options, customer_id, row.line, "created"))
            result.created.append(customer_id)
            linked.append((customer_id, row))
            continue
        if match["id"] in touched:
            result.errors.append(
                (row.line, "email", f"same customer as line {touched[match['id']]}")
            )
            continue
        touched[match["id"]] = row.line
        if not options.update_existing:
            result.skipped += 1
            continue
        values, previous, problem = _diff(match, row, by_email, by_phone)
        if problem:
            result.errors.append((row.line, *problem))
            continue
        consent = _consent_for(row, options)
        if consent and consent != match["marketing_consent"]:
            previous.update({c: jsonable(match[c]) for c in CONSENT_COLUMNS})
            values.update(
                marketing_consent=consent,
                marketing_consent_at=now,
                marketing_consent_source=SOURCE,
            )
            consent_events.append(_consent_event(options, match["id"], consent, now))
        if values:
            values["updated_at"] = now
            session.execute(
                update(Customer)
                .where(Customer.id == match["id"], Customer.store_id == store_id)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
        changes.append(_change(options, match["id"], row.line, "updated", previous))
        result.updated.append(match["id"])
        result.changes[match["id"]] = [
            FieldChange(name, previous[name], jsonable(values[name]))
            for name in previous
            if name not in _HIDDEN
        ]
        linked.append((match["id"], row))
    insert_rows(session, Customer.__table__, new_rows)
    updated = set(result.updated)
    change_by_id = {c["customer_id"]: c for c in changes}
    _add_tags(session, options, linked, updated, change_by_id, now)
    _write_fields(session, store_id, linked, updated, change_by_id)
    _keep_unchanged(result, change_by_id)
    updated = set(result.updated)
    linked = [(cid, row) for cid, row in linked if change_by_id[cid]["action"] != UNCHANGED]
    _add_sources(session, store_id, linked, updated, change_by_id, now)
    insert_rows(session, ConsentEvent.__table__, consent_events)
    insert_rows(session, ImportChange.__table__, [c for c in changes if c["action"] != UNCHANGED])
    return result


def _keep_unchanged(result: ChunkResult, changes: dict[uuid.UUID, dict[str, Any]]) -> None:
    """Matched rows that change no column, field, tag or consent are "unchanged": they are
    neither counted nor announced as updated and get no ``import`` source. Their undo records
    (action ``unchanged``, nothing to reverse) go to ``result.unchanged``: the caller writes
    them, also for a dry run, so that the batch can count them and a later line of the same
    file that names the same customer is still found out."""
    same = {
        cid
        for cid in result.updated
        if not (changes[cid]["previous"] or changes[cid]["added_tags"])
    }
    for customer_id in same:
        changes[customer_id]["action"] = UNCHANGED
        del result.changes[customer_id]
        result.unchanged.append(changes[customer_id])
    result.updated = [cid for cid in result.updated if cid not in same]


def _existing(
    session: Session, store_id: str, rows: Sequence[ParsedRow]
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    emails = [r.email_key for r in rows if r.email_key]
    phones = [r.values["phone"] for r in rows if r.values.get("phone")]
    conditions = []
    if emails:
        conditions.append(one_of(session, Customer.email_normalized, emails))
    if phones:
        conditions.append(one_of(session, Customer.phone, phones))
    by_email: dict[str, dict[str, Any]] = {}
    by_phone: dict[str, dict[str, Any]] = {}
    if not conditions:
        return by_email, by_phone
    found = session.execute(
        select(*_MATCH_COLUMNS).where(Customer.store_id == store_id, or_(*conditions))
    ).mappings()
    for customer in found:
        customer = dict(customer)
        if customer["email_normalized"]:
            by_email[customer["email_normalized"]] = customer
        if customer["phone"]:
            by_phone[customer["phone"]] = customer
    return by_email, by_phone


def _touched_by_batch(
    session: Session, batch_id: uuid.UUID, ids: list[uuid.UUID]
) -> dict[uuid.UUID, int]:
    if not ids:
        return {}
    return dict(
        session.execute(
            select(ImportChange.customer_id, ImportChange.line).where(
                ImportChange.batch_id == batch_id, one_of(session, ImportChange.customer_id, ids)
            )
        ).all()
    )


def _consent_for(row: ParsedRow, options: WriteOptions) -> str | None:
    return "subscribed" if options.subscribe else row.consent


def _new_customer(
    customer_id: uuid.UUID,
    store_id: str,
    row: ParsedRow,
    options: WriteOptions,
    now: dt.datetime,
) -> dict[str, Any]:
    v = row.values
    consent = _consent_for(row, options)
    return {
        "id": customer_id,
        "store_id": store_id,
        "email": v.get("email"),
        "email_normalized": row.email_key,
        "phone": v.get("phone"),
        "name": v.get("name"),
        "search_name": search_key(v.get("name")),
        "country": v.get("country"),
        "language": v.get("language"),
        "gender": v.get("gender"),
        "birthdate": v.get("birthdate"),
        "company": v.get("company"),
        "position": v.get("position"),
        "vat_id": v.get("vat_id"),
        "extra_emails": [],
        "extra_phones": [],
        "addresses": [],
        "marketing_consent": consent or "not_set",
        "marketing_consent_at": now if consent else None,
        "marketing_consent_source": SOURCE if consent else None,
        "joined_at": now,
        "updated_at": now,
    }


def _diff(
    match: dict[str, Any],
    row: ParsedRow,
    by_email: dict[str, dict[str, Any]],
    by_phone: dict[str, dict[str, Any]],
) -> tuple[dict[str, Any], dict[str, Any], tuple[str, str] | None]:
    """The columns the row changes, their previous values, or the reason it cannot."""
    values: dict[str, Any] = {}
    previous: dict[str, Any] = {}
    for name, value in row.values.items():
        if name == "email":
            if match["email_normalized"] == row.email_key:
                continue
            if match["email_normalized"]:
                return {}, {}, ("email", "the customer with this phone has another email")
            if row.email_key in by_email:
                return {}, {}, ("email", "the email belongs to another customer")
            values.update(email=value, email_normalized=row.email_key)
            previous.update(email=None, email_normalized=None)
            continue
        if name == "phone" and value != match["phone"] and value in by_phone:
            return {}, {}, ("phone", "the phone belongs to another customer")
        if match[name] != value:
            values[name] = value
            previous[name] = jsonable(match[name])
            if name == "name":
                values["search_name"] = search_key(value)
    return values, previous, None


def _change(
    options: WriteOptions,
    customer_id: uuid.UUID,
    line: int,
    action: str,
    previous: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "batch_id": options.batch_id,
        "customer_id": customer_id,
        "store_id": options.store_id,
        "line": line,
        "action": action,
        "previous": previous or {},
        "added_tags": [],
        "added_source": action == "created",
    }


def _consent_event(
    options: WriteOptions, customer_id: uuid.UUID, status: str, now: dt.datetime
) -> dict[str, Any]:
    return {
        "id": new_id(),
        "store_id": options.store_id,
        "customer_id": customer_id,
        "channel": "marketing",
        "status": status,
        "source": SOURCE,
        "actor": options.actor,
        "occurred_at": now,
    }


def _add_sources(
    session: Session,
    store_id: str,
    linked: list[tuple[uuid.UUID, ParsedRow]],
    updated: set[uuid.UUID],
    changes: dict[uuid.UUID, dict[str, Any]],
    now: dt.datetime,
) -> None:
    if not linked:
        return
    had = set()
    if updated:
        had = set(
            session.scalars(
                select(CustomerSource.customer_id).where(
                    CustomerSource.customer_id.in_(list(updated)), CustomerSource.source == SOURCE
                )
            )
        )
    for customer_id in updated - had:
        changes[customer_id]["added_source"] = True
    rows = [
        {"customer_id": cid, "source": SOURCE, "store_id": store_id, "first_seen_at": now}
        for cid, _row in linked
    ]
    insert_rows(
        session, CustomerSource.__table__, [r for r in rows if r["customer_id"] not in updated]
    )
    fresh = [r for r in rows if r["customer_id"] in updated and r["customer_id"] not in had]
    if fresh:
        session.execute(insert(session, CustomerSource.__table__).on_conflict_do_nothing(), fresh)


def _add_tags(
    session: Session,
    options: WriteOptions,
    linked: list[tuple[uuid.UUID, ParsedRow]],
    updated: set[uuid.UUID],
    changes: dict[uuid.UUID, dict[str, Any]],
    now: dt.datetime,
) -> None:
    wanted = {cid: list(dict.fromkeys([*options.tags, *row.tags])) for cid, row in linked}
    names = {search_key(n): n for names in wanted.values() for n in names}
    if not names:
        return
    store_id = options.store_id
    session.execute(
        insert(session, Tag.__table__).on_conflict_do_nothing(),
        [
            {
                "id": new_id(),
                "store_id": store_id,
                "name": name,
                "name_key": key,
                "automatic": False,
                "created_at": now,
            }
            for key, name in names.items()
        ],
    )
    tag_ids = dict(
        session.execute(
            select(Tag.name_key, Tag.id).where(Tag.store_id == store_id, Tag.name_key.in_(names))
        ).all()
    )
    had: set[tuple[uuid.UUID, uuid.UUID]] = set()
    if updated:
        had = set(
            session.execute(
                select(CustomerTag.customer_id, CustomerTag.tag_id).where(
                    CustomerTag.customer_id.in_(list(updated)),
                    CustomerTag.tag_id.in_(list(tag_ids.values())),
                )
            ).all()
        )
    links = []
    for cid, tag_names in wanted.items():
        for name in tag_names:
            tag_id = tag_ids[search_key(name)]
            if (cid, tag_id) in had:
                continue
            links.append(
                {"customer_id": cid, "tag_id": tag_id, "store_id": store_id, "added_at": now}
            )
            changes[cid]["added_tags"].append(str(tag_id))
    insert_rows(
        session, CustomerTag.__table__, [k for k in links if k["customer_id"] not in updated]
    )
    to_known = [k for k in links if k["customer_id"] in updated]
    if to_known:
        session.execute(insert(session, CustomerTag.__table__).on_conflict_do_nothing(), to_known)


def _write_fields(
    session: Session,
    store_id: str,
    linked: list[tuple[uuid.UUID, ParsedRow]],
    updated: set[uuid.UUID],
    changes: dict[uuid.UUID, dict[str, Any]],
) -> None:
    with_fields = [(cid, row) for cid, row in linked if row.fields]
    if not with_fields:
        return
    current: dict[tuple[uuid.UUID, uuid.UUID], str] = {}
    if updated:
        field_ids = {fid for _cid, row in with_fields for fid in row.fields}
        current = {
            (cid, fid): value
            for cid, fid, value in session.execute(
                select(FieldValue.customer_id, FieldValue.field_id, FieldValue.value).where(
                    FieldValue.customer_id.in_(list(updated)),
                    FieldValue.field_id.in_(list(field_ids)),
                )
            )
        }
    inserts = []
    for cid, row in with_fields:
        for field_id, (key, value) in row.fields.items():
            old = current.get((cid, field_id))
            if old == value:
                continue
            if cid in updated:
                changes[cid]["previous"]["field:" + key] = old
                if old is not None:
                    session.execute(
                        delete(FieldValue).where(
                            FieldValue.customer_id == cid, FieldValue.field_id == field_id
                        )
                    )
            inserts.append(
                {"customer_id": cid, "field_id": field_id, "store_id": store_id, "value": value}
            )
    insert_rows(session, FieldValue.__table__, inserts)
