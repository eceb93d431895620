"""``/imports``: the CSV template, starting an import (uploaded file or pasted emails), its
progress, its row report as CSV, resuming a failed one, and undo. Thin views: parse ->
services.imports -> schema.

Needs the ``customers.import`` permission. The upload limit is
``CUSTOMERS_IMPORT_MAX_BYTES``: a larger Content-Length (or a longer body) answers 413 before
anything is parsed.
"""

from __future__ import annotations

import functools
import uuid
from typing import Any

import marshmallow as ma
from flask import Response, request
from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import fields, validate

from .. import i18n
from ..i18n import _
from ..schemas.common import Body, TagName, Text, UTCDateTime
from ..security import current_actor, current_store_id, require
from ..services import imports
from ..services.errors import Invalid
from ..state import get_state
from .bodies import json_body, limit_body
from .errors import flatten, install
from .openapi import csv_download
from .query import NoQuery

IMPORT = "customers.import"
_FORM_OVERHEAD = 64 * 1024

blp = install(
    Blueprint("imports", __name__, description="Customer import from CSV files or emails.")
)


class ImportOptions(Body):
    """The options of an import."""

    subscribe = fields.Boolean(
        metadata={
            "description": "Mark every imported customer subscribed to marketing (default: "
            "the store's import_subscribe setting)."
        }
    )
    tags = fields.List(TagName(), load_default=list, validate=validate.Length(max=20))
    on_existing = fields.String(load_default="skip", validate=validate.OneOf(["skip", "update"]))
    policy = fields.String(
        load_default="reject-file", validate=validate.OneOf(["reject-file", "skip-bad-rows"])
    )
    dry_run = fields.Boolean(load_default=False)


EMAILS = Text(
    max_length=1_000_000,
    metadata={"description": "Pasted addresses, separated by commas, semicolons, spaces or lines."},
)


class ImportEmails(ImportOptions):
    """A JSON import: pasted email addresses and the options."""

    emails = Text(max_length=1_000_000, required=True, metadata=dict(EMAILS.metadata))


class ImportForm(ImportOptions):
    """A multipart import: the CSV ``file`` or pasted ``emails`` (one of them), and the options
    as form fields (``tags`` repeated or comma-separated)."""

    STRICT = False  # form values are text: "true", "3"

    file = Upload(metadata={"description": "The CSV file (UTF-8, a header row first)."})
    emails = Text(max_length=1_000_000, metadata=dict(EMAILS.metadata))


class ImportOut(ma.Schema):
    id = fields.UUID(required=True)
    status = fields.String(
        metadata={
            "description": "queued, validating, importing, done, rejected, failed, "
            "undoing or undone"
        }
    )
    message = fields.String(
        allow_none=True,
        metadata={"description": "what happened, in the request's language (Accept-Language)"},
    )
    filename = fields.String(allow_none=True)
    dry_run = fields.Boolean()
    options = fields.Dict()
    total_rows = fields.Integer(allow_none=True)
    rows_done = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer(
        metadata={"description": "rows that matched a customer and changed nothing"}
    )
    skipped = fields.Integer()
    errors = fields.Integer(metadata={"description": "rows with problems so far"})
    created_at = UTCDateTime()
    started_at = UTCDateTime(allow_none=True)
    finished_at = UTCDateTime(allow_none=True)
    undone_at = UTCDateTime(allow_none=True)

    @ma.post_dump
    def _localised(self, data: dict[str, Any], **_kw: Any) -> dict[str, Any]:
        if data.get("message"):
            data["message"] = i18n.translate(data["message"])
        return data


class ImportList(ma.Schema):
    items = fields.List(fields.Nested(ImportOut), required=True)


def _csv(body: Any, filename: str) -> Response:
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@blp.route("/template.csv", methods=["GET"])
@require(IMPORT)
@csv_download("The import template: a header row and one example row.")
def template() -> Response:
    """The accepted columns (with the store's custom fields) and one example row."""
    state = get_state()
    with state.db.session() as session:
        text = imports.template_csv(session, current_store_id())
    return _csv(text.encode("utf-8"), "customers-template.csv")


