"""``/me/…``: the storefront side for the signed-in customer (the host's ``current_customer``
hook says which account; nobody signed in answers 401). No admin permission is involved.

The customer is the one linked to the host's account (``services/identity.py``), never one
found by contact details. An account not linked (and not linkable by a verified address) sees
an empty wishlist, a zero wallet and no pending reviews; its changes answer 403
``account_not_linked``.

``/me/wishlist`` (list, add, remove, move to cart), ``/me/wallet`` (balance and ledger) and
``/me/reviews/pending`` (the unreviewed orders, for the signed-in customer or the holder of a
signed review link). Identity is checked before any argument is read (``signed_in``): a guest
gets 401, never a validation error. A product joins the wishlist with the name, price and
currency the host gives (``product_prices``), never the shopper's. Every answer here, refusals
included, is ``Cache-Control: no-store``.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from flask import Response, g, request
from flask_smorest import Blueprint
from sqlalchemy.orm import Session

from ..events import ShopperAccount
from ..i18n import _
from ..schemas.commerce import (
    MovedOut,
    PendingArgs,
    PendingReviewsOut,
    WalletOut,
    WishlistAdd,
    WishlistItemOut,
    WishlistPage,
)
from ..schemas.common import PageArgs
from ..security import AccessDenied, resolve_store
from ..services import identity, review_requests, settings, wallet, wishlist
from ..services.errors import NotFound
from ..state import get_state
from .common import page_size
from .errors import error_response, install
from .openapi import REVIEW_LINK, SHOPPER, declare_security

blp = install(Blueprint("storefront", __name__, description="The signed-in customer's pages."))

STOREFRONT = "storefront"
log = logging.getLogger(__name__)


@blp.after_request
def _never_stored(response: Response) -> Response:
    """One shopper's data: no shared cache, proxy or back button may keep it."""
    response.headers["Cache-Control"] = "no-store"
    return response


@blp.errorhandler(review_requests.LinkInvalid)
def _bad_link(error: review_requests.LinkInvalid) -> Response:
    return error_response(401, error.message, code=error.code)


class NotLinked(AccessDenied):
    """A signed-in account with no customer of its own yet: it may not change anything."""

    def __init__(self) -> None:
        super().__init__(403, STOREFRONT)


@blp.errorhandler(NotLinked)
def not_linked(_error: NotLinked) -> Response:
    return error_response(
        403,
        _("this account is not linked to a customer yet (verify its email or phone)"),
        code="account_not_linked",
    )


def shopper() -> tuple[str, ShopperAccount]:
    """The store and the signed-in account, or 401 (asked of the host once per request)."""
    cached = g.get("customers_shopper")
    if cached is not None:
        return cached
    store_id = resolve_store()
    account = get_state().hook.current_customer(request=request, store_id=store_id)
    if account is None:
        raise AccessDenied(401, STOREFRONT)
    if not isinstance(account, ShopperAccount):
        log.error("customers: current_customer must answer a ShopperAccount or None")
        raise AccessDenied(401, STOREFRONT)
    g.customers_shopper = (store_id, account)
    return store_id, account


def signed_in(view: Callable[..., Any]) -> Callable[..., Any]:
    """Answer 401 to a guest before the request's arguments are parsed (place it above
    ``@blp.arguments``)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        shopper()
        return view(*args, **kwargs)

    return wrapper


def known(store_id: str, account: ShopperAccount, *, create: bool = False) -> uuid.UUID | None:
    return identity.shopper_customer(get_state(), store_id, account, create=create)


def own(store_id: str, account: ShopperAccount, *, create: bool = False) -> uuid.UUID:
    customer_id = known(store_id, account, create=create)
    if customer_id is None:
        raise NotLinked()
    return customer_id


def _page(args: dict[str, Any]) -> tuple[int, str | None]:
    return page_size(args), args.get("cursor")


@blp.route("/wishlist", methods=["GET"])
@declare_security(SHOPPER)
@signed_in
@blp.arguments(PageArgs(), location="query", as_kwargs=True)
@blp.response(200, WishlistPage)
def my_wishlist(**args: Any) -> Any:
    """The signed-in customer's wishlist, latest addition first."""
    store_id, account = shopper()
    limit, cursor = _page(args)
    customer_id = known(store_id, account)
    if customer_id is None:
        return {"items": [], "next_cursor": None}
    with get_state().db.session() as session:
        items, next_cursor = wishlist.items_page(
            session, store_id, customer_id, limit=limit, cursor=cursor
        )
        return {"items": items, "next_cursor": next_cursor}


