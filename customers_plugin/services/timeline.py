"""A customer's timeline: orders, bookings, form submissions, messages, notes, tasks, the
activity log and whatever other modules register, in one newest-first feed with a keyset cursor.

A **source** is a kind name, a ``select`` of one customer's rows (columns labelled ``at`` and
``id``, then whatever its serializer reads) and a serializer turning one row into the item's
``data``. The page is ONE ``UNION ALL`` of every wanted source, each branch already resumed
after the cursor, ordered and limited (its index stops the scan at the page size), ordered as a
whole by ``(at desc, kind desc, id desc)``; then each kind present on the page reads its rows'
fields by id (one small query per kind). ``benchmarks/timeline.py`` compares this with a merge of
per-source queries in Python. Kinds are compared in Python and sent to SQL as their rank, so the
order never depends on the database's collation.

Every source's table has an index leading with ``customer_id`` then ``at`` and ``id``
(customer ids are unique across stores; ``store_id`` is checked too), which serves the branch.

A source ``covers`` the activity-log kinds its items stand for (an order stands for
``order_placed``): the ``activity`` source leaves those out, so one thing shows once.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Label,
    Select,
    String,
    Uuid,
    bindparam,
    literal,
    select,
    tuple_,
    union_all,
)

from ..i18n import _
from ..models import (
    Activity,
    BookingSummary,
    FormSubmission,
    Message,
    Note,
    OrderSummary,
    Task,
)
from ..types import UTCDateTime
from . import keyset
from .customers import get
from .errors import Invalid
from .keyset import Order, SortKey
from .scope import Scope

KIND_PATTERN = r"^[a-z][a-z0-9_]{0,31}$"
_KIND = re.compile(KIND_PATTERN)
EXCERPT = 300  # characters of a note's text an item carries

# (store_id, customer_id) -> the customer's rows: ``at`` and ``id`` labelled, then its fields
SelectBuilder = Callable[[str, uuid.UUID], Select[Any]]
Serializer = Callable[[Mapping[str, Any]], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class TimelineSource:
    """``kind``: the items' kind (lower case, ``[a-z][a-z0-9_]*``); ``select``: one customer's
    rows of this kind in one store (called once, with the store and the customer as bound
    parameters: compare columns with them, never read their values in Python); ``serialize``:
    a row to the item's ``data`` (JSON values: use ``plain``); ``covers``: activity-log kinds
    these items stand for."""

    kind: str
    select: SelectBuilder
    serialize: Serializer
    covers: tuple[str, ...] = ()


SOURCES: dict[str, TimelineSource] = {}


def register(source: TimelineSource) -> None:
    """Add a source to every timeline (a second, different registration of a kind is refused)."""
    if not _KIND.match(source.kind):
        raise ValueError(f"timeline kind {source.kind!r} must match {KIND_PATTERN}")
    known = SOURCES.get(source.kind)
    if known is not None and known != source:
        raise ValueError(f"timeline kind {source.kind!r} is registered twice")
    SOURCES[source.kind] = source
    _STATEMENTS.clear()


def unregister(kind: str) -> None:
    """Remove a source (a module being unloaded, a test cleaning up)."""
    SOURCES.pop(kind, None)
    _STATEMENTS.clear()


def kinds() -> list[str]:
    return sorted(SOURCES)


def plain(value: Any) -> Any:
    """A column value as JSON: times in ISO 8601 UTC, amounts and ids as strings."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    return value


# -- the page ---------------------------------------------------------------------------------

_CURSOR = [
    Order(SortKey("at", None, "datetime"), True),
    Order(SortKey("kind", None, "str"), True),
    Order(SortKey("id", None, "uuid"), True),
]


def kinds_pattern() -> str:
    """What ``kind`` accepts: one registered kind or a comma list of them."""
    names = "|".join(kinds())
    return f"^({names})(,({names}))*$"


def wanted_kinds(requested: Iterable[str] | None) -> list[str]:
    """The kinds to read: ``requested`` (each a kind or a comma list), else all registered.

    :raises Invalid: naming ``kind`` for a kind nobody registered (or an empty one).
    """
    if not requested:
        return kinds()
    chosen = {kind for value in requested for kind in value.split(",")}
    unknown = sorted(chosen - SOURCES.keys())
    if unknown:
        message = _(
            "unknown kind {unknown}; kinds: {kinds}",
            unknown=", ".join(map(repr, unknown)),
            kinds=", ".join(kinds()),
        )
        raise Invalid(message, fields={"kind": [message]})
    return sorted(chosen)


