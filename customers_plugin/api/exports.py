"""``/exports``: a streamed CSV of all customers, the list's current filter or chosen ids,
with chosen columns; export jobs with progress and a download when done; the booking report
(``kind=bookings`` with a date range). Needs ``customers.export``, separate from reading.
"""

from __future__ import annotations

import uuid
from typing import Any

import marshmallow as ma
from flask import Response, send_file
from flask_smorest import Blueprint
from marshmallow import fields, validate

from .. import security
from ..schemas.common import Body, Query, Text, UTCDateTime
from ..schemas.customers import FilterFields
from ..security import current_store_id, require
from ..services import exports
from ..state import get_state
from .customers import filters_from
from .errors import install
from .openapi import csv_download

blp = install(Blueprint("exports", __name__, description="Customer exports (Excel-safe CSV)."))
MAX_IDS = 10_000


class _ExportChoice(ma.Schema):
    columns = fields.List(Text(max_length=100), validate=validate.Length(max=200))
    ids = fields.List(fields.UUID(), validate=validate.Length(max=MAX_IDS))
    kind = fields.String(load_default="customers", validate=validate.OneOf(exports.KINDS))
    bookings_from = fields.Date()
    bookings_to = fields.Date()


class ExportQuery(FilterFields, _ExportChoice, Query):
    """Query string of the streamed export: the list's filters plus the export's choices
    (``columns`` comma-separated or repeated; ``ids`` repeated)."""

    columns = fields.List(Text(max_length=2000), validate=validate.Length(max=200))


class ExportFilter(FilterFields, Body):
    pass


class ExportBody(_ExportChoice, Body):
    filter = fields.Nested(ExportFilter, load_default=dict)


class ExportOut(ma.Schema):
    id = fields.UUID(required=True)
    kind = fields.String()
    status = fields.String(
        metadata={"description": "queued, running, done, failed or expired (the file was deleted)"}
    )
    message = fields.String(allow_none=True)
    columns = fields.List(fields.String())
    total_rows = fields.Integer(allow_none=True)
    rows_done = fields.Integer()
    created_at = UTCDateTime()
    finished_at = UTCDateTime(allow_none=True)
    expires_at = UTCDateTime(
        allow_none=True,
        metadata={"description": "when the file is deleted (CUSTOMERS_EXPORT_TTL_DAYS)"},
    )


class ColumnsQuery(Query):
    kind = fields.String(load_default="customers", validate=validate.OneOf(exports.KINDS))


class ExportColumn(ma.Schema):
    name = fields.String(required=True)
    default = fields.Boolean(
        required=True, metadata={"description": "written when the export names no columns"}
    )


class ExportColumnList(ma.Schema):
    items = fields.List(fields.Nested(ExportColumn), required=True)


def _request(args: dict[str, Any], filter_args: dict[str, Any]) -> exports.ExportRequest:
    filters = filters_from(filter_args)
    filters.ids = list(args.get("ids") or [])
    columns = [c.strip() for item in args.get("columns") or [] for c in item.split(",")]
    return exports.ExportRequest(
        filters=filters,
        columns=[c for c in columns if c],
        kind=args["kind"],
        bookings_from=args.get("bookings_from"),
        bookings_to=args.get("bookings_to"),
    )


@blp.route("/columns", methods=["GET"])
@require(security.EXPORT)
@blp.arguments(ColumnsQuery(), location="query", as_kwargs=True)
@blp.response(200, ExportColumnList)
def columns(kind: str) -> Any:
    """The columns an export of ``kind`` can write (the store's custom fields as
    ``field:<key>``), in order, each saying whether it is written by default."""
    with get_state().db.session() as session:
        return {"items": exports.column_choices(session, current_store_id(), kind)}


@blp.route("/customers.csv", methods=["GET"])
@require(security.EXPORT)
@blp.arguments(ExportQuery(), location="query", as_kwargs=True)
@csv_download("The export (UTF-8 with BOM, RFC 4180).")
def stream(**args: Any) -> Response:
    """Stream the export now: the same filters as ``GET /customers`` (by default the active
    customers, like the list; add ``status`` to include others), ``ids`` to pick customers,
    ``columns`` to choose columns. UTF-8 with BOM, RFC 4180, formula cells neutralised."""
    request = _request(args, args)
    body = exports.stream_csv(get_state(), current_store_id(), request)
    name = "bookings.csv" if request.kind == "bookings" else "customers.csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@blp.route("", methods=["POST"])
@require(security.EXPORT)
@blp.arguments(ExportBody())
@blp.response(202, ExportOut)
def start(data: dict[str, Any]) -> Any:
    """Start an export job (for large exports); follow it at ``GET /exports/{id}`` and
    download the file at ``GET /exports/{id}/file`` when it is done."""
    request = _request(data, data["filter"])
    return exports.start_export(
        get_state(), current_store_id(), request, actor=security.current_actor()
    )


@blp.route("/<uuid:export_id>", methods=["GET"])
@require(security.EXPORT)
@blp.response(200, ExportOut)
def show(export_id: uuid.UUID) -> Any:
    """Progress (rows done / total) of an export job."""
    with get_state().db.session() as session:
        return exports.export_summary(exports.get_export(session, current_store_id(), export_id))


@blp.route("/<uuid:export_id>/file", methods=["GET"])
@require(security.EXPORT)
@csv_download("The export's CSV file.")
@blp.alt_response(409, response="DEFAULT_ERROR", description="The export is not done.")
@blp.alt_response(410, response="DEFAULT_ERROR", description="The export expired.")
def download(export_id: uuid.UUID) -> Response:
    """The finished export's CSV file (409 while it is still running, 410 once it expired:
    files are deleted ``CUSTOMERS_EXPORT_TTL_DAYS`` after they were written)."""
    path = exports.export_file(get_state(), current_store_id(), export_id)
    return send_file(
        path, mimetype="text/csv", as_attachment=True, download_name=f"customers-{export_id}.csv"
    )
