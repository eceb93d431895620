"""The merchant's side of wishlists: ``/customers/{id}/wishlist`` and the most-wished report
``/wishlists/products``."""

from __future__ import annotations

import uuid
from typing import Any

from flask_smorest import Blueprint

from .. import security
from ..schemas.commerce import WishedProductPage, WishlistPage
from ..schemas.common import PageArgs
from ..security import require
from ..services import wishlist
from .common import page_size, scope
from .errors import install

blp = install(Blueprint("wishlists", __name__, description="Customers' wishlists."))


@blp.route("/customers/<uuid:customer_id>/wishlist", methods=["GET"])
@require(security.READ)
@blp.arguments(PageArgs(), location="query", as_kwargs=True)
@blp.response(200, WishlistPage)
def customer_wishlist(customer_id: uuid.UUID, **args: Any) -> Any:
    """The customer's wishlist with the price and date of each addition, latest first."""
    with scope() as s:
        wishlist.require_customer(s.session, s.store_id, customer_id)
        items, next_cursor = wishlist.items_page(
            s.session, s.store_id, customer_id, limit=page_size(args), cursor=args.get("cursor")
        )
    return {"items": items, "next_cursor": next_cursor}


@blp.route("/wishlists/products", methods=["GET"])
@require(security.READ)
@blp.arguments(PageArgs(), location="query", as_kwargs=True)
@blp.response(200, WishedProductPage)
def most_wished_products(**args: Any) -> Any:
    """The store's most wished products: how many wishlists hold each, and the latest
    addition; most wished first."""
    with scope() as s:
        items, next_cursor = wishlist.most_wished(
            s.session, s.store_id, limit=page_size(args), cursor=args.get("cursor")
        )
    return {"items": items, "next_cursor": next_cursor}
