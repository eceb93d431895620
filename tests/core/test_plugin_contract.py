"""The reference plugins in hooks/ use only what the package exports as its contract."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import customers_plugin
from customers_plugin import customer_column

HOOKS = Path(__file__).resolve().parents[2] / "hooks"
PLUGIN_FILES = sorted(HOOKS.glob("*/customers_*/*.py"))


def _imports_of_the_package(path: Path) -> list[tuple[str, list[str]]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("customers_plugin"):
            found.append((node.module or "", [alias.name for alias in node.names]))
        elif isinstance(node, ast.Import):
            found += [(a.name, []) for a in node.names if a.name.startswith("customers_plugin")]
    return found


def test_there_are_reference_plugins_to_check():
    assert len(PLUGIN_FILES) >= 4


@pytest.mark.parametrize("path", PLUGIN_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_reference_plugin_imports_only_the_exported_contract(path: Path):
    for module, names in _imports_of_the_package(path):
        assert module == "customers_plugin", f"{path.name} imports {module}"
        assert set(names) <= set(customers_plugin.__all__), f"{path.name} imports {names}"


def test_customer_column_offers_no_contact_details():
    for private in ("email", "phone", "name", "host_user_id"):
        with pytest.raises(ValueError, match="no customer attribute"):
            customer_column(private)


def test_customer_column_is_a_store_callable_over_the_customers_table():
    column = customer_column("wallet_balance")("default")
    assert column.table.name == "customers_customers"
    assert column.key == "wallet_balance"
