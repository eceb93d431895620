"""Who the shopper is: the customer linked to the host's signed-in account.

Money and private data (``/me/*``, ``spend_wallet``, checkout benefits) follow the link
``Customer.host_user_id``, never a match on contact details. A link is made only from an
address the host has verified (``ShopperAccount`` / ``CustomerSignedUp`` with
``email_verified`` or ``phone_verified``): to the customer whose primary email (or phone) it is,
when that customer is not linked to another account, or to a customer created for it. One
customer per account and store (a unique index); linking never moves a link.
No Flask here.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..events import Contact, ShopperAccount
from ..models import Customer
from ..normalize import InvalidPhone, normalize_email, normalize_phone
from ..types import utcnow
from . import activity, settings

if TYPE_CHECKING:
    from ..state import CustomersState

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Proof:
    """The addresses an account holder has proved they own (normalised), email first."""

    email_key: str | None = None
    phone: str | None = None

    @property
    def empty(self) -> bool:
        return self.email_key is None and self.phone is None

    def addresses(self) -> Iterator[tuple[str, str]]:
        if self.email_key:
            yield "email", self.email_key
        if self.phone:
            yield "phone", self.phone


def proof_of(
    email: str | None,
    email_verified: bool,
    phone: str | None,
    phone_verified: bool,
    region: str | None,
) -> Proof:
    """The verified addresses among these; one that cannot be read proves nothing."""
    email_key = normalize_email(email) if email_verified else None
    phone_key = None
    if phone_verified and phone:
        try:
            phone_key = normalize_phone(phone, region)
        except InvalidPhone:
            phone_key = None
    return Proof(email_key or None, phone_key or None)


def linked_customer(session: Session, store_id: str, user_id: str) -> uuid.UUID | None:
    """The customer linked to the host account ``user_id`` in this store, if any."""
    return session.scalar(
        select(Customer.id).where(Customer.store_id == store_id, Customer.host_user_id == user_id)
    )


def link(
    session: Session,
    store_id: str,
    user_id: str,
    proof: Proof,
    *,
    via: str,
    log_link: bool = True,
) -> uuid.UUID | None:
    """Link ``user_id`` to the customer holding a proved address (email first, then phone),
    unless the account is linked already (that customer is answered) or that customer belongs
    to another account (nothing is linked). In the caller's transaction; the activity log gets
    ``account_linked`` unless the caller logs the link itself (``log_link=False``)."""
    already = linked_customer(session, store_id, user_id)
    if already is not None or proof.empty:
        return already
    for kind, key in proof.addresses():
        column = Customer.email_normalized if kind == "email" else Customer.phone
        row = session.execute(
            select(Customer.id, Customer.host_user_id).where(
                Customer.store_id == store_id, column == key
            )
        ).first()
        if row is None:
            continue
        if row.host_user_id is not None:
            log.info("customers: a verified address belongs to a customer of another account")
            return None
        found = _set_link(session, store_id, row.id, user_id)
        if found == row.id and log_link:
            activity.record(
                session,
                store_id,
                row.id,
                "account_linked",
                {"user_id": user_id, "by": kind, "via": via},
            )
        return found
    return None


def _set_link(
    session: Session, store_id: str, customer_id: uuid.UUID, user_id: str
) -> uuid.UUID | None:
    """``host_user_id = user_id`` where it is still empty; a concurrent link of the same
    account elsewhere loses to the unique index and this answers the winner."""
    try:
        with session.begin_nested():
            done = session.execute(
                update(Customer)
                .where(
                    Customer.id == customer_id,
                    Customer.store_id == store_id,
                    Customer.host_user_id.is_(None),
                )
                .values(host_user_id=user_id, updated_at=utcnow())
                .execution_options(synchronize_session=False)
            ).rowcount
    except IntegrityError:
        return linked_customer(session, store_id, user_id)
    if not done:  # linked meanwhile: to this account (a concurrent request) or another one
        return linked_customer(session, store_id, user_id)
    return customer_id


def account_proof(state: CustomersState, store_id: str, account: ShopperAccount) -> Proof:
    return proof_of(
        account.email,
        account.email_verified,
        account.phone,
        account.phone_verified,
        settings.effective(store_id, "default_region", state=state),
    )


def shopper_customer(
    state: CustomersState, store_id: str, account: ShopperAccount, *, create: bool = False
) -> uuid.UUID | None:
    """The customer of the signed-in ``account``: the linked one; else, the first time, the
    customer holding one of its verified addresses (then linked); with ``create``, a customer
    made from its verified addresses when none holds them. ``None``: not linked (and not
    linkable): the shopper sees nothing of anyone."""
    with state.db.session() as session:
        found = linked_customer(session, store_id, account.user_id)
    if found is not None:
        return found
    proof = account_proof(state, store_id, account)
    if proof.empty:
        return None
    with state.db.transaction() as session:
        found = link(session, store_id, account.user_id, proof, via="storefront")
        if found is not None or not create:
            return found
        if _held(session, store_id, proof):
            # a customer holds a proved address now: made since ``link`` looked, by a
            # concurrent first request of this very account (answered), or by an order or a
            # form (linked now); or it is another account's (None)
            return link(session, store_id, account.user_id, proof, via="storefront")
    contact = Contact(
        email=account.email if proof.email_key else None,
        phone=proof.phone,
        name=account.name,
    )

    def apply(session: Session, customer_id: uuid.UUID) -> bool:
        return link(session, store_id, account.user_id, proof, via="storefront") is not None

    state.capture.for_contact(store_id, contact, "store", apply)
    with state.db.session() as session:
        return linked_customer(session, store_id, account.user_id)


def _held(session: Session, store_id: str, proof: Proof) -> bool:
    """A proved address is some customer's already."""
    for kind, key in proof.addresses():
        column = Customer.email_normalized if kind == "email" else Customer.phone
        if session.scalar(select(Customer.id).where(Customer.store_id == store_id, column == key)):
            return True
    return False
