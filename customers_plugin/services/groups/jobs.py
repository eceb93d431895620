"""Jobs of the groups room: refresh one group, refresh every group (the scheduled safety net
that also keeps time-based conditions such as birthdays and account age right as days pass).

Both report progress in the RQ job's meta when they run under RQ, and are idempotent.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from ...jobs import job
from ...models import CustomerGroup
from ...plugins import has_listeners
from .failures import clear_failure, failure_reason, mark_failing
from .membership import announce, refresh_group
from .registry import registry_for

if TYPE_CHECKING:
    from ...state import CustomersState


def _progress(**values: Any) -> None:
    """Record progress in the current RQ job's meta (nothing when run inline)."""
    try:
        from rq import get_current_job
    except ImportError:  # pragma: no cover - rq is a dependency
        return
    current = get_current_job()
    if current is not None:
        current.meta.setdefault("progress", {}).update(values)
        current.save_meta()


def refresh_one(state: CustomersState, group_id: uuid.UUID) -> dict[str, Any] | None:
    """Refresh one group in its own transaction; ``None`` when the group is gone.

    A group that cannot be evaluated keeps its members and is marked failing (announced once);
    one that evaluates again is no longer failing."""
    with state.db.transaction() as session:
        group = session.get(CustomerGroup, group_id)
        if group is None:
            return None
        store_id = group.store_id
        listening = has_listeners(state.pm, "group_membership_changed")  # else only counted
        try:
            with session.begin_nested():
                change = refresh_group(session, registry_for(state.pm), group, ids=listening)
        except Exception as exc:
            reason = failure_reason(exc)
            mark_failing(session, state.pm, store_id, group_id, reason)
            return {"added": 0, "removed": 0, "failed": reason}
        clear_failure(session, store_id, group_id)
        announce(session, state.pm, [change])
    return {"added": change.joined, "removed": change.left}


@job("refresh_group", long=True)
def refresh_group_job(state: CustomersState, group_id: str) -> dict[str, Any]:
    """Job: make one group's automatic members exactly the customers matching it."""
    _progress(groups_total=1, groups_done=0)
    result = refresh_one(state, uuid.UUID(group_id))
    _progress(groups_done=1)
    return {"group_id": group_id, **(result or {"gone": True})}


@job("refresh_all_groups", long=True)
def refresh_all_groups_job(state: CustomersState, store_id: str | None = None) -> dict[str, int]:
    """Job: refresh every group (of one store, or of all stores), one transaction per group."""
    query = select(CustomerGroup.id).order_by(CustomerGroup.store_id, CustomerGroup.id)
    if store_id is not None:
        query = query.where(CustomerGroup.store_id == store_id)
    with state.db.session() as session:
        group_ids = list(session.scalars(query))
    totals = {"groups": 0, "added": 0, "removed": 0}
    _progress(groups_total=len(group_ids), groups_done=0)
    for done, group_id in enumerate(group_ids, start=1):
        result = refresh_one(state, group_id)
        if result is not None:
            totals["groups"] += 1
            totals["added"] += result["added"]
            totals["removed"] += result["removed"]
        _progress(groups_done=done)
    return totals
