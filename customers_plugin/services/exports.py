"""Customer exports: all customers, the list's current filter (``listing.where_clauses``, so
export and list always agree) or chosen ids, with chosen columns; and the booking report
(customers who had bookings in a date range).

Excel-safe CSV: UTF-8 with BOM, RFC 4180 quoting (``csv`` module, CRLF), and every cell that a
spreadsheet would evaluate (starting with ``=``, ``+``, ``-``, ``@``, tab, CR or LF) is
prefixed with ``'``. Phones in E.164 start with ``+`` and are therefore exported as
``'+9665…``; the importer removes that quote again, so an export imports back unchanged.

Rows are read in keyset pages by id: memory stays flat whatever the number of customers.
Small exports stream straight to the client; large ones run as the ``run_export`` job, whose
file expires ``CUSTOMERS_EXPORT_TTL_DAYS`` after it was written: the sweep
(``expire_exports``) deletes it and marks the export ``expired`` (its download answers 410).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import Session

from ..i18n import _
from ..jobs import job
from ..models import BookingSummary, Customer, ExportJob, FieldValue
from ..types import utcnow
from . import export_copy, row_extras
from .errors import Conflict, Gone, NotFound, invalid
from .fields import FieldTypes, list_definitions
from .imports.columns import FIELD_PREFIX, STANDARD
from .imports.storage import export_path
from .imports.values import FORMULA_START
from .listing import Filters, where_clauses
from .scope import Scope

if TYPE_CHECKING:
    from ..state import CustomersState

log = logging.getLogger(__name__)

PAGE = 2000
PIECE_ROWS = 500  # rows per piece of a streamed export
BOM = "\ufeff"
KINDS = ("customers", "bookings")
CANCELLED = ("cancelled", "canceled")

_CUSTOMER_COLUMNS = {
    "id": Customer.id,
    "email": Customer.email,
    "phone": Customer.phone,
    "name": Customer.name,
    "country": Customer.country,
    "language": Customer.language,
    "gender": Customer.gender,
    "birthdate": Customer.birthdate,
    "company": Customer.company,
    "position": Customer.position,
    "vat_id": Customer.vat_id,
    "marketing_consent": Customer.marketing_consent,
    "status": Customer.status,
    "joined_at": Customer.joined_at,
    "orders_count": Customer.orders_count,
    "total_spent": Customer.total_spent,
    "last_order_at": Customer.last_order_at,
    "bookings_count": Customer.bookings_count,
}
_LOADED = ("tags", "sources")
_BOOKING_COLUMNS = ("bookings_in_range", "last_booking_in_range")
# every column the importer reads, so an export imports back as it is, then read-only facts
DEFAULT_COLUMNS = (
    "id",
    *STANDARD,
    "status",
    "joined_at",
    "orders_count",
    "total_spent",
    "last_order_at",
    "sources",
)


def neutralise(value: str) -> str:
    """Prefix ``'`` to a cell a spreadsheet would evaluate (and to one that already starts
    with the escape, so ``imports.values.unescape_formula`` reverses it exactly)."""
    if value and (
        value[0] in FORMULA_START
        or (value[0] == "'" and len(value) > 1 and (value[1] in FORMULA_START or value[1] == "'"))
    ):
        return "'" + value
    return value


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return neutralise("; ".join(str(v) for v in value))
    return neutralise(str(value))


def _text(value: str | None) -> str:
    return "" if value is None else neutralise(value)


def _count(value: int | None) -> str:
    return "" if value is None else str(value)


def _tag_names(tags: list[dict[str, Any]] | None) -> str:
    return cell([tag["name"] for tag in tags or ()])


_TEXT_COLUMNS = "email phone name country language gender company position vat_id status"
# per column, what ``cell`` would do for its values' one type, without testing the type
_CELLS: dict[str, Callable[[Any], str]] = {
    **dict.fromkeys([*_TEXT_COLUMNS.split(), "marketing_consent"], _text),
    **dict.fromkeys(("id", "orders_count", "bookings_count"), _count),
    "tags": _tag_names,
}


@dataclass(slots=True)
class ExportRequest:
    """What to export: which customers (filters and/or ids) and which columns."""

    filters: Filters = field(default_factory=Filters)
    columns: list[str] = field(default_factory=list)
    kind: str = "customers"
    bookings_from: dt.date | None = None
    bookings_to: dt.date | None = None  # inclusive


def available_columns(session: Session, store_id: str, kind: str = "customers") -> list[str]:
    names = list(_CUSTOMER_COLUMNS) + list(_LOADED)
    names += [FIELD_PREFIX + d.key for d in list_definitions(session, store_id)]
    if kind == "bookings":
        names += list(_BOOKING_COLUMNS)
    return names


def default_columns(known: list[str], kind: str) -> list[str]:
    """The columns an export without a choice writes: those the importer reads, the
    read-only facts, the custom fields, and for the booking report its two columns."""
    return [
        *DEFAULT_COLUMNS,
        *(c for c in known if c.startswith(FIELD_PREFIX)),
        *(_BOOKING_COLUMNS if kind == "bookings" else ()),
    ]


def column_choices(session: Session, store_id: str, kind: str) -> list[dict[str, object]]:
    """Every column an export of ``kind`` can write, in order, each saying whether it is
    written by default (for a form that offers the choice)."""
    known = available_columns(session, store_id, kind)
    chosen = set(default_columns(known, kind))
    return [{"name": name, "default": name in chosen} for name in known]


def check_request(session: Session, store_id: str, request: ExportRequest) -> list[str]:
    """The columns to write (defaults filled in); raises ``Invalid`` naming unknown ones."""
    if request.kind not in KINDS:
        raise invalid("kind", _("must be customers or bookings"))
    if request.kind == "bookings":
        if request.bookings_from is None or request.bookings_to is None:
            raise invalid(
                "bookings_from", _("the booking report needs bookings_from and bookings_to")
            )
        if request.bookings_from > request.bookings_to:
            raise invalid("bookings_from", _("is after bookings_to"))
    known = available_columns(session, store_id, request.kind)
    columns = list(dict.fromkeys(request.columns)) or default_columns(known, request.kind)
    unknown = [c for c in columns if c not in known]
    if unknown:
        raise invalid("columns", _("unknown columns: {names}", names=", ".join(unknown)))
    return columns


def _clauses(scope: Scope, request: ExportRequest) -> list[Any]:
    clauses = where_clauses(scope, request.filters)
    if request.kind == "bookings":
        clauses.append(
            exists().where(
                BookingSummary.customer_id == Customer.id,
                BookingSummary.store_id == scope.store_id,
                *_booking_range(request),
            )
        )
    return clauses


def _booking_range(request: ExportRequest) -> list[Any]:
    start = dt.datetime.combine(request.bookings_from, dt.time(), tzinfo=dt.UTC)
    end = dt.datetime.combine(request.bookings_to + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    return [
        BookingSummary.starts_at >= start,
        BookingSummary.starts_at < end,
        BookingSummary.status.not_in(CANCELLED),
    ]


def count(scope: Scope, request: ExportRequest) -> int:
    return scope.session.scalar(
        select(func.count()).select_from(Customer).where(*_clauses(scope, request))
    )


def rows(
    scope: Scope,
    request: ExportRequest,
    columns: Sequence[str],
    clauses: list[Any] | None = None,
) -> Iterator[list[str]]:
    """The header, then one list of cells per customer, read in pages by id."""
    yield list(columns)
    session, store_id = scope.session, scope.store_id
    selected = [c for c in columns if c in _CUSTOMER_COLUMNS]
    query_columns = [Customer.id] + [_CUSTOMER_COLUMNS[c] for c in selected if c != "id"]
    field_ids = {
        FIELD_PREFIX + d.key: d.id
        for d in list_definitions(session, store_id)
        if FIELD_PREFIX + d.key in columns
    }
    clauses = clauses if clauses is not None else _clauses(scope, request)
    loaded = [c for c in _LOADED if c in columns]  # tags, sources: inside the page's statement
    query_columns += row_extras.columns(session.get_bind().dialect.name, loaded)
    cells = [_CELLS.get(name, cell) for name in columns]
    last: uuid.UUID | None = None
    while True:
        query = select(*query_columns).where(*clauses)
        if last is not None:
            query = query.where(Customer.id > last)
        page = session.execute(query.order_by(Customer.id).limit(PAGE)).mappings().all()
        if not page:
            return
        ids = [r["id"] for r in page]
        extras = _page_extras(session, store_id, ids, columns, field_ids, request)
        for r in page:
            values = dict(r)
            if loaded:
                values.update(row_extras.decode(r, loaded))
            for name, by_customer in extras.items():
                values[name] = by_customer.get(r["id"])
            yield [to_cell(values.get(name)) for name, to_cell in zip(columns, cells, strict=True)]
        last = ids[-1]
        session.expunge_all()


def _page_extras(
    session: Session,
    store_id: str,
    ids: list[uuid.UUID],
    columns: Sequence[str],
    field_ids: dict[str, uuid.UUID],
    request: ExportRequest,
) -> dict[str, dict[uuid.UUID, Any]]:
    extras: dict[str, dict[uuid.UUID, Any]] = {}
    if field_ids:
        by_field: dict[uuid.UUID, dict[uuid.UUID, str]] = {fid: {} for fid in field_ids.values()}
        for cid, fid, value in session.execute(
            select(FieldValue.customer_id, FieldValue.field_id, FieldValue.value).where(
                FieldValue.customer_id.in_(ids), FieldValue.field_id.in_(list(field_ids.values()))
            )
        ):
            by_field[fid][cid] = value
        for name, fid in field_ids.items():
            extras[name] = by_field[fid]
    if any(c in columns for c in _BOOKING_COLUMNS) and request.kind == "bookings":
        counts, lasts = {}, {}
        for cid, n, latest in session.execute(
            select(
                BookingSummary.customer_id,
                func.count(),
                func.max(BookingSummary.starts_at),
            )
            .where(
                BookingSummary.customer_id.in_(ids),
                BookingSummary.store_id == store_id,
                *_booking_range(request),
            )
            .group_by(BookingSummary.customer_id)
        ):
            counts[cid] = n
            lasts[cid] = _aware(latest)
        extras["bookings_in_range"] = counts
        extras["last_booking_in_range"] = lasts
    return extras


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def csv_pieces(
    scope: Scope,
    request: ExportRequest,
    columns: Sequence[str],
    clauses: list[Any] | None = None,
    *,
    copy: bool = True,
) -> Iterator[tuple[bytes, int]]:
    """The export file (BOM, header, RFC 4180 rows with CRLF) in pieces of UTF-8 bytes, each
    with the number of customers it holds. On PostgreSQL by ``COPY`` (export_copy.py: the
    same bytes) unless ``copy`` is False; elsewhere written here, row by row."""
    clauses = clauses if clauses is not None else _clauses(scope, request)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def taken() -> bytes:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text.encode("utf-8")

    lines = rows(scope, request, columns, clauses)
    buffer.write(BOM)
    writer.writerow(next(lines))  # the header
    if copy and export_copy.applies(scope.session.get_bind().dialect.name, request.kind, columns):
        every = request.filters == Filters(statuses=request.filters.statuses)
        yield from export_copy.pieces(scope, columns, clauses, taken(), every=every)
        return
    yield taken(), 0
    done = 0
    for done, line in enumerate(lines, 1):
        writer.writerow(line)
        if done % PIECE_ROWS == 0:
            yield taken(), PIECE_ROWS
    yield taken(), done % PIECE_ROWS


def make_scope(state: CustomersState, session: Session, store_id: str) -> Scope:
    return Scope(
        session=session,
        store_id=store_id,
        state=state,
        pm=state.pm,
        field_types=FieldTypes.collect(state.pm),
    )


def stream_csv(state: CustomersState, store_id: str, request: ExportRequest) -> Iterator[bytes]:
    """The export as UTF-8 bytes, for a streamed response (own read session, checked first)."""
    session = state.db.session()
    try:
        columns = check_request(session, store_id, request)
        scope = make_scope(state, session, store_id)
        clauses = _clauses(scope, request)  # bad filters raise here, before the response starts
    except Exception:
        session.close()
        raise

    def generate() -> Iterator[bytes]:
        try:
            for piece, _ in csv_pieces(scope, request, columns, clauses):
                yield piece
        finally:
            session.close()

    return generate()


# -- export jobs ------------------------------------------------------------------------------


def request_to_params(request: ExportRequest, columns: list[str]) -> dict[str, Any]:
    filters = {}
    for name in Filters.__slots__:
        value = getattr(request.filters, name)
        if value is None or value == []:
            continue
        if isinstance(value, dt.datetime):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        elif isinstance(value, list):
            value = [list(v) if isinstance(v, tuple) else str(v) for v in value]
        filters[name] = value
    return {
        "filters": filters,
        "columns": columns,
        "kind": request.kind,
        "bookings_from": request.bookings_from.isoformat() if request.bookings_from else None,
        "bookings_to": request.bookings_to.isoformat() if request.bookings_to else None,
    }


_FILTER_TYPES: dict[str, Callable[[Any], Any]] = {
    "joined_from": dt.datetime.fromisoformat,
    "joined_to": dt.datetime.fromisoformat,
    "spent_min": Decimal,
    "spent_max": Decimal,
    "ids": lambda v: [uuid.UUID(i) for i in v],
    "groups": lambda v: [uuid.UUID(i) for i in v],
    "custom_fields": lambda v: [tuple(i) for i in v],
}


def params_to_request(params: dict[str, Any]) -> ExportRequest:
    filters = {
        k: _FILTER_TYPES.get(k, lambda v: v)(v) for k, v in (params.get("filters") or {}).items()
    }
    day = lambda v: dt.date.fromisoformat(v) if v else None  # noqa: E731
    return ExportRequest(
        filters=Filters(**filters),
        columns=list(params.get("columns") or []),
        kind=params.get("kind", "customers"),
        bookings_from=day(params.get("bookings_from")),
        bookings_to=day(params.get("bookings_to")),
    )


def start_export(
    state: CustomersState, store_id: str, request: ExportRequest, *, actor: str | None = None
) -> dict[str, Any]:
    """Create an export job (checked first: columns and filters, as the streamed export does)
    and queue ``run_export`` after commit."""
    with state.db.transaction() as session:
        columns = check_request(session, store_id, request)
        _clauses(make_scope(state, session, store_id), request)  # a bad filter raises here
        export = ExportJob(
            id=uuid.uuid4(),
            store_id=store_id,
            kind=request.kind,
            params=request_to_params(request, columns),
            actor=actor,
            status="queued",
        )
        session.add(export)
        session.flush()
        state.jobs.enqueue_after_commit(
            session,
            "run_export",
            str(export.id),
            job_id=f"export-{export.id}",
            store_id=store_id,
        )
        result = export_summary(export)
    return result


def get_export(session: Session, store_id: str, export_id: uuid.UUID) -> ExportJob:
    found = session.scalar(
        select(ExportJob).where(ExportJob.id == export_id, ExportJob.store_id == store_id)
    )
    if found is None:
        raise NotFound(_("no such export"))
    return found


class ExportExpired(Gone):
    """The export's file was deleted after ``CUSTOMERS_EXPORT_TTL_DAYS``."""

    code = "export_expired"


