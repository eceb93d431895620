"""Schemas of duplicates and merges: a suggested pair, the merge request and the merge record
as answered."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from .common import Body, UTCDateTime

REASONS = ("same_phone", "same_name_email_domain")


class DuplicatePairOut(ma.Schema):
    customer_id = fields.UUID(required=True)
    other_id = fields.UUID(required=True)
    reason = fields.String(
        required=True,
        metadata={
            "enum": list(REASONS),
            "description": "same_phone: an event paired one's email with the other's phone; "
            "same_name_email_domain: same normalised name, emails at one (not free-mail) domain",
        },
    )
    score = fields.Integer(required=True, metadata={"description": "0-100, higher is surer"})
    detected_at = UTCDateTime(allow_none=True)


class DuplicatePairPage(ma.Schema):
    items = fields.List(fields.Nested(DuplicatePairOut), required=True)
    next_cursor = fields.String(allow_none=True)


class MergeIn(Body):
    other_id = fields.UUID(
        required=True,
        metadata={"description": "The customer folded into this one (it no longer exists after)."},
    )


class MergeOut(ma.Schema):
    id = fields.UUID(required=True)
    kept_id = fields.UUID(required=True)
    merged_id = fields.UUID(required=True)
    actor = fields.String(allow_none=True)
    merged_at = UTCDateTime(required=True)
    undo_until = UTCDateTime(required=True)
    undone_at = UTCDateTime(allow_none=True)
