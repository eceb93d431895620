"""The customer data export (one JSON document per customer) and the erasure answer."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from ..models import ERASURE_STATUSES
from .commerce import ReviewRequestOut, WalletTransactionOut, WishlistItemOut
from .common import Money, PageArgs, UTCDateTime
from .coupons import CouponOut
from .customers import (
    ActivityOut,
    BookingOut,
    ConsentEventOut,
    CustomerCard,
    OrderOut,
    SummaryOut,
)
from .messages import ThreadExport
from .notes import NoteExport
from .orders import StaffOrderOut
from .tasks import TaskOut


class FormSubmissionOut(SummaryOut):
    form_name = fields.String()
    answers = fields.Dict()
    submitted_at = UTCDateTime()


class ReviewOut(SummaryOut):
    product_id = fields.String()
    order_external_id = fields.String(allow_none=True)
    rating = fields.Integer()
    comment = fields.String(allow_none=True)
    submitted_at = UTCDateTime()


class WalletExport(ma.Schema):
    balance = Money(required=True)
    currency = fields.String(required=True)
    ledger = fields.List(fields.Nested(WalletTransactionOut), required=True)


class MembershipOut(ma.Schema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)
    manual = fields.Boolean(metadata={"description": "Added by hand, not by the conditions."})
    added_at = UTCDateTime()


class CustomerProfile(CustomerCard):
    """The card without its short lists (the document carries the whole lists)."""

    class Meta:
        exclude = ("consent_history", "recent_orders", "upcoming_bookings")


class ErasureRequestOut(ma.Schema):
    id = fields.UUID(required=True)
    customer_id = fields.UUID(required=True)
    status = fields.String(required=True, validate=validate.OneOf(ERASURE_STATUSES))
    requested_at = UTCDateTime(required=True)
    closed_at = UTCDateTime(allow_none=True)
    closed_by = fields.String(allow_none=True)


class ErasureRequestPage(ma.Schema):
    items = fields.List(fields.Nested(ErasureRequestOut), required=True)
    next_cursor = fields.String(allow_none=True)


class ErasureRequestArgs(PageArgs):
    status = fields.String(validate=validate.OneOf(ERASURE_STATUSES))


class MergedCustomerOut(ma.Schema):
    id = fields.UUID(required=True, metadata={"description": "The merge."})
    merged_id = fields.UUID(required=True)
    merged_at = UTCDateTime(required=True)
    undone_at = UTCDateTime(allow_none=True)
    merged = fields.Dict(
        required=True, metadata={"description": "The merged customer's record as it was."}
    )


class CustomerDataExport(ma.Schema):
    format = fields.String(required=True, metadata={"description": "The document's format."})
    exported_at = UTCDateTime(required=True)
    store_id = fields.String(required=True)
    customer_id = fields.UUID(required=True)
    profile = fields.Nested(
        CustomerProfile,
        required=True,
        metadata={"description": "The card: contacts, custom fields, tags, sources, stats."},
    )
    consent_history = fields.List(fields.Nested(ConsentEventOut), required=True)
    orders = fields.List(fields.Nested(OrderOut), required=True)
    bookings = fields.List(fields.Nested(BookingOut), required=True)
    form_submissions = fields.List(fields.Nested(FormSubmissionOut), required=True)
    reviews = fields.List(fields.Nested(ReviewOut), required=True)
    activity = fields.List(fields.Nested(ActivityOut), required=True)
    wallet = fields.Nested(WalletExport, required=True)
    wishlist = fields.List(fields.Nested(WishlistItemOut), required=True)
    review_requests = fields.List(fields.Nested(ReviewRequestOut), required=True)
    tasks = fields.List(fields.Nested(TaskOut), required=True)
    groups = fields.List(fields.Nested(MembershipOut), required=True)
    notes = fields.List(
        fields.Nested(NoteExport),
        required=True,
        metadata={
            "description": "Internal notes: text, type, author, times, earlier "
            "versions and the names of their files (the files stay in the attachment store)."
        },
    )
    erasure_requests = fields.List(fields.Nested(ErasureRequestOut), required=True)
    coupons = fields.List(fields.Nested(CouponOut), required=True)
    staff_orders = fields.List(
        fields.Nested(StaffOrderOut),
        required=True,
        metadata={"description": "Orders staff placed for the customer (place_order)."},
    )
    threads = fields.List(
        fields.Nested(ThreadExport),
        required=True,
        metadata={"description": "Message threads with every message in and out."},
    )
    merges = fields.List(
        fields.Nested(MergedCustomerOut),
        required=True,
        metadata={"description": "Customers merged into this one."},
    )


class ErasureOut(ma.Schema):
    id = fields.UUID(required=True)
    erased_at = UTCDateTime(required=True)
    changed = fields.Boolean(
        required=True, metadata={"description": "False when the customer was erased before."}
    )
