"""Undoing an import, and an import resumed after its worker died mid-file."""

from __future__ import annotations

import datetime as dt
import io
import uuid

import pytest
from sqlalchemy import select

from customers_plugin.models import ConsentEvent, CustomerSource, CustomerTag, Tag
from customers_plugin.services import imports
from customers_plugin.services.errors import Conflict
from customers_plugin.services.fields import FieldTypes, create_definition, values_of
from customers_plugin.services.imports import runner
from tests.helpers import customers_of, order
from tests.transfer.conftest import batch, csv_bytes, run_import


def undo(state, batch_id: str, store: str = "s1") -> dict:
    imports.request_undo(state, store, uuid.UUID(batch_id))  # the inline job runs on commit
    return batch(state, batch_id, store)


def test_undo_removes_the_customers_the_import_created(state):
    result = run_import(
        state, csv_bytes([["email", "tags"], ["a@example.com", "x"], ["b@example.com", ""]])
    )
    assert len(customers_of(state.db)) == 2
    undone = undo(state, result["id"])
    assert undone["status"] == "undone" and undone["undone_at"] is not None
    assert customers_of(state.db) == []


def test_undo_restores_updated_fields_and_removes_added_tags_source_and_consent(state):
    with state.db.transaction() as session:
        create_definition(session, "s1", FieldTypes(), label="Size", key="size", type="text")
    run_import(
        state,
        csv_bytes(
            [
                ["email", "name", "birthdate", "field:size"],
                ["a@example.com", "Ann", "2000-01-02", "M"],
            ]
        ),
    )
    state.hook.on_order_placed(event=order("o1", email="a@example.com", store="s1"))
    with state.db.transaction() as session:  # the import source came from the first batch only
        session.execute(CustomerSource.__table__.delete().where(CustomerSource.source == "import"))
    second = run_import(
        state,
        csv_bytes(
            [
                ["email", "name", "birthdate", "field:size", "tags"],
                ["a@example.com", "Anna", "01/02/2001", "L", "gold"],
            ]
        ),
        on_existing="update",
        subscribe=True,
    )
    assert second["updated"] == 1
    [changed] = customers_of(state.db)
    assert (changed.name, changed.birthdate, changed.marketing_consent) == (
        "Anna",
        dt.date(2001, 2, 1),
        "subscribed",
    )
    undo(state, second["id"])
    [restored] = customers_of(state.db)
    assert (restored.name, restored.birthdate, restored.marketing_consent) == (
        "Ann",
        dt.date(2000, 1, 2),
        "not_set",
    )
    with state.db.session() as session:
        assert values_of(session, restored.id) == {"size": "M"}
        assert list(session.scalars(select(CustomerTag.tag_id))) == []
        assert set(session.scalars(select(CustomerSource.source))) == {"store"}
        consent = list(
            session.scalars(select(ConsentEvent.source).order_by(ConsentEvent.occurred_at))
        )
    assert consent == ["import", "import_undo"]
    assert restored.orders_count == 1  # the host's data is untouched


def test_undo_keeps_created_customers_who_have_ordered_since(state):
    result = run_import(state, csv_bytes([["email"], ["a@example.com"], ["b@example.com"]]))
    state.hook.on_order_placed(event=order("o1", email="b@example.com", store="s1"))
    undone = undo(state, result["id"])
    assert [c.email for c in customers_of(state.db)] == ["b@example.com"]
    assert "1 created customer(s) kept" in undone["message"]


def test_a_dry_run_or_an_undone_batch_cannot_be_undone_again(state):
    dry = run_import(state, csv_bytes([["email"], ["a@example.com"]]), dry_run=True)
    with pytest.raises(Conflict):
        undo(state, dry["id"])
    real = run_import(state, csv_bytes([["email"], ["a@example.com"]]))
    undo(state, real["id"])
    assert undo(state, real["id"])["status"] == "undone"  # asking twice changes nothing


def test_a_worker_killed_mid_import_resumes_from_its_checkpoint_without_duplicates(
    make_app, tmp_path, monkeypatch
):
    app = make_app(CUSTOMERS_TRANSFER_FOLDER=str(tmp_path), CUSTOMERS_IMPORT_CHUNK_ROWS=3)
    state = app.extensions["customers"]
    rows = [["email", "tags"]] + [[f"c{i}@example.com", "t"] for i in range(10)]
    started = imports.start_import(
        state,
        "s1",
        imports.ImportOptions(),
        upload=io.BytesIO(csv_bytes(rows)),
        enqueue=False,
    )
    real_write = runner.write_chunk
    calls = {"n": 0}

    def dying_write(session, options, chunk):
        calls["n"] += 1
        if calls["n"] == 3:  # the third chunk: the worker dies inside its transaction
            real_write(session, options, chunk)
            raise SystemExit("worker killed")
        return real_write(session, options, chunk)

    monkeypatch.setattr(runner, "write_chunk", dying_write)
    with pytest.raises(SystemExit):
        runner.run_batch(state, started["id"])
    halfway = batch(state, started["id"])
    assert (halfway["status"], halfway["rows_done"], halfway["created"]) == ("importing", 6, 6)
    assert len(customers_of(state.db)) == 6
    monkeypatch.setattr(runner, "write_chunk", real_write)
    done = runner.run_batch(state, started["id"])  # the retry
    assert (done["status"], done["rows_done"], done["created"], done["errors"]) == (
        "done",
        10,
        10,
        0,
    )
    assert sorted(c.email for c in customers_of(state.db)) == sorted(r[0] for r in rows[1:])
    with state.db.session() as session:
        assert len(list(session.scalars(select(CustomerTag.customer_id)))) == 10
        assert len(list(session.scalars(select(Tag.id)))) == 1


def test_imports_and_undo_notify_third_parties(state, recorder):
    run_import(state, csv_bytes([["email", "name"], ["a@example.com", "Ann"]]))
    [created] = recorder.named("customer_created")
    assert (created["customer"].email, created["customer"].sources) == (
        "a@example.com",
        ("import",),
    )
    second = run_import(
        state, csv_bytes([["email", "name"], ["a@example.com", "Anna"]]), on_existing="update"
    )
    [updated] = recorder.named("customer_updated")
    assert [(c.field, c.old, c.new) for c in updated["changes"]] == [("name", "Ann", "Anna")]
    first_id = created["customer"].id
    undo(state, batch_of_first(state))
    assert recorder.named("customer_deleted") == [{"store_id": "s1", "customer_id": first_id}]
    assert second["updated"] == 1


def batch_of_first(state) -> str:
    with state.db.session() as session:
        return imports.list_batches(session, "s1")[-1]["id"]
