"""Create, read, change and delete a staff task; the store's timezone; the staff list.

A due time without an offset is read in the store's timezone (``CUSTOMERS_TIMEZONE``) and kept
in UTC. An assignee must be one of the host's ``list_staff`` answer when a host implements it.
A new due time or assignee clears the reminder claim (it gets its own reminder); a done task is
never reminded. Every change writes the activity log, with the acting staff member as actor.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pluggy
from sqlalchemy import select

from ...i18n import _
from ...models import Customer, Task
from ...types import utcnow
from .. import activity
from ..errors import NotFound, invalid
from ..scope import Scope

UNSET: Any = object()
_EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
_LATEST = dt.datetime(9000, 1, 1, tzinfo=dt.UTC)


def store_zone(name: str | None) -> ZoneInfo:
    """The store's timezone; an unknown name is a configuration error (ValueError)."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"CUSTOMERS_TIMEZONE {name!r} is not an IANA timezone") from exc


def due_in_utc(value: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """``value`` in UTC; without an offset it is a wall-clock time of ``zone``.

    :raises Invalid: out of range (``due_at``).
    """
    try:
        aware = value if value.tzinfo is not None else value.replace(tzinfo=zone)
        result = aware.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        raise invalid("due_at", _("datetime out of range")) from None
    if not _EARLIEST <= result < _LATEST:
        raise invalid("due_at", _("datetime out of range"))
    return result


def staff_members(pm: pluggy.PluginManager, store_id: str) -> dict[str, dict[str, str]] | None:
    """The host's staff of the store by id; ``None`` when no host lists staff."""
    answer = pm.hook.list_staff(store_id=store_id)
    if answer is None:
        return None
    return {str(m.get("id")): dict(m) for m in answer if isinstance(m, dict) and m.get("id")}


def check_assignee(pm: pluggy.PluginManager, store_id: str, assignee_id: str | None) -> None:
    """:raises Invalid: ``assignee_id`` is not on the host's staff list."""
    if assignee_id is None:
        return
    staff = staff_members(pm, store_id)
    if staff is not None and assignee_id not in staff:
        raise invalid("assignee_id", _("not a staff member of this store"))


def create(
    s: Scope,
    customer_id: uuid.UUID,
    *,
    title: str,
    due_at: dt.datetime,
    zone: ZoneInfo,
    description: str | None = None,
    assignee_id: str | None = None,
) -> Task:
    """A new open task about the customer, authored by ``s.actor``.

    :raises NotFound: not a customer of this store.
    :raises Invalid: a bad due time or assignee.
    """
    require_customer(s, customer_id)
    check_assignee(s.pm, s.store_id, assignee_id)
    now = utcnow()
    task = Task(
        store_id=s.store_id,
        customer_id=customer_id,
        title=title,
        description=description or None,
        due_at=due_in_utc(due_at, zone),
        assignee_id=assignee_id,
        status="open",
        created_by=_author(s),
        created_at=now,
        updated_at=now,
    )
    s.session.add(task)
    s.session.flush()
    _log(s, task, "task_created", {"task_id": str(task.id), "status": "open"})
    return task


def get(s: Scope, task_id: uuid.UUID, *, lock: bool = False) -> Task:
    """:raises NotFound: no such task in this store."""
    query = select(Task).where(Task.id == task_id, Task.store_id == s.store_id)
    task = s.session.scalar(query.with_for_update() if lock else query)
    if task is None:
        raise NotFound(_("no such task"))
    return task


@dataclass(frozen=True, slots=True)
class TaskChanges:
    """What a PATCH changes; a field left ``UNSET`` stays as it is."""

    title: Any = UNSET
    description: Any = UNSET
    due_at: Any = UNSET
    assignee_id: Any = UNSET
    status: Any = UNSET

    @classmethod
    def of(cls, values: dict[str, Any]) -> TaskChanges:
        return cls(**{k: v for k, v in values.items() if k in cls.__slots__})


def update(s: Scope, task_id: uuid.UUID, changes: TaskChanges, zone: ZoneInfo) -> Task:
    """Apply ``changes``; each kind of change is one activity entry (done, reopened,
    reassigned, rescheduled, edited). Changing nothing writes nothing.

    :raises NotFound: no such task in this store.
    :raises Invalid: a bad due time or assignee.
    """
    task = get(s, task_id, lock=True)
    now = utcnow()
    logged: list[tuple[str, dict[str, Any]]] = []
    edited = [
        name
        for name in ("title", "description")
        if getattr(changes, name) is not UNSET
        and (getattr(changes, name) or None) != getattr(task, name)
    ]
    for name in edited:
        setattr(task, name, getattr(changes, name) or None)
    if edited:
        logged.append(("task_edited", {"fields": edited}))
    if changes.due_at is not UNSET:
        due = due_in_utc(changes.due_at, zone)
        if due != task.due_at:
            task.due_at = due
            task.reminded_at = None  # the new due time gets its own reminder
            logged.append(("task_rescheduled", {}))
    if changes.assignee_id is not UNSET and changes.assignee_id != task.assignee_id:
        check_assignee(s.pm, s.store_id, changes.assignee_id)
        task.assignee_id = changes.assignee_id
        task.reminded_at = None  # the new assignee gets their own reminder
        logged.append(("task_reassigned", {}))
    if changes.status is not UNSET and changes.status != task.status:
        task.status = changes.status
        task.done_at = now if changes.status == "done" else None
        logged.append(("task_done" if changes.status == "done" else "task_reopened", {}))
    if logged:
        task.updated_at = now
        s.session.flush()
        for kind, data in logged:
            _log(s, task, kind, {"task_id": str(task.id), "status": task.status, **data})
    return task


def delete(s: Scope, task_id: uuid.UUID) -> None:
    """:raises NotFound: no such task in this store."""
    task = get(s, task_id, lock=True)
    _log(s, task, "task_deleted", {"task_id": str(task.id), "status": task.status})
    s.session.delete(task)
    s.session.flush()


def require_customer(s: Scope, customer_id: uuid.UUID) -> None:
    found = s.session.scalar(
        select(Customer.id).where(
            Customer.id == customer_id,
            Customer.store_id == s.store_id,
            Customer.erased_at.is_(None),
        )
    )
    if found is None:
        raise NotFound(_("no such customer"))


def _author(s: Scope) -> str | None:
    return None if s.actor == "admin" else s.actor


def _log(s: Scope, task: Task, kind: str, data: dict[str, Any]) -> None:
    activity.record(s.session, s.store_id, task.customer_id, kind, data, actor=s.actor)
