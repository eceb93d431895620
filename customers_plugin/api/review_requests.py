"""``/customers/{id}/review-requests``: ask a customer to review their unreviewed orders (409
when every order is reviewed) and read the send log."""

from __future__ import annotations

import uuid
from typing import Any

from flask_smorest import Blueprint

from .. import security
from ..schemas.commerce import ReviewRequestOut, ReviewRequestPage
from ..schemas.common import PageArgs
from ..security import require
from ..services import review_requests
from ..state import get_state
from .common import page_size, scope
from .errors import install

blp = install(
    Blueprint("customer-review-requests", __name__, description="Review requests to a customer.")
)


@blp.route("/<uuid:customer_id>/review-requests", methods=["POST"])
@require(security.WRITE)
@blp.response(202, ReviewRequestOut)
def send_review_request(customer_id: uuid.UUID) -> Any:
    """Send a review request on the store's channel; its link lists only the unreviewed
    orders. Accepted (202): a job sends it after commit; the send log shows the outcome."""
    state = get_state()
    with scope() as s:
        return review_requests.request_now(state, s.session, s.store_id, customer_id, s.actor)


@blp.route("/<uuid:customer_id>/review-requests", methods=["GET"])
@require(security.READ)
@blp.arguments(PageArgs(), location="query", as_kwargs=True)
@blp.response(200, ReviewRequestPage)
def review_request_log(customer_id: uuid.UUID, **args: Any) -> Any:
    """The review requests sent or scheduled for this customer, newest first."""
    with scope() as s:
        items, next_cursor = review_requests.log_page(
            s.session, s.store_id, customer_id, limit=page_size(args), cursor=args.get("cursor")
        )
    return {"items": items, "next_cursor": next_cursor}
