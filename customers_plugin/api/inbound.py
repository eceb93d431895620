"""``/inbound/email``: the host's mail provider (or a relay) posts each email sent to a reply
address, signed with ``CUSTOMERS_INBOUND_SECRET`` (see ``services.inbound.signature``); and
``/messages/{id}/attachments/{attachment_id}``: a file kept with a message, served back as a
download.

Without a secret configured the inbound endpoint answers 404 ``inbound_disabled``: nothing can
post mail until the merchant sets one."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Response, request
from flask_smorest import Blueprint

from .. import security
from ..i18n import _
from ..schemas.inbound import InboundOut
from ..security import require
from ..services import inbound
from ..services.inbound import files as inbound_files
from ..services.inbound import signature
from ..services.notes.files import FILE_TYPES
from ..state import get_state
from .bodies import limit_body
from .common import scope
from .errors import error_response, install
from .files import file_response
from .openapi import INBOUND_SIGNATURE, declare_security, file_download

blp = install(Blueprint("inbound", __name__, description="Messages that come in."))

MAIL_TYPES = ("message/rfc822", "application/octet-stream")
_STATUS = {inbound.STORED: 201, inbound.DUPLICATE: 200, inbound.UNMATCHED: 202}
_RAW = {"schema": {"type": "string", "format": "binary"}}
_TIMESTAMP = {
    "in": "header",
    "name": signature.TIMESTAMP_HEADER,
    "required": True,
    "description": "When the delivery was signed, in Unix seconds (refused when further than "
    "CUSTOMERS_INBOUND_TOLERANCE_SECONDS from the server's clock).",
    "schema": {"type": "string", "pattern": "^[0-9]{1,12}$"},
}


@blp.route("/inbound/email", methods=["POST"])
@declare_security(INBOUND_SIGNATURE)
@blp.doc(
    parameters=[_TIMESTAMP],
    requestBody={
        "required": True,
        "description": "The email as received (RFC 5322), at most CUSTOMERS_INBOUND_MAX_BYTES.",
        "content": {media: _RAW for media in MAIL_TYPES},
    },
)
@blp.response(201, InboundOut, description="Kept as a new message of its thread.")
@blp.alt_response(200, schema=InboundOut, description="This mail was kept before.")
@blp.alt_response(202, schema=InboundOut, description="It answers no thread: kept nowhere.")
@blp.alt_response(404, response="DEFAULT_ERROR", description="No inbound secret configured.")
@blp.alt_response(413, response="DEFAULT_ERROR", description="Larger than the limit.")
@blp.alt_response(415, response="DEFAULT_ERROR", description="Not message/rfc822.")
def inbound_email() -> Any:
    """Keep an email answering a thread: found by the reply token of the address it was sent
    to (``…+TOKEN@…``) or by ``In-Reply-To``/``References`` naming a message the store sent.
    Its own text (quotes and signature removed) and its files (within the limits) become an
    inbound message; ``message_received`` is announced. A mail answering no thread is not kept
    (a sender's address alone never attaches mail to a customer)."""
    state = get_state()
    tolerance = int(state.setting("CUSTOMERS_INBOUND_TOLERANCE_SECONDS"))
    stamp = signature.check_time(request.headers.get(signature.TIMESTAMP_HEADER), tolerance)
    secret = state.setting("CUSTOMERS_INBOUND_SECRET")
    if not secret:
        message = _("inbound email is not set up (CUSTOMERS_INBOUND_SECRET)")
        return error_response(404, message, code="inbound_disabled")
    if request.mimetype not in MAIL_TYPES:
        return error_response(415, _("send the email as {types}", types=" or ".join(MAIL_TYPES)))
    limit_body(int(state.setting("CUSTOMERS_INBOUND_MAX_BYTES")))
    raw = request.get_data(cache=False)
    signature.verify(secret, raw, stamp, request.headers.get(signature.SIGNATURE_HEADER))
    received = inbound.receive(state, raw)
    return received, _STATUS[received.outcome]


@blp.route("/messages/<uuid:message_id>/attachments/<uuid:attachment_id>", methods=["GET"])
@require(security.READ)
@file_download(FILE_TYPES, "The file, as an attachment to save (never shown inline).")
def download_attachment(message_id: uuid.UUID, attachment_id: uuid.UUID) -> Response:
    """A file kept with a message, with the type its content was recognised as."""
    with scope(write=False) as s:
        row, stream = inbound_files.open_file(s, message_id, attachment_id)
        filename, content_type = row.filename, row.content_type
    return file_response(filename, content_type, stream)
