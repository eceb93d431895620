"""Notifications of an import chunk (or an undo chunk), after its commit: ``customer_created``
and ``customer_updated`` (with the changed fields) with snapshots built set-based (one
statement per chunk), and ``customer_deleted`` for what undo removed.

The import has already re-evaluated the chunk's group memberships in one set-based call inside
its transaction; these notifications are for third parties.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ...events import CustomerInfo, FieldChange
from ...plugins import deliver, listeners
from ..snapshots import customer_infos

if TYPE_CHECKING:
    import pluggy

    from ...state import CustomersState


def _listeners(pm: pluggy.PluginManager, hook: str) -> list[Any]:
    return listeners(pm, hook)


def announce_changes(
    state: CustomersState,
    created: Sequence[uuid.UUID],
    updated: Mapping[uuid.UUID, list[FieldChange]],
) -> None:
    on_created = _listeners(state.pm, "customer_created") if created else []
    on_updated = _listeners(state.pm, "customer_updated") if updated else []
    ids = ([*created] if on_created else []) + ([*updated] if on_updated else [])
    if not ids:
        return
    for info in snapshots(state, ids):
        customer_id = uuid.UUID(info.id)
        if customer_id in updated:
            deliver(on_updated, "customer_updated", customer=info, changes=updated[customer_id])
        else:
            deliver(on_created, "customer_created", customer=info)


def announce_deleted(state: CustomersState, store_id: str, ids: Sequence[uuid.UUID]) -> None:
    impls = _listeners(state.pm, "customer_deleted")
    for customer_id in ids:
        deliver(impls, "customer_deleted", store_id=store_id, customer_id=str(customer_id))


def snapshots(state: CustomersState, ids: list[uuid.UUID]) -> list[CustomerInfo]:
    with state.db.session() as session:
        return customer_infos(session, ids)
