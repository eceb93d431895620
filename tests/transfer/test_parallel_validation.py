"""A large file validated by worker processes gives the report, the counts and the customers
that one process gives: line numbers exact, duplicates found across chunks, lines in order."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers import customers_of
from tests.transfer.conftest import csv_bytes, report, run_import


def _rows() -> list[list[str]]:
    rows = [["email", "phone", "name", "country", "birthdate", "tags"]]
    for i in range(60):
        email = f"c{i}@example.com"
        phone = f"05{i:08d}" if i % 3 else f"+39 333 {i:07d}"
        name = ["ليلى الأحمد", "נועה כהן", "Giulia Rossi"][i % 3]
        if i % 11 == 4:
            phone = "12"  # not a phone number
        if i % 13 == 5:
            email = "not an email"
        if i % 17 == 9:
            email = "c1@example.com"  # a duplicate of an earlier chunk's row
        if i % 19 == 7:
            name = "two\nlines"  # the rows after it start one physical line later
        rows.append([email, phone, name, ["SA", "IL", "IT"][i % 3], "1990-01-02", "vip"])
        if i % 23 == 0:
            rows.append(["", "", "", "", "", ""])  # blank: skipped, its line still counted
    return rows


def _import(make_app: Any, tmp_path: Path, store: str, parallel: bool, **options: Any) -> Any:
    app = make_app(
        CUSTOMERS_TRANSFER_FOLDER=str(tmp_path / store),
        CUSTOMERS_DEFAULT_REGION="SA",
        CUSTOMERS_IMPORT_CHUNK_ROWS=7,
        CUSTOMERS_IMPORT_PARALLEL_BYTES=1 if parallel else None,
        CUSTOMERS_IMPORT_WORKERS=2,
    )
    state = app.extensions["customers"]
    result = run_import(state, csv_bytes(_rows()), store=store, **options)
    return state, result


@pytest.mark.parametrize("policy", ["reject-file", "skip-bad-rows"])
def test_worker_processes_report_and_import_what_one_process_does(make_app, tmp_path, policy):
    one, alone = _import(make_app, tmp_path, "s1", False, policy=policy)
    pool, pooled = _import(make_app, tmp_path, "s2", True, policy=policy)
    lines = report(one, alone["id"], "s1")
    assert lines and lines == report(pool, pooled["id"], "s2")
    assert [line for line, _c, _r in lines] == sorted(line for line, _c, _r in lines)
    counts = ("status", "total_rows", "created", "updated", "skipped", "errors")
    assert [alone[k] for k in counts] == [pooled[k] for k in counts]

    def people(state: Any, store: str) -> set[tuple[Any, ...]]:
        return {(c.email, c.phone, c.name) for c in customers_of(state.db, store)}

    assert people(one, "s1") == people(pool, "s2")
    assert (len(people(pool, "s2")) > 0) == (policy == "skip-bad-rows")
