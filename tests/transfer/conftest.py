"""Transfer test helpers: files written by the tests in the encodings merchants send, and
one-call imports through the service (jobs run inline: no Redis configured)."""

from __future__ import annotations

import csv
import io
import uuid
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from customers_plugin.services import imports


def csv_bytes(rows: list[list[str]], *, delimiter: str = ",", encoding: str = "utf-8-sig") -> bytes:
    """A CSV file as a spreadsheet would save it (CRLF line ends, RFC 4180 quoting)."""
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


@pytest.fixture
def transfer_app(make_app: Any, tmp_path: Path) -> Flask:
    return make_app(
        CUSTOMERS_TRANSFER_FOLDER=str(tmp_path / "transfer"),
        CUSTOMERS_DEFAULT_REGION="SA",
    )


@pytest.fixture
def state(transfer_app: Flask) -> Any:
    return transfer_app.extensions["customers"]


def run_import(
    state: Any,
    data: bytes | None = None,
    *,
    store: str = "s1",
    emails: str | None = None,
    **options: Any,
) -> dict[str, Any]:
    """Start an import and return its summary once the (inline) job has run."""
    started = imports.start_import(
        state,
        store,
        imports.ImportOptions(**options),
        upload=io.BytesIO(data) if data is not None else None,
        emails=emails,
        filename="customers.csv",
        actor="staff:7",
    )
    return batch(state, started["id"], store)


def batch(state: Any, batch_id: str, store: str = "s1") -> dict[str, Any]:
    with state.db.session() as session:
        return imports.batch_summary(session, store, uuid.UUID(batch_id))


def report(state: Any, batch_id: str, store: str = "s1") -> list[tuple[int, str, str]]:
    with state.db.session() as session:
        return list(imports.report_rows(session, store, uuid.UUID(batch_id)))
