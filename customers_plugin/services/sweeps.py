"""The periodic sweep of work left behind by a crash or by time: ``sweep_stale_work``.

Each part is a conditional UPDATE that only touches rows still in the state it looks for, so
the sweep is safe to run twice or beside the work it checks:

- import batches ``validating``/``importing`` with no progress for
  ``CUSTOMERS_IMPORT_STALL_MINUTES`` become ``failed`` (resumable);
- review requests ``sending`` for ``CUSTOMERS_REVIEW_SENDING_TIMEOUT_MINUTES`` become
  ``failed`` with error ``interrupted`` (never sent again automatically), and so do messages
  ``sending`` for ``CUSTOMERS_MESSAGE_SENDING_TIMEOUT_MINUTES``;
- finished exports past their ``expires_at`` (``CUSTOMERS_EXPORT_TTL_DAYS``) become
  ``expired`` and their files are deleted;
- jobs still pending in the outbox (Redis did not answer when they were recorded) are relayed
  to RQ, and relayed rows older than ``CUSTOMERS_OUTBOX_KEEP_HOURS`` are deleted.

``commerce_cron`` schedules it with ``rq cron``; a host with its own scheduler submits the job.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from .. import outbox
from ..failures import log_failure
from ..jobs import job
from ..types import utcnow
from .exports import expire_exports
from .imports import sweep_stalled_imports
from .messages.sending import sweep_interrupted as sweep_interrupted_messages
from .review_requests import sweep_interrupted

if TYPE_CHECKING:
    from ..state import CustomersState

log = logging.getLogger(__name__)

Sweep = Callable[["CustomersState", dt.datetime], Sequence[Any]]


def relay_pending_jobs(state: CustomersState, now: dt.datetime) -> list[str]:
    """The outbox rows Redis did not take when they were recorded, handed to RQ now."""
    return state.jobs.relay()


def prune_relayed_jobs(state: CustomersState, now: dt.datetime) -> list[Any]:
    """Outbox rows relayed more than ``CUSTOMERS_OUTBOX_KEEP_HOURS`` ago, deleted."""
    hours = state.setting("CUSTOMERS_OUTBOX_KEEP_HOURS")
    if hours is None:
        return []
    return outbox.prune(state.db, now - dt.timedelta(hours=float(hours)))


SWEEPS: tuple[tuple[str, Sweep], ...] = (
    ("imports_failed", sweep_stalled_imports),
    ("review_requests_interrupted", sweep_interrupted),
    ("messages_interrupted", sweep_interrupted_messages),
    ("exports_expired", expire_exports),
    ("jobs_relayed", relay_pending_jobs),
    ("outbox_pruned", prune_relayed_jobs),
)


def sweep(state: CustomersState, now: dt.datetime | None = None) -> dict[str, int]:
    """Run every part; returns how many rows each part changed. A part that fails is logged
    and counted ``-1``, and the others still run: the next run tries it again (the job itself
    does not fail, so a failed job's record never blocks the next scheduled one)."""
    now = now or utcnow()
    counts: dict[str, int] = {}
    for name, part in SWEEPS:
        try:
            counts[name] = len(part(state, now))
        except Exception as exc:
            log_failure(log, "customers: the %s sweep failed", name, exc=exc)
            counts[name] = -1
    return counts


@job("sweep_stale_work")
def sweep_stale_work(state: CustomersState) -> dict[str, int]:
    """Job (periodic): the sweep above."""
    return sweep(state)
