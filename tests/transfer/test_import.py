"""Importing customers from CSV files made by the tests: encodings and delimiters merchants'
tools write, header checks, row reports with physical line numbers, policies, options,
re-runs and pasted emails."""

from __future__ import annotations

import codecs
import datetime as dt
import io

import pytest
from sqlalchemy import func, select

from customers_plugin.models import ConsentEvent, Customer, CustomerSource, CustomerTag, Tag
from customers_plugin.services import customers, imports
from customers_plugin.services.attachments import TooLarge
from customers_plugin.services.errors import Invalid
from customers_plugin.services.fields import FieldTypes, create_definition
from customers_plugin.services.imports import runner, writer
from customers_plugin.services.scope import Scope
from tests.helpers import customers_of
from tests.transfer.conftest import batch, csv_bytes, report, run_import

HEADER = ["email", "phone", "name", "country", "birthdate", "tags"]
MULTILINGUAL = [
    HEADER,
    ["layla@example.sa", "٠٥٠١٢٣٤٥٦٧", "ليلى الأحمد", "السعودية", "21/04/1990", "vip"],
    ["noa@example.co.il", "050-765-4321", "נועה כהן", "ישראל", "1988/12/03", "תור"],
    ["giulia@example.it", "+39 333 123 4567", "Giulia Rossi", "Italia", "1995-07-15", ""],
    ["omar@example.ae", "", "عمر", "الإمارات العربية المتحدة", "", ""],
]


def by_email(state):
    return {c.email: c for c in customers_of(state.db, "s1")}


def test_arabic_hebrew_italian_file_imports_names_countries_phones_and_dates(state):
    result = run_import(state, csv_bytes(MULTILINGUAL))
    assert (result["status"], result["created"], result["errors"]) == ("done", 4, 0)
    found = by_email(state)
    layla = found["layla@example.sa"]
    assert (layla.name, layla.country, layla.phone) == ("ليلى الأحمد", "SA", "+966501234567")
    assert layla.birthdate == dt.date(1990, 4, 21)
    noa = found["noa@example.co.il"]
    assert (noa.name, noa.country, noa.phone) == ("נועה כהן", "IL", "+972507654321")
    assert noa.birthdate == dt.date(1988, 12, 3)
    giulia = found["giulia@example.it"]
    assert (giulia.country, giulia.phone, giulia.birthdate) == (
        "IT",
        "+393331234567",
        dt.date(1995, 7, 15),
    )
    assert found["omar@example.ae"].country == "AE"


def test_imported_customers_carry_the_import_source_and_file_tags(state):
    run_import(state, csv_bytes(MULTILINGUAL), tags=["spring fair"])
    with state.db.session() as session:
        sources = set(session.scalars(select(CustomerSource.source)))
        tags = set(session.scalars(select(Tag.name)))
        links = session.scalar(select(CustomerTag.customer_id).limit(1))
    assert sources == {"import"}
    assert tags == {"spring fair", "vip", "תור"}
    assert links is not None


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [
        ("utf-8-sig", ","),  # UTF-8 with BOM (Excel "CSV UTF-8")
        ("utf-8", ";"),  # no BOM, semicolons (European Excel)
        ("utf-16", "\t"),  # Excel "Unicode text": UTF-16 with BOM, tab separated
        ("utf-16", ","),
    ],
)
def test_encodings_and_delimiters_spreadsheets_write_are_read(state, encoding, delimiter):
    data = csv_bytes(MULTILINGUAL, delimiter=delimiter, encoding=encoding)
    if encoding == "utf-16":
        assert data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    result = run_import(state, data)
    assert (result["created"], result["errors"]) == (4, 0)
    assert by_email(state)["noa@example.co.il"].name == "נועה כהן"


def test_unknown_columns_are_refused_by_name_before_anything_is_written(state):
    data = csv_bytes([["email", "nickname", "Loyalty Points"], ["a@example.com", "x", "3"]])
    with pytest.raises(Invalid) as refused:
        run_import(state, data)
    assert "nickname" in refused.value.message and "Loyalty Points" in refused.value.message
    assert refused.value.fields["unknown_columns"] == ["nickname", "Loyalty Points"]
    assert customers_of(state.db) == []


def test_a_file_without_email_or_phone_column_is_refused(state):
    with pytest.raises(Invalid) as refused:
        run_import(state, csv_bytes([["name", "country"], ["Ali", "SA"]]))
    assert refused.value.fields["missing_columns"] == ["email or phone"]


