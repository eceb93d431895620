"""Schemas of an order a member of staff places for a customer: the request (bounded lines,
an optional coupon, note and idempotency key) and the answer (the host's order reference)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from ..services.orders import KEY_MAX, MAX_LINES, NOTE_MAX, QUANTITY_MAX
from .common import Body, Text, UTCDateTime
from .coupons import COUPON_CODE


class OrderLineIn(Body):
    product_id = Text(
        max_length=128,
        required=True,
        validate=[validate.Length(min=1)],
        metadata={"description": "The host's product id."},
    )
    quantity = fields.Integer(required=True, validate=validate.Range(min=1, max=QUANTITY_MAX))


class OrderIn(Body):
    items = fields.List(
        fields.Nested(OrderLineIn),
        required=True,
        validate=validate.Length(min=1, max=MAX_LINES),
        metadata={"description": "The lines, each product at most once."},
    )
    coupon_code = COUPON_CODE(allow_none=True)
    note = Text(max_length=NOTE_MAX, allow_none=True)
    idempotency_key = Text(
        max_length=KEY_MAX,
        validate=[validate.Length(min=1)],
        metadata={
            "description": "Unique per store: a retry with the same body answers the first "
            "order and places nothing; the key with another body answers 409."
        },
    )


class StaffOrderOut(ma.Schema):
    id = fields.UUID(required=True)
    customer_id = fields.UUID(required=True)
    order_id = fields.String(
        required=True, metadata={"description": "The host's order id (its reference)."}
    )
    payment_status = fields.String(
        allow_none=True, metadata={"description": "The host's, e.g. pay_later or pending."}
    )
    payment_url = fields.String(
        allow_none=True, metadata={"description": "Where the customer pays, if the host gave one."}
    )
    coupon_code = fields.String(allow_none=True)
    placed_by = fields.String(required=True, metadata={"description": "The staff member."})
    note = fields.String(allow_none=True)
    idempotency_key = fields.String(allow_none=True)
    created_at = UTCDateTime(required=True)
    placed_at = UTCDateTime(allow_none=True)
    linked = fields.Boolean(
        required=True,
        metadata={"description": "The host's on_order_placed for it has been recorded."},
    )
