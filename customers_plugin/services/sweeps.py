"""The periodic sweep of work left behind by a crash or by time: ``sweep_stale_work``.

Each part is a conditional UPDATE that only touches rows still in the state it looks for, so
the sweep is safe to run twice or beside the work it checks:

- import batches ``validating``/``importing`` with no progress for
  ``CUSTOMERS_IMPORT_STALL_MINUTES`` become ``failed`` (resumable);
- review requests ``sending`` for ``CUSTOMERS_REVIEW_SENDING_TIMEOUT_MINUTES`` become
  ``failed`` with error ``interrupted`` (never sent again automatically);
- finished exports past their ``expires_at`` (``CUSTOMERS_EXPORT_TTL_DAYS``) become
  ``expired`` and their files are deleted.

``commerce_cron`` schedules it with ``rq cron``; a host with its own scheduler submits the job.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..jobs import job
from ..types import utcnow
from .exports import expire_exports
from .imports import sweep_stalled_imports
from .review_requests import sweep_interrupted

if TYPE_CHECKING:
    import datetime as dt

    from ..extension import CustomersState

log = logging.getLogger(__name__)

Sweep = Callable[["CustomersState", "dt.datetime"], list[Any]]

SWEEPS: tuple[tuple[str, Sweep], ...] = (
    ("imports_failed", sweep_stalled_imports),
    ("review_requests_interrupted", sweep_interrupted),
    ("exports_expired", expire_exports),
)


def sweep(state: CustomersState, now: dt.datetime | None = None) -> dict[str, int]:
    """Run every part (one failing part does not stop the others, and is raised after them);
    returns how many rows each part changed."""
    now = now or utcnow()
    counts: dict[str, int] = {}
    failure: Exception | None = None
    for name, part in SWEEPS:
        try:
            counts[name] = len(part(state, now))
        except Exception as exc:
            log.exception("customers: the %s sweep failed", name)
            failure = failure or exc
    if failure is not None:
        raise failure
    return counts


@job("sweep_stale_work")
def sweep_stale_work(state: CustomersState) -> dict[str, int]:
    """Job (periodic): the sweep above."""
    return sweep(state)