def test_row_problems_are_reported_with_physical_line_column_and_reason(state):
    with state.db.transaction() as session:
        create_definition(session, "s1", FieldTypes(), label="Shoe size", key="shoe", type="number")
    rows = [
        ["email", "phone", "name", "country", "birthdate", "field:shoe"],
        ["ok@example.com", "", "Line two\nand three", "IT", "", "42"],  # lines 2-3
        ["not-an-email", "", "", "", "", ""],  # line 4
        ["p@example.com", "12", "", "", "", ""],  # line 5
        ["c@example.com", "", "", "Atlantis", "", ""],  # line 6
        ["d@example.com", "", "", "", "31/02/2000", ""],  # line 7
        ["f@example.com", "", "", "", "", "big"],  # line 8
        ["OK@Example.com", "", "", "", "", ""],  # line 9: duplicate of line 2
    ]
    result = run_import(state, csv_bytes(rows), policy="skip-bad-rows")
    assert report(state, result["id"]) == [
        (4, "email", "not a valid email address"),
        (5, "phone", "not a valid phone number"),
        (6, "country", "unknown country"),
        (7, "birthdate", "not a date (YYYY-MM-DD, DD/MM/YYYY or YYYY/MM/DD)"),
        (8, "field:shoe", "not a valid number: must be a number"),
        (9, "email", "duplicate of line 2"),
    ]
    assert (result["created"], result["errors"], result["total_rows"]) == (1, 6, 7)


def test_a_duplicate_row_names_the_first_good_row_and_marks_no_later_row(make_app, tmp_path):
    """Across chunks too: the first row wins; a row refused as a duplicate does not make a
    later row carrying its other key a duplicate of it."""
    app = make_app(
        CUSTOMERS_TRANSFER_FOLDER=str(tmp_path / "transfer"), CUSTOMERS_IMPORT_CHUNK_ROWS=2
    )
    state = app.extensions["customers"]
    rows = [
        ["email", "phone"],
        ["a@example.com", "+390612345678"],  # line 2
        ["b@example.com", "+390612345679"],  # line 3
        ["A@example.com", "+390612345670"],  # line 4: duplicate of line 2 (another chunk)
        ["c@example.com", "+390612345670"],  # line 5: the phone of a refused row: imported
        ["d@example.com", "+39 06 1234 5679"],  # line 6: duplicate of line 3 by phone
    ]
    result = run_import(state, csv_bytes(rows), policy="skip-bad-rows")
    assert report(state, result["id"]) == [
        (4, "email", "duplicate of line 2"),
        (6, "phone", "duplicate of line 3"),
    ]
    assert (result["created"], result["errors"], result["rows_done"]) == (3, 2, 5)
    emails = sorted(c.email for c in customers_of(state.db))
    assert emails == ["a@example.com", "b@example.com", "c@example.com"]


def test_reject_file_policy_imports_nothing_when_any_row_is_bad(state):
    rows = [["email"], ["good@example.com"], ["bad@"], ["also-good@example.com"]]
    result = run_import(state, csv_bytes(rows), policy="reject-file")
    assert result["status"] == "rejected"
    assert result["errors"] == 1 and "nothing was imported" in result["message"]
    assert customers_of(state.db) == []


def test_skip_bad_rows_policy_imports_the_good_rows(state):
    rows = [["email"], ["good@example.com"], ["bad@"], ["also-good@example.com"]]
    result = run_import(state, csv_bytes(rows), policy="skip-bad-rows")
    assert (result["status"], result["created"], result["errors"]) == ("done", 2, 1)
    assert {c.email for c in customers_of(state.db)} == {
        "good@example.com",
        "also-good@example.com",
    }


def test_running_the_same_file_twice_creates_no_duplicates(state):
    first = run_import(state, csv_bytes(MULTILINGUAL))
    second = run_import(state, csv_bytes(MULTILINGUAL))
    assert (first["created"], second["created"], second["skipped"]) == (4, 0, 4)
    assert len(customers_of(state.db)) == 4


def test_existing_customers_match_by_email_then_phone_and_update_when_asked(state):
    run_import(state, csv_bytes([["email", "phone", "name"], ["a@example.com", "", "Old"]]))
    run_import(state, csv_bytes([["phone", "name"], ["0501112222", "By phone"]]))
    rows = [
        ["email", "phone", "name", "country"],
        ["A@example.com", "", "New name", "IT"],  # matched by email, case folded
        ["", "+966501112222", "", "SA"],  # matched by phone
    ]
    result = run_import(state, csv_bytes(rows), on_existing="update")
    assert (result["created"], result["updated"]) == (0, 2)
    found = {c.phone or c.email: c for c in customers_of(state.db)}
    assert (found["a@example.com"].name, found["a@example.com"].country) == ("New name", "IT")
    assert (found["+966501112222"].name, found["+966501112222"].country) == ("By phone", "SA")


