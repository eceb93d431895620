"""Writing the activity log: one small function, one row per thing that happened."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy.orm import Session

from ..models import Activity
from ..types import new_id, utcnow

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
    now = utcnow()
    session.execute(
        _activity.insert(),
        [
            {
                "id": new_id(),
                "store_id": store_id,
                "customer_id": customer_id,
                "kind": kind,
                "actor": actor,
                "data": data or {},
                "occurred_at": occurred_at or now,
                "recorded_at": now,
            }
        ],
    )
