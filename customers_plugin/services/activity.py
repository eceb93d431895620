"""Writing the activity log: one small function, one row per thing that happened."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy.orm import Session

from ..models import Activity
from ..types import new_id, utcnow
from . import deferred

_activity = Activity.__table__


def record(
    session: Session,
    store_id: str,
    customer_id: uuid.UUID,
    kind: str,
    data: dict[str, Any] | None = None,
    *,
    actor: str | None = "system",
    occurred_at: dt.datetime | None = None,
) -> None:
    """Log one line; inside a batch of events (``deferred.gathering``) it waits for the batch's
    single INSERT."""
    now = utcnow()
    row = {
        "id": new_id(),
        "store_id": store_id,
        "customer_id": customer_id,
        "kind": kind,
        "actor": actor,
        "data": data or {},
        "occurred_at": occurred_at or now,
        "recorded_at": now,
    }
    waiting = deferred.buffer(session, "activity", list, _insert)
    if waiting is None:
        _insert(session, [row])
    else:
        waiting.append(row)


def _insert(session: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(_activity.insert(), rows)
