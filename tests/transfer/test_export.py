"""Exporting customers: Excel-safe CSV (BOM, CRLF, RFC 4180, formula neutralisation), the
export → import round trip, filters, ids, columns, the booking report and the export job."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid

import pytest
from sqlalchemy import update

from customers_plugin.events import BookingMade, Contact
from customers_plugin.models import Customer
from customers_plugin.services import exports
from customers_plugin.services.errors import Invalid
from customers_plugin.services.listing import Filters
from tests.helpers import customers_of
from tests.transfer.conftest import csv_bytes, run_import

ALL = ["active", "inactive", "blocked"]
NAMES = [
    "مُحَمَّد بن عبد الله",  # Arabic with harakat
    "إيمان الأحمد",
    "שָׁלוֹם לֵוִי",  # Hebrew with niqqud
    "נועה \u200fכהן",  # with a right-to-left mark
    "Niccolò D'Angelo",
    'Ada "the first" Lovelace, Jr.',
]


def export_bytes(state, store="s1", **request) -> bytes:
    request.setdefault("filters", Filters(statuses=ALL))
    return b"".join(exports.stream_csv(state, store, exports.ExportRequest(**request)))


def parse(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def seed(state, names=NAMES) -> None:
    rows = [["email", "phone", "name"]] + [
        [f"p{i}@example.com", f"050000000{i}", name] for i, name in enumerate(names)
    ]
    assert run_import(state, csv_bytes(rows))["created"] == len(names)


def test_export_is_utf8_with_bom_crlf_and_rfc4180_quoting(state):
    seed(state, ["Line one\nline two", 'Say "hi", please'])
    data = export_bytes(state, columns=["email", "name"])
    assert data.startswith(b"\xef\xbb\xbfemail,name\r\n")
    assert b'"Line one\nline two"' in data and b'"Say ""hi"", please"' in data
    assert data.endswith(b"\r\n")


@pytest.mark.parametrize(
    "name", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "'=already"]
)
def test_cells_a_spreadsheet_would_evaluate_are_neutralised_and_import_back_unchanged(state, name):
    seed(state, ["placeholder"])
    with state.db.transaction() as session:  # stored exactly so, whatever an import would do
        session.execute(update(Customer).values(name=name))
    [_header, row] = parse(export_bytes(state, columns=["email", "name"]))
    assert row[1] == "'" + name
    exported = export_bytes(state, columns=["email", "phone", "name"])
    run_import(state, exported, store="s2")
    # imports trim the whitespace around a cell; everything else comes back as it was
    assert [c.name for c in customers_of(state.db, "s2")] == [name.strip()]


def test_phones_are_exported_with_a_quote_and_import_back_as_e164(state):
    seed(state, ["Ali"])
    [_header, row] = parse(export_bytes(state, columns=["phone"]))
    assert row == ["'+966500000000"]


def test_arabic_and_hebrew_names_survive_export_then_import_byte_for_byte(state):
    seed(state)
    first = export_bytes(state)  # every default column, as a merchant downloads it
    assert run_import(state, first, store="s2")["created"] == len(NAMES)
    columns = ["email", "phone", "name", "country", "tags", "marketing_consent"]
    before = export_bytes(state, columns=columns)
    after = export_bytes(state, "s2", columns=columns)
    # byte for byte, row by row (rows come in id order, which differs between the stores)
    assert sorted(after.split(b"\r\n")) == sorted(before.split(b"\r\n"))
    assert sorted(c.name for c in customers_of(state.db, "s2")) == sorted(NAMES)
    for name in NAMES[:4]:
        assert name.encode("utf-8") in after


def test_export_follows_the_list_filter_selected_ids_and_chosen_columns(state):
    rows = [
        ["email", "country", "tags"],
        ["sa@example.com", "SA", "vip"],
        ["it@example.com", "IT", "vip"],
        ["il@example.com", "IL", ""],
    ]
    run_import(state, csv_bytes(rows))
    by_tag = parse(export_bytes(state, filters=Filters(tags=["VIP"]), columns=["email"]))
    assert sorted(r[0] for r in by_tag[1:]) == ["it@example.com", "sa@example.com"]
    by_country = parse(export_bytes(state, filters=Filters(countries=["il"]), columns=["email"]))
    assert by_country[1:] == [["il@example.com"]]
    chosen = {c.email: c.id for c in customers_of(state.db)}
    by_ids = parse(
        export_bytes(state, filters=Filters(ids=[chosen["it@example.com"]]), columns=["country"])
    )
    assert by_ids == [["country"], ["IT"]]
    assert parse(export_bytes(state, store="other", columns=["email"])) == [["email"]]


def test_unknown_export_columns_are_refused_by_name(state):
    with pytest.raises(Invalid) as refused:
        export_bytes(state, columns=["email", "password"])
    assert "password" in refused.value.message


def test_booking_report_lists_customers_with_bookings_in_the_date_range(state):
    def book(email, booking_id, day, status="confirmed"):
        starts = dt.datetime(2026, 3, day, 10, tzinfo=dt.UTC)
        state.hook.on_booking(
            event=BookingMade(
                store_id="s1",
                contact=Contact(email=email),
                booking_id=booking_id,
                service="Haircut",
                starts_at=starts,
                status=status,
            )
        )

    book("in@example.com", "b1", 10)
    book("in@example.com", "b2", 12)
    book("before@example.com", "b3", 1)
    book("cancelled@example.com", "b4", 11, status="cancelled")
    report = parse(
        export_bytes(
            state,
            kind="bookings",
            columns=["email", "bookings_in_range", "last_booking_in_range"],
            bookings_from=dt.date(2026, 3, 5),
            bookings_to=dt.date(2026, 3, 12),
        )
    )
    assert report == [
        ["email", "bookings_in_range", "last_booking_in_range"],
        ["in@example.com", "2", "2026-03-12T10:00:00Z"],
    ]


def test_export_job_writes_a_file_with_progress_that_can_be_downloaded(state):
    seed(state)
    started = exports.start_export(
        state, "s1", exports.ExportRequest(filters=Filters(statuses=ALL), columns=["name"])
    )
    export_id = uuid.UUID(started["id"])
    with state.db.session() as session:
        summary = exports.export_summary(exports.get_export(session, "s1", export_id))
    assert (summary["status"], summary["total_rows"], summary["rows_done"]) == (
        "done",
        len(NAMES),
        len(NAMES),
    )
    with open(exports.export_file(state, "s1", export_id), "rb") as f:
        rows = parse(f.read())
    assert sorted(r[0] for r in rows[1:]) == sorted(NAMES)
    with pytest.raises(exports.NotFound):
        exports.export_file(state, "other-store", export_id)
