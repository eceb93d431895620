"""Who may do what on the admin API: the store a request acts on (``current_store`` hook, else
``CUSTOMERS_DEFAULT_STORE``) and the permission check (``authorize`` hook, deny by default).

``require(permission)`` decorates a view: it answers 401 when nobody vouches for the caller,
403 when the caller may not do that, and otherwise leaves the store id in ``flask.g``.
``current_actor()`` names the staff member who acts (``current_staff`` hook, else ``admin``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import g, request

from .bounds import text_problem
from .state import get_state

READ = "customers.read"
WRITE = "customers.write"
DELETE = "customers.delete"
EXPORT = "customers.export"
BLOCK = "customers.block"
WALLET = "customers.wallet"  # credit or debit a wallet (money), apart from editing a profile
IMPORT = "customers.import"
MERGE = "customers.merge"  # merge duplicate customers and undo a merge
GROUPS = "groups.manage"
SETTINGS = "settings.manage"  # the store's settings, custom field definitions among them
ORDERS = "orders.place"  # place an order in the host for a customer
MESSAGE = "customers.message"  # send email or SMS to customers, report deliveries
COUPONS = "coupons.manage"  # assign and revoke personal coupons, wishlist gifts

PERMISSIONS = (
    READ,
    WRITE,
    DELETE,
    EXPORT,
    BLOCK,
    WALLET,
    IMPORT,
    MERGE,
    GROUPS,
    SETTINGS,
    ORDERS,
    COUPONS,
    MESSAGE,
)

F = TypeVar("F", bound=Callable[..., Any])
ANONYMOUS_STAFF = "admin"  # who acts when the host does not say
MAX_ACTOR = 128


class AccessDenied(Exception):
    """Raised by ``check``: ``status`` is 401 (nobody vouches for the caller) or 403."""

    def __init__(self, status: int, permission: str) -> None:
        super().__init__(permission)
        self.status = status
        self.permission = permission


def resolve_store() -> str:
    """The store of the current request (the host's answer, else the configured default)."""
    state = get_state()
    store = state.hook.current_store(request=request)
    if store is None or not str(store).strip():
        return str(state.setting("CUSTOMERS_DEFAULT_STORE"))
    return str(store)


def check(permission: str) -> str:
    """Authorise the current request for ``permission``; return its store id.

    :raises AccessDenied: 401 when no implementation answers, 403 when one says no.
    """
    state = get_state()
    store_id = resolve_store()
    allowed = state.hook.authorize(request=request, permission=permission, store_id=store_id)
    if allowed is None:
        raise AccessDenied(401, permission)
    if allowed is not True:
        raise AccessDenied(403, permission)
    g.customers_store_id = store_id
    return store_id


def held() -> list[str]:
    """The permissions the caller holds on the store ``require`` authorised (the ``authorize``
    hook asked once for each of ``PERMISSIONS``), for a front end that hides what its user may
    not do."""
    state = get_state()
    store_id = current_store_id()
    return [
        permission
        for permission in PERMISSIONS
        if state.hook.authorize(request=request, permission=permission, store_id=store_id) is True
    ]


def current_store_id() -> str:
    """The store id that ``require`` authorised for this request."""
    return g.customers_store_id


def current_staff() -> str | None:
    """The staff member making this authorised request, as the host's ``current_staff`` hook
    names them (asked once per request); ``None`` without an answer or with one that is not a
    short text."""
    if "customers_staff" not in g:
        answer = get_state().hook.current_staff(request=request, store_id=current_store_id())
        valid = (
            isinstance(answer, str)
            and answer.strip()
            and len(answer) <= MAX_ACTOR
            and text_problem(answer) is None
        )
        g.customers_staff = answer.strip() if valid else None
    return g.customers_staff


def current_actor() -> str:
    """Who acts, for the activity log and the ledgers: the staff member, else ``admin``."""
    return current_staff() or ANONYMOUS_STAFF


def require(permission: str) -> Callable[[F], F]:
    """Decorate a view so it runs only when the caller holds ``permission`` on their store.

    The check runs before the request's arguments are parsed, so an unauthorised caller learns
    nothing from validation errors. Views needing a further permission call ``check`` again.
    The OpenAPI document shows the permission and the staff security scheme (``api.openapi``).
    """

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            check(permission)
            return view(*args, **kwargs)

        wrapper._customers_permission = permission  # type: ignore[attr-defined]
        # read by the OpenAPI hook (api.openapi): security, x-permission, 401/403
        apidoc = dict(getattr(view, "_apidoc", {}))
        apidoc["customers_permission"] = permission
        wrapper._apidoc = apidoc  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate
