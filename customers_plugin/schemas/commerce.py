"""Schemas of wishlists, review requests and the wallet (merchant and storefront sides).
Money is a decimal string with its currency, never a float."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from ..i18n import _
from ..models import WALLET_KINDS
from .common import Body, Money, Query, Text, UTCDateTime

CURRENCY = validate.Regexp(r"^[A-Za-z]{3}$", error=_("an ISO 4217 code such as SAR"))


# -- wishlists ------------------------------------------------------------------------------


class WishlistAdd(Body):
    """The product to add, by the host's id: its name and price come from the host."""

    product_id = Text(max_length=128, required=True, validate=[validate.Length(min=1)])


class WishlistItemOut(ma.Schema):
    id = fields.UUID(
        required=True, metadata={"description": "The item (for a wishlist gift, by staff)."}
    )
    product_id = fields.String(required=True)
    name = fields.String(attribute="product_name", required=True)
    price = Money(required=True, metadata={"description": "The price when it was added."})
    currency = fields.String(required=True)
    added_at = UTCDateTime(required=True)
    source = fields.String()


class WishlistPage(ma.Schema):
    items = fields.List(fields.Nested(WishlistItemOut), required=True)
    next_cursor = fields.String(allow_none=True)


class WishedProductOut(ma.Schema):
    product_id = fields.String(required=True)
    name = fields.String(allow_none=True)
    wishes = fields.Integer(required=True, metadata={"description": "Wishlists holding it."})
    latest_added_at = UTCDateTime(required=True)


class WishedProductPage(ma.Schema):
    items = fields.List(fields.Nested(WishedProductOut), required=True)
    next_cursor = fields.String(allow_none=True)


class MovedOut(ma.Schema):
    product_id = fields.String(required=True)
    moved = fields.Boolean(required=True)


# -- review requests ------------------------------------------------------------------------


class ReviewRequestOut(ma.Schema):
    id = fields.UUID(required=True)
    status = fields.String(
        required=True, metadata={"description": "scheduled, sending, sent, failed or skipped"}
    )
    trigger = fields.String(required=True)
    channel = fields.String(allow_none=True)
    order_ids = fields.List(fields.String())
    attempts = fields.Integer()
    error = fields.String(
        allow_none=True,
        metadata={
            "description": "why it failed or was skipped: the provider's error code, "
            "interrupted (the sender died while sending: not sent again automatically), "
            "all_reviewed, opted_out, unreachable, not_configured"
        },
    )
    due_at = UTCDateTime()
    created_at = UTCDateTime()
    sent_at = UTCDateTime(allow_none=True)


class ReviewRequestPage(ma.Schema):
    items = fields.List(fields.Nested(ReviewRequestOut), required=True)
    next_cursor = fields.String(allow_none=True)


class PendingOrderOut(ma.Schema):
    order_id = fields.String(attribute="external_id", required=True)
    status = fields.String()
    total = Money(allow_none=True)
    currency = fields.String(allow_none=True)
    items = fields.List(fields.Dict())
    placed_at = UTCDateTime(allow_none=True)


class PendingReviewsOut(ma.Schema):
    name = fields.String(allow_none=True)
    orders = fields.List(fields.Nested(PendingOrderOut), required=True)


class PendingArgs(Query):
    token = Text(max_length=1000, metadata={"description": "The signed link's token."})


# -- wallet ---------------------------------------------------------------------------------


class WalletTransactionIn(Body):
    type = fields.String(required=True, validate=validate.OneOf(WALLET_KINDS))
    amount = Money(required=True, sign="positive")
    currency = Text(max_length=3, validate=[CURRENCY])
    reason = Text(max_length=200, required=True, validate=[validate.Length(min=1)])
    reference = Text(max_length=128)
    idempotency_key = Text(
        max_length=128,
        required=True,
        validate=[validate.Length(min=1)],
        metadata={
            "description": "Unique per store: a retry with the same body answers the first "
            "transaction and moves no money; the key with another body answers 409."
        },
    )


class WalletTransactionOut(ma.Schema):
    id = fields.UUID(required=True)
    type = fields.String(attribute="kind", required=True)
    amount = Money(required=True)
    currency = fields.String(required=True)
    balance_after = Money(required=True)
    reason = fields.String(required=True)
    actor = fields.String(allow_none=True)
    reference = fields.String(allow_none=True)
    idempotency_key = fields.String()
    created_at = UTCDateTime(required=True)


class WalletOut(ma.Schema):
    balance = Money(required=True)
    currency = fields.String(required=True)
    items = fields.List(fields.Nested(WalletTransactionOut), required=True)
    next_cursor = fields.String(allow_none=True)