def export_file(state: CustomersState, store_id: str, export_id: uuid.UUID) -> str:
    """The path of a finished export's file.

    :raises NotFound: no such export in this store, or its file is missing.
    :raises ExportExpired: the file was deleted when the export expired (410).
    :raises Conflict: the export is not done yet, or failed (409).
    """
    with state.db.session() as session:
        export = get_export(session, store_id, export_id)
        if export.status == "expired":
            day = export.expires_at.date().isoformat() if export.expires_at else None
            message = (
                _(
                    "this export expired on {day} and its file was deleted: start a new export",
                    day=day,
                )
                if day
                else _("this export expired and its file was deleted: start a new export")
            )
            raise ExportExpired(message)
        if export.status != "done":
            raise Conflict(_("the export is {status}, not done", status=export.status))
    path = export_path(state, export_id)
    if not path.exists():
        raise NotFound(_("the export file is gone"))
    return str(path)


def export_summary(export: ExportJob) -> dict[str, Any]:
    return {
        "id": str(export.id),
        "kind": export.kind,
        "status": export.status,
        "message": export.message,
        "columns": list(export.params.get("columns") or []),
        "total_rows": export.total_rows,
        "rows_done": export.rows_done,
        "created_at": export.created_at,
        "finished_at": export.finished_at,
        "expires_at": export.expires_at,
    }


