"""``/groups``: customer groups (CRUD, members, preview, condition types) and
``/customers/{id}/groups`` (a customer's groups and why). Thin views: parse -> service -> schema.

Reads need ``customers.read``; every change, and a preview, needs ``groups.manage``.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask_smorest import Blueprint

from .. import i18n, security
from ..schemas.groups import (
    ConditionTypeList,
    CustomerGroupList,
    GroupCreate,
    GroupList,
    GroupOut,
    GroupUpdate,
    MemberArgs,
    MemberIds,
    MemberPage,
    MembersChanged,
    PreviewBody,
    PreviewOut,
)
from ..security import require
from ..services.groups import admin
from .common import page_size, scope
from .errors import install
from .query import NoQuery

MANAGE = "groups.manage"

blp = install(Blueprint("groups", __name__, description="Customer groups."))
customer_groups_blp = install(
    Blueprint("customer_groups", __name__, description="The groups of one customer.")
)

admin.install_integrations()


@blp.route("", methods=["GET"])
@require(security.READ)
@blp.arguments(NoQuery(), location="query", as_kwargs=True)
@blp.response(200, GroupList)
def list_groups() -> Any:
    """Every group of the store with its member counts."""
    with scope() as s:
        return {"items": admin.list_groups(s)}


@blp.route("", methods=["POST"])
@require(MANAGE)
@blp.arguments(GroupCreate())
@blp.response(201, GroupOut)
def create_group(data: dict[str, Any]) -> Any:
    """Create a group: name, icon, optional conditions, manual members, checkout rules.

    Automatic members are computed right after (a refresh job); invalid conditions answer 422
    naming the condition (``conditions.2.value``).
    """
    with scope() as s:
        group_id = admin.create_group(s, data)
    with scope() as s:
        return admin.get_group(s, group_id)


@blp.route("/condition-types", methods=["GET"])
@require(security.READ)
@blp.arguments(NoQuery(), location="query", as_kwargs=True)
@blp.response(200, ConditionTypeList)
def condition_types() -> Any:
    """The fields a condition can test (built-in and added by plugins) and their ops; the
    built-in fields' labels in the request's language (Accept-Language)."""
    with scope() as s:
        items = admin.condition_types(s)
    for item in items:
        item["label"] = i18n.translate(item["label"])
    return {"items": items}


@blp.route("/preview", methods=["POST"])
@require(MANAGE)
@blp.arguments(PreviewBody())
@blp.response(200, PreviewOut)
def preview(data: dict[str, Any]) -> Any:
    """How many customers the conditions match; with ``group_id``, how many would join and
    leave that group if it had these conditions.

    Needs ``groups.manage`` (a preview runs the merchant's conditions over the whole store).
    Values out of their field's range answer 422 naming the condition; conditions the
    database cannot evaluate answer 422 ``conditions_failed``; a preview that runs past the
    statement timeout answers 503 ``query_timeout``."""
    with scope() as s:
        return admin.preview(s, data.get("conditions"), data.get("group_id"))


@blp.route("/<uuid:group_id>", methods=["GET"])
@require(security.READ)
@blp.response(200, GroupOut)
def get_group(group_id: uuid.UUID) -> Any:
    """One group with its member counts."""
    with scope() as s:
        return admin.get_group(s, group_id)


@blp.route("/<uuid:group_id>", methods=["PATCH"])
@require(MANAGE)
@blp.arguments(GroupUpdate())
@blp.response(200, GroupOut)
def update_group(data: dict[str, Any], group_id: uuid.UUID) -> Any:
    """Change a group; new conditions refresh its members right after."""
    with scope() as s:
        admin.update_group(s, group_id, data)
    with scope() as s:
        return admin.get_group(s, group_id)


@blp.route("/<uuid:group_id>", methods=["DELETE"])
@require(MANAGE)
@blp.response(204)
def delete_group(group_id: uuid.UUID) -> None:
    """Delete a group. Its customers are not deleted."""
    with scope() as s:
        admin.delete_group(s, group_id)


@blp.route("/<uuid:group_id>/members", methods=["GET"])
@require(security.READ)
@blp.arguments(MemberArgs(), location="query", as_kwargs=True)
@blp.response(200, MemberPage)
def list_members(group_id: uuid.UUID, **args: Any) -> Any:
    """The members, keyset-paginated and sortable (default: most recently added first)."""
    with scope() as s:
        return admin.members_page(
            s, group_id, sort=args["sort"], limit=page_size(args), cursor=args.get("cursor")
        )


@blp.route("/<uuid:group_id>/members", methods=["POST"])
@require(MANAGE)
@blp.arguments(MemberIds())
@blp.response(200, MembersChanged)
def add_members(data: dict[str, Any], group_id: uuid.UUID) -> Any:
    """Add customers by hand; they stay whatever the conditions say."""
    with scope() as s:
        return {"added": admin.add_members(s, group_id, data["ids"]), "removed": 0}


@blp.route("/<uuid:group_id>/members/remove", methods=["POST"])
@require(MANAGE)
@blp.arguments(MemberIds())
@blp.response(200, MembersChanged)
def remove_members(data: dict[str, Any], group_id: uuid.UUID) -> Any:
    """Take customers out. Those matching the conditions stay as automatic members
    (``kept_matching``): change the conditions to exclude them."""
    with scope() as s:
        removed, kept = admin.remove_members(s, group_id, data["ids"])
    return {"added": 0, "removed": removed, "kept_matching": kept}


@customer_groups_blp.route("/<uuid:customer_id>/groups", methods=["GET"])
@require(security.READ)
@customer_groups_blp.arguments(NoQuery(), location="query", as_kwargs=True)
@customer_groups_blp.response(200, CustomerGroupList)
def groups_of_customer(customer_id: uuid.UUID) -> Any:
    """The customer's groups and why: added by hand, and each condition with the customer's
    value and whether it matched."""
    with scope() as s:
        return {"items": admin.customer_groups(s, customer_id)}
