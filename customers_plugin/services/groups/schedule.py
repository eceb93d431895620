"""The periodic full refresh, scheduled with RQ's own cron (``rq cron``).

RQ's cron scheduler enqueues with RQ's default serializer, while the plugin's queue uses JSON,
so the cron job goes to a small queue of its own (``customers-cron`` unless
``CUSTOMERS_CRON_QUEUE`` says otherwise) and does one thing: it puts ``refresh_all_groups`` on
the plugin's queue through the dispatcher. Run, next to ``flask customers worker``::

    FLASK_APP=yourapp rq cron customers_plugin.services.groups.rq_cron
    FLASK_APP=yourapp rq worker customers-cron

The schedule is ``CUSTOMERS_GROUPS_REFRESH_CRON`` (environment, cron syntax, default hourly).
Membership follows events within the event's own transaction; this run is the safety net and
what moves time-based conditions (birthdays, "joined more than N days ago") as days pass.
"""

from __future__ import annotations

import os
from typing import Any

DEFAULT_CRON = "7 * * * *"
CRON_QUEUE = os.environ.get("CUSTOMERS_CRON_QUEUE", "customers-cron")


def enqueue_refresh_all() -> Any:
    """The cron job: queue ``refresh_all_groups`` on the plugin's queue (deduplicated)."""
    from flask import current_app, has_app_context

    from ...jobs import _app_for_worker
    from ...state import get_state

    app = current_app._get_current_object() if has_app_context() else _app_for_worker()
    with app.app_context():
        submitted = get_state(app).jobs.submit("refresh_all_groups", job_id="refresh-all-groups")
    return getattr(submitted, "id", submitted)


def register(cron: Any = None) -> None:
    """Register the periodic refresh with RQ's cron registry (``rq_cron.py`` calls it when
    ``rq cron`` loads that module as its configuration)."""
    if cron is None:
        from rq import cron
    cron.register(
        enqueue_refresh_all,
        queue_name=CRON_QUEUE,
        cron=os.environ.get("CUSTOMERS_GROUPS_REFRESH_CRON", DEFAULT_CRON),
        name="customers-refresh-all-groups",
    )
