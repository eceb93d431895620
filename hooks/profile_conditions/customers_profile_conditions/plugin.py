"""The hook implementation: two condition types registered through ``register_condition_types``.

Only ``customers_plugin.hookimpl`` and the public models are used; no session, no Flask.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from customers_plugin import hookimpl
from customers_plugin.models import Customer


def _wallet_balance(store_id: str) -> Any:
    return Customer.wallet_balance


def _language(store_id: str) -> Any:
    return Customer.language


class ProfileConditions:
    @hookimpl
    def register_condition_types(self, register: Callable[..., None]) -> None:
        register(
            "wallet_balance",
            _wallet_balance,
            "money",
            ["gt", "gte", "lt", "lte", "eq", "neq", "between"],
        )
        register("language", _language, "string", ["eq", "neq", "in", "is_null"])


plugin = ProfileConditions()
