"""``/tags`` and ``/fields``: the store's tags (with counts; rename and delete everywhere, the
wearers announced) and its custom field definitions (CRUD; a key never changes; deleting a
field deletes its values)."""

from __future__ import annotations

import uuid
from typing import Any

from flask_smorest import Blueprint

from .. import security
from ..schemas.catalog import (
    FieldCreate,
    FieldList,
    FieldOut,
    FieldUpdate,
    TagList,
    TagListArgs,
    TagOut,
    TagRename,
)
from ..security import require
from ..services import fields, tags
from ..state import get_state
from .common import api_state, scope
from .errors import install
from .query import NoQuery

tags_blp = install(Blueprint("tags", __name__, description="The store's tags."))
fields_blp = install(Blueprint("fields", __name__, description="Custom customer fields."))


@tags_blp.route("", methods=["GET"])
@require(security.READ)
@tags_blp.arguments(TagListArgs(), location="query", as_kwargs=True)
@tags_blp.response(200, TagList)
def list_tags(limit: int) -> Any:
    """Every tag of the store by name, with how many customers wear it."""
    with scope() as s:
        return {"items": tags.list_tags(s.session, s.store_id, limit)}


@tags_blp.route("/<uuid:tag_id>", methods=["PATCH"])
@require(security.WRITE)
@tags_blp.arguments(TagRename())
@tags_blp.response(200, TagOut)
def rename_tag(data: dict[str, Any], tag_id: uuid.UUID) -> Any:
    """Rename a tag everywhere (409 if another tag has the name)."""
    with scope() as s:
        return tags.rename_tag(s, tag_id, data["name"], state=get_state())


@tags_blp.route("/<uuid:tag_id>", methods=["DELETE"])
@require(security.WRITE)
@tags_blp.response(204)
def delete_tag(tag_id: uuid.UUID) -> None:
    """Delete a tag and take it off every customer."""
    with scope() as s:
        tags.delete_tag(s, tag_id, state=get_state())


def _field_list(s: Any) -> dict[str, Any]:
    types = api_state().field_types
    return {
        "items": fields.list_definitions(s.session, s.store_id),
        "predefined": [
            {"key": key, "label": label, "type": kind} for key, label, kind in fields.PREDEFINED
        ],
        "types": [{"name": t.name, "label": t.label} for t in types.values()],
    }


@fields_blp.route("", methods=["GET"])
@require(security.READ)
@fields_blp.arguments(NoQuery(), location="query", as_kwargs=True)
@fields_blp.response(200, FieldList)
def list_fields() -> Any:
    """The store's custom fields, the predefined card fields and the available types."""
    with scope() as s:
        return _field_list(s)


@fields_blp.route("", methods=["POST"])
@require(security.SETTINGS)
@fields_blp.arguments(FieldCreate())
@fields_blp.response(201, FieldOut)
def create_field(data: dict[str, Any]) -> Any:
    """Create a custom field of a type (text, number, date, url, or one added by a plugin)."""
    with scope() as s:
        return fields.create_definition(s.session, s.store_id, s.field_types, **data)


@fields_blp.route("/<uuid:field_id>", methods=["PATCH"])
@require(security.SETTINGS)
@fields_blp.arguments(FieldUpdate())
@fields_blp.response(200, FieldOut)
def update_field(data: dict[str, Any], field_id: uuid.UUID) -> Any:
    """Change a field's label or position; its key never changes (422)."""
    with scope() as s:
        return fields.update_definition(s.session, s.store_id, field_id, **data)


@fields_blp.route("/<uuid:field_id>", methods=["DELETE"])
@require(security.SETTINGS)
@fields_blp.response(204)
def delete_field(field_id: uuid.UUID) -> None:
    """Delete a field and every customer's value of it."""
    with scope() as s:
        fields.delete_definition(s.session, s.store_id, field_id)
