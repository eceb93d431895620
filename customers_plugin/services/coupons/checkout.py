"""Personal coupons at checkout: whether a code applies to a customer, and counting a use.

A code is limited once any customer of the store was ever assigned it (revoked and expired
assignments included: revoking never opens a code to everybody). It applies to a customer who
holds it, not revoked, not expired and, when limited, used by fewer orders than
``uses_per_customer``. Uses are counted from order events, atomically in SQL
(``uses = uses + 1``), so two orders at once count two uses.
"""

from __future__ import annotations

import uuid

from sqlalchemy import exists, or_, select, update
from sqlalchemy.orm import Session

from ...models import Coupon
from ...types import utcnow
from ..groups import checkout as groups
from .manage import CODE_MAX


def customer_may_use(
    session: Session, store_id: str, customer_id: uuid.UUID | None, code: str
) -> bool | None:
    """The checkout answer for a customer (``None``: a guest): ``True`` when one of their
    groups lists the code or they hold it as a valid personal coupon; ``False`` when the code
    is limited (to groups or to customers holding it) and neither is so; ``None`` when no rule
    of the plugin mentions it."""
    personal = applies(session, store_id, customer_id, code)
    rules = groups.rules_of(session, store_id, customer_id)
    grouped = groups.coupon_applies(session, store_id, rules, code)
    if personal is True or grouped is True:
        return True
    if personal is False or grouped is False:
        return False
    return None


def applies(
    session: Session, store_id: str, customer_id: uuid.UUID | None, code: str
) -> bool | None:
    """``None`` when no personal coupon of the store has this code; else whether the customer
    (``None``: a guest) holds it valid."""
    code = code.strip().upper()
    if not code or len(code) > CODE_MAX:
        return None
    mentioned = session.scalar(
        select(exists().where(Coupon.store_id == store_id, Coupon.code == code))
    )
    if not mentioned:
        return None
    if customer_id is None:
        return False
    now = utcnow()
    valid = session.scalar(
        select(
            exists().where(
                Coupon.store_id == store_id,
                Coupon.customer_id == customer_id,
                Coupon.code == code,
                Coupon.revoked_at.is_(None),
                or_(Coupon.expires_at.is_(None), Coupon.expires_at > now),
                or_(Coupon.uses_per_customer.is_(None), Coupon.uses < Coupon.uses_per_customer),
            )
        )
    )
    return bool(valid)


def count_use(session: Session, store_id: str, customer_id: uuid.UUID, code: str) -> int:
    """Count one use of ``code`` by an order of the customer (their coupons holding it, not
    revoked); returns how many coupons counted it."""
    code = code.strip().upper()
    result = session.execute(
        update(Coupon)
        .where(
            Coupon.store_id == store_id,
            Coupon.customer_id == customer_id,
            Coupon.code == code,
            Coupon.revoked_at.is_(None),
        )
        .values(uses=Coupon.uses + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
