"""The hook implementation: two condition types registered through ``register_condition_types``.

Only the package's contract is used (``hookimpl`` and the ``customer_column`` handles); no
models, no session, no Flask.
"""

from __future__ import annotations

from collections.abc import Callable

from customers_plugin import customer_column, hookimpl


class ProfileConditions:
    @hookimpl
    def register_condition_types(self, register: Callable[..., None]) -> None:
        register(
            "wallet_balance",
            customer_column("wallet_balance"),
            "money",
            ["gt", "gte", "lt", "lte", "eq", "neq", "between"],
        )
        register("language", customer_column("language"), "string", ["eq", "neq", "in", "is_null"])


plugin = ProfileConditions()
