"""Schemas of ``/groups``: group bodies and answers, members pages, previews, explanations.

Conditions are checked by the groups service (it knows the registered condition types); here
they are only required to be an object.
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from ..services.groups.admin import DEFAULT_MEMBER_SORT, MEMBER_SORT_KEYS
from ..services.groups.conditions import MATCHES, MAX_CONDITIONS
from ..services.groups.registry import ALL_OPS
from .common import Body, Money, PageArgs, SortSpec, Text, UTCDateTime

MAX_MEMBER_IDS = 10_000


CONDITIONS_EXAMPLE = {
    "match": "all",
    "conditions": [
        {"field": "cancelled_orders_count", "op": "gt", "value": 4},
        {"field": "total_purchases", "op": "lt", "value": "50"},
    ],
}


def ConditionsField(**kwargs: object) -> fields.Dict:
    """``{"match": "all"|"any", "conditions": [{"field", "op", "value"}]}``, validated by the
    groups service (it knows the registered condition types); errors name the condition:
    ``conditions.2.value``."""
    return fields.Dict(
        metadata={
            "description": "match all|any; up to 20 conditions {field, op, value}; "
            "ops gt gte lt lte eq neq between in is_null; fields and the ops each allows: "
            "GET /groups/condition-types. neq counts a missing value as not equal.",
            "example": CONDITIONS_EXAMPLE,
            "properties": {
                "match": {"type": "string", "enum": list(MATCHES)},
                "conditions": {
                    "type": "array",
                    "maxItems": MAX_CONDITIONS,
                    "items": {
                        "type": "object",
                        "properties": {
                            "field": {"type": "string"},
                            "op": {"type": "string", "enum": list(ALL_OPS)},
                            "value": {},
                        },
                        "required": ["field", "op"],
                        "additionalProperties": False,
                    },
                },
            },
            "additionalProperties": False,
        },
        **kwargs,
    )


class GroupCreate(Body):
    name = Text(max_length=100, required=True, validate=[validate.Length(min=1)])
    icon = Text(max_length=64, allow_none=True)
    conditions = ConditionsField(allow_none=True)
    hidden_payment_methods = fields.List(
        Text(max_length=64, validate=[validate.Length(min=1)]), validate=validate.Length(max=100)
    )
    free_shipping = fields.Boolean()
    coupon_codes = fields.List(
        Text(max_length=64, validate=[validate.Length(min=1)]), validate=validate.Length(max=100)
    )
    members = fields.List(fields.UUID(), validate=validate.Length(max=MAX_MEMBER_IDS))


class GroupUpdate(Body):
    name = Text(max_length=100, validate=[validate.Length(min=1)])
    icon = Text(max_length=64, allow_none=True)
    conditions = ConditionsField(allow_none=True)
    hidden_payment_methods = fields.List(
        Text(max_length=64, validate=[validate.Length(min=1)]), validate=validate.Length(max=100)
    )
    free_shipping = fields.Boolean()
    coupon_codes = fields.List(
        Text(max_length=64, validate=[validate.Length(min=1)]), validate=validate.Length(max=100)
    )


class GroupOut(ma.Schema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)
    icon = fields.String(allow_none=True)
    conditions = fields.Dict(allow_none=True)
    hidden_payment_methods = fields.List(fields.String())
    free_shipping = fields.Boolean()
    coupon_codes = fields.List(fields.String())
    members_count = fields.Integer()
    manual_members_count = fields.Integer()
    created_at = UTCDateTime()
    updated_at = UTCDateTime()
    refreshed_at = UTCDateTime(allow_none=True)
    failing = fields.Boolean(
        metadata={"description": "The group cannot be evaluated; capture goes on without it."}
    )
    failure_reason = fields.String(
        allow_none=True,
        metadata={"description": "Why (the condition at fault, or the kind of error)."},
    )
    failed_at = UTCDateTime(allow_none=True)


class GroupList(ma.Schema):
    items = fields.List(fields.Nested(GroupOut), required=True)


class MemberArgs(PageArgs):
    sort = SortSpec(MEMBER_SORT_KEYS, DEFAULT_MEMBER_SORT)


class MemberRow(ma.Schema):
    id = fields.UUID(required=True)
    name = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    joined_at = UTCDateTime()
    total_spent = Money()
    orders_count = fields.Integer()
    manual = fields.Boolean()
    added_at = UTCDateTime()


class MemberPage(ma.Schema):
    items = fields.List(fields.Nested(MemberRow), required=True)
    next_cursor = fields.String(allow_none=True)


class MemberIds(Body):
    ids = fields.List(
        fields.UUID(), required=True, validate=validate.Length(min=1, max=MAX_MEMBER_IDS)
    )


class MembersChanged(ma.Schema):
    added = fields.Integer()
    removed = fields.Integer()
    kept_matching = fields.Integer(
        metadata={"description": "Customers that stay because they match the conditions."}
    )


class PreviewBody(Body):
    conditions = ConditionsField(required=True, allow_none=True)
    group_id = fields.UUID(allow_none=True)


class PreviewOut(ma.Schema):
    matching = fields.Integer(required=True)
    would_join = fields.Integer(required=True)
    would_leave = fields.Integer(required=True)


class ConditionTypeOut(ma.Schema):
    field = fields.String()
    label = fields.String()
    value_type = fields.String()
    ops = fields.List(fields.String())
    choices = fields.List(fields.String(), allow_none=True)
    minimum = fields.Raw(
        allow_none=True, metadata={"description": "Smallest accepted value (JSON form)."}
    )
    maximum = fields.Raw(
        allow_none=True, metadata={"description": "Largest accepted value (JSON form)."}
    )


class ConditionTypeList(ma.Schema):
    items = fields.List(fields.Nested(ConditionTypeOut), required=True)


class ExplainedCondition(ma.Schema):
    field = fields.String()
    op = fields.String()
    value = fields.Raw()
    customer_value = fields.Raw(allow_none=True)
    matched = fields.Boolean()


class CustomerGroupOut(ma.Schema):
    group_id = fields.String()
    name = fields.String()
    icon = fields.String(allow_none=True)
    manual = fields.Boolean()
    added_at = UTCDateTime()
    match = fields.String(allow_none=True)
    conditions = fields.List(fields.Nested(ExplainedCondition))


class CustomerGroupList(ma.Schema):
    items = fields.List(fields.Nested(CustomerGroupOut), required=True)


class GroupRef(ma.Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)
