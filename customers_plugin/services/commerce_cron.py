"""Configuration module for ``rq cron``: the periodic jobs of review requests, wishlists, task
reminders and messages waiting for the sending rate, and the sweep of work left behind
(services/sweeps.py).

``rq cron customers_plugin.services.commerce_cron`` (with ``FLASK_APP`` set) registers five
entries; each cron job only puts the real job on the plugin's queue through the dispatcher
(JSON serializer, deduplicated job id), on a small queue of its own like the groups' refresh::

    FLASK_APP=yourapp rq cron customers_plugin.services.commerce_cron
    FLASK_APP=yourapp rq worker customers-cron

Schedules: ``CUSTOMERS_REVIEW_REQUESTS_CRON`` (default every 15 minutes),
``CUSTOMERS_PRICE_DROPS_CRON`` (default daily at 06:00 UTC), ``CUSTOMERS_SWEEP_CRON``
(default every 10 minutes), ``CUSTOMERS_TASK_REMINDERS_CRON`` and
``CUSTOMERS_QUEUED_MESSAGES_CRON`` (default every minute), read from the environment.
Importing this module registers the entries; nothing else imports it.
"""

from __future__ import annotations

import os
from typing import Any

from ..types import utcnow

CRON_QUEUE = os.environ.get("CUSTOMERS_CRON_QUEUE", "customers-cron")
REVIEW_REQUESTS_CRON = os.environ.get("CUSTOMERS_REVIEW_REQUESTS_CRON", "*/15 * * * *")
PRICE_DROPS_CRON = os.environ.get("CUSTOMERS_PRICE_DROPS_CRON", "0 6 * * *")
SWEEP_CRON = os.environ.get("CUSTOMERS_SWEEP_CRON", "*/10 * * * *")
TASK_REMINDERS_CRON = os.environ.get("CUSTOMERS_TASK_REMINDERS_CRON", "* * * * *")
QUEUED_MESSAGES_CRON = os.environ.get("CUSTOMERS_QUEUED_MESSAGES_CRON", "* * * * *")


def _submit(name: str) -> Any:
    """Queue job ``name`` once per minute at most. The job id names the minute: a fixed id
    would stay taken in RQ as long as a crashed run's record is kept (a year for failed jobs),
    and the job could not be queued again meanwhile."""
    from flask import current_app, has_app_context

    from ..jobs import _app_for_worker
    from ..state import get_state

    app = current_app._get_current_object() if has_app_context() else _app_for_worker()
    job_id = f"{name.replace('_', '-')}-{utcnow():%Y%m%d%H%M}"
    with app.app_context():
        submitted = get_state(app).jobs.submit(name, job_id=job_id)
    return getattr(submitted, "id", submitted)


def enqueue_due_review_requests() -> Any:
    """Cron job: queue ``send_due_review_requests``."""
    return _submit("send_due_review_requests")


def enqueue_price_drops() -> Any:
    """Cron job: queue ``wishlist_price_drops``."""
    return _submit("wishlist_price_drops")


def enqueue_sweep() -> Any:
    """Cron job: queue ``sweep_stale_work``."""
    return _submit("sweep_stale_work")


def enqueue_task_reminders() -> Any:
    """Cron job: queue ``send_due_task_reminders``."""
    return _submit("send_due_task_reminders")


def enqueue_queued_messages() -> Any:
    """Cron job: queue ``send_queued_messages``."""
    return _submit("send_queued_messages")


def register(cron: Any = None) -> None:
    if cron is None:
        from rq import cron
    cron.register(
        enqueue_due_review_requests,
        queue_name=CRON_QUEUE,
        cron=REVIEW_REQUESTS_CRON,
        name="customers-send-due-review-requests",
    )
    cron.register(
        enqueue_price_drops,
        queue_name=CRON_QUEUE,
        cron=PRICE_DROPS_CRON,
        name="customers-wishlist-price-drops",
    )
    cron.register(
        enqueue_sweep,
        queue_name=CRON_QUEUE,
        cron=SWEEP_CRON,
        name="customers-sweep-stale-work",
    )
    cron.register(
        enqueue_task_reminders,
        queue_name=CRON_QUEUE,
        cron=TASK_REMINDERS_CRON,
        name="customers-send-due-task-reminders",
    )
    cron.register(
        enqueue_queued_messages,
        queue_name=CRON_QUEUE,
        cron=QUEUED_MESSAGES_CRON,
        name="customers-send-queued-messages",
    )


register()
