"""The validation pass stages every row; the writing pass reads chunks back in line order (bad
rows counted, not returned), a matched row's values as they were validated (dates, custom
fields, tags, consent), and nothing is left staged or on disk afterwards."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from customers_plugin.models import ImportBatch, ImportRow
from customers_plugin.services.imports import staging
from customers_plugin.services.imports.rows import ParsedRow

from .conftest import csv_bytes, run_import


def _batch(state) -> uuid.UUID:
    with state.db.transaction() as session:
        batch = ImportBatch(store_id="s1", options={})
        session.add(batch)
        session.flush()
        return batch.id


def _staged_count(state, batch_id: uuid.UUID | None = None) -> int:
    query = select(func.count()).select_from(ImportRow)
    if batch_id is not None:
        query = query.where(ImportRow.batch_id == batch_id)
    with state.db.session() as session:
        return session.scalar(query)


def test_staged_chunks_read_back_in_line_order_with_bad_rows_counted(state) -> None:
    batch_id = _batch(state)
    field_id = uuid.uuid4()
    good = ParsedRow(
        2,
        values={
            "email": "Layla@Example.com",
            "name": "ليلى כהן",
            "birthdate": dt.date(1990, 2, 28),
            "phone": "+966501234567",
        },
        email_key="layla@example.com",
        fields={field_id: ("size", "M")},
        tags=["VIP", "Cliente fedele"],
        consent="subscribed",
    )
    bad = ParsedRow(3, values={"name": "x"}, errors=[("email", "not a valid email address")])
    later = ParsedRow(7, values={"name": "Giulia"}, email_key="g@example.it")
    with state.db.transaction() as session:
        staging.stage(session, batch_id, [good, bad])
        staging.stage(session, batch_id, [later])

    with state.db.session() as session:
        first = staging.next_chunk(session, batch_id, after_line=1, size=2)
        assert (first.after_line, first.last_line, first.size, first.good) == (1, 3, 2, 1)
        # what a created customer gets besides its columns, by the id staged for it
        (customer_id,) = session.scalars(select(ImportRow.customer_id).where(ImportRow.line == 2))
        assert isinstance(customer_id, uuid.UUID)
        assert staging.additions(session, batch_id, first, [customer_id]) == [
            (customer_id, staging.Additions(["VIP", "Cliente fedele"], {field_id: ("size", "M")}))
        ]
        assert staging.additions(session, batch_id, first, [uuid.uuid4()]) == []
        # a good row that created nothing (it matched a customer) is read back by its line
        assert staging.lines_not_created(session, batch_id, first, [customer_id]) == []
        assert staging.lines_not_created(session, batch_id, first, []) == [2]
        rest = staging.next_chunk(session, batch_id, after_line=3, size=2)
        assert (rest.last_line, rest.size, rest.good) == (7, 1, 1)
        assert staging.next_chunk(session, batch_id, after_line=7, size=2) is None
        # the writing pass reads a matched row back whole, as validated; bad rows never
        assert staging.parsed_rows(session, batch_id, [2, 3, 7]) == [good, later]

    with state.db.session() as session:
        first = staging.next_chunk(session, batch_id, after_line=1, size=2)
    with state.db.transaction() as session:
        staging.remove_chunk(session, batch_id, first)  # a written chunk's rows go with it
    assert _staged_count(state, batch_id) == 1
    with state.db.transaction() as session:
        staging.clear(session, batch_id)
    assert _staged_count(state, batch_id) == 0


def test_a_later_import_probes_its_keys_by_their_index(state, backend) -> None:
    """After an import the staged table's statistics describe the earlier batch only; the
    next batch's key probes must still use the key indexes (a scan of the batch's rows per
    key made a second import ten times slower than the first)."""
    if backend != "postgresql":
        pytest.skip("query plans are PostgreSQL's")
    rows = [["email", "phone"]] + [[f"c{i}@example.com", f"+3906{i:08d}"] for i in range(300)]
    assert run_import(state, csv_bytes(rows))["created"] == 300  # analyzes the staged table
    batch_id = _batch(state)
    with state.db.transaction() as session:
        staging.stage(
            session,
            batch_id,
            [ParsedRow(n, values={"phone": f"+3907{n:08d}"}, email_key=f"d{n}@example.com")
             for n in range(2, 302)],
        )  # fmt: skip
    with state.db.session() as session:
        connection = session.connection()
        connection.exec_driver_sql("SET LOCAL plan_cache_mode = force_generic_plan")
        for column, index in (
            (ImportRow.email_key, "ix_customers_import_rows_email_key"),
            (ImportRow.phone, "ix_customers_import_rows_phone"),
        ):
            probe = staging.key_probe(session, batch_id, column, ["x@example.com"]).compile(
                connection
            )
            plan = "\n".join(
                connection.exec_driver_sql("EXPLAIN " + str(probe), probe.params).scalars()
            )
            assert index in plan, plan


def test_a_finished_import_leaves_no_staged_rows_nor_file(state, tmp_path: Path) -> None:
    data = csv_bytes([["email", "birthdate"], ["a@example.com", "1985-07-01"]])
    result = run_import(state, data)
    assert result["status"] == "done" and result["created"] == 1
    rejected = run_import(state, csv_bytes([["email"], ["b@example.com"], ["not an email"]]))
    assert rejected["status"] == "rejected"
    assert _staged_count(state) == 0
    folder = tmp_path / "transfer" / "imports"
    assert list(folder.iterdir()) == []
