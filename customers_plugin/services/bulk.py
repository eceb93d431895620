"""Bulk actions over chosen ids or over the current list filter: all or nothing, with counts.

Actions live in ``ACTIONS`` (name -> permission, whether it needs a tag, the function); other
modules (e.g. groups) add theirs with ``register_action``. Each runs in the caller's single
transaction, so a failure part-way leaves the database unchanged.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from .. import security
from ..i18n import _
from ..models import Customer, CustomerTag
from . import customers, tags
from .errors import Conflict, Invalid, NotFound, invalid
from .listing import Filters, matching_ids
from .scope import Scope

# apply(scope, ids, params) -> how many customers actually changed
Apply = Callable[[Scope, Sequence[uuid.UUID], dict[str, Any]], int]


@dataclass(frozen=True, slots=True)
class BulkAction:
    name: str
    permission: str
    apply: Apply
    needs: tuple[str, ...] = ()


ACTIONS: dict[str, BulkAction] = {}


def register_action(action: BulkAction) -> None:
    if action.name in ACTIONS and ACTIONS[action.name] is not action:
        raise ValueError(f"bulk action {action.name!r} is registered twice")
    ACTIONS[action.name] = action


@dataclass(frozen=True, slots=True)
class BulkResult:
    action: str
    matched: int
    changed: int


def select_ids(scope: Scope, ids: Sequence[uuid.UUID] | None, filters: Filters | None) -> list:
    """The customers an action targets: the given ids (all must exist in the store) or every
    customer the filter selects (at most ``scope.max_bulk``)."""
    if ids is not None:
        wanted = list(dict.fromkeys(ids))
        if len(wanted) > scope.max_bulk:
            raise invalid("ids", _("at most {n} customers per bulk action", n=scope.max_bulk))
        found = set(
            scope.session.scalars(
                select(Customer.id).where(
                    Customer.store_id == scope.store_id, Customer.id.in_(wanted)
                )
            )
        )
        missing = [str(i) for i in wanted if i not in found]
        if missing:
            raise NotFound(_("{n} of the ids are not customers of this store", n=len(missing)))
        return wanted
    chosen = matching_ids(scope, filters or Filters(), scope.max_bulk)
    if len(chosen) > scope.max_bulk:
        raise Invalid(
            _("the filter selects more than {n} customers; narrow it", n=scope.max_bulk),
            fields={"filter": [_("selects more than {n} customers", n=scope.max_bulk)]},
        )
    return chosen


def run(
    scope: Scope,
    action_name: str,
    *,
    ids: Sequence[uuid.UUID] | None,
    filters: Filters | None,
    params: dict[str, Any],
) -> BulkResult:
    action = ACTIONS.get(action_name)
    if action is None:
        raise invalid("action", _("one of: {choices}", choices=", ".join(sorted(ACTIONS))))
    for need in action.needs:
        if not params.get(need):
            raise invalid(
                need, _("the {action} action needs {need}", action=action_name, need=need)
            )
    chosen = select_ids(scope, ids, filters)
    changed = action.apply(scope, chosen, params) if chosen else 0
    return BulkResult(action_name, len(chosen), changed)


def _tag(scope: Scope, ids: Sequence[uuid.UUID], params: dict[str, Any]) -> int:
    return sum(1 for cid in ids if tags.add_tags(scope, cid, [params["tag"]]))


def _untag(scope: Scope, ids: Sequence[uuid.UUID], params: dict[str, Any]) -> int:
    tag_ids = tags.tag_ids_by_name(scope.session, scope.store_id, [params["tag"]])
    if not tag_ids:
        return 0
    wearing = list(
        scope.session.scalars(
            select(CustomerTag.customer_id).where(
                CustomerTag.tag_id == tag_ids[0], CustomerTag.customer_id.in_(list(ids))
            )
        )
    )
    for customer_id in wearing:
        tags.remove_tag(scope, customer_id, tag_ids[0])
    return len(wearing)


def _set_active(active: bool) -> Apply:
    def apply(scope: Scope, ids: Sequence[uuid.UUID], _params: dict[str, Any]) -> int:
        blocked = scope.session.scalar(
            select(Customer.id).where(Customer.id.in_(list(ids)), Customer.status == "blocked")
        )
        if blocked is not None:
            raise Conflict(
                _("some of these customers are blocked; unblock them first"),
                existing_id=str(blocked),
            )
        return sum(customers.set_active(scope, cid, active) for cid in ids)

    return apply


def _delete(scope: Scope, ids: Sequence[uuid.UUID], _params: dict[str, Any]) -> int:
    return customers.delete(scope, ids)


for _action in (
    BulkAction("tag", security.WRITE, _tag, ("tag",)),
    BulkAction("untag", security.WRITE, _untag, ("tag",)),
    BulkAction("activate", security.WRITE, _set_active(True)),
    BulkAction("deactivate", security.WRITE, _set_active(False)),
    BulkAction("delete", security.DELETE, _delete),
):
    register_action(_action)

__all__ = ["ACTIONS", "BulkAction", "BulkResult", "register_action", "run"]
