"""RQ worker classes that also relay the job outbox: when they start and at each of RQ's
maintenance runs (``flask customers worker`` runs them every ``CUSTOMERS_RELAY_INTERVAL``
seconds). A plain ``rq worker`` can use them too (with ``FLASK_APP`` set)::

    rq worker --serializer json -w customers_plugin.worker.RelayingWorker customers
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app, has_app_context
from rq import SimpleWorker, Worker

log = logging.getLogger(__name__)


def relay_from_worker() -> list[str]:
    """Relay the outbox of the worker's app; a failure is logged, never stops the worker."""
    from .jobs import _app_for_worker
    from .state import get_state

    app: Any = current_app._get_current_object() if has_app_context() else _app_for_worker()  # type: ignore[attr-defined]
    try:
        with app.app_context():
            relayed = get_state(app).jobs.relay()
    except Exception:
        log.exception("customers: the outbox relay failed")
        return []
    if relayed:
        log.info("customers: %d pending job(s) relayed from the outbox", len(relayed))
    return relayed


class RelayOnMaintenance:
    """Mixin for an RQ worker class: relay the outbox whenever RQ runs its maintenance (first
    when the worker starts, then every ``maintenance_interval`` seconds)."""

    def run_maintenance_tasks(self) -> None:
        super().run_maintenance_tasks()  # type: ignore[misc]
        relay_from_worker()


class RelayingSimpleWorker(RelayOnMaintenance, SimpleWorker):
    """RQ's SimpleWorker (jobs run in the worker process) that relays the outbox."""


class RelayingWorker(RelayOnMaintenance, Worker):
    """RQ's forking Worker that relays the outbox."""
