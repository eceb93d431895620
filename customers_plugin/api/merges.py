"""``/customers/duplicates``, ``/customers/{id}/merge`` and ``/merges/{id}/undo``: the store's
suggested duplicate pairs (``customers.read``), merging one customer into another and undoing
it within ``CUSTOMERS_MERGE_UNDO_HOURS`` (``customers.merge``)."""

from __future__ import annotations

import uuid
from typing import Any

from flask_smorest import Blueprint

from .. import security
from ..schemas.common import PageArgs
from ..schemas.merges import DuplicatePairPage, MergeIn, MergeOut
from ..security import require
from ..services import merges
from ..state import get_state
from .common import page_size, scope
from .errors import install

blp = install(Blueprint("merges", __name__, description="Duplicate customers and merges."))


@blp.route("/customers/duplicates", methods=["GET"])
@require(security.READ)
@blp.arguments(PageArgs(), location="query", as_kwargs=True)
@blp.response(200, DuplicatePairPage)
def duplicates(**args: Any) -> Any:
    """Pairs of customers that may be one person, each once, with a reason and a score: pairs
    capture recorded (same phone) newest first, then same name with a shared email domain."""
    with scope(write=False) as s:
        items, next_cursor = merges.duplicates_page(
            s, limit=page_size(args), cursor=args.get("cursor")
        )
    return {"items": items, "next_cursor": next_cursor}


@blp.route("/customers/<uuid:customer_id>/merge", methods=["POST"])
@require(security.MERGE)
@blp.arguments(MergeIn)
@blp.response(200, MergeOut)
def merge(body: dict[str, Any], customer_id: uuid.UUID) -> Any:
    """Fold ``other_id`` into this customer, which is kept: history, ledger, notes, tasks,
    tags, fields, groups, wishlist, contacts and consent move (docs/features/merge.md). Two
    customers linked to different shopper accounts answer 409 ``both_linked``."""
    hours = get_state().setting("CUSTOMERS_MERGE_UNDO_HOURS")
    with scope() as s:
        return merges.merge(s, customer_id, body["other_id"], hours)


@blp.route("/merges/<uuid:merge_id>/undo", methods=["POST"])
@require(security.MERGE)
@blp.response(200, MergeOut)
def undo(merge_id: uuid.UUID) -> Any:
    """Give the merged customer back exactly what the merge moved (rows the kept customer
    gained since stay with it). 409 ``undo_refused``: undone already, past the window, or the
    merged customer's email or phone belongs to someone else now."""
    with scope() as s:
        return merges.undo(s, merge_id)
