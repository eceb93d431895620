"""A customer's timeline: orders, bookings, form submissions, messages, notes, tasks, the
activity log and whatever other modules register, in one newest-first feed with a keyset cursor.

A **source** is a kind name, a ``select`` of one customer's rows (columns labelled ``at`` and
``id``, then whatever its serializer reads) and a serializer turning one row into the item's
``data``. The page is ONE ``UNION ALL`` statement of every wanted source (shown only when the
customer is the store's; an empty page then asks which it is), each branch already
resumed after the cursor, ordered and limited (its index stops the scan at the page size),
carrying its row's other columns as one JSON object, ordered as a whole by
``(at desc, kind desc, id desc)``. Each JSON value is turned back into what the column reads as
(``_reader``: times, amounts, ids, flags), so a serializer sees the row a plain ``select`` of its
source gives. ``benchmarks/timeline.py`` compares this with a merge of per-source queries in
Python. Kinds are compared in Python and sent to SQL as their rank, so the order never depends
on the database's collation.

Every source's table has an index leading with ``customer_id`` then ``at`` and ``id``
(customer ids are unique across stores; ``store_id`` is checked too), which serves the branch.

A source ``covers`` the activity-log kinds its items stand for (an order stands for
``order_placed``): the ``activity`` source leaves those out, so one thing shows once.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Date,
    DateTime,
    Float,
    Integer,
    Label,
    Numeric,
    Select,
    String,
    Text,
    TypeDecorator,
    Uuid,
    bindparam,
    cast,
    exists,
    func,
    literal,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.types import TypeEngine

from ..i18n import _
from ..models import (
    Activity,
    BookingSummary,
    Customer,
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
    params: dict[str, Any] = {"tl_store": scope.store_id, "tl_customer": customer_id}
    params["tl_limit"] = limit + 1
    if after is not None:
        params["tl_at"], params["tl_id"] = after[0], after[2]
    dialect = scope.session.get_bind().dialect
    statement, readers = _union(chosen, after[1] if after is not None else None, dialect)
    items = []
    for at, row_id, rank, data in scope.session.execute(statement, params):
        kind = chosen[rank]
        fields = json.loads(data)
        for name, read in readers[kind]:
            if fields[name] is not None:
                fields[name] = read(fields[name])
        items.append({"kind": kind, "id": row_id, "at": at, "data": fields})
    if not items:  # the statement shows nothing of a customer of another store: which is it?
        get(scope, customer_id)
    more = len(items) > limit
    items = items[:limit]
    for item in items:
        item["data"] = SOURCES[item["kind"]].serialize(item["data"])
    last = items[-1] if items else None
    next_cursor = keyset.encode(_CURSOR, [last["at"], last["kind"], last["id"]]) if more else None
    return items, next_cursor


# The statements are built once per shape (the kinds read, where the cursor's kind falls) with
# bound parameters, so a page costs their execution only; (un)registering a source clears them.
_STATEMENTS: dict[tuple[Any, ...], Any] = {}
_STORE = bindparam("tl_store", type_=String())
_CUSTOMER = bindparam("tl_customer", type_=Uuid())
_LIMIT = bindparam("tl_limit", type_=Integer())
_AT = bindparam("tl_at", type_=UTCDateTime())
_ID = bindparam("tl_id", type_=Uuid())
# the customer is the store's (checked once per statement, before any branch is read)
_IN_STORE = exists().where(Customer.id == _CUSTOMER, Customer.store_id == _STORE)


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


Reader = Callable[[Any], Any]


def _union(
    chosen: tuple[str, ...], after_kind: str | None, dialect: Any
) -> tuple[Select[Any], dict[str, list[tuple[str, Reader]]]]:
    """``(at, id, rank, data)`` of the page's items, newest first, in one statement (``rank``
    is the kind's position in ``chosen``, which is sorted; ``data`` the row's other columns
    as JSON text), and per kind the readers of its JSON values."""
    key = ("union", chosen, after_kind, dialect.name)
    built = _STATEMENTS.get(key)
    if built is None:
        ranked, readers = [], {}
        for rank, kind in enumerate(chosen):
            branch = _branch(SOURCES[kind], after_kind)
            fields = [
                (name, column)
                for name, column in branch.query.selected_columns.items()
                if name not in ("at", "id")
            ]
            readers[kind] = [
                (name, read)
                for name, column in fields
                if (read := _reader(column.type, dialect)) is not None
            ]
            inner = branch.query.with_only_columns(
                branch.at.label("at"),
                branch.id.label("id"),
                literal(rank).label("rank"),
                _json_object(fields, dialect.name).label("data"),
            ).subquery()
            ranked.append(select(inner.c.at, inner.c.id, inner.c.rank, inner.c.data))
        union = union_all(*ranked).subquery()
        query = (
            select(union.c.at, union.c.id, union.c.rank, union.c.data)
            .where(_IN_STORE)
            .order_by(union.c.at.desc(), union.c.rank.desc(), union.c.id.desc())
            .limit(_LIMIT)
        )
        built = _STATEMENTS[key] = (query, readers)
    return built


def _json_object(fields: list[tuple[str, Any]], dialect: str) -> ColumnElement[Any]:
    """The fields as one JSON object, as text (parsed in Python)."""
    pairs: list[Any] = []
    for name, column in fields:
        stored = _stored(column.type)
        if _exact(stored):
            column = cast(column, Text)  # a JSON number would be read as a float
        elif dialect == "sqlite" and isinstance(stored, JSON):
            column = func.json(column)  # stored as text: embedded as JSON, not as a string
        pairs += [literal(name, String()), column]
    if dialect == "postgresql":
        return cast(func.json_build_object(*pairs), Text)
    return func.json_object(*pairs)


def _stored(type_: TypeEngine[Any]) -> TypeEngine[Any]:
    return type_.impl_instance if isinstance(type_, TypeDecorator) else type_


def _exact(stored: TypeEngine[Any]) -> bool:
    """A decimal column: carried in the JSON as text, read back as ``Decimal``."""
    return isinstance(stored, Numeric) and not isinstance(stored, Float) and stored.asdecimal


def _reader(type_: TypeEngine[Any], dialect: Any) -> Reader | None:
    """What turns a column's JSON value back into what reading the column gives: PostgreSQL
    writes times, dates and ids as ISO text, SQLite writes each value as it stores it (its
    column type reads that); then a decorated type's own conversion (money from thousandths,
    times in UTC)."""
    stored = _stored(type_)
    first: Reader | None = None
    if isinstance(stored, JSON):
        first = None
    elif _exact(stored):
        first = Decimal
    elif dialect.name == "postgresql":
        if isinstance(stored, DateTime):
            first = dt.datetime.fromisoformat
        elif isinstance(stored, Date):
            first = dt.date.fromisoformat
        elif isinstance(stored, Uuid):
            first = uuid.UUID
    else:
        first = stored.dialect_impl(dialect).result_processor(dialect, None)
    then = type_.process_result_value if isinstance(type_, TypeDecorator) else None
    if then is None:
        return first
    if first is None:
        return lambda value: then(value, dialect)
    return lambda value: then(first(value), dialect)


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
