"""The import jobs (ids only as arguments): ``run_import`` runs or resumes a batch and keeps
its progress in the RQ job's meta; ``undo_import`` reverses one.

RQ retries a failed ``run_import`` (each retry resumes after the checkpoint); when the last
attempt fails too, the batch is marked ``failed`` with the error's kind (never its text, which
may quote a row) so the merchant sees it and can resume or undo it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...i18n import _
from ...jobs import job
from .batches import fail_batch
from .runner import run_batch
from .undo import run_undo

if TYPE_CHECKING:
    from ...state import CustomersState


def rq_progress(info: dict[str, Any]) -> None:
    """Copy progress into the current RQ job's meta (no-op outside a worker)."""
    try:
        from rq import get_current_job
    except ImportError:  # pragma: no cover
        return
    current = get_current_job()
    if current is None:
        return
    current.meta["progress"] = {
        k: info.get(k) for k in ("status", "total_rows", "rows_done", "errors")
    }
    current.save_meta()


def last_attempt() -> bool:
    """Whether the running job will not be retried if it fails: inline (no RQ job), or an RQ
    job with no retries left."""
    try:
        from rq import get_current_job
    except ImportError:  # pragma: no cover
        return True
    current = get_current_job()
    return current is None or not current.retries_left


def failure_reason(exc: BaseException) -> str:
    """What a merchant may read about an unexpected error: its kind, never its text."""
    return _("the import stopped on an unexpected error ({kind})", kind=type(exc).__name__)


@job("run_import", long=True)
def run_import(state: CustomersState, batch_id: str) -> dict[str, Any]:
    try:
        result = run_batch(state, batch_id, rq_progress)
    except Exception as exc:
        if last_attempt():
            fail_batch(state, batch_id, failure_reason(exc))
        raise
    rq_progress(result)
    return _plain(result)


@job("undo_import", long=True)
def undo_import(state: CustomersState, batch_id: str) -> dict[str, Any]:
    return _plain(run_undo(state, batch_id))


def _plain(result: dict[str, Any]) -> dict[str, Any]:
    """A JSON-serialisable result (RQ stores it with the JSON serializer)."""
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in result.items()}
