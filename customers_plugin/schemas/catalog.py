"""Schemas of the store-wide catalogues: tags (with counts) and custom field definitions."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from ..i18n import _
from .common import Body, Query, Text


class TagOut(ma.Schema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)
    automatic = fields.Boolean(required=True)
    customers_count = fields.Integer(required=True)


class TagList(ma.Schema):
    items = fields.List(fields.Nested(TagOut), required=True)


class TagListArgs(Query):
    limit = fields.Integer(load_default=1000, validate=validate.Range(min=1, max=1000))


class TagRename(Body):
    name = Text(max_length=100, required=True, validate=[validate.Length(min=1)])


class FieldOut(ma.Schema):
    id = fields.UUID(required=True)
    key = fields.String(required=True)
    label = fields.String(required=True)
    type = fields.String(required=True)
    position = fields.Integer(required=True)


class PredefinedFieldOut(ma.Schema):
    key = fields.String(required=True)
    label = fields.String(required=True)
    type = fields.String(required=True)


class FieldTypeOut(ma.Schema):
    name = fields.String(required=True)
    label = fields.String(required=True)


class FieldList(ma.Schema):
    items = fields.List(fields.Nested(FieldOut), required=True)
    predefined = fields.List(fields.Nested(PredefinedFieldOut), required=True)
    types = fields.List(fields.Nested(FieldTypeOut), required=True)


class FieldTypeName(Text):
    """The name of a field type; the document lists the app's registered types as an enum
    (see ``api.openapi``), the service checks it against them."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=32, **kwargs)


class FieldCreate(Body):
    label = Text(max_length=200, required=True, validate=[validate.Length(min=1)])
    type = FieldTypeName(required=True)
    key = Text(
        max_length=64,
        validate=[validate.Regexp(r"^[a-z][a-z0-9_]{0,63}$")],
        metadata={"description": "Optional; made from the label. Never changes afterwards."},
    )
    position = fields.Integer(validate=validate.Range(min=0, max=10_000))


class FieldUpdate(Body):
    label = Text(max_length=200, validate=[validate.Length(min=1)])
    position = fields.Integer(validate=validate.Range(min=0, max=10_000))

    @ma.pre_load
    def _key_fixed(self, data: Any, **_kwargs: Any) -> Any:
        """A field's key never changes: say so rather than "unknown field"."""
        if isinstance(data, dict) and "key" in data:
            raise ma.ValidationError(_("a field's key never changes"), field_name="key")
        return data
