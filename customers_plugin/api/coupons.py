"""Personal coupons: ``/customers/{id}/coupons`` (assign, list, revoke) and the wishlist gift
``/customers/{id}/wishlist/{item_id}/gift`` (a product coupon the host issues)."""

from __future__ import annotations

import uuid
from typing import Any

from flask_smorest import Blueprint

from .. import security
from ..events import Discount
from ..i18n import _
from ..schemas.common import PageArgs
from ..schemas.coupons import CouponIn, CouponOut, CouponPage, GiftIn
from ..security import current_store_id, require
from ..services import coupons, settings
from ..services.coupons.manage import as_dict
from ..services.errors import invalid
from ..types import money_from_units
from .common import page_size, scope
from .errors import install

blp = install(Blueprint("coupons", __name__, description="Coupons of one customer."))


@blp.route("/<uuid:customer_id>/coupons", methods=["POST"])
@require(security.COUPONS)
@blp.arguments(CouponIn)
@blp.response(201, CouponOut)
def assign_coupon(body: dict[str, Any], customer_id: uuid.UUID) -> Any:
    """Give the customer a coupon code of the shop; ``coupon_assigned`` tells listeners."""
    with scope() as s:
        return as_dict(coupons.assign(s, customer_id, **body))


@blp.route("/<uuid:customer_id>/coupons", methods=["GET"])
@require(security.READ)
@blp.arguments(PageArgs(), location="query", as_kwargs=True)
@blp.response(200, CouponPage)
def list_coupons(customer_id: uuid.UUID, **args: Any) -> Any:
    """The customer's coupons, revoked ones included, newest first."""
    with scope(write=False) as s:
        items, next_cursor = coupons.coupons_page(
            s, customer_id, limit=page_size(args), cursor=args.get("cursor")
        )
        return {"items": [as_dict(c) for c in items], "next_cursor": next_cursor}


@blp.route("/<uuid:customer_id>/coupons/<uuid:coupon_id>", methods=["DELETE"])
@require(security.COUPONS)
@blp.response(200, CouponOut)
def revoke_coupon(customer_id: uuid.UUID, coupon_id: uuid.UUID) -> Any:
    """Revoke the coupon: it stops applying, and stays in the list as revoked."""
    with scope() as s:
        return as_dict(coupons.revoke(s, customer_id, coupon_id))


@blp.route("/<uuid:customer_id>/wishlist/<uuid:item_id>/gift", methods=["POST"])
@require(security.COUPONS)
@blp.arguments(GiftIn)
@blp.response(201, CouponOut)
def gift_wished_item(body: dict[str, Any], customer_id: uuid.UUID, item_id: uuid.UUID) -> Any:
    """Send a wished product with a discount: the host issues a single-use coupon for it
    (``issue_coupon``; 501 ``issue_coupon_unsupported`` without one), assigned to the customer
    and announced (``coupon_assigned``)."""
    wanted = body["discount"]
    currency = None
    if wanted["kind"] == "amount":
        currency = (
            wanted.get("currency") or settings.effective(current_store_id(), "currency")
        ).upper()
    elif wanted["value"] > 100:
        raise invalid("discount.value", _("a percent is at most 100"))
    value = money_from_units(int(wanted["value"] * 1000))  # as the ledger keeps it: 15.00
    discount = Discount(wanted["kind"], value, currency)
    coupon = coupons.gift_wished_item(scope, customer_id, item_id, discount, body.get("expires_at"))
    return as_dict(coupon)
