"""Schemas of staff tasks: the new task, the change, the task as answered and the list's
filters. A due time without an offset is a wall-clock time of the store's timezone."""

from __future__ import annotations

import datetime as dt
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from ..i18n import _
from ..models import TASK_STATUSES
from .common import Body, Cursor, PageSize, Query, Text, UTCDateTime

TITLE_MAX = 200
DESCRIPTION_MAX = 5000
STAFF_ID_MAX = 128


class DueTime(fields.DateTime):
    """An ISO 8601 date and time; without an offset it is read in the store's timezone
    (``CUSTOMERS_TIMEZONE``) by the service."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = kwargs.setdefault("metadata", {})
        metadata.setdefault(
            "description",
            "When the task is due (ISO 8601). Without an offset it is a time of the store's "
            "timezone (CUSTOMERS_TIMEZONE); answered in UTC.",
        )
        super().__init__(format="iso", **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> dt.datetime:
        parsed = super()._deserialize(value, attr, data, **kwargs)
        if not 1900 <= parsed.year <= 8999:
            raise ma.ValidationError(_("datetime out of range"))
        return parsed


def _title(**kwargs: Any) -> Text:
    return Text(max_length=TITLE_MAX, validate=[validate.Length(min=1)], **kwargs)


def _staff_id(**kwargs: Any) -> Text:
    return Text(
        max_length=STAFF_ID_MAX,
        validate=[validate.Length(min=1)],
        metadata={"description": "A staff member's id, as the host's list_staff gives it."},
        **kwargs,
    )


class TaskIn(Body):
    title = _title(required=True)
    description = Text(max_length=DESCRIPTION_MAX, allow_none=True)
    due_at = DueTime(required=True)
    assignee_id = _staff_id(allow_none=True)


class TaskPatch(Body):
    """Only the fields sent change: ``status`` done or open (undone), a new ``assignee_id``
    (``null`` unassigns), a new ``due_at`` (reschedules: a new reminder), title, description."""

    title = _title()
    description = Text(max_length=DESCRIPTION_MAX, allow_none=True)
    due_at = DueTime()
    assignee_id = _staff_id(allow_none=True)
    status = fields.String(validate=validate.OneOf(TASK_STATUSES))


class TaskOut(ma.Schema):
    id = fields.UUID(required=True)
    customer_id = fields.UUID(required=True)
    title = fields.String(required=True)
    description = fields.String(allow_none=True)
    due_at = UTCDateTime(required=True)
    assignee_id = fields.String(allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf(TASK_STATUSES))
    created_by = fields.String(
        allow_none=True, metadata={"description": "The staff member who created it."}
    )
    created_at = UTCDateTime(required=True)
    updated_at = UTCDateTime(required=True)
    done_at = UTCDateTime(allow_none=True)
    reminded_at = UTCDateTime(allow_none=True)


class TaskPage(ma.Schema):
    items = fields.List(fields.Nested(TaskOut), required=True)
    next_cursor = fields.String(allow_none=True)


class CustomerTaskArgs(Query):
    limit = PageSize()
    cursor = Cursor()
    status = fields.String(validate=validate.OneOf(TASK_STATUSES))


class TaskListArgs(CustomerTaskArgs):
    mine = fields.Boolean(
        metadata={"description": "Only the tasks assigned to the staff member asking."}
    )
    assignee_id = _staff_id()
    overdue = fields.Boolean(metadata={"description": "Open and due before now (or not)."})
    due_today = fields.Boolean(
        metadata={"description": "Due today in the store's timezone (or not)."}
    )


class StaffMemberOut(ma.Schema):
    id = fields.String(required=True)
    name = fields.String(allow_none=True)


class StaffList(ma.Schema):
    items = fields.List(
        fields.Nested(StaffMemberOut),
        required=True,
        metadata={"description": "The host's list_staff answer (empty when it gives none)."},
    )
