"""What the inbound email endpoint answers."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

OUTCOMES = ("stored", "duplicate", "unmatched")


class InboundOut(ma.Schema):
    outcome = fields.String(
        required=True,
        validate=validate.OneOf(OUTCOMES),
        metadata={
            "description": "stored: a new message of its thread; duplicate: this mail was "
            "kept before (same Message-ID); unmatched: it answers no thread (kept nowhere)."
        },
    )
    message_id = fields.UUID(allow_none=True, required=True)
    thread_id = fields.UUID(allow_none=True, required=True)
    files = fields.Integer(required=True, metadata={"description": "Attachments kept."})
    refused_files = fields.Integer(
        required=True,
        metadata={"description": "Attachments left out by the count, size or type limits."},
    )
