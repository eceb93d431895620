"""The host's stores, their staff tokens with roles, and the host-side plugin that answers
customers-plugin's ``current_store``, ``authorize``, ``current_staff`` and ``list_staff`` hooks.

Each bearer token is bound to one store and one role: a request with store A's token acts on
store A and is refused (403) anywhere else; a request without a known token is unauthenticated
(401). A member of staff signed in to the admin (``admin.py``: the browser session holds their
store and role) is known the same way, without a token; as a session cookie is sent by the
browser whatever page asks, a change (any method but GET/HEAD/OPTIONS) counts only with the
admin's ``X-Customers-CSRF`` header, which a page of another site cannot send. The role
decides which of the plugin's permissions the token holds (``ROLES``): the owner everything,
staff the daily work without money, deletion or settings, read-only only ``customers.read``;
anything else answers 403.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from dataclasses import dataclass

from flask import Request, has_request_context, session

from customers_plugin import hookimpl, security

DEMO_ADMIN_TOKEN = "demo-admin-token"  # the owner of the default store
DEMO_STAFF_TOKEN = "demo-staff-token"
DEMO_READONLY_TOKEN = "demo-readonly-token"
DEMO_SECOND_STORE_TOKEN = "demo-second-store-token"  # the owner of the second store

OWNER, STAFF, READ_ONLY = "owner", "staff", "read-only"
# the plugin's permissions each role holds (the owner holds every one, present and future)
ROLES: dict[str, frozenset[str] | None] = {
    OWNER: None,
    STAFF: frozenset(
        {
            security.READ,
            security.WRITE,
            security.BLOCK,
            security.EXPORT,
            security.IMPORT,
            security.GROUPS,
            security.ORDERS,
            security.COUPONS,
        }
    ),
    READ_ONLY: frozenset({security.READ}),
}

STAFF_SESSION = "staff"  # browser-session key of the admin sign-in: [store id, role]
CSRF_HEADER = "X-Customers-CSRF"  # what customers_plugin.admin sends with every call
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# The payment methods every demo store offers at checkout.
PAYMENT_METHODS = ("card", "paypal", "bank_transfer", "cash_on_delivery")


@dataclass(frozen=True, slots=True)
class Store:
    id: str
    title: str
    admin_token: str  # the owner's
    # (role, token) of the store's other staff accounts
    staff_tokens: tuple[tuple[str, str], ...] = ()

    def tokens(self) -> Iterator[tuple[str, str]]:
        """Every (role, token) of the store, the owner's first."""
        yield OWNER, self.admin_token
        yield from self.staff_tokens


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

    def account_for_token(self, token: str | None) -> tuple[str, str] | None:
        """The (store id, role) a token belongs to, or ``None``."""
        if not token:
            return None
        for store in self._stores.values():
            for role, known in store.tokens():
                if hmac.compare_digest(known.encode(), token.encode()):
                    return store.id, role
        return None

    def store_for_token(self, token: str | None) -> str | None:
        account = self.account_for_token(token)
        return account[0] if account else None

    def account_for_request(self, request: Request) -> tuple[str, str] | None:
        """The (store id, role) of the caller: their bearer token, else the admin sign-in of
        the browser session (for a change, only with the CSRF header)."""
        token = bearer_token(request)
        if token is not None:
            return self.account_for_token(token)
        if not has_request_context():
            return None
        signed_in = session.get(STAFF_SESSION)
        if not isinstance(signed_in, list) or len(signed_in) != 2:
            return None
        store_id, role = signed_in
        if store_id not in self._stores or role not in ROLES:
            return None
        if request.method not in SAFE_METHODS and request.headers.get(CSRF_HEADER) != "1":
            return None
        return store_id, role

    @hookimpl
    def current_store(self, request: Request) -> str | None:
        account = self.account_for_request(request)
        return account[0] if account else None

    @hookimpl
    def authorize(self, request: Request, permission: str, store_id: str) -> bool | None:
        account = self.account_for_request(request)
        if account is None:
            return None  # nobody we know: 401
        bound, role = account
        if bound != store_id:
            return False  # a known token on another store: 403
        allowed = ROLES[role]
        return allowed is None or permission in allowed  # the role decides: 403 otherwise

    @hookimpl
    def current_staff(self, request: Request, store_id: str) -> str | None:
        """The staff member behind the token: one account per role in this demo."""
        account = self.account_for_request(request)
        return account[1] if account is not None and account[0] == store_id else None

    @hookimpl
    def list_staff(self, store_id: str) -> list[dict[str, str]] | None:
        """The store's staff accounts, who tasks can be assigned to."""
        store = self._stores.get(store_id)
        if store is None:
            return []
        return [
            {"id": role, "name": role.title(), "email": f"{role}@{store.id}.shop.example"}
            for role, _token in store.tokens()
        ]
