"""``flask customers import`` and ``flask customers export``: progress, summary, exit status."""

from __future__ import annotations

from tests.helpers import customers_of
from tests.transfer.conftest import csv_bytes


def test_cli_import_prints_a_summary_and_the_export_writes_an_excel_safe_file(
    transfer_app, state, tmp_path
):
    source = tmp_path / "in.csv"
    source.write_bytes(
        csv_bytes([["email", "name"], ["a@example.com", "ليلى"], ["b@example.com", "=1+2"]])
    )
    runner = transfer_app.test_cli_runner()
    result = runner.invoke(
        args=["customers", "import", str(source), "--tag", "fair", "--store", "s1"]
    )
    assert result.exit_code == 0, result.output
    assert "done - 2 rows, 2 created, 0 updated, 0 unchanged, 0 skipped, 0 bad" in result.output
    assert len(customers_of(state.db, "s1")) == 2
    target = tmp_path / "out.csv"
    result = runner.invoke(
        args=["customers", "export", str(target), "--store", "s1", "--columns", "email,name,tags"]
    )
    assert result.exit_code == 0, result.output
    assert "2 customer(s), 3 column(s)" in result.output
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfemail,name,tags\r\n")
    assert b"'=1+2" in data and "ليلى".encode() in data


def test_cli_import_exits_non_zero_when_the_file_is_refused(transfer_app, tmp_path):
    source = tmp_path / "in.csv"
    source.write_bytes(csv_bytes([["email", "shoe size"], ["a@example.com", "42"]]))
    result = transfer_app.test_cli_runner().invoke(args=["customers", "import", str(source)])
    assert result.exit_code == 1
    assert "unknown columns: shoe size" in result.output


def test_cli_import_with_a_bad_row_exits_non_zero_and_writes_the_report(transfer_app, tmp_path):
    source = tmp_path / "in.csv"
    source.write_bytes(csv_bytes([["email"], ["ok@example.com"], ["broken"]]))
    report = tmp_path / "report.csv"
    result = transfer_app.test_cli_runner().invoke(
        args=["customers", "import", str(source), "--report", str(report)]
    )
    assert result.exit_code == 1
    assert "rejected" in result.output
    assert report.read_text(encoding="utf-8-sig").splitlines() == [
        "line,column,reason",
        "3,email,not a valid email address",
    ]


def test_cli_dry_run_writes_nothing(transfer_app, state, tmp_path):
    source = tmp_path / "in.csv"
    source.write_bytes(csv_bytes([["email"], ["ok@example.com"]]))
    result = transfer_app.test_cli_runner().invoke(
        args=["customers", "import", str(source), "--dry-run"]
    )
    assert result.exit_code == 0
    assert "(dry run)" in result.output and "1 created" in result.output
    assert customers_of(state.db) == []
