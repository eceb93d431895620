"""The task lists: one customer's tasks and the store's, filtered (the acting staff member's,
by assignee, by status, overdue, due today in the store's timezone) and keyset-paginated in due
order (soonest first, the id breaking ties)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from ...models import Task
from ...types import utcnow
from ..keyset import SortKey, model_page
from ..scope import Scope

_KEYS = {"due_at": SortKey("due_at", Task.due_at, "datetime")}


@dataclass(frozen=True, slots=True)
class TaskFilters:
    """The list's filters; ``None`` filters nothing. ``assignee_id`` is already resolved
    (``mine=true`` is the acting staff member's id)."""

    customer_id: uuid.UUID | None = None
    assignee_id: str | None = None
    status: str | None = None
    overdue: bool | None = None
    due_today: bool | None = None


def today_in_utc(zone: ZoneInfo, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """Start and end (exclusive) of the store's current day, in UTC."""
    local = now.astimezone(zone).date()
    start = dt.datetime.combine(local, dt.time(), tzinfo=zone)
    end = dt.datetime.combine(local + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def tasks_page(
    s: Scope,
    filters: TaskFilters,
    zone: ZoneInfo,
    *,
    limit: int,
    cursor: str | None,
    now: dt.datetime | None = None,
) -> tuple[list[Task], str | None]:
    """One page of the store's tasks matching ``filters``, soonest due first.

    Overdue: open and due before now; not overdue: the others.
    """
    now = now or utcnow()
    where: list[Any] = [Task.store_id == s.store_id]
    if filters.customer_id is not None:
        where.append(Task.customer_id == filters.customer_id)
    if filters.assignee_id is not None:
        where.append(Task.assignee_id == filters.assignee_id)
    if filters.status is not None:
        where.append(Task.status == filters.status)
    if filters.overdue is not None:
        late = (Task.status == "open") & (Task.due_at < now)
        where.append(late if filters.overdue else ~late)
    if filters.due_today is not None:
        start, end = today_in_utc(zone, now)
        today = (Task.due_at >= start) & (Task.due_at < end)
        where.append(today if filters.due_today else ~today)
    return model_page(s.session, Task, _KEYS, "due_at", where, limit, cursor)
