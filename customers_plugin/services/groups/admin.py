"""The merchant's group operations as the admin API calls them, on a service ``Scope``:
create/change/delete groups (a refresh job follows any change of conditions), members pages,
manual members, previews, a customer's groups, and the customer-list integrations (the
``groups`` column and the ``add_to_group`` / ``remove_from_group`` bulk actions).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import BigInteger, select, type_coerce
from sqlalchemy.exc import DBAPIError

from ...db import is_statement_timeout
from ...i18n import _
from ...models import Customer, CustomerGroup, GroupMember
from .. import bulk
from ..errors import Invalid, NotFound, invalid
from ..keyset import SortKey, parse_sort, query_page
from ..scope import Scope
from . import manage, membership
from .conditions import ConditionsInvalid, parse
from .failures import failure_reason
from .registry import ConditionRegistry, dump_value, registry_for

MAX_GROUPS_PER_STORE = 500
GROUPS_MANAGE = "groups.manage"
_SPENT_UNITS = type_coerce(Customer.total_spent, BigInteger)
MEMBER_SORT_KEYS = {
    k.name: k
    for k in (
        SortKey("added_at", GroupMember.added_at, "datetime"),
        SortKey("name", Customer.search_name, "str", attr="search_name"),
        SortKey("joined_at", Customer.joined_at, "datetime"),
        # raw thousandths: keyset bounds then compare integers with integers
        SortKey("total_spent", _SPENT_UNITS, "int", attr="spent_units"),
        SortKey("orders_count", Customer.orders_count, "int"),
    )
}
MEMBER_ID_KEY = SortKey("id", Customer.id, "uuid")
DEFAULT_MEMBER_SORT = "-added_at"


def registry(scope: Scope) -> ConditionRegistry:
    return registry_for(scope.pm)


def _invalid(errors: dict[str, list[str]]) -> Invalid:
    return Invalid(_("the group is not valid"), fields=errors)


def _group(scope: Scope, group_id: uuid.UUID) -> CustomerGroup:
    group = manage.get_group(scope.session, scope.store_id, group_id)
    if group is None:
        raise NotFound(_("no such group"))
    return group


def group_out(group: CustomerGroup, members: int, manual: int) -> dict[str, Any]:
    return {
        "id": group.id,
        "name": group.name,
        "icon": group.icon,
        "conditions": group.conditions,
        "hidden_payment_methods": group.hidden_payment_methods or [],
        "free_shipping": group.free_shipping,
        "coupon_codes": group.coupon_codes or [],
        "members_count": members,
        "manual_members_count": manual,
        "created_at": group.created_at,
        "updated_at": group.updated_at,
        "refreshed_at": group.refreshed_at,
        "failing": group.failure_reason is not None,
        "failure_reason": group.failure_reason,
        "failed_at": group.failed_at,
    }


def _refresh_after_commit(scope: Scope, group_id: uuid.UUID) -> None:
    from ...state import get_state

    get_state().jobs.enqueue_after_commit(
        scope.session, "refresh_group", str(group_id), store_id=scope.store_id
    )


def list_groups(scope: Scope) -> list[dict[str, Any]]:
    return [group_out(*row) for row in manage.list_groups(scope.session, scope.store_id)]


def get_group(scope: Scope, group_id: uuid.UUID) -> dict[str, Any]:
    group = _group(scope, group_id)
    counts = manage.member_counts(scope.session, scope.store_id, [group.id])[group.id]
    return group_out(group, *counts)


def create_group(scope: Scope, data: dict[str, Any]) -> uuid.UUID:
    """Create a group; its automatic members are computed by a refresh job after commit."""
    count = len(scope.session.scalars(
        select(CustomerGroup.id).where(CustomerGroup.store_id == scope.store_id)
    ).all())  # fmt: skip
    if count >= MAX_GROUPS_PER_STORE:
        raise invalid("name", _("a store has at most {n} groups", n=MAX_GROUPS_PER_STORE))
    members = _store_customers(scope, data.pop("members", None) or [])
    try:
        group = manage.create_group(scope.session, registry(scope), scope.store_id, data)
    except manage.GroupInvalid as exc:
        raise _invalid(exc.errors) from None
    if members:
        change = membership.add_members(scope.session, group, members)
        membership.announce(scope.session, scope.pm, [change])
    if group.conditions:
        _refresh_after_commit(scope, group.id)
    return group.id


def update_group(scope: Scope, group_id: uuid.UUID, data: dict[str, Any]) -> None:
    group = _group(scope, group_id)
    try:
        conditions_changed = manage.update_group(scope.session, registry(scope), group, data)
    except manage.GroupInvalid as exc:
        raise _invalid(exc.errors) from None
    if conditions_changed:
        _refresh_after_commit(scope, group.id)


def delete_group(scope: Scope, group_id: uuid.UUID) -> None:
    """Delete the group; its customers stay. Listeners hear that every member left."""
    _group(scope, group_id)
    leaving: tuple[uuid.UUID, ...] = ()
    if scope.listens("group_membership_changed"):
        leaving = tuple(
            scope.session.scalars(
                select(GroupMember.customer_id).where(
                    GroupMember.group_id == group_id, GroupMember.store_id == scope.store_id
                )
            )
        )
    if not manage.delete_group(scope.session, scope.store_id, group_id):
        raise NotFound(_("no such group"))
    change = membership.MembershipChange(scope.store_id, group_id, (), leaving)
    membership.announce(scope.session, scope.pm, [change])


def _store_customers(scope: Scope, ids: Sequence[uuid.UUID]) -> list[uuid.UUID]:
    """``ids`` when every one is a customer of the store; else ``NotFound`` (as bulk answers)."""
    return bulk.select_ids(scope, ids, None) if ids else []


def add_members(scope: Scope, group_id: uuid.UUID, ids: Sequence[uuid.UUID]) -> int:
    """Add customers by hand; every id must be a customer of the store (else nothing is
    added and ``NotFound`` says how many are not)."""
    group = _group(scope, group_id)
    change = membership.add_members(scope.session, group, _store_customers(scope, ids))
    membership.announce(scope.session, scope.pm, [change])
    return len(change.added)


def remove_members(scope: Scope, group_id: uuid.UUID, ids: Sequence[uuid.UUID]) -> tuple[int, int]:
    """Returns (removed, kept because they match the conditions)."""
    group = _group(scope, group_id)
    change, kept = membership.remove_members(scope.session, registry(scope), group, ids)
    membership.announce(scope.session, scope.pm, [change])
    return len(change.removed), len(kept)


def members_page(
    scope: Scope, group_id: uuid.UUID, *, sort: str, limit: int, cursor: str | None
) -> dict[str, Any]:
    """One keyset page of a group's members."""
    _group(scope, group_id)
    orders = parse_sort(sort or DEFAULT_MEMBER_SORT, MEMBER_SORT_KEYS, MEMBER_ID_KEY)
    query = (
        select(
            Customer.id,
            Customer.name,
            Customer.email,
            Customer.phone,
            Customer.search_name,
            Customer.joined_at,
            Customer.total_spent,
            Customer.orders_count,
            _SPENT_UNITS.label("spent_units"),
            GroupMember.manual,
            GroupMember.added_at,
        )
        .join(GroupMember, GroupMember.customer_id == Customer.id)
        .where(
            GroupMember.group_id == group_id,
            GroupMember.store_id == scope.store_id,
            Customer.store_id == scope.store_id,
        )
    )
    rows, next_cursor = query_page(scope.session, query, orders, limit, cursor)
    return {"items": [dict(row._mapping) for row in rows], "next_cursor": next_cursor}


