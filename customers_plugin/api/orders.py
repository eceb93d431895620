"""Orders a member of staff places for a customer: ``POST /customers/{id}/orders`` asks the
host's ``place_order`` and answers its order reference (201; a retry with the same
idempotency key answers the same order)."""

from __future__ import annotations

import uuid
from typing import Any

from flask_smorest import Blueprint

from .. import security
from ..schemas.orders import OrderIn, StaffOrderOut
from ..security import require
from ..services import orders
from .common import scope
from .errors import install

blp = install(Blueprint("orders", __name__, description="Orders placed by staff."))


@blp.route("/<uuid:customer_id>/orders", methods=["POST"])
@require(security.ORDERS)
@blp.arguments(OrderIn)
@blp.response(201, StaffOrderOut)
def place_order(body: dict[str, Any], customer_id: uuid.UUID) -> Any:
    """Place an order in the shop for the customer, as the staff member asking. The host
    prices it and takes payment ("pay later" or a payment link); its refusal answers 409 or
    422 with its reason code; a host without ``place_order`` answers 501
    ``place_order_unsupported``."""
    request = orders.OrderRequest(
        items=tuple((line["product_id"], line["quantity"]) for line in body["items"]),
        coupon_code=body.get("coupon_code"),
        note=body.get("note") or None,
        idempotency_key=body.get("idempotency_key"),
    )
    return orders.as_dict(orders.place(scope, customer_id, request))