def test_a_customer_another_session_adds_while_a_chunk_is_written_is_matched(
    state, backend, monkeypatch
):
    """The chunk's customers are inserted with ``ON CONFLICT DO NOTHING``: a customer that
    another session commits just before (a checkout's hook) is matched and updated, not a
    failed chunk."""
    if backend != "postgresql":
        pytest.skip("SQLite lets no other session write during the import's transaction")
    real = runner.write_chunk

    def racing(session, options, chunk):
        with state.db.transaction() as other:  # another connection, committed at once
            customers.create(_scope(other, state), {"email": "b@example.com", "name": "Hook"})
        return real(session, options, chunk)

    monkeypatch.setattr(runner, "write_chunk", racing)
    rows = [["email", "name"], ["a@example.com", "A"], ["b@example.com", "From file"]]
    result = run_import(state, csv_bytes(rows), on_existing="update")
    assert (result["status"], result["created"], result["updated"]) == ("done", 1, 1)
    names = sorted(c.name for c in customers_of(state.db, "s1"))
    assert names == ["A", "From file"]


def test_a_row_whose_colliding_customer_is_deleted_meanwhile_is_reported_not_crashed(
    state, monkeypatch
):
    """A row that collided with a customer the matching no longer finds (deleted between the
    chunk's insert and its read) is reported on its line; the rest of the file is written."""
    run_import(state, csv_bytes([["email"], ["b@example.com"]]))
    monkeypatch.setattr(writer, "_existing", lambda *_args: ({}, {}))
    rows = [["email"], ["a@example.com"], ["b@example.com"]]
    started = imports.start_import(
        state, "s1", imports.ImportOptions(), upload=io.BytesIO(csv_bytes(rows))
    )
    result = batch(state, started["id"])
    assert (result["status"], result["created"], result["errors"]) == ("done", 1, 1)
    assert report(state, started["id"]) == [(3, "email", writer.GONE)]


def _scope(session, state):
    return Scope(
        session=session,
        store_id="s1",
        state=state,
        pm=state.pm,
        field_types=FieldTypes.collect(state.pm),
    )


def test_subscribe_option_records_consent_with_import_source_and_actor(state):
    result = run_import(state, csv_bytes([["email"], ["a@example.com"]]), subscribe=True)
    [customer] = customers_of(state.db)
    assert customer.marketing_consent == "subscribed"
    assert customer.marketing_consent_source == "import"
    with state.db.session() as session:
        [event] = session.scalars(select(ConsentEvent))
    assert (event.source, event.actor, event.status) == ("import", "staff:7", "subscribed")
    assert result["options"]["subscribe"] is True


def test_without_subscribe_option_nobody_is_subscribed(state):
    run_import(state, csv_bytes([["email"], ["a@example.com"]]))
    assert customers_of(state.db)[0].marketing_consent == "not_set"


def test_pasted_emails_split_on_commas_semicolons_spaces_and_new_lines(state):
    pasted = "a@example.com, b@example.com;c@example.com d@example.com\nE@example.com\r\n"
    result = run_import(state, emails=pasted)
    assert (result["status"], result["created"]) == ("done", 5)
    assert {c.email_normalized for c in customers_of(state.db)} == {
        f"{x}@example.com" for x in "abcde"
    }


def test_dry_run_reports_counts_and_problems_but_writes_nothing(state):
    run_import(state, csv_bytes([["email"], ["known@example.com"]]))
    rows = [["email"], ["known@example.com"], ["new@example.com"], ["broken"]]
    result = run_import(state, csv_bytes(rows), dry_run=True, policy="skip-bad-rows")
    assert (result["status"], result["created"], result["skipped"], result["errors"]) == (
        "done",
        1,
        1,
        1,
    )
    assert result["dry_run"] is True
    assert [c.email for c in customers_of(state.db)] == ["known@example.com"]


def test_template_lists_the_columns_with_custom_fields_and_one_example_row(state):
    with state.db.transaction() as session:
        create_definition(session, "s1", FieldTypes(), label="Shoe size", key="shoe", type="number")
        text = imports.template_csv(session, "s1")
    assert text.startswith("\ufeff")
    header, example, tail = text[1:].split("\r\n")
    assert header.split(",") == [*imports.columns.STANDARD, "field:shoe"]
    assert example.startswith("layla@example.com,'+966501234567,") and tail == ""
    # the template itself imports cleanly
    result = run_import(state, text.encode("utf-8"))
    assert (result["created"], result["errors"]) == (1, 0)


