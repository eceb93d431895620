"""Everything held about one customer, as one document (GDPR art. 15 access, art. 20
portability): the profile with contacts, custom fields, tags and sources; consent history;
orders, bookings, form submissions and reviews; the activity log; the wallet with its whole
ledger; the wishlist; review requests; staff tasks; group memberships; internal notes (text,
type, author, times, earlier versions and the names of their files); message threads with
every message in and out (and the names of their files); personal coupons and the orders staff
placed for them; erasure requests; the customers merged into this one, with their rows as they
were.

The photo is named (``has_photo``) and served by ``GET /customers/{id}/photo``. Every list is
read whole: this is one person's history, asked for rarely.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from ...models import (
    Activity,
    BookingSummary,
    ConsentEvent,
    Coupon,
    CustomerGroup,
    ErasureRequest,
    FormSubmission,
    GroupMember,
    Merge,
    OrderSummary,
    Review,
    ReviewRequest,
    StaffOrder,
    Task,
    WalletTransaction,
    WishlistItem,
)
from ...types import utcnow
from .. import card, orders
from ..coupons.manage import as_dict as coupon_dict
from ..messages.threads import export_threads
from ..notes import export_notes
from ..scope import Scope

FORMAT = "customers-plugin/customer-data/1"
# the card's own short lists: the document carries the whole lists instead
_CARD_LISTS = ("consent_history", "recent_orders", "upcoming_bookings")


def customer_data(scope: Scope, customer_id: uuid.UUID, wallet_currency: str) -> dict[str, Any]:
    """The document (see the module docstring). :raises NotFound: not in this store."""
    profile = card.card(scope, customer_id)
    for key in _CARD_LISTS:
        profile.pop(key, None)
    mine = {"store_id": scope.store_id, "customer_id": customer_id}

    def every(model: Any, *order: Any) -> list[Any]:
        return list(scope.session.scalars(select(model).filter_by(**mine).order_by(*order)))

    return {
        "format": FORMAT,
        "exported_at": utcnow(),
        "store_id": scope.store_id,
        "customer_id": customer_id,
        "profile": profile,
        "consent_history": every(ConsentEvent, ConsentEvent.occurred_at, ConsentEvent.id),
        "orders": every(OrderSummary, OrderSummary.placed_at, OrderSummary.id),
        "bookings": every(BookingSummary, BookingSummary.starts_at, BookingSummary.id),
        "form_submissions": every(FormSubmission, FormSubmission.submitted_at, FormSubmission.id),
        "reviews": every(Review, Review.submitted_at, Review.id),
        "activity": every(Activity, Activity.occurred_at, Activity.id),
        "wallet": {
            "balance": profile["wallet_balance"],
            "currency": wallet_currency,
            "ledger": every(WalletTransaction, WalletTransaction.created_at, WalletTransaction.id),
        },
        "wishlist": every(WishlistItem, WishlistItem.added_at, WishlistItem.id),
        "review_requests": every(ReviewRequest, ReviewRequest.created_at, ReviewRequest.id),
        "tasks": every(Task, Task.due_at, Task.id),
        "groups": _memberships(scope, customer_id),
        "notes": export_notes(scope, customer_id),
        "erasure_requests": every(ErasureRequest, ErasureRequest.requested_at, ErasureRequest.id),
        "coupons": [coupon_dict(c) for c in every(Coupon, Coupon.created_at, Coupon.id)],
        "staff_orders": [
            orders.as_dict(o) for o in every(StaffOrder, StaffOrder.created_at, StaffOrder.id)
        ],
        "threads": export_threads(scope, customer_id),
        "merges": _merges(scope, customer_id),
    }


def _merges(scope: Scope, customer_id: uuid.UUID) -> list[dict[str, Any]]:
    """The customers merged into this one (each merged row as it was is their data too)."""
    found = scope.session.scalars(
        select(Merge)
        .where(Merge.store_id == scope.store_id, Merge.kept_id == customer_id)
        .order_by(Merge.merged_at, Merge.id)
    )
    return [
        {
            "id": m.id,
            "merged_id": m.merged_id,
            "merged_at": m.merged_at,
            "undone_at": m.undone_at,
            "merged": m.merged,
        }
        for m in found
    ]


def _memberships(scope: Scope, customer_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = scope.session.execute(
        select(CustomerGroup.id, CustomerGroup.name, GroupMember.manual, GroupMember.added_at)
        .join(GroupMember, GroupMember.group_id == CustomerGroup.id)
        .where(
            GroupMember.store_id == scope.store_id,
            GroupMember.customer_id == customer_id,
            CustomerGroup.store_id == scope.store_id,
        )
        .order_by(CustomerGroup.name, CustomerGroup.id)
    )
    return [
        {"id": group_id, "name": name, "manual": manual, "added_at": added_at}
        for group_id, name, manual, added_at in rows
    ]
