"""A wished item sent to the customer with a discount: the host issues a single-use coupon for
the product (``issue_coupon``), the plugin assigns it to the customer (one use) and announces
it (``coupon_assigned``).

The host is asked between two short transactions of the plugin (never inside one, so a host
writing to the same SQLite file is not locked out). A host without ``issue_coupon`` answers
501; its refusal (``HostRefusal``), 409 or 422 with its reason; a host that raises or
answers no usable code, 502. Nothing is assigned then.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager

from sqlalchemy import select

from ...events import Discount, HostRefusal
from ...i18n import _
from ...models import Coupon, WishlistItem
from ..errors import HostAnswer, Invalid, NotFound, host_failed, invalid, unsupported
from ..scope import Scope
from .manage import assign, normalize_code, require_customer

log = logging.getLogger(__name__)

OpenScope = Callable[..., AbstractContextManager[Scope]]


def gift_wished_item(
    open_scope: OpenScope,
    customer_id: uuid.UUID,
    item_id: uuid.UUID,
    discount: Discount,
    expires_at: dt.datetime | None,
) -> Coupon:
    """Issue and assign the gift coupon; ``open_scope(write=…)`` opens a service scope.

    :raises NotFound: not this customer's wished item in this store.
    :raises Invalid: an expiry in the past.
    :raises HostAnswer: 501 without ``issue_coupon``, 502 when the host fails.
    """
    with open_scope(write=False) as s:
        product_id = _wished_product(s, customer_id, item_id)
        pm, store_id = s.pm, s.store_id
    if expires_at is not None and expires_at <= dt.datetime.now(dt.UTC):
        raise invalid("expires_at", _("must be in the future"))
    try:
        code = pm.hook.issue_coupon(
            store_id=store_id, product_id=product_id, discount=discount, expires_at=expires_at
        )
    except Exception:
        log.exception("customers: the host's issue_coupon failed (store %s)", store_id)
        raise host_failed("issue_coupon") from None
    if code is None:
        raise unsupported("issue_coupon")
    if isinstance(code, HostRefusal):
        raise HostAnswer(409 if code.conflict else 422, code.reason, code.message)
    try:
        code = normalize_code(code) if isinstance(code, str) else None
    except Invalid:
        code = None
    if code is None:
        raise host_failed("issue_coupon")
    with open_scope() as s:
        return assign(
            s,
            customer_id,
            code=code,
            expires_at=expires_at,
            uses_per_customer=1,
            gift=(product_id, discount),
        )


def _wished_product(s: Scope, customer_id: uuid.UUID, item_id: uuid.UUID) -> str:
    require_customer(s, customer_id)
    product_id = s.session.scalar(
        select(WishlistItem.product_id).where(
            WishlistItem.id == item_id,
            WishlistItem.store_id == s.store_id,
            WishlistItem.customer_id == customer_id,
        )
    )
    if product_id is None:
        raise NotFound(_("no such wishlist item"))
    return product_id
