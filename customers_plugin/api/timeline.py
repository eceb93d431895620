"""``/customers/{id}/timeline``: the customer's orders, bookings, forms, notes, tasks, activity
and the kinds other modules register, newest first (``customers.read``)."""

from __future__ import annotations

import uuid
from typing import Any

from flask_smorest import Blueprint

from .. import security
from ..schemas.timeline import TimelineArgs, TimelinePage
from ..security import require
from ..services import timeline
from .common import json_response, page_size, scope
from .errors import install

blp = install(Blueprint("customer-timeline", __name__, description="A customer's timeline."))
_PAGE = TimelinePage()


@blp.route("/<uuid:customer_id>/timeline", methods=["GET"])
@require(security.READ)
@blp.arguments(TimelineArgs(), location="query", as_kwargs=True)
@blp.response(200, TimelinePage)
def customer_timeline(customer_id: uuid.UUID, **args: Any) -> Any:
    """Everything about the customer in one feed, newest first (ties: kind, then id, both
    descending); ``kind`` keeps some kinds. An order stands for its ``order_placed`` activity
    line (and so on), which the feed does not repeat."""
    with scope(write=False) as s:
        items, next_cursor = timeline.page(
            s,
            customer_id,
            kinds=args.get("kind"),
            limit=page_size(args),
            cursor=args.get("cursor"),
        )
    return json_response(_PAGE.dump({"items": items, "next_cursor": next_cursor}))
