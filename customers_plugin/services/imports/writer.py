"""Writing one chunk of staged rows, set-based: the good rows become customers (with their
``import`` source and undo record) by ``INSERT … SELECT … ON CONFLICT DO NOTHING`` from the
staged rows, without passing through Python; the rows that collide with a customer's email or
phone are read back, matched, compared and updated here, their undo record holding the
previous values. Tags, custom fields and consent events follow, all in the caller's
transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import JSON, case, cast, delete, func, literal, or_, select, true, update
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
    ImportRow,
    Tag,
)
from ...normalize import search_key
from ...types import new_id, utcnow
from . import staging
from .bulk import insert_rows
from .columns import CUSTOMER_COLUMNS
from .rows import ParsedRow, jsonable
from .staging import Additions, StagedChunk

SOURCE = "import"
UNCHANGED = "unchanged"  # the action of an undo record that changed nothing
GONE = "the customer with this email or phone was deleted during the import: import it again"
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

Linked = list[tuple[uuid.UUID, ParsedRow | Additions]]  # a customer and what its row adds


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


def write_chunk(session: Session, options: WriteOptions, chunk: StagedChunk) -> ChunkResult:
    """Create or update the customers of the chunk's good rows (no duplicates among them)."""
    result = ChunkResult()
    if not chunk.good:
        return result
    now = utcnow()
    created = _create(session, options, chunk, now)
    result.created = [customer_id for customer_id, _consent in created]
    consent_events = [
        _consent_event(options, customer_id, "subscribed", now)
        for customer_id, consent in created
        if consent == "subscribed"
    ]
    linked: Linked = list(staging.additions(session, options.batch_id, chunk, result.created))
    if options.tags:  # every created customer gets them, whatever its row adds
        named = {customer_id for customer_id, _row in linked}
        linked += [(cid, staging.NOTHING) for cid in result.created if cid not in named]
    changes: list[dict[str, Any]] = []  # the undo records of the matched rows
    if len(created) < chunk.good:  # the rows that match a customer (or another's key)
        lines = staging.lines_not_created(session, options.batch_id, chunk, result.created)
        known = staging.parsed_rows(session, options.batch_id, lines)
        matches = _existing(session, options.store_id, known)
        written = _update(session, options, known, matches, result, now)
        for customer_id, row, change, event in written:
            linked.append((customer_id, row))
            changes.append(change)
            if event is not None:
                consent_events.append(event)
    updated = set(result.updated)
    change_by_id = {c["customer_id"]: c for c in changes}
    _add_tags(session, options, linked, updated, change_by_id, now)
    _write_fields(session, options.store_id, linked, updated, change_by_id)
    _keep_unchanged(result, change_by_id)
    still = [cid for cid in result.updated if change_by_id[cid]["action"] != UNCHANGED]
    _add_sources(session, options.store_id, still, change_by_id, now)
    insert_rows(session, ConsentEvent.__table__, consent_events)
    insert_rows(session, ImportChange.__table__, [c for c in changes if c["action"] != UNCHANGED])
    return result


def _create(
    session: Session, options: WriteOptions, chunk: StagedChunk, now: dt.datetime
) -> list[tuple[uuid.UUID, str]]:
    """The customers of the chunk's good rows that collide with no customer's email or phone
    (``INSERT … SELECT`` from the staged rows, ``ON CONFLICT DO NOTHING``: a customer another
    session adds meanwhile is matched, not a failure), then their ``import`` source and their
    undo records; the created ids, in line order, with their marketing consent."""
    staged = ImportRow.__table__.c
    where = [*staging.chunk_rows(options.batch_id, chunk), staged.ok == true()]
    stamp = literal(now, Customer.joined_at.type)
    if options.subscribe:
        consent: Any = literal("subscribed")
        given: Any = true()
    else:
        consent = func.coalesce(staged.consent, literal("not_set"))
        given = staged.consent.is_not(None)
    columns = {
        "id": staged.customer_id,
        "store_id": literal(options.store_id),
        "email": staged.email,
        "email_normalized": staged.email_key,
        **{name: staged[name] for name in CUSTOMER_COLUMNS if name != "email"},
        "search_name": staged.search_name,
        "marketing_consent": consent,
        "marketing_consent_at": case((given, stamp)),
        "marketing_consent_source": case((given, literal(SOURCE))),
        "joined_at": stamp,
        "updated_at": stamp,
    }
    rows = select(*(value.label(name) for name, value in columns.items())).where(*where)
    statement = (
        insert(session, Customer.__table__)
        .from_select(list(columns), rows.order_by(staged.line))
        .on_conflict_do_nothing()
        .returning(Customer.id, Customer.marketing_consent)
    )
    created = [(row[0], row[1]) for row in session.execute(statement)]
    if not created:
        return created
    where.append(one_of(session, staged.customer_id, [cid for cid, _consent in created]))
    _insert_from(
        session,
        CustomerSource.__table__,
        {
            "customer_id": staged.customer_id,
            "source": literal(SOURCE),
            "store_id": literal(options.store_id),
            "first_seen_at": stamp,
        },
        where,
    )
    _insert_from(
        session,
        ImportChange.__table__,
        {
            "batch_id": literal(options.batch_id, ImportChange.batch_id.type),
            "customer_id": staged.customer_id,
            "store_id": literal(options.store_id),
            "line": staged.line,
            "action": literal("created"),
            "previous": cast(literal("{}"), JSON),
            "added_tags": cast(literal("[]"), JSON),
            "added_source": true(),
        },
        where,
    )
    return created


