"""Customer import: CSV decoding and dialect sniffing (``decoding``), accepted columns
(``columns``), cell parsers (``values``), row validation (``rows``), set-based chunk writes
(``writer``), the resumable batch runner (``runner``), batches and reports (``batches``) and
undo (``undo``). Jobs: ``run_import`` and ``undo_import`` (``jobs``).

Nothing here reads ``flask.request``: the API and the CLI pass streams, options and the store.
"""

from __future__ import annotations

from .batches import (
    ImportOptions,
    batch_summary,
    fail_batch,
    get_batch,
    list_batches,
    report_csv,
    report_rows,
    resume_import,
    start_import,
    sweep_stalled_imports,
    template_csv,
)
from .runner import run_batch
from .undo import request_undo, run_undo

__all__ = [
    "ImportOptions",
    "batch_summary",
    "fail_batch",
    "get_batch",
    "list_batches",
    "report_csv",
    "report_rows",
    "request_undo",
    "resume_import",
    "run_batch",
    "run_undo",
    "start_import",
    "sweep_stalled_imports",
    "template_csv",
]
