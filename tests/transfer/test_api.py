"""The ``/imports`` and ``/exports`` endpoints: permissions, upload and pasted emails, header
refusal in the error shape, 413 before parsing, progress, report, undo, streamed export with
the list's filters, export jobs and their download."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from customers_plugin.models import ExportJob
from tests.api.conftest import BearerAuth, Staff
from tests.helpers import customers_of
from tests.transfer.conftest import csv_bytes

ROWS = [
    ["email", "phone", "name", "country", "tags"],
    ["layla@example.sa", "0501234567", "ليلى", "السعودية", "vip"],
    ["noa@example.co.il", "+972 50 765 4321", "נועה", "ישראל", ""],
    ["giulia@example.it", "", "Giulia", "Italia", "vip"],
]


@pytest.fixture
def api_app(make_app, recorder, tmp_path):
    return make_app(
        CUSTOMERS_PLUGINS=[recorder, BearerAuth()],
        CUSTOMERS_TRANSFER_FOLDER=str(tmp_path / "transfer"),
        CUSTOMERS_DEFAULT_REGION="SA",
        CUSTOMERS_IMPORT_MAX_BYTES=20_000,
    )


@pytest.fixture
def staff(api_app):
    return Staff(api_app, "a", "*")


def upload(staff: Staff, data: bytes, **form) -> object:
    return staff.post(
        "/imports",
        data={"file": (io.BytesIO(data), "customers.csv"), **form},
        content_type="multipart/form-data",
    )


def test_template_needs_the_import_permission_and_lists_the_columns(api_app, staff):
    assert staff.as_(perms="customers.read").get("/imports/template.csv").status_code == 403
    response = staff.as_(perms="customers.import").get("/imports/template.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbfemail,phone,name,country,")


def test_uploaded_file_is_imported_with_progress_and_a_downloadable_report(api_app, staff):
    data = csv_bytes([*ROWS, ["bad@", "", "", "", ""]])
    response = upload(staff, data, policy="skip-bad-rows", tags="fair, spring", subscribe="true")
    assert response.status_code == 202, response.json
    batch_id = response.json["id"]
    progress = staff.get(f"/imports/{batch_id}").json
    assert {k: progress[k] for k in ("status", "total_rows", "rows_done", "created", "errors")} == {
        "status": "done",
        "total_rows": 4,
        "rows_done": 4,
        "created": 3,
        "errors": 1,
    }
    assert progress["options"]["tags"] == ["fair", "spring"]
    report = staff.get(f"/imports/{batch_id}/report.csv")
    assert report.status_code == 200
    assert report.data.decode("utf-8-sig") == (
        "line,column,reason\r\n5,email,not a valid email address\r\n"
    )
    assert {c.marketing_consent for c in customers_of(api_app.extensions["customers"].db)} == {
        "subscribed"
    }
    assert staff.get("/imports").json["items"][0]["id"] == batch_id


def test_unknown_columns_answer_422_in_the_error_shape_and_nothing_is_written(api_app, staff):
    response = upload(staff, csv_bytes([["email", "favourite colour"], ["a@example.com", "red"]]))
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "validation_error"
    assert "favourite colour" in error["message"]
    assert error["fields"]["unknown_columns"] == ["favourite colour"]
    assert customers_of(api_app.extensions["customers"].db) == []


def test_pasted_emails_as_json_are_imported(api_app, staff):
    response = staff.post(
        "/imports", json={"emails": "a@example.com; b@example.com\nc@example.com"}
    )
    assert response.status_code == 202, response.json
    assert staff.get(f"/imports/{response.json['id']}").json["created"] == 3


def test_an_upload_over_the_limit_answers_413_before_parsing(api_app, staff, tmp_path):
    data = b"email\r\n" + b"someone@example.com\r\n" * 5000  # ~105 kB > 20 kB + form overhead
    response = upload(staff, data)
    assert response.status_code == 413
    assert response.json["error"]["code"] == "too_large"
    folder = Path(tmp_path / "transfer" / "imports")
    assert not folder.exists() or list(folder.iterdir()) == []


def test_a_file_larger_than_the_import_limit_inside_an_allowed_body_answers_413(make_app, tmp_path):
    app = make_app(
        CUSTOMERS_PLUGINS=[BearerAuth()],
        CUSTOMERS_TRANSFER_FOLDER=str(tmp_path),
        CUSTOMERS_IMPORT_MAX_BYTES=1000,
    )
    data = b"email\r\n" + b"x@example.com\r\n" * 200  # 3 kB: under the form overhead
    response = upload(Staff(app), data)
    assert response.status_code == 413
    assert response.json["error"]["code"] == "too_large"


def test_undo_through_the_api_removes_what_the_import_created(api_app, staff):
    batch_id = upload(staff, csv_bytes(ROWS)).json["id"]
    response = staff.post(f"/imports/{batch_id}/undo")
    assert response.status_code == 202
    assert staff.get(f"/imports/{batch_id}").json["status"] == "undone"
    assert customers_of(api_app.extensions["customers"].db) == []


def test_imports_of_another_store_are_not_found(api_app, staff):
    batch_id = upload(staff, csv_bytes(ROWS)).json["id"]
    other = staff.as_("b")
    assert other.get(f"/imports/{batch_id}").status_code == 404
    assert other.post(f"/imports/{batch_id}/undo").status_code == 404
    assert other.get(f"/imports/{batch_id}/report.csv").status_code == 404


def test_export_needs_the_export_permission_separate_from_reading(api_app, staff):
    upload(staff, csv_bytes(ROWS))
    assert staff.as_(perms="customers.read").get("/exports/customers.csv").status_code == 403
    response = staff.as_(perms="customers.export").get("/exports/customers.csv")
    assert response.status_code == 200
    assert response.data.startswith(b"\xef\xbb\xbfid,email,phone,name,")


def test_streamed_export_follows_the_list_filters_ids_and_columns(api_app, staff):
    upload(staff, csv_bytes(ROWS))
    response = staff.get("/exports/customers.csv?tag=vip&columns=email,phone,name")
    lines = response.data.decode("utf-8-sig").split("\r\n")
    assert lines[0] == "email,phone,name"
    assert sorted(lines[1:-1]) == [
        "giulia@example.it,,Giulia",
        "layla@example.sa,'+966501234567,ليلى",
    ]
    assert response.data.endswith(b"\r\n")
    chosen = next(
        c.id for c in customers_of(api_app.extensions["customers"].db) if c.country == "IL"
    )
    by_id = staff.get(f"/exports/customers.csv?ids={chosen}&columns=name")
    assert by_id.data.decode("utf-8-sig") == "name\r\nנועה\r\n"
    bad = staff.get("/exports/customers.csv?columns=email,secret")
    assert bad.status_code == 422 and "secret" in bad.json["error"]["message"]


def test_export_job_reports_progress_and_serves_the_file(api_app, staff):
    upload(staff, csv_bytes(ROWS))
    response = staff.post(
        "/exports", json={"filter": {"country": ["SA", "IT"]}, "columns": ["email"]}
    )
    assert response.status_code == 202, response.json
    export_id = response.json["id"]
    job = staff.get(f"/exports/{export_id}").json
    assert (job["status"], job["total_rows"], job["rows_done"]) == ("done", 2, 2)
    download = staff.get(f"/exports/{export_id}/file")
    assert download.status_code == 200
    text = download.data.decode("utf-8-sig")
    download.close()  # send_file keeps the file open until the response is closed
    assert sorted(text.split("\r\n")[1:-1]) == ["giulia@example.it", "layla@example.sa"]
    assert staff.as_("b").get(f"/exports/{export_id}/file").status_code == 404


def test_a_bad_filter_answers_422_before_the_stream_starts(api_app, staff):
    response = staff.get("/exports/customers.csv?field=nosuchfield:1")
    assert response.status_code == 422
    assert response.json["error"]["fields"] == {"field": ["no custom field 'nosuchfield'"]}


def test_a_queued_export_with_a_bad_filter_answers_422_and_queues_nothing(api_app, staff):
    response = staff.post("/exports", json={"filter": {"field": ["nosuchfield:1"]}})
    assert response.status_code == 422
    assert response.json["error"]["fields"] == {"field": ["no custom field 'nosuchfield'"]}
    with api_app.extensions["customers"].db.session() as session:
        assert session.scalar(select(func.count()).select_from(ExportJob)) == 0


def test_the_row_report_and_the_import_message_come_in_the_request_language(staff):
    data = csv_bytes([*ROWS, ["bad@", "", "", "", ""], ["", "", "x", "", ""]])
    batch_id = upload(staff, data, policy="skip-bad-rows", dry_run="true").json["id"]
    hebrew = {"Accept-Language": "he"}
    report = staff.get(f"/imports/{batch_id}/report.csv", headers=hebrew)
    assert report.data.decode("utf-8-sig") == (
        "line,column,reason\r\n5,email,כתובת דוא״ל לא תקינה\r\n6,email,נדרש דוא״ל או טלפון\r\n"
    )
    progress = staff.get(f"/imports/{batch_id}", headers={"Accept-Language": "it"}).json
    assert progress["message"] == "prova: non è stato scritto nulla"
    assert staff.get(f"/imports/{batch_id}").json["message"] == "dry run: nothing was written"


def test_export_columns_list_every_column_and_the_defaults_per_kind(staff):
    staff.post("/fields", json={"label": "Shoe size", "type": "number"})
    assert staff.as_(perms="customers.read").get("/exports/columns").status_code == 403
    customers = staff.get("/exports/columns").json["items"]
    names = [c["name"] for c in customers]
    assert names[:3] == ["id", "email", "phone"] and "field:shoe_size" in names
    assert {c["name"] for c in customers if c["default"]} >= {"email", "field:shoe_size"}
    assert "bookings_in_range" not in names
    bookings = staff.get("/exports/columns?kind=bookings").json["items"]
    assert {"name": "bookings_in_range", "default": True} in bookings
    assert staff.get("/exports/columns?kind=orders").status_code == 422
