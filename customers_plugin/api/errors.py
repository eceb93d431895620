"""One error shape for every answer of the API:
``{"error": {"code": "...", "message": "...", "fields": {...}}}``.

Handlers are plain functions installed on each blueprint (so they beat a host's app-wide
handlers inside the API); routing errors (unknown URL, wrong method) belong to no blueprint and
are answered by an app-wide ``before_request`` function, only for paths under the API prefix.
Never a stack trace.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, current_app, jsonify, request
from flask_smorest import Blueprint
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException, MethodNotAllowed, default_exceptions
from werkzeug.exceptions import NotFound as NoRoute

from .. import i18n, migrate
from ..db import is_statement_timeout
from ..i18n import _
from ..security import AccessDenied
from ..services.attachments import TooLarge, UnsupportedType
from ..services.errors import Conflict, Gone, Invalid, NotFound, ServiceError
from ..services.keyset import InvalidCursor
from .bodies import PARSER

log = logging.getLogger(__name__)

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    410: "gone",
    413: "too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    500: "internal_error",
    501: "not_implemented",
    502: "bad_gateway",
    503: "unavailable",
}
_SERVICE_STATUS: tuple[tuple[type[ServiceError], int], ...] = (
    (InvalidCursor, 400),
    (NotFound, 404),
    (Conflict, 409),
    (Gone, 410),
    (TooLarge, 413),
    (UnsupportedType, 415),
    (Invalid, 422),
)


def error_response(
    status: int,
    message: str,
    *,
    code: str | None = None,
    fields: Mapping[str, list[str]] | None = None,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> Response:
    """The error shape, its message and field messages in the request's language (``code``
    and field names never change); ``Content-Language`` says which."""
    locale = i18n.current_locale()
    body: dict[str, Any] = {
        "code": code or CODES.get(status, "error"),
        "message": i18n.translate(message, locale=locale),
    }
    if fields:
        body["fields"] = {
            name: [i18n.translate(m, locale=locale) for m in messages]
            for name, messages in fields.items()
        }
    body.update({k: v for k, v in extra.items() if v is not None})
    response = jsonify({"error": body})
    response.status_code = status
    response.headers["Content-Language"] = locale
    response.vary.add("Accept-Language")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def flatten(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """webargs/marshmallow messages to ``{"a.b.0": ["..."]}`` (locations dropped)."""
    out: dict[str, list[str]] = {}
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out.update(flatten(value, name))
    elif isinstance(messages, list | tuple) and all(isinstance(m, str) for m in messages):
        out[prefix or "_body"] = list(messages)
    elif isinstance(messages, list | tuple):
        for i, value in enumerate(messages):
            out.update(flatten(value, f"{prefix}.{i}" if prefix else str(i)))
    else:
        out[prefix or "_body"] = [str(messages)]
    return out


_LOCATIONS = {"json", "query", "files", "form", "headers", "view_args", "path", "cookies"}


def handle_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    fields = None
    messages = data.get("errors") or data.get("messages")
    if messages:
        if isinstance(messages, Mapping) and set(messages) <= _LOCATIONS:
            merged: dict[str, list[str]] = {}
            for value in messages.values():
                merged.update(flatten(value))
            fields = merged
        else:
            fields = flatten(messages)
    headers = dict(data.get("headers") or {})
    if status == 405:
        allowed = getattr(error, "valid_methods", None) or []
        headers["Allow"] = ", ".join(sorted(allowed))
    if status >= 500:
        log.error("customers API: %s %s failed with %s", request.method, request.path, status)
        message = _("internal error")
    elif status == 422:
        message = _("the request is not valid")
    elif status == 400 and fields:
        message = _("the request could not be read")
    else:
        message = data.get("message") or error.description or error.name
    return error_response(status, message, fields=fields, headers=headers)


def handle_service_error(error: ServiceError) -> Response:
    status = getattr(error, "status", None) or next(
        (s for cls, s in _SERVICE_STATUS if isinstance(error, cls)), 400
    )
    return error_response(
        status,
        error.message,
        code=error.code,
        fields=error.fields,
        existing_id=getattr(error, "existing_id", None),
    )


def handle_access_denied(error: AccessDenied) -> Response:
    if error.status == 401:
        return error_response(401, _("authentication required"))
    return error_response(403, _("missing permission {permission}", permission=error.permission))


def handle_database_error(error: DBAPIError) -> Response:
    """A database error in a request: a statement stopped by the statement timeout answers 503
    ``query_timeout`` (the request asked for too much at once); a database the plugin's
    migrations have not reached (a missing table or column) answers 503 ``migrations_pending``
    with the command to run, and logs it; anything else is a plain 500, logged by kind only."""
    if is_statement_timeout(error):
        return error_response(
            503,
            _("the request took longer than the database allows; narrow it and try again"),
            code="query_timeout",
        )
    behind = migrate.pending(current_app.extensions["customers"].db)
    if behind is not None:
        message = migrate.pending_message(*behind)
        log.error("customers API: %s %s: %s", request.method, request.path, message)
        return error_response(503, message, code="migrations_pending")
    log.error("customers API: database error (%s)", type(error.orig).__name__)
    return error_response(500, _("internal error"))


def install(blp: Blueprint) -> Blueprint:
    """Give a blueprint the API's error handlers (they win over the host's inside it) and its
    parser (``bodies.PARSER``: bounded JSON bodies, and an undeclared query parameter answers
    422). Idempotent; call it where the blueprint is
    created, before its views are decorated."""
    if getattr(blp, "_customers_errors", False):
        return blp
    blp._customers_errors = True  # type: ignore[attr-defined]
    blp.ARGUMENTS_PARSER = PARSER  # type: ignore[misc]
    for code in default_exceptions:
        blp.register_error_handler(code, handle_http_exception)
    blp.register_error_handler(HTTPException, handle_http_exception)
    blp.register_error_handler(ServiceError, handle_service_error)
    blp.register_error_handler(AccessDenied, handle_access_denied)
    blp.register_error_handler(DBAPIError, handle_database_error)
    return blp


def install_routing_handlers(app: Flask, prefix: str) -> None:
    """404/405 in the error shape for URLs under ``prefix`` that match no view (405 with
    ``Allow``). Answered first thing in the request, before the host's ``before_request``
    functions and whatever 404/405 handlers the host registers, before or after the plugin;
    other paths keep the host's handling."""

    def answer_routing_error() -> Response | None:
        error = request.routing_exception
        if not isinstance(error, NoRoute | MethodNotAllowed):
            return None
        if request.path == prefix or request.path.startswith(prefix + "/"):
            return handle_http_exception(error)
        return None

    app.before_request_funcs.setdefault(None, []).insert(0, answer_routing_error)
