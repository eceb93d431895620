"""The README documents every hook (signature and example) and every configuration key."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from customers_plugin import hookspecs
from customers_plugin.config import DEFAULTS

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")

HOOKS = sorted(
    name
    for name, obj in vars(hookspecs).items()
    if inspect.isfunction(obj) and hasattr(obj, "customers_spec")
)


def _section(hook: str) -> str:
    match = re.search(rf"^#### `{hook}`\n(.*?)(?=^#{{2,4}} )", README, re.S | re.M)
    assert match, f"README has no '#### `{hook}`' section"
    return match.group(1)


def test_the_contract_has_all_five_families():
    assert len(HOOKS) >= 30
    assert {
        "on_order_placed",
        "customer_created",
        "authorize",
        "register_field_types",
        "allowed_payment_methods",
    } <= set(HOOKS)


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_is_documented_with_its_arguments_and_an_example(hook):
    section = _section(hook)
    for argument in inspect.signature(getattr(hookspecs, hook)).parameters:
        assert re.search(rf"\b{argument}\b", section), f"{hook}: argument {argument} undocumented"
    assert "```python" in section, f"{hook}: no example"
    assert getattr(hookspecs, hook).__doc__, f"{hook}: no docstring"


@pytest.mark.parametrize("key", sorted(DEFAULTS))
def test_config_key_is_documented(key):
    assert f"| `{key}` |" in README
