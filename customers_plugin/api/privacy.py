"""``/customers/{id}/export`` (everything held about one customer, one JSON document),
``/customers/{id}/anonymize`` (erase the person, keep the orders and the wallet ledger) and
``/erasure-requests`` (the shoppers' requests to be erased: list, complete, decline)."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Response
from flask_smorest import Blueprint

from .. import security
from ..schemas.privacy import (
    CustomerDataExport,
    ErasureOut,
    ErasureRequestArgs,
    ErasureRequestOut,
    ErasureRequestPage,
)
from ..security import require
from ..services import wallet
from ..services.privacy import access, erasure, requests
from ..state import get_state
from .common import page_size, scope
from .errors import install

blp = install(Blueprint("customer-privacy", __name__, description="A customer's data rights."))
requests_blp = install(
    Blueprint("erasure-requests", __name__, description="Shoppers' requests to be erased.")
)


@blp.after_request
@requests_blp.after_request
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


@requests_blp.route("", methods=["GET"])
@require(security.DELETE)
@requests_blp.arguments(ErasureRequestArgs(), location="query", as_kwargs=True)
@requests_blp.response(200, ErasureRequestPage)
def list_erasure_requests(**args: Any) -> Any:
    """The store's erasure requests, the longest waiting first; ``status`` keeps one state."""
    with scope(write=False) as s:
        items, next_cursor = requests.requests_page(
            s, args.get("status"), limit=page_size(args), cursor=args.get("cursor")
        )
    return {"items": items, "next_cursor": next_cursor}


@requests_blp.route("/<uuid:request_id>/complete", methods=["POST"])
@require(security.DELETE)
@requests_blp.response(200, ErasureRequestOut)
def complete_erasure_request(request_id: uuid.UUID) -> Any:
    """Erase the customer as ``POST /customers/{id}/anonymize`` does and mark the request
    completed (409 when it is closed already)."""
    with scope() as s:
        return requests.complete(s, request_id)


@requests_blp.route("/<uuid:request_id>/decline", methods=["POST"])
@require(security.DELETE)
@requests_blp.response(200, ErasureRequestOut)
def decline_erasure_request(request_id: uuid.UUID) -> Any:
    """Close the request without erasing (the customer sees it declined and may ask again)."""
    with scope() as s:
        return requests.decline(s, request_id)
