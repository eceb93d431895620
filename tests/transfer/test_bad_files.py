"""Import files that try to break the import: NUL bytes and control characters in cells and in
the file name, a header line that never ends, a header of thousands of unknown columns."""

from __future__ import annotations

import io
import tracemalloc

import pytest

from customers_plugin.services.errors import Invalid
from customers_plugin.services.imports import ImportOptions, start_import
from customers_plugin.services.imports.decoding import HEADER_MAX_CHARS, CsvFile, FileProblem
from tests.api.conftest import Staff
from tests.helpers import customers_of
from tests.transfer.conftest import csv_bytes, report, run_import
from tests.transfer.test_api import api_app, staff  # noqa: F401  (fixtures)


def test_a_nul_byte_in_a_cell_is_a_bad_row_with_line_and_column_and_the_rest_is_imported(
    make_app, tmp_path
):
    app = make_app(CUSTOMERS_TRANSFER_FOLDER=str(tmp_path), CUSTOMERS_IMPORT_CHUNK_ROWS=2)
    state = app.extensions["customers"]
    rows = [["email", "name", "company"]]
    rows += [[f"c{i}@example.com", f"Customer {i}", ""] for i in range(4)]  # lines 2-5
    rows.append(["nul@example.com", "Bad\x00Name", ""])  # line 6
    rows.append(["esc@example.com", "", "Acme\x1b[31m"])  # line 7
    rows.append(["last@example.com", "Last", ""])  # line 8
    result = run_import(state, csv_bytes(rows), policy="skip-bad-rows")
    assert (result["status"], result["created"], result["errors"]) == ("done", 5, 2)
    assert report(state, result["id"]) == [
        (6, "name", "must not contain a NUL character"),
        (7, "company", "must not contain the control character U+001B"),
    ]
    emails = {c.email for c in customers_of(state.db)}
    assert "nul@example.com" not in emails and "last@example.com" in emails


def test_a_nul_byte_in_a_cell_rejects_the_file_cleanly_under_the_reject_policy(make_app, tmp_path):
    state = make_app(CUSTOMERS_TRANSFER_FOLDER=str(tmp_path)).extensions["customers"]
    rows = [["email", "name"], ["a@example.com", "A"], ["b@example.com", "B\x00"]]
    result = run_import(state, csv_bytes(rows))
    assert (result["status"], result["errors"]) == ("rejected", 1)
    assert report(state, result["id"]) == [(3, "name", "must not contain a NUL character")]
    assert customers_of(state.db) == []


def test_a_nul_in_the_uploaded_file_name_answers_422_naming_the_file(api_app, staff):  # noqa: F811
    response = staff.post(
        "/imports",
        data={"file": (io.BytesIO(b"email\r\na@example.com\r\n"), "list\x00.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422, response.json
    assert response.json["error"]["fields"]["file"] == [
        "the file name must not contain a NUL character"
    ]
    with pytest.raises(Invalid):
        start_import(
            api_app.extensions["customers"],
            "a",
            ImportOptions(),
            upload=io.BytesIO(b"email\r\n"),
            filename="a\x07.csv",
        )


def test_a_header_line_that_never_ends_is_refused_after_a_bounded_read(tmp_path):
    path = tmp_path / "huge.csv"
    with open(path, "wb") as out:  # one 40 MB line: the header never ends
        block = b"column," * (1024 * 1024)
        for _ in range(6):
            out.write(block)
    tracemalloc.start()
    try:
        with pytest.raises(FileProblem, match="header"):
            CsvFile(path).header()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2 * 1024 * 1024, peak


def test_a_quoted_header_spanning_past_the_window_is_refused(tmp_path):
    path = tmp_path / "quoted.csv"
    long_cell = "x\n" * HEADER_MAX_CHARS
    path.write_text(f'email,"{long_cell}"\r\na@example.com,1\r\n', encoding="utf-8")
    with pytest.raises(FileProblem, match="header"):
        CsvFile(path).header()


def test_an_overlong_header_answers_422_through_the_api(make_app, tmp_path):
    from tests.api.conftest import BearerAuth

    app = make_app(CUSTOMERS_PLUGINS=[BearerAuth()], CUSTOMERS_TRANSFER_FOLDER=str(tmp_path))
    data = b"email," + b"c" * (HEADER_MAX_CHARS + 10) + b"\r\na@example.com,1\r\n"
    response = Staff(app).post(
        "/imports",
        data={"file": (io.BytesIO(data), "wide.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "header" in response.json["error"]["fields"]["file"][0]


def test_thousands_of_unknown_columns_are_not_echoed_back(api_app, staff):  # noqa: F811
    header = ["email"] + [f"x{i}" for i in range(5000)]
    data = csv_bytes([header, ["a@example.com"] + [""] * 5000])[:19_000]
    response = staff.post(
        "/imports",
        data={"file": (io.BytesIO(data), "wide.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422, response.json
    listed = response.json["error"]["fields"]["unknown_columns"]
    assert len(listed) == 21
    assert listed[:2] == ["x0", "x1"] and listed[-1].startswith("(and ")
    assert len(response.json["error"]["message"]) < 1000
