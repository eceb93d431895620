"""Every customer-owned table is registered once (``privacy.owned.OWNED``): a table with a
``customer_id`` column that is missing there would be lost by a merge and kept by an erasure."""

from __future__ import annotations

from customers_plugin.models import Base
from customers_plugin.services.privacy.owned import OWNED

# tables whose customer_id is not one customer's row: the merge record names its customers
# the merge records themselves, and an import's staged rows (their customer_id is the id the
# row will give the customer it creates: no customer has it yet)
NOT_OWNED = {"customers_merges", "customers_merge_rows", "customers_import_rows"}


def test_every_table_with_a_customer_column_is_registered():
    with_customer = {
        table.name
        for table in Base.metadata.sorted_tables
        if "customer_id" in table.c and table.name not in NOT_OWNED
    }
    registered = [entry.table.name for entry in OWNED]
    assert len(registered) == len(set(registered))
    assert with_customer == set(registered)


def test_entries_name_real_columns():
    for entry in OWNED:
        assert entry.merge in ("move", "dedupe", "drop", "stay")
        for column in (entry.key, *entry.columns, *entry.same):
            assert column in entry.table.c, (entry.table.name, column)
