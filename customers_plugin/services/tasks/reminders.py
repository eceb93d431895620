"""The reminder of a task that falls due: one email to its assignee (``send_message``, the
email address from the host's ``list_staff``), exactly once.

A sender first claims the task (``UPDATE … SET reminded_at WHERE reminded_at IS NULL AND
status = 'open' AND due_at <= now``, committed): of two workers or two runs, only one wins.
Then it sends. A provider error gives the claim back (the next run tries again); a process that
dies between claim and send leaves the task claimed: never reminded twice. A done task is never
reminded; a new due time or a new assignee clears the claim (``manage.update``). A task whose
assignee the host does not list or has no email is claimed and logged ``task_reminder_skipped``.
Job arguments and logs carry ids only.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from ...jobs import job
from ...models import Task
from ...types import utcnow
from .. import activity
from ..messages import channels
from .manage import staff_members

if TYPE_CHECKING:
    from ...state import CustomersState

log = logging.getLogger(__name__)

DUE_BATCH = 500


class _Words(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _due(now: dt.datetime) -> Any:
    return (
        Task.reminded_at.is_(None),
        Task.status == "open",
        Task.assignee_id.is_not(None),
        Task.due_at <= now,
    )


def due_ids(state: CustomersState, now: dt.datetime, limit: int = DUE_BATCH) -> list[uuid.UUID]:
    """Tasks due and not reminded yet, soonest first."""
    with state.db.session() as session:
        return list(
            session.scalars(
                select(Task.id).where(*_due(now)).order_by(Task.due_at, Task.id).limit(limit)
            )
        )


def _claim(state: CustomersState, task_id: uuid.UUID, now: dt.datetime) -> Any:
    with state.db.transaction() as session:
        return session.execute(
            update(Task)
            .where(Task.id == task_id, *_due(now))
            .values(reminded_at=now)
            .returning(Task.store_id, Task.customer_id, Task.assignee_id, Task.title, Task.due_at)
            .execution_options(synchronize_session=False)
        ).first()


def _release(state: CustomersState, task_id: uuid.UUID, claimed_at: dt.datetime) -> None:
    with state.db.transaction() as session:
        session.execute(
            update(Task)
            .where(Task.id == task_id, Task.reminded_at == claimed_at)
            .values(reminded_at=None)
            .execution_options(synchronize_session=False)
        )


def _record(
    state: CustomersState, claimed: Any, task_id: uuid.UUID, kind: str, **data: Any
) -> None:
    with state.db.transaction() as session:
        if session.get(Task, task_id) is None:
            return  # deleted meanwhile (with its customer, perhaps)
        activity.record(
            session,
            claimed.store_id,
            claimed.customer_id,
            kind,
            {"task_id": str(task_id), **data},
        )


def remind(
    state: CustomersState,
    task_id: uuid.UUID,
    now: dt.datetime | None = None,
    staff: dict[str, Any] | None = None,
) -> str:
    """Remind the assignee of one task if this caller can claim it: ``"sent"``, ``"skipped"``
    (the assignee is unknown or has no email) or ``"not_claimed"`` (another sender has it, it
    is done, not due, or already reminded). A provider error gives the claim back and is
    raised. ``staff`` keeps each store's staff list for one run (asked once per store)."""
    now = now or utcnow()
    claimed = _claim(state, task_id, now)
    if claimed is None:
        return "not_claimed"
    staff = {} if staff is None else staff
    if claimed.store_id not in staff:
        staff[claimed.store_id] = staff_members(state.pm, claimed.store_id) or {}
    member = staff[claimed.store_id].get(claimed.assignee_id)
    to = (member or {}).get("email")
    if not to:
        _record(state, claimed, task_id, "task_reminder_skipped", reason="unreachable")
        return "skipped"
    words = _Words(
        name=member.get("name") or "",
        title=claimed.title,
        due_at=f"{claimed.due_at:%Y-%m-%d %H:%M}",
    )
    subject = state.setting("CUSTOMERS_TASK_REMINDER_SUBJECT").format_map(words)
    body = state.setting("CUSTOMERS_TASK_REMINDER_BODY").format_map(words)
    try:
        channels.send(state, claimed.store_id, "email", to, subject, body)
    except Exception as exc:
        _release(state, task_id, now)
        log.warning(
            "customers: task reminder %s failed (%s)",
            task_id,
            getattr(exc, "code", None) or type(exc).__name__,
        )
        raise
    _record(state, claimed, task_id, "task_reminded", channel="email")
    return "sent"


def remind_due(state: CustomersState, now: dt.datetime | None = None) -> dict[str, int]:
    """Remind every task due by ``now``; counts per outcome. Safe to run twice or at once."""
    now = now or utcnow()
    counts: dict[str, int] = {}
    staff: dict[str, Any] = {}
    for task_id in due_ids(state, now):
        try:
            outcome = remind(state, task_id, now, staff)
        except Exception:
            outcome = "failed"
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


@job("send_due_task_reminders")
def send_due_task_reminders_job(state: CustomersState) -> dict[str, int]:
    """Job (periodic): remind the assignees of the tasks that fell due."""
    return remind_due(state)