class ConditionsFailed(Invalid):
    """Valid conditions that the database could not evaluate (a plugin's condition whose SQL
    fails). A statement timeout is not this: the API answers ``query_timeout``."""

    code = "conditions_failed"


def preview(scope: Scope, conditions: Any, group_id: uuid.UUID | None = None) -> dict[str, int]:
    try:
        parsed = parse(conditions, registry(scope))
    except ConditionsInvalid as exc:
        raise _invalid(exc.errors) from None
    group = _group(scope, group_id) if group_id is not None else None
    try:
        return membership.preview(scope.session, registry(scope), scope.store_id, parsed, group)
    except (DBAPIError, ArithmeticError, ValueError, TypeError) as exc:
        if is_statement_timeout(exc) or getattr(exc, "connection_invalidated", False):
            raise
        raise ConditionsFailed(failure_reason(exc)) from None


def customer_groups(scope: Scope, customer_id: uuid.UUID) -> list[dict[str, Any]]:
    found = scope.session.scalar(
        select(Customer.id).where(Customer.id == customer_id, Customer.store_id == scope.store_id)
    )
    if found is None:
        raise NotFound(_("no such customer"))
    return membership.customer_groups(scope.session, registry(scope), scope.store_id, customer_id)


def condition_types(scope: Scope) -> list[dict[str, Any]]:
    """The fields a condition can test, for the merchant's condition builder, each with the
    range its values must lie in (``minimum``/``maximum``, null for texts and booleans)."""
    items = []
    for t in sorted(registry(scope), key=lambda t: t.name):
        low, high = t.value_range() or (None, None)
        items.append(
            {
                "field": t.name,
                "label": t.label or t.name,
                "value_type": t.value_type,
                "ops": sorted(t.ops),
                "choices": list(t.choices) if t.choices else None,
                "minimum": dump_value(low),
                "maximum": dump_value(high),
            }
        )
    return items


# -- customer-list integrations --------------------------------------------------------------


def _bulk_group(scope: Scope, params: dict[str, Any]) -> CustomerGroup:
    raw = params.get("group_id")
    try:
        group_id = raw if isinstance(raw, uuid.UUID) else uuid.UUID(str(raw))
    except ValueError:
        raise invalid("group_id", _("not a group id")) from None
    return _group(scope, group_id)


def bulk_add_to_group(scope: Scope, ids: Sequence[uuid.UUID], params: dict[str, Any]) -> int:
    return add_members(scope, _bulk_group(scope, params).id, ids)


def bulk_remove_from_group(scope: Scope, ids: Sequence[uuid.UUID], params: dict[str, Any]) -> int:
    return remove_members(scope, _bulk_group(scope, params).id, ids)[0]


def install_integrations() -> None:
    """Add the ``groups`` column to customer-list rows and the group bulk actions (idempotent)."""
    from .. import row_extras

    row_extras.register(membership.GROUPS_EXTRA)
    for name, apply in (
        ("add_to_group", bulk_add_to_group),
        ("remove_from_group", bulk_remove_from_group),
    ):
        existing = bulk.ACTIONS.get(name)
        if existing is None or existing.apply is not apply:
            bulk.register_action(bulk.BulkAction(name, GROUPS_MANAGE, apply, needs=("group_id",)))