def _options_from_request() -> tuple[dict[str, Any], Any]:
    """The options and the uploaded file (form) or pasted emails (form or JSON)."""
    limit = int(get_state().setting("CUSTOMERS_IMPORT_MAX_BYTES")) + _FORM_OVERHEAD
    limit_body(limit)  # 413 on Content-Length or on the (chunked) stream itself
    schema: ma.Schema
    if request.mimetype == "multipart/form-data" or request.mimetype.endswith("urlencoded"):
        raw: dict[str, Any] = {k: v for k, v in request.form.items() if k != "tags"}
        tags = [t for value in request.form.getlist("tags") for t in value.split(",")]
        if tags:
            raw["tags"] = [t.strip() for t in tags if t.strip()]
        upload = request.files.get("file")
        schema = ImportForm()
    else:
        raw = json_body()
        if not isinstance(raw, dict):
            raise Invalid(_("send a multipart form with a file, or JSON with emails"))
        upload = None
        schema = ImportEmails()
    try:
        data = schema.load(raw)
    except ma.ValidationError as exc:
        raise Invalid(_("the request is not valid"), fields=flatten(exc.messages)) from None
    return data, upload


@blp.route("", methods=["POST"])
@require(IMPORT)
@blp.doc(
    requestBody={
        "required": True,
        "content": {
            "multipart/form-data": {"schema": ImportForm},
            "application/json": {"schema": ImportEmails},
        },
    }
)
@blp.response(202, ImportOut)
def start() -> Any:
    """Start an import from an uploaded CSV file (multipart field ``file``) or pasted email
    addresses (``emails``: separated by commas, semicolons, spaces or new lines).

    The header is checked first: unknown or missing columns answer 422 naming them, and
    nothing is written. The rows are then validated and written by a job; follow it at
    ``GET /imports/{id}``.
    """
    data, upload = _options_from_request()
    emails = data.pop("emails", None)
    options = imports.ImportOptions(**data)
    return imports.start_import(
        get_state(),
        current_store_id(),
        options,
        upload=upload.stream if upload is not None else None,
        filename=upload.filename if upload is not None else None,
        emails=emails,
        actor=_actor(),
    )


def _actor() -> str:
    """Who acts, for the consent log: the staff member the ``current_staff`` hook names, else
    ``admin``."""
    return current_actor()


@blp.route("", methods=["GET"])
@require(IMPORT)
@blp.arguments(NoQuery(), location="query", as_kwargs=True)
@blp.response(200, ImportList)
def list_imports() -> Any:
    """The store's latest imports, newest first."""
    with get_state().db.session() as session:
        return {"items": imports.list_batches(session, current_store_id())}


@blp.route("/<uuid:batch_id>", methods=["GET"])
@require(IMPORT)
@blp.response(200, ImportOut)
def show(batch_id: uuid.UUID) -> Any:
    """Progress (rows done / total, errors so far) and outcome of an import."""
    with get_state().db.session() as session:
        return imports.batch_summary(session, current_store_id(), batch_id)


@blp.route("/<uuid:batch_id>/report.csv", methods=["GET"])
@require(IMPORT)
@csv_download("The row report: line, column and reason of each problem.")
def report(batch_id: uuid.UUID) -> Response:
    """The row report: line (header = 1), column and reason of every problem (reasons in the
    request's language)."""
    state = get_state()
    store_id = current_store_id()
    session = state.db.session()
    try:
        imports.get_batch(session, store_id, batch_id)
    except Exception:
        session.close()
        raise

    locale = i18n.current_locale()

    def generate() -> Any:
        try:
            reason = functools.partial(i18n.translate, locale=locale)
            for piece in imports.report_csv(session, store_id, batch_id, reason=reason):
                yield piece.encode("utf-8")
        finally:
            session.close()

    return _csv(generate(), f"import-{batch_id}-report.csv")


@blp.route("/<uuid:batch_id>/resume", methods=["POST"])
@require(IMPORT)
@blp.response(202, ImportOut)
def resume(batch_id: uuid.UUID) -> Any:
    """Resume a failed import from where it stopped: rows already imported are not written
    again (409 unless the import failed, or when its file is gone)."""
    return imports.resume_import(get_state(), current_store_id(), batch_id)


@blp.route("/<uuid:batch_id>/undo", methods=["POST"])
@require(IMPORT)
@blp.response(202, ImportOut)
def undo(batch_id: uuid.UUID) -> Any:
    """Undo an import: remove the customers it created, restore what it updated, remove the
    tags and source it added (409 for a dry run or an import still running)."""
    return imports.request_undo(get_state(), current_store_id(), batch_id)
