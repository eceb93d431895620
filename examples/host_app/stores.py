"""The host's stores, their admin tokens, and the host-side plugin that answers customers-plugin's
``current_store`` and ``authorize`` hooks.

Each bearer token is bound to one store: a request with store A's token acts on store A and is
refused (403) anywhere else; a request without a known token is unauthenticated (401).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from flask import Request

from customers_plugin import hookimpl

DEMO_ADMIN_TOKEN = "demo-admin-token"
DEMO_SECOND_STORE_TOKEN = "demo-second-store-token"

# The payment methods every demo store offers at checkout.
PAYMENT_METHODS = ("card", "paypal", "bank_transfer", "cash_on_delivery")


@dataclass(frozen=True, slots=True)
class Store:
    id: str
    title: str
    admin_token: str


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


class HostServices:
    """The host's answers to customers-plugin (registered through ``CUSTOMERS_PLUGINS``)."""

    def __init__(self, stores: dict[str, Store]) -> None:
        self._stores = stores

    def store_for_token(self, token: str | None) -> str | None:
        if not token:
            return None
        for store in self._stores.values():
            if hmac.compare_digest(store.admin_token.encode(), token.encode()):
                return store.id
        return None

    @hookimpl
    def current_store(self, request: Request) -> str | None:
        return self.store_for_token(bearer_token(request))

    @hookimpl
    def authorize(self, request: Request, permission: str, store_id: str) -> bool | None:
        bound = self.store_for_token(bearer_token(request))
        if bound is None:
            return None  # nobody we know: 401
        return bound == store_id  # a known token on another store: 403