def test_an_upload_over_the_limit_is_refused_before_parsing(make_app, tmp_path):
    app = make_app(CUSTOMERS_IMPORT_MAX_BYTES=1000, CUSTOMERS_TRANSFER_FOLDER=str(tmp_path))
    state = app.extensions["customers"]
    data = b"email\r\n" + b"x@example.com\r\n" * 100
    with pytest.raises(TooLarge):
        imports.start_import(state, "s1", imports.ImportOptions(), upload=io.BytesIO(data))
    assert list((tmp_path / "imports").iterdir()) == []


def test_bad_options_are_refused(state):
    with pytest.raises(Invalid):
        run_import(state, csv_bytes([["email"], ["a@example.com"]]), on_existing="merge")


def test_a_file_that_is_not_text_is_refused(state):
    with pytest.raises(Invalid):
        run_import(state, b"\xff\xd8\xff\xe0binary" * 10)


def test_imports_are_scoped_to_their_store(state):
    result = run_import(state, csv_bytes([["email"], ["a@example.com"]]), store="s1")
    with state.db.session() as session, pytest.raises(imports.batches.NotFound):
        imports.batch_summary(session, "s2", __import__("uuid").UUID(result["id"]))
    assert batch(state, result["id"])["created"] == 1


def test_group_memberships_follow_the_imported_facts(state):
    from customers_plugin.models import GroupMember
    from customers_plugin.services.groups import manage
    from customers_plugin.services.groups.registry import registry_for

    with state.db.transaction() as session:
        saudi = manage.create_group(
            session,
            registry_for(state.pm),
            "s1",
            {
                "name": "Saudi",
                "conditions": {
                    "match": "all",
                    "conditions": [{"field": "country", "op": "eq", "value": "SA"}],
                },
            },
        )
    run_import(state, csv_bytes(MULTILINGUAL))
    with state.db.session() as session:
        members = set(
            session.scalars(select(GroupMember.customer_id).where(GroupMember.group_id == saudi.id))
        )
    assert members == {by_email(state)["layla@example.sa"].id}


def test_a_large_import_refreshes_postgresql_statistics(state, backend, monkeypatch):
    """Lists and exports right after a big import are planned on the table's new size."""
    from sqlalchemy import text

    from customers_plugin.services.imports import runner

    def analyses() -> int:
        with state.db.engine.connect() as conn:
            conn.execute(text("SELECT pg_stat_clear_snapshot()"))
            return conn.execute(
                text(
                    "SELECT analyze_count FROM pg_stat_user_tables "
                    "WHERE relname = 'customers_customers' AND schemaname = current_schema()"
                )
            ).scalar()

    monkeypatch.setattr(runner, "ANALYZE_AFTER_ROWS", 3)
    before = analyses() if backend == "postgresql" else 0
    small = [["email"], *([f"s{i}@example.com"] for i in range(2))]
    assert run_import(state, csv_bytes(small))["created"] == 2
    if backend == "postgresql":
        assert analyses() == before  # below the threshold: left to autovacuum
    large = [["email"], *([f"l{i}@example.com"] for i in range(3))]
    assert run_import(state, csv_bytes(large))["created"] == 3
    if backend == "postgresql":
        assert analyses() == before + 1


def test_a_growing_import_refreshes_the_customer_tables_statistics_as_it_doubles(
    make_app, tmp_path, monkeypatch
):
    """Plans made while the store was empty (foreign-key checks by sequential scan among
    them) would make every chunk slower than the last: the writing pass analyzes the customer
    tables once ``ANALYZE_GROWN_BY`` customers are created, then whenever that number
    doubles. A dry run writes nothing and analyzes nothing."""
    app = make_app(CUSTOMERS_TRANSFER_FOLDER=str(tmp_path), CUSTOMERS_IMPORT_CHUNK_ROWS=2)
    state = app.extensions["customers"]
    analyzed: list[tuple[int, list[str]]] = []

    def spy(_state, tables):
        with state.db.session() as session:
            count = session.scalar(select(func.count()).select_from(Customer))
        analyzed.append((count, [t.name for t in tables]))

    monkeypatch.setattr(runner, "_analyze", spy)
    monkeypatch.setattr(runner, "ANALYZE_GROWN_BY", 3)
    rows = [["email"]] + [[f"c{i}@example.com"] for i in range(13)]
    assert run_import(state, csv_bytes(rows), dry_run=True)["created"] == 13
    assert [count for count, names in analyzed if "customers_customers" in names] == []
    assert run_import(state, csv_bytes(rows))["created"] == 13
    grown = [count for count, names in analyzed if "customers_customers" in names]
    assert grown == [4, 8]  # chunks of two rows: 4 passes 3, 8 passes 2 × 4, 13 is short of 16
