"""Schemas of personal coupons: assigning one, the coupon as answered, the list, and the
wishlist gift (a discount the host's ``issue_coupon`` turns into a product coupon)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from ..events import DISCOUNT_KINDS
from ..models import COUPON_SOURCES
from ..services.coupons.manage import CODE_MAX, USES_MAX
from .commerce import CURRENCY
from .common import Body, Money, Text, UTCDateTime

COUPON_STATES = ("active", "used_up", "expired", "revoked")


def COUPON_CODE(**kwargs: Any) -> Text:
    """A coupon code: 1 to 64 letters, digits, ``-`` or ``_`` (kept upper case)."""
    return Text(
        max_length=CODE_MAX,
        validate=[validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")],
        metadata={"description": "Letters, digits, '-' or '_'; case does not matter."},
        **kwargs,
    )


class CouponIn(Body):
    code = COUPON_CODE(required=True)
    expires_at = UTCDateTime(
        allow_none=True, metadata={"description": "When it stops applying (in the future)."}
    )
    uses_per_customer = fields.Integer(
        allow_none=True,
        validate=validate.Range(min=1, max=USES_MAX),
        metadata={"description": "How many orders may use it; null: no limit."},
    )


class DiscountIn(Body):
    kind = fields.String(required=True, validate=validate.OneOf(DISCOUNT_KINDS))
    value = Money(
        required=True,
        sign="positive",
        metadata={"description": "A percent (at most 100) or an amount."},
    )
    currency = Text(
        max_length=3,
        validate=[CURRENCY],
        metadata={"description": "For an amount: default CUSTOMERS_CURRENCY."},
    )


class GiftIn(Body):
    discount = fields.Nested(DiscountIn, required=True)
    expires_at = UTCDateTime(allow_none=True)


class DiscountOut(ma.Schema):
    kind = fields.String(required=True)
    value = Money(required=True)
    currency = fields.String(allow_none=True)


class CouponOut(ma.Schema):
    id = fields.UUID(required=True)
    customer_id = fields.UUID(required=True)
    code = fields.String(required=True)
    expires_at = UTCDateTime(allow_none=True)
    uses_per_customer = fields.Integer(allow_none=True)
    uses = fields.Integer(required=True, metadata={"description": "Orders that used it."})
    state = fields.String(required=True, validate=validate.OneOf(COUPON_STATES))
    source = fields.String(required=True, validate=validate.OneOf(COUPON_SOURCES))
    product_id = fields.String(allow_none=True)
    discount = fields.Nested(DiscountOut, allow_none=True)
    assigned_by = fields.String(allow_none=True)
    created_at = UTCDateTime(required=True)
    revoked_at = UTCDateTime(allow_none=True)
    revoked_by = fields.String(allow_none=True)


class CouponPage(ma.Schema):
    items = fields.List(fields.Nested(CouponOut), required=True)
    next_cursor = fields.String(allow_none=True)
