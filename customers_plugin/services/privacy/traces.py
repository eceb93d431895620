"""Copies of customers' data kept outside their own rows, removed when they are deleted or
erased: the import undo rows (``customers_import_changes`` keeps values from before an import,
e.g. an old name and phone), the records of merges into them (``customers_merges`` keeps the
merged customer's row: the same person's data; the merge can then no longer be undone) and
finished export files that hold them.

An export file holds a customer when one of its cells is their id, email or phone (an extra
one included): such a file is deleted once the erasure commits and its export marked
``expired`` (its download answers 410), as the expiry sweep does.
"""

from __future__ import annotations

import csv
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import delete, select, update

from ...db import after_commit
from ...models import Customer, ExportJob, ImportChange, Merge
from ..exports import delete_files
from ..imports.storage import export_path
from ..scope import Scope

if TYPE_CHECKING:
    from ...state import CustomersState

ERASED_EXPORT = "deleted: it held data of a customer who was since deleted or erased"


def forget(scope: Scope, customer_ids: Sequence[uuid.UUID]) -> int:
    """Remove the import undo rows of these customers and, once the transaction commits, the
    finished export files holding them. Call before their rows change. Returns the number of
    export files removed."""
    from ...state import get_state

    session = scope.session
    session.execute(
        delete(ImportChange)
        .where(ImportChange.store_id == scope.store_id, ImportChange.customer_id.in_(customer_ids))
        .execution_options(synchronize_session=False)
    )
    session.execute(
        delete(Merge)
        .where(Merge.store_id == scope.store_id, Merge.kept_id.in_(customer_ids))
        .execution_options(synchronize_session=False)
    )
    needles = _needles(scope, customer_ids)
    state = get_state()
    holding = [
        export_id
        for export_id in _finished_exports(scope)
        if _holds(_export_file(state, export_id), needles)
    ]
    if not holding:
        return 0
    session.execute(
        update(ExportJob)
        .where(ExportJob.store_id == scope.store_id, ExportJob.id.in_(holding))
        .values(status="expired", message=ERASED_EXPORT)
        .execution_options(synchronize_session=False)
    )
    after_commit(session, lambda: delete_files(state, holding))
    return len(holding)


def _needles(scope: Scope, customer_ids: Sequence[uuid.UUID]) -> set[str]:
    rows = scope.session.execute(
        select(
            Customer.id,
            Customer.email,
            Customer.phone,
            Customer.extra_emails,
            Customer.extra_phones,
        ).where(Customer.store_id == scope.store_id, Customer.id.in_(customer_ids))
    )
    needles: set[str] = set()
    for customer_id, email, phone, extra_emails, extra_phones in rows:
        needles.add(str(customer_id))
        values = [email, phone, *(extra_emails or []), *(extra_phones or [])]
        needles.update(v.strip().casefold() for v in values if isinstance(v, str) and v.strip())
    return needles


def _finished_exports(scope: Scope) -> list[uuid.UUID]:
    return list(
        scope.session.scalars(
            select(ExportJob.id).where(
                ExportJob.store_id == scope.store_id, ExportJob.status == "done"
            )
        )
    )


def _export_file(state: CustomersState, export_id: uuid.UUID) -> Path:
    return export_path(state, export_id)


def _holds(path: Path, needles: set[str]) -> bool:
    """Whether a cell of the CSV file (or one ``;``-separated part of it) is a needle. Read
    row by row: memory stays flat whatever the file size."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            return any(_cell_matches(cell, needles) for row in csv.reader(handle) for cell in row)
    except FileNotFoundError:
        return False


def _cell_matches(cell: str, needles: set[str]) -> bool:
    value = cell.lstrip("'").strip().casefold()  # exports quote cells a spreadsheet evaluates
    return value in needles or any(part.strip() in needles for part in _parts(value))


def _parts(value: str) -> Iterable[str]:
    return value.split(";") if ";" in value else ()
