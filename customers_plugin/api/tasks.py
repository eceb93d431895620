"""Staff tasks: ``/customers/{id}/tasks`` (create, the customer's list) and ``/tasks`` (the
store's list with its filters, one task, change, delete). The acting staff member comes from
the host's ``current_staff`` hook."""

from __future__ import annotations

import uuid
from typing import Any
from zoneinfo import ZoneInfo

from flask_smorest import Blueprint

from .. import security
from ..i18n import _
from ..schemas.tasks import (
    CustomerTaskArgs,
    StaffList,
    TaskIn,
    TaskListArgs,
    TaskOut,
    TaskPage,
    TaskPatch,
)
from ..security import require
from ..services import settings, tasks
from ..services.errors import invalid
from ..services.scope import Scope
from ..services.tasks.manage import staff_members, store_zone
from ..state import get_state
from .common import page_size, scope
from .errors import install

blp = install(Blueprint("tasks", __name__, description="Staff tasks about customers."))


def _zone(s: Scope) -> ZoneInfo:
    return store_zone(settings.effective(s, "timezone"))


@blp.route("/customers/<uuid:customer_id>/tasks", methods=["POST"])
@require(security.WRITE)
@blp.arguments(TaskIn)
@blp.response(201, TaskOut)
def create_task(body: dict[str, Any], customer_id: uuid.UUID) -> Any:
    """Add an open task about the customer; its author is the staff member asking."""
    with scope() as s:
        return tasks.create(s, customer_id, zone=_zone(s), **body)


@blp.route("/customers/<uuid:customer_id>/tasks", methods=["GET"])
@require(security.READ)
@blp.arguments(CustomerTaskArgs(), location="query", as_kwargs=True)
@blp.response(200, TaskPage)
def customer_tasks(customer_id: uuid.UUID, **args: Any) -> Any:
    """The customer's tasks, soonest due first."""
    with scope(write=False) as s:
        tasks.manage.require_customer(s, customer_id)
        filters = tasks.TaskFilters(customer_id=customer_id, status=args.get("status"))
        items, next_cursor = tasks.tasks_page(
            s, filters, _zone(s), limit=page_size(args), cursor=args.get("cursor")
        )
    return {"items": items, "next_cursor": next_cursor}


@blp.route("/tasks", methods=["GET"])
@require(security.READ)
@blp.arguments(TaskListArgs(), location="query", as_kwargs=True)
@blp.response(200, TaskPage)
def list_tasks(**args: Any) -> Any:
    """The store's tasks, soonest due first: the asking staff member's (``mine``), one
    assignee's, by status, overdue (open and past due) and due today (store's timezone)."""
    assignee = args.get("assignee_id")
    if args.get("mine"):
        me = security.current_staff()
        if me is None:
            raise invalid("mine", _("the host does not say who the staff member is"))
        if assignee is not None and assignee != me:
            return {"items": [], "next_cursor": None}  # both filters: nobody's tasks
        assignee = me
    filters = tasks.TaskFilters(
        assignee_id=assignee,
        status=args.get("status"),
        overdue=args.get("overdue"),
        due_today=args.get("due_today"),
    )
    with scope(write=False) as s:
        items, next_cursor = tasks.tasks_page(
            s, filters, _zone(s), limit=page_size(args), cursor=args.get("cursor")
        )
    return {"items": items, "next_cursor": next_cursor}


@blp.route("/tasks/<uuid:task_id>", methods=["GET"])
@require(security.READ)
@blp.response(200, TaskOut)
def get_task(task_id: uuid.UUID) -> Any:
    """One task."""
    with scope(write=False) as s:
        return tasks.get(s, task_id)


@blp.route("/tasks/<uuid:task_id>", methods=["PATCH"])
@require(security.WRITE)
@blp.arguments(TaskPatch)
@blp.response(200, TaskOut)
def update_task(body: dict[str, Any], task_id: uuid.UUID) -> Any:
    """Mark done or open again, reassign, reschedule (a new reminder) or edit the text."""
    with scope() as s:
        return tasks.update(s, task_id, tasks.TaskChanges.of(body), _zone(s))


@blp.route("/tasks/<uuid:task_id>", methods=["DELETE"])
@require(security.WRITE)
@blp.response(204)
def delete_task(task_id: uuid.UUID) -> None:
    """Delete the task (the activity log keeps that it was deleted)."""
    with scope() as s:
        tasks.delete(s, task_id)


@blp.route("/staff", methods=["GET"])
@require(security.READ)
@blp.response(200, StaffList)
def list_staff() -> Any:
    """Who tasks can be assigned to: the host's ``list_staff`` answer (ids and names)."""
    members = staff_members(get_state().pm, security.current_store_id()) or {}
    return {"items": [{"id": k, "name": v.get("name")} for k, v in members.items()]}
