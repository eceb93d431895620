"""Checkout answers from group rules: hidden payment methods, free shipping, coupons limited to
groups. Read-only; one or two small queries inside the host's checkout request.

Benefits are read for the customer linked to the signed-in account (``groups_hooks.py``);
``find_customer`` finds the customer of a checkout contact the way events do (normalised
email first, then the phone in E.164), for restrictions only. An unknown customer is in no
group.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...events import Contact
from ...models import Customer, CustomerGroup, GroupMember
from ...normalize import InvalidPhone
from ..contacts import contact_keys


@dataclass(frozen=True, slots=True)
class GroupRules:
    group_id: uuid.UUID
    hidden_payment_methods: tuple[str, ...]
    free_shipping: bool
    coupon_codes: tuple[str, ...]


def find_customer(
    session: Session, store_id: str, contact: Contact, region: str | None
) -> uuid.UUID | None:
    try:
        keys = contact_keys(contact, region)
    except (InvalidPhone, ValueError):
        return None
    for column, value in (
        (Customer.email_normalized, keys.email_key),
        (Customer.phone, keys.phone),
    ):
        if value is None:
            continue
        found = session.scalar(
            select(Customer.id).where(Customer.store_id == store_id, column == value).limit(1)
        )
        if found is not None:
            return found
    return None


def rules_of(session: Session, store_id: str, customer_id: uuid.UUID | None) -> list[GroupRules]:
    """The rules of every group the customer is a member of."""
    if customer_id is None:
        return []
    rows = session.execute(
        select(
            CustomerGroup.id,
            CustomerGroup.hidden_payment_methods,
            CustomerGroup.free_shipping,
            CustomerGroup.coupon_codes,
        )
        .join(GroupMember, GroupMember.group_id == CustomerGroup.id)
        .where(
            GroupMember.customer_id == customer_id,
            GroupMember.store_id == store_id,
            CustomerGroup.store_id == store_id,
        )
    ).all()
    return [
        GroupRules(g, tuple(hidden or ()), bool(free), tuple(codes or ()))
        for g, hidden, free, codes in rows
    ]


def allowed_payment_methods(rules: Sequence[GroupRules], methods: Sequence[str]) -> list[str]:
    """``methods`` minus every method one of the customer's groups hides (case-insensitive)."""
    hidden = {m.casefold() for r in rules for m in r.hidden_payment_methods}
    return [m for m in methods if m.casefold() not in hidden]


def free_shipping(rules: Sequence[GroupRules]) -> bool:
    return any(r.free_shipping for r in rules)


def coupon_applies(
    session: Session, store_id: str, rules: Sequence[GroupRules], coupon_code: str
) -> bool | None:
    """``None`` when no group of the store mentions the coupon; else whether one of the
    customer's groups does."""
    code = coupon_code.strip().upper()
    mentioned = [
        codes
        for (codes,) in session.execute(
            select(CustomerGroup.coupon_codes).where(CustomerGroup.store_id == store_id)
        )
        if codes and code in codes
    ]
    if not mentioned:
        return None
    return any(code in r.coupon_codes for r in rules)
