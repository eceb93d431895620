"""Staff tasks about a customer: ``manage`` (create, read, change, delete, the staff list and
the store's timezone), ``listing`` (the filtered, keyset-paginated lists) and ``reminders``
(the exactly-once reminder to the assignee when a task falls due, and its job)."""

from .listing import TaskFilters, tasks_page
from .manage import TaskChanges, create, delete, get, update
from .reminders import remind_due

__all__ = [
    "TaskChanges",
    "TaskFilters",
    "create",
    "delete",
    "get",
    "remind_due",
    "tasks_page",
    "update",
]
