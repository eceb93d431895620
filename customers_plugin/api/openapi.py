"""What the OpenAPI document says beyond flask-smorest's defaults, applied by spec hooks so that
every endpoint, including those other modules add later, is documented the same way:

- **Who may call it.** Five security schemes: ``staff`` (the admin API: whatever the host's
  ``authorize`` hook accepts, a bearer token by convention), ``shopper`` (the storefront: the
  host's signed-in session, read by its ``current_customer`` hook), ``reviewLink`` (the
  signed ``token`` of a review link), ``inboundSignature`` (a mail provider's delivery of an
  email) and ``deliverySignature`` (a provider's delivery report); an unsubscribe link (a
  signed token in its path) declares ``[{}]``: anyone. Every view wrapped in
  ``security.require(permission)`` gets ``security: [{staff: []}]``, ``x-permission`` and the
  401/403 answers by the blueprint hook below, never by hand. Any other view (the storefront,
  the webhooks) declares the schemes it accepts with ``declare_security``; a new kind of
  caller adds its scheme to ``security_schemes``.
- **Which body is required.** A JSON body is documented as required only when its schema has
  a required field (otherwise the server accepts it missing, and says so).
- **Bounds known only to the app.** Page sizes carry ``CUSTOMERS_MAX_PAGE_SIZE`` as their
  maximum; a custom field's ``type`` and a bulk ``action`` list the registered names, the
  timeline's ``kind`` their pattern.
- **Closed bodies.** A ``Body`` schema (unknown fields refused) has ``additionalProperties:
  false``, plus whatever its ``OPENAPI`` class attribute adds (``oneOf`` of required fields).
- **Downloads.** ``csv_download`` / ``image_download`` / ``file_download`` / ``html_page``
  document a non-JSON answer.
- **flask-smorest's pagination header** is documented as the JSON string it is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import marshmallow as ma
from flask import Flask
from flask_smorest import Blueprint

from ..schemas.catalog import FieldTypeName
from ..schemas.common import Body, PageSize
from ..schemas.customers import BulkActionName
from ..schemas.notes import NoteTypeName
from ..schemas.timeline import TimelineKinds
from ..services import bulk
from ..services.fields import FieldTypes
from ..services.notes.kinds import type_names
from ..services.timeline import kinds_pattern

F = TypeVar("F", bound=Callable[..., Any])

STAFF = "staff"
SHOPPER = "shopper"
REVIEW_LINK = "reviewLink"
INBOUND_SIGNATURE = "inboundSignature"
DELIVERY_SIGNATURE = "deliverySignature"
PERMISSION_KEY = "customers_permission"  # set in a view's _apidoc by security.require


def security_schemes(app: Flask) -> dict[str, dict[str, Any]]:
    return {
        STAFF: {
            "type": "http",
            "scheme": "bearer",
            "description": "Staff of a store: the host's `authorize` hook decides who may do "
            "what (each admin operation names its permission in `x-permission`); without an "
            "answer the API says 401, with a refusal 403. A bearer token is the convention.",
        },
        SHOPPER: {
            "type": "apiKey",
            "in": "cookie",
            "name": app.config.get("SESSION_COOKIE_NAME") or "session",
            "description": "The shopper signed in to the host's storefront, as the host's "
            "`current_customer` hook reads it (Flask's session cookie by default).",
        },
        REVIEW_LINK: {
            "type": "apiKey",
            "in": "query",
            "name": "token",
            "description": "The signed, expiring token of a review-request link.",
        },
        INBOUND_SIGNATURE: {
            "type": "apiKey",
            "in": "header",
            "name": "X-Customers-Signature",
            "description": "`sha256=` and the hex HMAC-SHA256, under CUSTOMERS_INBOUND_SECRET, "
            "of the X-Customers-Timestamp value, a dot and the raw body.",
        },
        DELIVERY_SIGNATURE: {
            "type": "apiKey",
            "in": "header",
            "name": "X-Customers-Signature",
            "description": "A delivery-report webhook of a message provider: `sha256=` and the "
            "hex HMAC-SHA256 of the raw body with CUSTOMERS_DELIVERY_SIGNING_SECRET.",
        },
    }


def declare_security(*schemes: str) -> Callable[[F], F]:
    """Document the schemes a view that is not an admin view accepts (any one of them), and
    its 401 answer; with no scheme, anyone may call it (a signed link in its path)."""
    if not schemes:
        return Blueprint.doc(security=[{}])
    return Blueprint.doc(security=[{scheme: []} for scheme in schemes])


def _download(content_types: tuple[str, ...], schema: dict[str, str], description: str) -> Any:
    content = {content_type: {"schema": dict(schema)} for content_type in content_types}
    return Blueprint.doc(responses={"200": {"description": description, "content": content}})


IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")


def csv_download(description: str) -> Callable[[F], F]:
    """Document a view answering a CSV file (UTF-8 text, RFC 4180: a string, so generated
    clients read it as text)."""
    return _download(("text/csv",), {"type": "string"}, description)


def image_download(description: str) -> Callable[[F], F]:
    """Document a view answering an image of the accepted types (named one by one: client
    generators do not read ``image/*``)."""
    return _download(IMAGE_TYPES, {"type": "string", "format": "binary"}, description)


def html_page(description: str) -> Callable[[F], F]:
    """Document a view answering a small HTML page."""
    return _download(("text/html",), {"type": "string"}, description)


def file_download(content_types: tuple[str, ...], description: str) -> Callable[[F], F]:
    """Document a view answering a stored file of one of ``content_types`` (binary)."""
    return _download(content_types, {"type": "string", "format": "binary"}, description)


def _schema_requires_something(schema: Any) -> bool:
    if isinstance(schema, type) and issubclass(schema, ma.Schema):
        schema = schema()
    if not isinstance(schema, ma.Schema):
        return True
    return any(field.required for field in schema.fields.values())


def document_operation(
    doc: dict[str, Any], doc_info: Mapping[str, Any], **_: Any
) -> dict[str, Any]:
    """The blueprint hook (one of flask-smorest's ``_prepare_doc_cbks``): security of admin
    operations, and whether a JSON body is required."""
    permission = doc_info.get(PERMISSION_KEY)
    if permission is not None:
        doc["security"] = [{STAFF: []}]
        doc["x-permission"] = permission
        responses = doc.setdefault("responses", {})
        responses.setdefault("401", "UNAUTHORIZED")
        responses.setdefault("403", "FORBIDDEN")
    elif any(doc_info.get("manual_doc", {}).get("security") or ()):
        doc.setdefault("responses", {}).setdefault("401", "UNAUTHORIZED")
    body = doc.get("requestBody")
    if body is not None and "application/json" in body.get("content", {}):
        schema = body["content"]["application/json"].get("schema")
        body["required"] = bool(body.get("required", True)) and _schema_requires_something(schema)
    return doc


def install_blueprint_hook(blp: Blueprint) -> None:
    """Add ``document_operation`` to a blueprint's doc callbacks (once)."""
    if document_operation not in blp._prepare_doc_cbks:
        blp._prepare_doc_cbks.append(document_operation)


def install(api: Any, app: Flask, field_types: Callable[[], FieldTypes]) -> None:
    """Register the security schemes and the field attribute functions on ``api``'s spec."""
    components = api.spec.components
    for name, scheme in security_schemes(app).items():
        if name not in components.security_schemes:
            components.security_scheme(name, scheme)

    def app_bounds(_converter: Any, field: Any, **_kwargs: Any) -> dict[str, Any]:
        if isinstance(field, PageSize):
            return {"maximum": int(app.config["CUSTOMERS_MAX_PAGE_SIZE"])}
        if isinstance(field, FieldTypeName):
            return {"enum": sorted(field_types())}
        if isinstance(field, BulkActionName):
            return {"enum": sorted(bulk.ACTIONS)}
        if isinstance(field, NoteTypeName):
            return {"enum": list(type_names(app.config["CUSTOMERS_NOTE_TYPES"]))}
        if isinstance(field, TimelineKinds):
            return {"pattern": kinds_pattern()}
        return {}

    converter = api.ma_plugin.converter
    converter.add_attribute_function(app_bounds)
    plain = converter.schema2jsonschema

    def schema2jsonschema(schema: Any) -> dict[str, Any]:
        """A request body refuses unknown fields (``Body``): say so."""
        result = plain(schema)
        instance = schema() if isinstance(schema, type) else schema
        if isinstance(instance, Body):
            if instance.unknown == ma.RAISE:
                result["additionalProperties"] = False
            result.update(instance.OPENAPI)
        return result

    converter.schema2jsonschema = schema2jsonschema


PAGINATION_HEADER = {
    "description": "Pagination metadata: a JSON object (total, total_pages, first_page, "
    "last_page, page, previous_page, next_page) serialized as a string.",
    "schema": {"type": "string"},
}
