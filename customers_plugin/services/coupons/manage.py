"""Assign a coupon code to one customer, list their coupons, revoke one.

A code is kept upper case (the host's codes are case-insensitive, as group coupon codes are).
A customer holds a code at most once while it is not revoked; assigning it again answers 409.
Revoking keeps the row (who, when). ``coupon_assigned`` is sent after the assignment commits,
with a ``CouponInfo`` (never the ORM row).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from sqlalchemy import select

from ...events import CouponInfo, Discount
from ...i18n import _
from ...models import Coupon, Customer
from ...types import utcnow
from .. import activity
from ..errors import Conflict, NotFound, invalid
from ..keyset import SortKey, model_page
from ..scope import Scope
from ..snapshots import customer_info

CODE_MAX = 64
USES_MAX = 1000
_CODE = re.compile(r"[A-Z0-9][A-Z0-9_-]*")
_KEYS = {"created_at": SortKey("created_at", Coupon.created_at, "datetime")}


class CouponHeld(Conflict):
    """The customer holds this code already (not revoked)."""

    code = "coupon_held"


def normalize_code(code: str, field: str = "code") -> str:
    """The code in upper case. :raises Invalid: not 1-64 letters, digits, ``-`` or ``_``."""
    value = code.strip().upper()
    if not (0 < len(value) <= CODE_MAX and _CODE.fullmatch(value) and value.isascii()):
        raise invalid(field, _("1 to {max} letters, digits, '-' or '_'", max=CODE_MAX))
    return value


def require_customer(s: Scope, customer_id: uuid.UUID, *, lock: bool = False) -> Customer:
    """The customer of this store, not erased. :raises NotFound: otherwise."""
    query = select(Customer).where(
        Customer.id == customer_id,
        Customer.store_id == s.store_id,
        Customer.erased_at.is_(None),
    )
    customer = s.session.scalar(query.with_for_update() if lock else query)
    if customer is None:
        raise NotFound(_("no such customer"))
    return customer


def assign(
    s: Scope,
    customer_id: uuid.UUID,
    *,
    code: str,
    expires_at: dt.datetime | None = None,
    uses_per_customer: int | None = None,
    gift: tuple[str, Discount] | None = None,
) -> Coupon:
    """Give the customer ``code`` and announce it (``coupon_assigned``); ``gift`` is the
    product and discount of a wishlist gift.

    :raises NotFound: not a customer of this store.
    :raises Conflict: the customer holds this code already (``coupon_held``).
    :raises Invalid: a bad code, a past expiry or a number of uses out of range.
    """
    code = normalize_code(code)
    if expires_at is not None and expires_at <= utcnow():
        raise invalid("expires_at", _("must be in the future"))
    if uses_per_customer is not None and not 1 <= uses_per_customer <= USES_MAX:
        raise invalid("uses_per_customer", _("must be between 1 and {max}", max=USES_MAX))
    require_customer(s, customer_id, lock=True)  # one assignment of a code at a time
    held = s.session.scalar(
        select(Coupon.id).where(
            Coupon.store_id == s.store_id,
            Coupon.customer_id == customer_id,
            Coupon.code == code,
            Coupon.revoked_at.is_(None),
        )
    )
    if held is not None:
        raise CouponHeld(_("the customer holds this coupon already"), existing_id=str(held))
    product_id, discount = gift if gift is not None else (None, None)
    coupon = Coupon(
        store_id=s.store_id,
        customer_id=customer_id,
        code=code,
        expires_at=expires_at,
        uses_per_customer=uses_per_customer,
        uses=0,
        source="manual" if gift is None else "wishlist_gift",
        product_id=product_id,
        discount_kind=discount.kind if discount else None,
        discount_value=discount.value if discount else None,
        discount_currency=discount.currency if discount else None,
        assigned_by=s.actor,
        created_at=utcnow(),
    )
    s.session.add(coupon)
    s.session.flush()
    activity.record(
        s.session,
        s.store_id,
        customer_id,
        "coupon_assigned",
        {"coupon_id": str(coupon.id), "source": coupon.source},
        actor=s.actor,
    )
    if s.listens("coupon_assigned"):
        info = customer_info(s.session, customer_id)
        s.announce("coupon_assigned", customer=info, coupon=coupon_info(coupon))
    return coupon


def coupon_info(coupon: Coupon) -> CouponInfo:
    discount = None
    if coupon.discount_kind is not None and coupon.discount_value is not None:
        discount = Discount(coupon.discount_kind, coupon.discount_value, coupon.discount_currency)
    return CouponInfo(
        id=str(coupon.id),
        store_id=coupon.store_id,
        customer_id=str(coupon.customer_id),
        code=coupon.code,
        expires_at=coupon.expires_at,
        uses_per_customer=coupon.uses_per_customer,
        product_id=coupon.product_id,
        discount=discount,
    )


def coupons_page(
    s: Scope, customer_id: uuid.UUID, *, limit: int, cursor: str | None
) -> tuple[list[Coupon], str | None]:
    """The customer's coupons, revoked ones included, newest first.

    :raises NotFound: not a customer of this store.
    """
    require_customer(s, customer_id)
    where = [Coupon.store_id == s.store_id, Coupon.customer_id == customer_id]
    return model_page(s.session, Coupon, _KEYS, "-created_at", where, limit, cursor)


def revoke(s: Scope, customer_id: uuid.UUID, coupon_id: uuid.UUID) -> Coupon:
    """Revoke the coupon (it stops applying; the row stays). Revoking twice changes nothing.

    :raises NotFound: not this customer's coupon in this store.
    """
    require_customer(s, customer_id)
    coupon = s.session.scalar(
        select(Coupon)
        .where(
            Coupon.id == coupon_id,
            Coupon.store_id == s.store_id,
            Coupon.customer_id == customer_id,
        )
        .with_for_update()
    )
    if coupon is None:
        raise NotFound(_("no such coupon"))
    if coupon.revoked_at is None:
        coupon.revoked_at = utcnow()
        coupon.revoked_by = s.actor
        s.session.flush()
        activity.record(
            s.session,
            s.store_id,
            customer_id,
            "coupon_revoked",
            {"coupon_id": str(coupon.id)},
            actor=s.actor,
        )
    return coupon


def state_of(coupon: Coupon, now: dt.datetime | None = None) -> str:
    """``active``, ``used_up``, ``expired`` or ``revoked``."""
    now = now or utcnow()
    if coupon.revoked_at is not None:
        return "revoked"
    if coupon.expires_at is not None and coupon.expires_at <= now:
        return "expired"
    if coupon.uses_per_customer is not None and coupon.uses >= coupon.uses_per_customer:
        return "used_up"
    return "active"


def as_dict(coupon: Coupon) -> dict[str, Any]:
    """The coupon as the API answers it."""
    return {
        "id": coupon.id,
        "customer_id": coupon.customer_id,
        "code": coupon.code,
        "expires_at": coupon.expires_at,
        "uses_per_customer": coupon.uses_per_customer,
        "uses": coupon.uses,
        "state": state_of(coupon),
        "source": coupon.source,
        "product_id": coupon.product_id,
        "discount": None
        if coupon.discount_kind is None
        else {
            "kind": coupon.discount_kind,
            "value": coupon.discount_value,
            "currency": coupon.discount_currency,
        },
        "assigned_by": coupon.assigned_by,
        "created_at": coupon.created_at,
        "revoked_at": coupon.revoked_at,
        "revoked_by": coupon.revoked_by,
    }