@blp.route("/wishlist", methods=["POST"])
@declare_security(SHOPPER)
@signed_in
@blp.arguments(WishlistAdd())
@blp.response(201, WishlistItemOut)
@blp.alt_response(200, schema=WishlistItemOut, description="Already in the wishlist.")
def add_to_my_wishlist(body: dict[str, Any]) -> Any:
    """Add a product by its id: its name, price and currency are the host's now
    (``product_prices``); the plugin keeps that price and the date. A product already in the
    list keeps its first price (200). 422 for a product the host does not know, 409
    ``wishlist_full`` past ``CUSTOMERS_WISHLIST_MAX_ITEMS``, 409 ``prices_unavailable``
    without a ``product_prices`` implementation, 403 ``account_not_linked``."""
    store_id, account = shopper()
    state = get_state()
    product = wishlist.product_from_host(state.pm, store_id, body["product_id"])
    limit = settings.effective(store_id, "wishlist_max_items", state=state)
    customer_id = own(store_id, account, create=True)
    outcome: dict[str, Any] = {}

    def apply(session: Session, customer_id: uuid.UUID) -> bool:
        item, created = wishlist.add(
            session, store_id, customer_id, product, source=STOREFRONT, max_items=limit
        )
        outcome.update(item=item, created=created)
        return created

    state.capture.for_customer(store_id, customer_id, apply)
    return outcome["item"], 201 if outcome["created"] else 200


def _change(product_id: str, action: Any) -> None:
    store_id, account = shopper()
    customer_id = known(store_id, account)
    if customer_id is None:
        raise NotFound(_("this product is not in the wishlist"))

    def apply(session: Session, resolved_id: uuid.UUID) -> bool:
        return action(session, store_id, resolved_id)

    get_state().capture.for_customer(store_id, customer_id, apply)


@blp.route("/wishlist/<string:product_id>", methods=["DELETE"])
@declare_security(SHOPPER)
@blp.response(204)
def remove_from_my_wishlist(product_id: str) -> None:
    """Remove a product (404 when it is not in the wishlist)."""

    def action(session: Session, store_id: str, customer_id: uuid.UUID) -> bool:
        if not wishlist.remove(session, store_id, customer_id, product_id):
            raise NotFound(_("this product is not in the wishlist"))
        return True

    _change(product_id, action)


@blp.route("/wishlist/<string:product_id>/move-to-cart", methods=["POST"])
@declare_security(SHOPPER)
@blp.response(200, MovedOut)
def move_to_cart(product_id: str) -> Any:
    """Put the product in the cart through the host's ``add_to_cart`` and take it off the
    wishlist; 409 ``product_unavailable`` (it stays in the wishlist) or ``cart_unavailable``."""
    store_id, account = shopper()
    state = get_state()
    customer_id = known(store_id, account)
    if customer_id is None:
        raise NotFound(_("this product is not in the wishlist"))
    wishlist.put_in_cart(state.db, state.pm, store_id, customer_id, product_id)

    def action(session: Session, store_id: str, customer_id: uuid.UUID) -> bool:
        wishlist.remove(session, store_id, customer_id, product_id, kind="wishlist_moved_to_cart")
        return True

    _change(product_id, action)
    return {"product_id": product_id, "moved": True}


@blp.route("/wallet", methods=["GET"])
@declare_security(SHOPPER)
@signed_in
@blp.arguments(PageArgs(), location="query", as_kwargs=True)
@blp.response(200, WalletOut)
def my_wallet(**args: Any) -> Any:
    """The signed-in customer's wallet balance and ledger, newest first."""
    store_id, account = shopper()
    state = get_state()
    currency = wallet.wallet_currency(state)
    limit, cursor = _page(args)
    customer_id = known(store_id, account)
    if customer_id is None:
        return {"balance": Decimal("0.00"), "currency": currency, "items": [], "next_cursor": None}
    with state.db.session() as session:
        return wallet.ledger_page(
            session, store_id, customer_id, currency=currency, limit=limit, cursor=cursor
        )


@blp.route("/reviews/pending", methods=["GET"])
@declare_security(REVIEW_LINK, SHOPPER)
@blp.arguments(PendingArgs(), location="query", as_kwargs=True)
@blp.response(200, PendingReviewsOut)
def my_pending_reviews(**args: Any) -> Any:
    """The orders still to review: for the holder of a review link (``token``, signed and
    expiring; 401 when invalid or expired) or else for the signed-in customer."""
    state = get_state()
    token = args.get("token")
    if token:
        with state.db.session() as session:
            return review_requests.pending_for_link(state, session, token)
    store_id, account = shopper()
    customer_id = known(store_id, account)
    with state.db.session() as session:
        return review_requests.pending_for(session, store_id, customer_id)
