"""``/me/…``: the storefront side for the signed-in customer (the host's ``current_customer``
hook says who; nobody signed in answers 401). No admin permission is involved.

``/me/wishlist`` (list, add, remove, move to cart), ``/me/wallet`` (balance and ledger) and
``/me/reviews/pending`` (the unreviewed orders, for the signed-in customer or the holder of a
signed review link).
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from flask import Response, request
from flask_smorest import Blueprint
from sqlalchemy.orm import Session

from ..events import Contact
from ..extension import get_state
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
from ..services import review_requests, wallet, wishlist
from ..services.errors import NotFound
from ..services.groups.checkout import find_customer
from .common import page_size
from .errors import error_response, install
from .openapi import REVIEW_LINK, SHOPPER, declare_security

blp = install(Blueprint("storefront", __name__, description="The signed-in customer's pages."))

STOREFRONT = "storefront"


@blp.errorhandler(review_requests.LinkInvalid)
def _bad_link(error: review_requests.LinkInvalid) -> Response:
    return error_response(401, error.message, code=error.code)


def _shopper() -> tuple[str, Contact]:
    """The store and the signed-in customer's contact, or 401."""
    store_id = resolve_store()
    contact = get_state().hook.current_customer(request=request, store_id=store_id)
    if contact is None:
        raise AccessDenied(401, STOREFRONT)
    return store_id, contact


def _known(session: Session, store_id: str, contact: Contact) -> uuid.UUID | None:
    return find_customer(
        session, store_id, contact, get_state().setting("CUSTOMERS_DEFAULT_REGION")
    )


def _page(args: dict[str, Any]) -> tuple[int, str | None]:
    return page_size(args), args.get("cursor")


@blp.route("/wishlist", methods=["GET"])
@declare_security(SHOPPER)
@blp.arguments(PageArgs(), location="query", as_kwargs=True)
@blp.response(200, WishlistPage)
def my_wishlist(**args: Any) -> Any:
    """The signed-in customer's wishlist, latest addition first."""
    store_id, contact = _shopper()
    limit, cursor = _page(args)
    with get_state().db.session() as session:
        customer_id = _known(session, store_id, contact)
        if customer_id is None:
            return {"items": [], "next_cursor": None}
        items, next_cursor = wishlist.items_page(
            session, store_id, customer_id, limit=limit, cursor=cursor
        )
        return {"items": items, "next_cursor": next_cursor}


@blp.route("/wishlist", methods=["POST"])
@declare_security(SHOPPER)
@blp.arguments(WishlistAdd())
@blp.response(201, WishlistItemOut)
@blp.alt_response(200, schema=WishlistItemOut, description="Already in the wishlist.")
def add_to_my_wishlist(body: dict[str, Any]) -> Any:
    """Add a product with its name, price and currency now; the plugin keeps that price and
    the date. A product already in the list keeps its first price (200)."""
    store_id, contact = _shopper()
    product = wishlist.Product.of(body["product_id"], body["name"], body["price"], body["currency"])
    outcome: dict[str, Any] = {}

    def apply(session: Session, customer_id: uuid.UUID) -> bool:
        item, created = wishlist.add(session, store_id, customer_id, product, source=STOREFRONT)
        outcome.update(item=item, created=created)
        return created

    wishlist.for_contact(get_state(), store_id, contact, "store", apply)
    return outcome["item"], 201 if outcome["created"] else 200


def _change(product_id: str, action: Any) -> None:
    store_id, contact = _shopper()
    state = get_state()
    with state.db.session() as session:
        customer_id = _known(session, store_id, contact)
    if customer_id is None:
        raise NotFound("this product is not in the wishlist")

    def apply(session: Session, resolved_id: uuid.UUID) -> bool:
        return action(session, store_id, resolved_id)

    wishlist.for_contact(state, store_id, contact, "store", apply)


@blp.route("/wishlist/<string:product_id>", methods=["DELETE"])
@declare_security(SHOPPER)
@blp.response(204)
def remove_from_my_wishlist(product_id: str) -> None:
    """Remove a product (404 when it is not in the wishlist)."""

    def action(session: Session, store_id: str, customer_id: uuid.UUID) -> bool:
        if not wishlist.remove(session, store_id, customer_id, product_id):
            raise NotFound("this product is not in the wishlist")
        return True

    _change(product_id, action)


@blp.route("/wishlist/<string:product_id>/move-to-cart", methods=["POST"])
@declare_security(SHOPPER)
@blp.response(200, MovedOut)
def move_to_cart(product_id: str) -> Any:
    """Put the product in the cart through the host's ``add_to_cart`` and take it off the
    wishlist; 409 ``product_unavailable`` (it stays in the wishlist) or ``cart_unavailable``."""
    store_id, contact = _shopper()
    state = get_state()
    with state.db.session() as session:
        customer_id = _known(session, store_id, contact)
    if customer_id is None:
        raise NotFound("this product is not in the wishlist")
    wishlist.put_in_cart(state.db, state.pm, store_id, customer_id, product_id)

    def action(session: Session, store_id: str, customer_id: uuid.UUID) -> bool:
        wishlist.remove(session, store_id, customer_id, product_id, kind="wishlist_moved_to_cart")
        return True

    _change(product_id, action)
    return {"product_id": product_id, "moved": True}


@blp.route("/wallet", methods=["GET"])
@declare_security(SHOPPER)
@blp.arguments(PageArgs(), location="query", as_kwargs=True)
@blp.response(200, WalletOut)
def my_wallet(**args: Any) -> Any:
    """The signed-in customer's wallet balance and ledger, newest first."""
    store_id, contact = _shopper()
    state = get_state()
    currency = wallet.wallet_currency(state)
    limit, cursor = _page(args)
    with state.db.session() as session:
        customer_id = _known(session, store_id, contact)
        if customer_id is None:
            return {"balance": Decimal(0), "currency": currency, "items": [], "next_cursor": None}
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
    with state.db.session() as session:
        if token:
            return review_requests.pending_for_link(state, session, token)
        store_id, contact = _shopper()
        return review_requests.pending_for(session, store_id, _known(session, store_id, contact))