def write_export(
    state: CustomersState,
    export_id: uuid.UUID | str,
    progress: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Write the export's file (again, from the start, if a previous attempt died)."""
    export_id = uuid.UUID(str(export_id))
    with state.db.session() as session:
        export = session.get(ExportJob, export_id)
        if export is None:
            return {"status": "missing"}
        if export.status in ("done", "expired"):  # a duplicate run writes nothing again
            return export_summary(export)
        store_id, params = export.store_id, dict(export.params)
    request = params_to_request(params)
    target = export_path(state, export_id)
    partial = target.with_suffix(".part")
    with state.db.session() as session:
        scope = make_scope(state, session, store_id)
        total = count(scope, request)
        _update_export(state, export_id, status="running", total_rows=total, rows_done=0)
        done = reported = 0
        with open(partial, "wb") as out:
            for piece, customers in csv_pieces(scope, request, params["columns"]):
                out.write(piece)
                done += customers
                if done - reported >= PAGE:
                    reported = done
                    _update_export(state, export_id, rows_done=done)
                    if progress:
                        progress({"status": "running", "total_rows": total, "rows_done": done})
    os.replace(partial, target)
    finished = utcnow()
    ttl = state.setting("CUSTOMERS_EXPORT_TTL_DAYS")
    _update_export(
        state,
        export_id,
        status="done",
        rows_done=done,
        finished_at=finished,
        expires_at=None if ttl is None else finished + dt.timedelta(days=float(ttl)),
    )
    with state.db.session() as session:
        return export_summary(session.get(ExportJob, export_id))


def _update_export(state: CustomersState, export_id: uuid.UUID, **values: Any) -> None:
    with state.db.transaction() as session:
        session.execute(update(ExportJob).where(ExportJob.id == export_id).values(**values))


def expire_exports(state: CustomersState, now: dt.datetime | None = None) -> list[uuid.UUID]:
    """Mark ``expired`` every finished export past its ``expires_at`` and delete its file
    (after the commit: a rollback keeps the file downloadable). Returns their ids."""
    now = now or utcnow()
    with state.db.transaction() as session:
        expired = list(
            session.scalars(
                update(ExportJob)
                .where(ExportJob.status == "done", ExportJob.expires_at <= now)
                .values(status="expired")
                .returning(ExportJob.id)
                .execution_options(synchronize_session=False)
            )
        )
    delete_files(state, expired)
    return expired


def delete_files(state: CustomersState, export_ids: Sequence[uuid.UUID]) -> None:
    """Delete the files of these exports (a finished one and a partly written one)."""
    for export_id in export_ids:
        target = export_path(state, export_id)
        for path in (target, target.with_suffix(".part")):
            try:
                path.unlink(missing_ok=True)
            except OSError:
                log.warning("could not delete the file of export %s", export_id)


@job("run_export", long=True)
def run_export(state: CustomersState, export_id: str) -> dict[str, Any]:
    from .imports.jobs import rq_progress

    result = write_export(state, export_id, rq_progress)
    rq_progress(result)
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in result.items()}
