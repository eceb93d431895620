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
    get_batch,
    list_batches,
    report_csv,
    report_rows,
    start_import,
    template_csv,
)
from .runner import run_batch
from .undo import request_undo, run_undo

__all__ = [
    "ImportOptions",
    "batch_summary",
    "get_batch",
    "list_batches",
    "report_csv",
    "report_rows",
    "request_undo",
    "run_batch",
    "run_undo",
    "start_import",
    "template_csv",
]
