"""``/customers/{id}/export`` (everything held about one customer, one JSON document) and
``/customers/{id}/anonymize`` (erase the person, keep the orders and the wallet ledger)."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Response
from flask_smorest import Blueprint

from .. import security
from ..schemas.privacy import CustomerDataExport, ErasureOut
from ..security import require
from ..services import wallet
from ..services.privacy import access, erasure
from ..state import get_state
from .common import scope
from .errors import install

blp = install(Blueprint("customer-privacy", __name__, description="A customer's data rights."))


@blp.after_request
def _never_stored(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@blp.route("/<uuid:customer_id>/export", methods=["GET"])
@require(security.EXPORT)
@blp.response(200, CustomerDataExport)
def export_customer_data(customer_id: uuid.UUID) -> Any:
    """Everything held about the customer as one JSON document (GDPR art. 15 and 20): profile
    and contacts, custom fields, consent history, orders, bookings, forms, reviews, activity,
    wallet and ledger, wishlist, review requests, group memberships."""
    with scope(write=False) as s:
        return access.customer_data(s, customer_id, wallet.wallet_currency(get_state()))


@blp.route("/<uuid:customer_id>/anonymize", methods=["POST"])
@require(security.DELETE)
@blp.response(200, ErasureOut)
def anonymize_customer(customer_id: uuid.UUID) -> Any:
    """Erase the customer's person data everywhere and keep their orders, bookings and wallet
    ledger (GDPR art. 17 with bookkeeping duties); fires ``customer_deleted``. Calling it
    again changes nothing (``changed`` false)."""
    with scope() as s:
        customer, changed = erasure.anonymize(s, customer_id)
        return {"id": customer.id, "erased_at": customer.erased_at, "changed": changed}
