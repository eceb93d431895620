"""Schemas of the customer list, the customer card and the actions on customers."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask_smorest.fields import Upload
from marshmallow import fields, validate

from ..i18n import _
from ..models import BLOCK_REASONS, CONSENT_STATUSES, GENDERS, STATUSES
from ..services import addresses
from ..services.listing import DEFAULT_SORT, SORT_KEYS
from .common import (
    LANGUAGE,
    TEXT_PATTERN,
    Body,
    Count,
    Country,
    Money,
    PageArgs,
    SortSpec,
    TagName,
    TagRef,
    Text,
    UTCDateTime,
)
from .fast_dump import FastDump
from .groups import GroupRef

MAX_LIST_ITEMS = 10
MAX_FILTER_VALUES = 50


def _many(field: fields.Field, maximum: int = MAX_FILTER_VALUES) -> fields.List:
    return fields.List(field, validate=validate.Length(max=maximum))


class FilterFields(ma.Schema):
    """The list filters (query string of GET /customers, ``filter`` of a bulk action)."""

    q = Text(max_length=200, metadata={"description": "Search names, emails and phones."})
    tag = _many(Text(max_length=100), 20)
    group = _many(fields.UUID(), 20)  # members of any of these groups
    id = _many(fields.UUID())  # these customers (a screen naming several at once)
    status = _many(fields.String(validate=validate.OneOf(STATUSES)), 3)
    source = _many(Text(max_length=32))
    country = _many(Country())
    marketing_consent = _many(fields.String(validate=validate.OneOf(CONSENT_STATUSES)), 4)
    system_notifications = fields.Boolean()
    joined_from = UTCDateTime()
    joined_to = UTCDateTime()
    orders_min = Count()
    orders_max = Count()
    spent_min = Money()
    spent_max = Money()
    field = _many(
        # key:value, the value within the text rule (TEXT_PATTERN without its "^")
        Text(
            max_length=300,
            validate=[validate.Regexp("^[a-z][a-z0-9_]{0,63}:" + TEXT_PATTERN.removeprefix("^"))],
        ),
        10,
    )

    @ma.validates_schema
    def _ranges(self, data: dict[str, Any], **_kwargs: Any) -> None:
        for low, high in (
            ("joined_from", "joined_to"),
            ("orders_min", "orders_max"),
            ("spent_min", "spent_max"),
        ):
            if data.get(low) is not None and data.get(high) is not None and data[low] > data[high]:
                raise ma.ValidationError(
                    _("{low} is above {high}", low=low, high=high), field_name=low
                )


class CustomerListArgs(FilterFields, PageArgs):
    sort = SortSpec(SORT_KEYS, DEFAULT_SORT)
    include_total = fields.Boolean(load_default=False)

    class Meta:
        unknown = ma.EXCLUDE


EXTRAS_FIELD = fields.Dict(
    keys=fields.String(),
    metadata={"description": "Values other modules add to every row (row_extras.register)."},
)


class CustomerRow(ma.Schema):
    id = fields.UUID(required=True)
    name = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    country = fields.String(allow_none=True)
    sources = fields.List(fields.String())
    tags = fields.List(fields.Nested(TagRef))
    groups = fields.List(fields.Nested(GroupRef))
    extras = EXTRAS_FIELD
    joined_at = UTCDateTime()
    marketing_consent = fields.String()
    system_notifications = fields.Boolean()
    status = fields.String()
    block_reason = fields.String(allow_none=True)
    orders_count = fields.Integer()
    total_spent = Money()
    currency = fields.String()
    last_order_at = UTCDateTime(allow_none=True)


class CustomerPage(FastDump):
    items = fields.List(fields.Nested(CustomerRow), required=True)
    next_cursor = fields.String(allow_none=True)
    total = fields.Integer(allow_none=True)


class Coordinate(fields.Float):
    """A JSON number within a range (not a string, not a boolean, never NaN)."""

    def __init__(self, bound: float, **kwargs: Any) -> None:
        super().__init__(validate=validate.Range(min=-bound, max=bound), **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ma.ValidationError(_("a number"))
        return super()._deserialize(value, attr, data, **kwargs)


class WholeMatch(validate.Regexp):
    """A documented pattern matched on the whole text (Python's ``$`` also matches before a
    final line feed, JSON Schema's does not)."""

    def __call__(self, value: Any) -> Any:
        if self.regex.fullmatch(value) is None:
            raise ma.ValidationError(self._format_error(value))
        return value


def _code(pattern: str, description: str) -> Text:
    return Text(
        max_length=8,
        allow_none=True,
        validate=[WholeMatch(pattern)],
        metadata={"description": description},
    )


class AddressFields(Body):
    """An address: free-text lines, the Saudi National Address fields, a map point; which are
    required follows the store's ``address_method`` setting (see docs/features/settings.md)."""

    label = Text(max_length=50, allow_none=True)
    line1 = Text(max_length=200, allow_none=True)
    line2 = Text(max_length=200, allow_none=True)
    building_number = _code(addresses.BUILDING_NUMBER, "National Address building number.")
    street = Text(max_length=100, allow_none=True)
    district = Text(max_length=100, allow_none=True)
    city = Text(max_length=100, allow_none=True)
    region = Text(max_length=100, allow_none=True)
    postal_code = Text(max_length=20, allow_none=True)
    additional_number = _code(addresses.ADDITIONAL_NUMBER, "National Address additional number.")
    short_address = _code(addresses.SHORT_ADDRESS, "National Address short address, e.g. RRRD2929.")
    country = Country(allow_none=True)
    latitude = Coordinate(90, allow_none=True)
    longitude = Coordinate(180, allow_none=True)
    default_shipping = fields.Boolean(allow_none=True)
    default_billing = fields.Boolean(allow_none=True)


class Address(AddressFields):
    """One address of a whole list (``PATCH /customers/{id}``): an ``id`` keeps an existing
    address (a new one gets an id)."""

    id = fields.UUID(allow_none=True)


class ProfileFields(Body):
    """What a merchant may write on a customer (all optional)."""

    name = Text(max_length=200, allow_none=True)
    phone = Text(max_length=40, allow_none=True)
    country = Country(allow_none=True)
    language = Text(max_length=16, allow_none=True, validate=[validate.Regexp(LANGUAGE)])
    company = Text(max_length=200, allow_none=True)
    position = Text(max_length=200, allow_none=True)
    vat_id = Text(max_length=64, allow_none=True)
    birthdate = fields.Date(allow_none=True)
    gender = fields.String(allow_none=True, validate=validate.OneOf(GENDERS))
    extra_emails = _many(Text(max_length=320), MAX_LIST_ITEMS)
    extra_phones = _many(Text(max_length=40), MAX_LIST_ITEMS)
    addresses = _many(fields.Nested(Address), MAX_LIST_ITEMS)
    marketing_consent = fields.String(validate=validate.OneOf(CONSENT_STATUSES))
    sms_consent = fields.String(
        validate=validate.OneOf(CONSENT_STATUSES),
        metadata={"description": "SMS marketing consent, apart from email's."},
    )
    consent_source = Text(
        max_length=64,
        metadata={"description": "How consent was given (default: admin)."},
    )
    system_notifications = fields.Boolean()
    custom_fields = fields.Dict(
        keys=Text(max_length=64),
        values=fields.Raw(allow_none=True, metadata={"pattern": TEXT_PATTERN}),
        validate=validate.Length(max=200),
        metadata={"description": "Custom field values by key; null clears one."},
    )

    @ma.validates("birthdate")
    def _birthdate(self, value: Any, **_kwargs: Any) -> None:
        import datetime as dt

        if value is not None and not dt.date(1900, 1, 1) <= value <= dt.date.today():
            raise ma.ValidationError(_("must be between 1900-01-01 and today"))


class CustomerCreate(ProfileFields):
    email = Text(max_length=320, allow_none=True)
    tags = _many(TagName(), MAX_FILTER_VALUES)


class CustomerUpdate(ProfileFields):
    email = Text(
        max_length=320,
        allow_none=True,
        metadata={"description": "Only settable while the customer has none; never changed."},
    )


class ConsentEventOut(ma.Schema):
    channel = fields.String()
    status = fields.String()
    source = fields.String()
    actor = fields.String(allow_none=True)
    occurred_at = UTCDateTime()


class SummaryOut(ma.Schema):
    """What every summary mirrored from a host event has: its id and the host's id for it."""

    id = fields.UUID()
    source = fields.String()
    external_id = fields.String()


class OrderOut(SummaryOut):
    status = fields.String()
    payment_status = fields.String(allow_none=True)
    total = Money(allow_none=True)
    currency = fields.String(allow_none=True)
    items = fields.List(fields.Dict())
    placed_at = UTCDateTime(allow_none=True)


class BookingOut(SummaryOut):
    service = fields.String(allow_none=True)
    staff = fields.String(allow_none=True)
    status = fields.String()
    payment_status = fields.String(allow_none=True)
    price = Money(allow_none=True)
    currency = fields.String(allow_none=True)
    starts_at = UTCDateTime(allow_none=True)
    ends_at = UTCDateTime(allow_none=True)
    form_answers = fields.Dict()
    booked_at = UTCDateTime(allow_none=True)


class AddressOut(ma.Schema):
    id = fields.String(required=True)
    label = fields.String()
    line1 = fields.String()
    line2 = fields.String()
    building_number = fields.String()
    street = fields.String()
    district = fields.String()
    city = fields.String()
    region = fields.String()
    postal_code = fields.String()
    additional_number = fields.String()
    short_address = fields.String()
    country = fields.String()
    latitude = fields.Float()
    longitude = fields.Float()
    default_shipping = fields.Boolean()
    default_billing = fields.Boolean()


class AddressList(ma.Schema):
    items = fields.List(fields.Nested(AddressOut), required=True)


class FraudLabel(ma.Schema):
    flagged = fields.Boolean(required=True)
    stores = fields.Integer(
        required=True, metadata={"description": "How many other stores blocked this contact."}
    )


class CustomerCard(CustomerRow):
    fraud = fields.Nested(
        FraudLabel,
        allow_none=True,
        metadata={
            "description": "Set when other stores sharing fraud signals blocked this contact "
            "(CUSTOMERS_FRAUD_SHARING_STORES); never which stores or why."
        },
    )
    language = fields.String(allow_none=True)
    gender = fields.String(allow_none=True)
    birthdate = fields.Date(allow_none=True)
    company = fields.String(allow_none=True)
    position = fields.String(allow_none=True)
    vat_id = fields.String(allow_none=True)
    extra_emails = fields.List(fields.String())
    extra_phones = fields.List(fields.String())
    addresses = fields.List(fields.Nested(AddressOut))
    host_user_id = fields.String(allow_none=True)
    has_photo = fields.Boolean()
    marketing_consent_at = UTCDateTime(allow_none=True)
    marketing_consent_source = fields.String(allow_none=True)
    sms_consent = fields.String(metadata={"description": "SMS marketing consent."})
    sms_consent_at = UTCDateTime(allow_none=True)
    sms_consent_source = fields.String(allow_none=True)
    block_details = fields.String(allow_none=True)
    status_changed_at = UTCDateTime(allow_none=True)
    erased_at = UTCDateTime(
        allow_none=True, metadata={"description": "When the person data was anonymised."}
    )
    updated_at = UTCDateTime()
    currency = fields.String()
    cancelled_orders_count = fields.Integer()
    bookings_count = fields.Integer()
    reviews_count = fields.Integer()
    avg_rating = fields.Decimal(as_string=True, allow_none=True)
    wallet_balance = Money()
    custom_fields = fields.Dict(keys=fields.String(), values=fields.String())
    consent_history = fields.List(fields.Nested(ConsentEventOut))
    recent_orders = fields.List(fields.Nested(OrderOut))
    upcoming_bookings = fields.List(fields.Nested(BookingOut))


class BlockBody(Body):
    reason = fields.String(required=True, validate=validate.OneOf(BLOCK_REASONS))
    details = Text(max_length=1000, allow_none=True)


class TagsBody(Body):
    tags = fields.List(TagName(), required=True, validate=validate.Length(min=1, max=50))


class TagsOut(ma.Schema):
    tags = fields.List(fields.Nested(TagRef), required=True)


class StatusOut(ma.Schema):
    id = fields.UUID(required=True)
    status = fields.String(required=True)
    block_reason = fields.String(allow_none=True)
    block_details = fields.String(allow_none=True)
    changed = fields.Boolean(required=True)


class BulkFilter(FilterFields):
    class Meta:
        unknown = ma.RAISE


class BulkActionName(Text):
    """The name of a bulk action; the document lists the registered actions as an enum (see
    ``api.openapi``), the service checks it against them."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=32, **kwargs)


class BulkBody(Body):
    OPENAPI = {"oneOf": [{"required": ["ids"]}, {"required": ["filter"]}]}

    action = BulkActionName(
        required=True,
        metadata={
            "description": "tag, untag, activate, deactivate, delete, message (and more by module)"
        },
    )
    ids = fields.List(fields.UUID(), validate=validate.Length(min=1, max=10_000))
    filter = fields.Nested(BulkFilter)
    tag = TagName()
    group_id = fields.UUID(metadata={"description": "for add_to_group / remove_from_group"})
    message = fields.Nested(
        "MessageText",
        metadata={
            "description": "for message: what to send to each customer (those without an "
            "address or consent on the channel are skipped: matched minus changed)"
        },
    )

    @ma.validates_schema
    def _one_target(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if ("ids" in data) == ("filter" in data):
            raise ma.ValidationError(_("give either ids or filter"), field_name="ids")


class BulkOut(ma.Schema):
    action = fields.String(required=True)
    matched = fields.Integer(required=True)
    changed = fields.Integer(required=True)


class PhotoUpload(ma.Schema):
    photo = Upload(required=True)


class ActivityOut(ma.Schema):
    id = fields.UUID()
    kind = fields.String()
    actor = fields.String(allow_none=True)
    data = fields.Dict()
    occurred_at = UTCDateTime()


class ActivityPage(ma.Schema):
    items = fields.List(fields.Nested(ActivityOut), required=True)
    next_cursor = fields.String(allow_none=True)


class DuplicateOut(ma.Schema):
    customer_id = fields.UUID(attribute="other_id", metadata={"description": "the other customer"})
    reason = fields.String(metadata={"description": "same_phone: an event paired them"})
    source = fields.String(metadata={"description": "the module of that event"})
    detected_at = UTCDateTime()


class DuplicatePage(ma.Schema):
    items = fields.List(fields.Nested(DuplicateOut), required=True)
    next_cursor = fields.String(allow_none=True)


class OrderTotals(ma.Schema):
    orders_count = fields.Integer()
    all_orders = fields.Integer()
    cancelled_orders_count = fields.Integer()
    total_spent = Money()
    currency = fields.String()
    last_order_at = UTCDateTime(allow_none=True)


class OrderPage(ma.Schema):
    items = fields.List(fields.Nested(OrderOut), required=True)
    next_cursor = fields.String(allow_none=True)
    totals = fields.Nested(OrderTotals)


class BookingArgs(PageArgs):
    when = fields.String(load_default="all", validate=validate.OneOf(("upcoming", "past", "all")))


class BookingPage(ma.Schema):
    items = fields.List(fields.Nested(BookingOut), required=True)
    next_cursor = fields.String(allow_none=True)
