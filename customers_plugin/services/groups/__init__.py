"""Customer groups: conditions compiled to SQL, membership, checkout rules.

``reevaluate_customers`` is the one call other services make after they change a customer's
facts (host events, profile edits, imports): it brings that customer's memberships up to date in
the caller's transaction and announces the changes after commit.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from .failures import mark_after_commit
from .membership import MembershipChange, announce, reevaluate
from .registry import registry_for

if TYPE_CHECKING:
    from ...state import CustomersState

__all__ = ["MembershipChange", "reevaluate_customers"]


def reevaluate_customers(
    session: Session,
    state: CustomersState,
    store_id: str,
    customer_ids: Iterable[uuid.UUID],
    *,
    today: dt.date | None = None,
) -> list[MembershipChange]:
    """Re-evaluate these customers' memberships in every group of ``store_id``, inside
    ``session``'s transaction; ``group_membership_changed`` fires after commit.

    Never fails the caller's write because of a group: one that cannot be evaluated is left
    out and marked failing after commit (``group_failed`` tells third parties)."""
    failures: dict[uuid.UUID, str] = {}
    changes = reevaluate(
        session, registry_for(state.pm), store_id, customer_ids, today=today, failures=failures
    )
    announce(session, state.pm, changes)
    mark_after_commit(session, state, store_id, failures)
    return changes