def page(
    scope: Scope,
    customer_id: uuid.UUID,
    *,
    kinds: Iterable[str] | None = None,
    limit: int,
    cursor: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of the customer's timeline, newest first, and the cursor of the next page.

    :raises NotFound: for a customer of another store.
    :raises Invalid: for an unknown kind; ``InvalidCursor`` for a cursor of nothing here.
    """
    chosen = tuple(wanted_kinds(kinds))
    after = keyset.decode(cursor, _CURSOR) if cursor else None
    customer = get(scope, customer_id)
    params: dict[str, Any] = {"tl_store": scope.store_id, "tl_customer": customer.id}
    params["tl_limit"] = limit + 1
    if after is not None:
        params["tl_at"], params["tl_id"] = after[0], after[2]
    statement = _union(chosen, after[1] if after is not None else None)
    keys = [
        (at, chosen[rank], row_id) for at, row_id, rank in scope.session.execute(statement, params)
    ]
    more = len(keys) > limit
    keys = keys[:limit]
    items = _items(scope, params, keys)
    next_cursor = keyset.encode(_CURSOR, list(keys[-1])) if more else None
    return items, next_cursor


# The statements are built once per shape (the kinds read, where the cursor's kind falls) with
# bound parameters, so a page costs their execution only; (un)registering a source clears them.
_STATEMENTS: dict[tuple[Any, ...], Any] = {}
_STORE = bindparam("tl_store", type_=String())
_CUSTOMER = bindparam("tl_customer", type_=Uuid())
_LIMIT = bindparam("tl_limit", type_=Integer())
_AT = bindparam("tl_at", type_=UTCDateTime())
_ID = bindparam("tl_id", type_=Uuid())
_IDS = bindparam("tl_ids", expanding=True)


@dataclass(frozen=True, slots=True)
class _Branch:
    query: Select[Any]  # the source's rows after the cursor, newest first, limited
    at: ColumnElement[Any]
    id: ColumnElement[Any]


def _column(query: Select[Any], name: str) -> ColumnElement[Any]:
    column = query.selected_columns[name]
    return column.element if isinstance(column, Label) else column


def _branch(source: TimelineSource, after_kind: str | None) -> _Branch:
    """The source's rows (of the store and customer bound as ``tl_store``, ``tl_customer``)
    after the cursor (``tl_at``, ``after_kind``, ``tl_id``), newest first, ``tl_limit`` of
    them."""
    full = source.select(_STORE, _CUSTOMER)  # type: ignore[arg-type]
    at, row_id = _column(full, "at"), _column(full, "id")
    query = full.where(at.is_not(None))
    if after_kind is not None:
        query = query.where(_resume(source.kind, at, row_id, after_kind))
    query = query.order_by(at.desc(), row_id.desc()).limit(_LIMIT)
    return _Branch(query, at, row_id)


def _resume(
    kind: str, at: ColumnElement[Any], row_id: ColumnElement[Any], after_kind: str
) -> ColumnElement[bool]:
    """This source's rows strictly after ``(at, kind, id)`` in ``(at, kind, id)`` descending
    order: the kind is a constant of the source, so the comparison of kinds is made here."""
    if kind < after_kind:
        return at <= _AT
    if kind > after_kind:
        return at < _AT
    return tuple_(at, row_id) < tuple_(_AT, _ID)


def _union(chosen: tuple[str, ...], after_kind: str | None) -> Select[Any]:
    """``(at, id, rank)`` of the page's items, newest first: one statement (``rank`` is the
    kind's position in ``chosen``, which is sorted)."""
    key = ("union", chosen, after_kind)
    built = _STATEMENTS.get(key)
    if built is None:
        ranked = []
        for rank, kind in enumerate(chosen):
            branch = _branch(SOURCES[kind], after_kind)
            inner = branch.query.with_only_columns(
                branch.at.label("at"), branch.id.label("id"), literal(rank).label("rank")
            ).subquery()
            ranked.append(select(inner.c.at, inner.c.id, inner.c.rank))
        union = union_all(*ranked).subquery()
        built = _STATEMENTS[key] = (
            select(union.c.at, union.c.id, union.c.rank)
            .order_by(union.c.at.desc(), union.c.rank.desc(), union.c.id.desc())
            .limit(_LIMIT)
        )
    return built


def _fields_by_id(kind: str) -> Select[Any]:
    key = ("fields", kind)
    built = _STATEMENTS.get(key)
    if built is None:
        full = SOURCES[kind].select(_STORE, _CUSTOMER)  # type: ignore[arg-type]
        built = _STATEMENTS[key] = full.where(_column(full, "id").in_(_IDS))
    return built


def _items(
    scope: Scope, params: dict[str, Any], keys: Sequence[tuple[dt.datetime, str, uuid.UUID]]
) -> list[dict[str, Any]]:
    """The items of ``keys`` in that order: each kind's rows read by id, then serialized."""
    by_kind: dict[str, list[uuid.UUID]] = {}
    for _at, kind, row_id in keys:
        by_kind.setdefault(kind, []).append(row_id)
    rows: dict[tuple[str, uuid.UUID], Mapping[str, Any]] = {}
    for kind, ids in by_kind.items():
        query = _fields_by_id(kind)
        for row in scope.session.execute(query, {**params, "tl_ids": ids}).mappings():
            rows[(kind, row["id"])] = row
    items = []
    for at, kind, row_id in keys:
        row = rows.get((kind, row_id))
        if row is not None:  # deleted between the two reads of this page
            data = SOURCES[kind].serialize(row)
            items.append({"kind": kind, "id": row_id, "at": at, "data": data})
    return items


# -- the package's own sources ----------------------------------------------------------------


def model_rows(model: Any, at: Any, *columns: Any) -> SelectBuilder:
    """The ``select`` of a source over a model with ``store_id``, ``customer_id`` and ``id``
    columns: one customer's rows, ``at`` (a column of the model) labelled, then ``columns``."""

    def rows(store_id: str, customer_id: uuid.UUID) -> Select[Any]:
        return select(at.label("at"), model.id.label("id"), *columns).where(
            model.store_id == store_id, model.customer_id == customer_id
        )

    return rows


def _fields(row: Mapping[str, Any], *names: str) -> dict[str, Any]:
    return {name: plain(row[name]) for name in names}


_ORDER = ("source", "status", "payment_status", "total", "currency")
_BOOKING = ("source", "service", "staff", "status", "payment_status", "price", "currency")
_BOOKING_TIMES = ("starts_at", "ends_at")


def _order_data(row: Mapping[str, Any]) -> dict[str, Any]:
    return {"order_id": row["external_id"], **_fields(row, *_ORDER)}


def _booking_data(row: Mapping[str, Any]) -> dict[str, Any]:
    return {"booking_id": row["external_id"], **_fields(row, *_BOOKING, *_BOOKING_TIMES)}


def _form_data(row: Mapping[str, Any]) -> dict[str, Any]:
    return {"submission_id": row["external_id"], **_fields(row, "source", "form_name")}


def _excerpt(text: str | None) -> dict[str, Any]:
    text = text or ""
    return {"excerpt": text[:EXCERPT], "truncated": len(text) > EXCERPT}


def _note_data(row: Mapping[str, Any]) -> dict[str, Any]:
    return {**_fields(row, "type", "author", "pinned", "edited_at"), **_excerpt(row["text"])}


_MESSAGE = ("thread_id", "direction", "channel", "subject", "state")


def _message_data(row: Mapping[str, Any]) -> dict[str, Any]:
    return {**_fields(row, *_MESSAGE), **_excerpt(row["body"])}


def _task_data(row: Mapping[str, Any]) -> dict[str, Any]:
    return _fields(row, "title", "status", "due_at", "assignee_id")


_activity_rows = model_rows(
    Activity, Activity.occurred_at, Activity.kind.label("event"), Activity.actor, Activity.data
)


def _activity(store_id: str, customer_id: uuid.UUID) -> Select[Any]:
    """The activity log less the lines another source's items stand for."""
    covered = sorted({k for source in SOURCES.values() for k in source.covers})
    query = _activity_rows(store_id, customer_id)
    return query.where(Activity.kind.not_in(covered)) if covered else query


def _activity_data(row: Mapping[str, Any]) -> dict[str, Any]:
    return {"event": row["event"], "actor": row["actor"], "details": row["data"] or {}}


def _columns(model: Any, names: Iterable[str]) -> list[Any]:
    return [getattr(model, name) for name in names]


_O, _B, _F, _N, _T = OrderSummary, BookingSummary, FormSubmission, Note, Task
_order_rows = model_rows(_O, _O.placed_at, _O.external_id, *_columns(_O, _ORDER))
_booking_cols = _columns(_B, (*_BOOKING, *_BOOKING_TIMES))
_booking_rows = model_rows(_B, _B.booked_at, _B.external_id, *_booking_cols)
_form_rows = model_rows(_F, _F.submitted_at, _F.external_id, _F.source, _F.form_name)
_note_cols = _columns(_N, ("type", "text", "author", "pinned", "edited_at"))
_task_cols = _columns(_T, ("title", "status", "due_at", "assignee_id"))
_message_rows = model_rows(Message, Message.created_at, *_columns(Message, (*_MESSAGE, "body")))

register(TimelineSource("order", _order_rows, _order_data, covers=("order_placed",)))
register(TimelineSource("booking", _booking_rows, _booking_data, covers=("booking_made",)))
register(TimelineSource("form", _form_rows, _form_data, covers=("form_submitted",)))
register(
    TimelineSource(
        "note", model_rows(_N, _N.created_at, *_note_cols), _note_data, covers=("note_added",)
    )
)
register(
    TimelineSource(
        "task", model_rows(_T, _T.created_at, *_task_cols), _task_data, covers=("task_created",)
    )
)
register(
    TimelineSource(
        "message", _message_rows, _message_data, covers=("message_queued", "message_received")
    )
)
register(TimelineSource("activity", _activity, _activity_data))
