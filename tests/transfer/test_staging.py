"""The validation pass stages the rows that passed; the writing pass reads them back as they
were validated (dates, custom fields, tags, consent) and nothing is left on disk afterwards."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from customers_plugin.services.imports import staging
from customers_plugin.services.imports.rows import ParsedRow

from .conftest import csv_bytes, run_import


def _row(line: int, **kw: object) -> ParsedRow:
    return ParsedRow(line, **kw)


def test_staged_chunks_read_back_equal_and_leave_out_bad_rows(tmp_path: Path) -> None:
    upload = tmp_path / "batch.csv"
    field_id = uuid.uuid4()
    good = _row(
        2,
        values={"name": "ليلى כהן", "birthdate": dt.date(1990, 2, 28), "phone": "+966501234567"},
        email_key="layla@example.com",
        fields={field_id: ("size", "M")},
        tags=["VIP", "Cliente fedele"],
        consent="subscribed",
    )
    bad = _row(3, values={"name": "x"}, errors=[("email", "not a valid email address")])
    later = _row(7, values={"name": "Giulia"}, email_key="g@example.it")
    stager = staging.Stager(upload)
    stager.add([good, bad])
    stager.add([later])
    stager.complete()

    chunks = list(staging.read_chunks(upload, after_line=0))
    assert [(c.first_line, c.last_line, c.size) for c in chunks] == [(2, 3, 2), (7, 7, 1)]
    assert chunks[0].rows == [good] and chunks[1].rows == [later]
    assert [c.last_line for c in staging.read_chunks(upload, after_line=3)] == [7]
    # a checkpoint inside a chunk (the chunk size changed between runs): only later rows
    resumed = list(staging.read_chunks(upload, after_line=2))
    assert [(c.first_line, c.size, c.rows) for c in resumed] == [(3, 1, []), (7, 1, [later])]


def test_an_abandoned_pass_leaves_no_staged_file(tmp_path: Path) -> None:
    upload = tmp_path / "batch.csv"
    stager = staging.Stager(upload)
    stager.add([_row(2, values={"name": "a"})])
    stager.abandon()
    assert list(tmp_path.iterdir()) == []


def test_a_finished_import_removes_its_staged_rows(state, tmp_path: Path) -> None:
    data = csv_bytes([["email", "birthdate"], ["a@example.com", "1985-07-01"]])
    result = run_import(state, data)
    assert result["status"] == "done" and result["created"] == 1
    folder = tmp_path / "transfer" / "imports"
    assert list(folder.iterdir()) == []
