"""Importing back an unchanged export: every row is "unchanged", nothing is written to the
customers (no source ``import``, no ``updated_at``), and nobody hears ``customer_updated``."""

from __future__ import annotations

from customers_plugin.services.listing import Filters
from tests.helpers import dump, order
from tests.transfer.conftest import csv_bytes, run_import
from tests.transfer.test_export import export_bytes
from tests.transfer.test_undo_resume import undo

IMPORT_TABLES = ("customers_import_",)


def _customer_tables(state) -> dict:
    return {
        name: rows for name, rows in dump(state.db).items() if not name.startswith(IMPORT_TABLES)
    }


def _seed(state) -> None:
    state.hook.on_order_placed(event=order("o1", email="ann@example.com", name="Ann Lee"))
    state.hook.on_order_placed(
        event=order("o2", email="omar@example.com", name="عمر", phone="+966501234567")
    )


def test_reimporting_an_unchanged_export_changes_nothing_and_says_so(state, recorder):
    _seed(state)
    exported = export_bytes(state, filters=Filters(statuses=["active"]))
    before = _customer_tables(state)
    recorder.calls.clear()
    result = run_import(state, exported, on_existing="update")
    assert (result["created"], result["updated"], result["unchanged"]) == (0, 0, 2)
    assert recorder.named("customer_updated") == []
    assert _customer_tables(state) == before


def test_a_row_that_changes_one_field_is_updated_and_the_others_unchanged(state, recorder):
    _seed(state)
    recorder.calls.clear()
    rows = [["email", "name"], ["ann@example.com", "Ann Lee"], ["omar@example.com", "عمر ع"]]
    result = run_import(state, csv_bytes(rows), on_existing="update")
    assert (result["updated"], result["unchanged"]) == (1, 1)
    [updated] = recorder.named("customer_updated")
    assert updated["customer"].email == "omar@example.com"
    assert [(c.field, c.new) for c in updated["changes"]] == [("name", "عمر ع")]
    assert set(updated["customer"].sources) == {"store", "import"}


def test_a_dry_run_counts_unchanged_rows_and_undo_leaves_them_alone(state):
    _seed(state)
    exported = export_bytes(state, filters=Filters(statuses=["active"]))
    before = _customer_tables(state)
    trial = run_import(state, exported, on_existing="update", dry_run=True)
    assert (trial["updated"], trial["unchanged"]) == (0, 2)
    done = run_import(state, exported, on_existing="update")
    undone = undo(state, done["id"])
    assert (undone["status"], undone["unchanged"]) == ("undone", 2)
    assert _customer_tables(state) == before