def _insert_from(session: Session, table: Any, columns: dict[str, Any], where: list[Any]) -> None:
    query = select(*(value.label(name) for name, value in columns.items())).where(*where)
    session.execute(table.insert().from_select(list(columns), query))


def _update(
    session: Session,
    options: WriteOptions,
    rows: Sequence[ParsedRow],
    matches: tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]],
    result: ChunkResult,
    now: dt.datetime,
) -> list[tuple[uuid.UUID, ParsedRow, dict[str, Any], dict[str, Any] | None]]:
    """Compare and update the customers that ``rows`` match (or skip them, as the options
    say): for each customer updated, its row, its undo record and its consent event if any."""
    store_id = options.store_id
    by_email, by_phone = matches
    touched = _touched_by_batch(
        session, options.batch_id, [c["id"] for c in {**by_email, **by_phone}.values()]
    )
    written = []
    for row in rows:
        match = (by_email.get(row.email_key) if row.email_key else None) or by_phone.get(
            row.values.get("phone")
        )
        if match is None:  # the customer it collided with was deleted a moment ago
            result.errors.append((row.line, "email", GONE))
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
        event = None
        consent = _consent_for(row, options)
        if consent and consent != match["marketing_consent"]:
            previous.update({c: jsonable(match[c]) for c in CONSENT_COLUMNS})
            values.update(
                marketing_consent=consent,
                marketing_consent_at=now,
                marketing_consent_source=SOURCE,
            )
            event = _consent_event(options, match["id"], consent, now)
        if values:
            values["updated_at"] = now
            session.execute(
                update(Customer)
                .where(Customer.id == match["id"], Customer.store_id == store_id)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
        result.updated.append(match["id"])
        result.changes[match["id"]] = [
            FieldChange(name, previous[name], jsonable(values[name]))
            for name in previous
            if name not in _HIDDEN
        ]
        change = _updated(options, match["id"], row.line, previous)
        written.append((match["id"], row, change, event))
    return written


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
    """The customers the rows match, by email key and by phone."""
    emails = [r.email_key for r in rows if r.email_key]
    phones = [phone for r in rows if (phone := r.values.get("phone"))]
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


def _updated(
    options: WriteOptions, customer_id: uuid.UUID, line: int, previous: dict[str, Any]
) -> dict[str, Any]:
    """The undo record of a matched customer (tags and source added are noted later)."""
    return {
        "batch_id": options.batch_id,
        "customer_id": customer_id,
        "store_id": options.store_id,
        "line": line,
        "action": "updated",
        "previous": previous,
        "added_tags": [],
        "added_source": False,
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
    updated: Sequence[uuid.UUID],
    changes: dict[uuid.UUID, dict[str, Any]],
    now: dt.datetime,
) -> None:
    """The ``import`` source of the updated customers that lack it (the created ones got it
    with their row), noted in their undo records."""
    if not updated:
        return
    had = set(
        session.scalars(
            select(CustomerSource.customer_id).where(
                one_of(session, CustomerSource.customer_id, updated),
                CustomerSource.source == SOURCE,
            )
        )
    )
    fresh = [cid for cid in updated if cid not in had]
    if not fresh:
        return
    for customer_id in fresh:
        changes[customer_id]["added_source"] = True
    session.execute(
        insert(session, CustomerSource.__table__).on_conflict_do_nothing(),
        [
            {"customer_id": cid, "source": SOURCE, "store_id": store_id, "first_seen_at": now}
            for cid in fresh
        ],
    )


def _add_tags(
    session: Session,
    options: WriteOptions,
    linked: Linked,
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
            if cid in updated:  # undo removes a created customer whole, its tags with it
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
    linked: Linked,
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
