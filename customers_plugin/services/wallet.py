"""The customer wallet: a balance on the customer row and a ledger of credits and debits.

Money moves only through ``post``: in one transaction it records the ledger row under its
idempotency key (``INSERT … ON CONFLICT DO NOTHING``; a replay with the same body returns the
first result, one with another body is refused, as Stripe does) and
changes the balance with one conditional atomic UPDATE (``SET wallet_balance = wallet_balance -
:x WHERE … AND wallet_balance >= :x``), so concurrent debits can never take the balance below
zero and the ledger always sums to the balance. Amounts are Decimals with a currency, never
floats. No Flask here.

Keys live in two scopes: ``admin`` (chosen by API callers) and ``checkout`` (the plugin's own
keys), so no key a merchant types can pass for a checkout's.

Checkout: ``spend_at_checkout`` debits an order once (key ``order:<order id>``); when that order
is cancelled or refunded, ``refund_order_spend`` (called by the capture of ``on_order_updated``,
in its transaction) credits the same amount back once (key ``refund:<id of the debit>``).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..bounds import MONEY_MAX
from ..db import insert_ignore
from ..events import WalletSpend
from ..i18n import _
from ..models import WALLET_KINDS, Customer, WalletTransaction
from ..types import new_id, to_money, utcnow
from . import activity
from .errors import Conflict, NotFound, invalid
from .keyset import SortKey, model_page

if TYPE_CHECKING:
    from ..state import CustomersState

log = logging.getLogger(__name__)

MAX_KEY_LENGTH = 128
MAX_AMOUNT = MONEY_MAX  # what the API documents for an amount (13 integer digits)
CHECKOUT_KEY = "order:{order_id}"
REFUND_KEY = "refund:{debit_id}"
ADMIN_SCOPE = "admin"
CHECKOUT_SCOPE = "checkout"
# order statuses that give the wallet part of an order back
REFUND_STATUSES = frozenset({"cancelled", "canceled", "refunded"})


class InsufficientBalance(Conflict):
    """A debit larger than the balance."""

    code = "insufficient_balance"


class KeyReused(Conflict):
    """An idempotency key already used with another body (customer, direction, amount,
    currency, reason or reference)."""

    code = "idempotency_key_reused"


@dataclass(frozen=True, slots=True)
class Posted:
    """The ledger row of a transaction, and whether it was recorded before (a replay)."""

    transaction: WalletTransaction
    replayed: bool


def wallet_currency(state: CustomersState) -> str:
    """The currency every wallet of this app holds."""
    return str(
        state.setting("CUSTOMERS_WALLET_CURRENCY") or state.setting("CUSTOMERS_CURRENCY")
    ).upper()


def post(
    session: Session,
    store_id: str,
    customer_id: uuid.UUID,
    *,
    kind: str,
    amount: Any,
    currency: str,
    wallet_currency: str,
    reason: str,
    idempotency_key: str,
    actor: str | None = None,
    reference: str | None = None,
    scope: str = ADMIN_SCOPE,
) -> Posted:
    """Credit or debit a wallet once per ``idempotency_key`` (unique per store and ``scope``).

    The key is looked up before the currency is checked: a replay is judged on its whole body
    first (Stripe's rule), so a different currency under a used key is a ``KeyReused``.

    :raises NotFound: no such customer in this store.
    :raises InsufficientBalance: a debit larger than the balance (nothing is recorded).
    :raises KeyReused: the key was used with another customer, kind, amount, currency, reason
        or reference.
    :raises Invalid: a bad kind, amount, currency, reason or key, or a credit that would take
        the balance to ``bounds.MONEY_MAX``.
    """
    amount = _checked(kind, amount, reason, idempotency_key)
    if session.scalar(_customer_query(store_id, customer_id)) is None:
        raise NotFound(_("no such customer"))
    request = _Request(
        customer_id, kind, amount, (currency or "").upper(), reason.strip(), reference
    )
    first = _first_of(session, store_id, scope, idempotency_key)
    if first is not None:
        return Posted(_replay(first, request), True)
    if request.currency != wallet_currency:
        raise invalid("currency", _("wallets hold {currency}", currency=wallet_currency))
    table = WalletTransaction.__table__
    transaction_id = new_id()
    inserted = insert_ignore(
        session,
        table,
        {
            "id": transaction_id,
            "store_id": store_id,
            "customer_id": customer_id,
            "kind": kind,
            "amount": amount,
            "currency": wallet_currency,
            "balance_after": Decimal(0),
            "reason": reason.strip(),
            "actor": actor,
            "reference": reference,
            "idempotency_key": idempotency_key,
            "scope": scope,
            "created_at": utcnow(),
        },
        returning=table.c.id,
    ).scalar()
    if inserted is None:  # a concurrent request with the key committed first
        first = _first_of(session, store_id, scope, idempotency_key)
        return Posted(_replay(first, request), True)
    change = update(Customer).where(Customer.id == customer_id, Customer.store_id == store_id)
    if kind == "debit":
        change = change.where(Customer.wallet_balance >= amount)
    else:
        change = change.where(Customer.wallet_balance < MONEY_MAX - amount)
    delta = amount if kind == "credit" else -amount
    balance = session.execute(
        change.values(wallet_balance=Customer.wallet_balance + delta)
        .returning(Customer.wallet_balance)
        .execution_options(synchronize_session=False)
    ).scalar()
    if balance is None:  # the transaction rolls back: the ledger row goes too
        if kind == "credit":
            bound = f"{MONEY_MAX:f}"
            raise invalid(
                "amount", _("the balance would reach {bound}, the wallet's bound", bound=bound)
            )
        raise InsufficientBalance(_("the wallet balance is lower than the debit"))
    session.execute(
        update(WalletTransaction)
        .where(WalletTransaction.id == transaction_id)
        .values(balance_after=balance)
        .execution_options(synchronize_session=False)
    )
    activity.record(
        session,
        store_id,
        customer_id,
        f"wallet_{kind}",
        {
            "transaction_id": str(transaction_id),
            "amount": str(amount),
            "currency": wallet_currency,
            "balance": str(balance),
            "reference": reference,
        },
        actor=actor,
    )
    return Posted(session.get(WalletTransaction, transaction_id, populate_existing=True), False)


def _checked(kind: str, amount: Any, reason: str, key: str) -> Decimal:
    if kind not in WALLET_KINDS:
        raise invalid("type", _("must be one of {choices}", choices=", ".join(WALLET_KINDS)))
    try:
        value = to_money(amount)
    except (TypeError, ValueError) as exc:
        raise invalid("amount", str(exc)) from None
    if not Decimal(0) < value < MAX_AMOUNT:
        raise invalid("amount", _("must be positive and below 10^13"))
    if not reason or not reason.strip():
        raise invalid("reason", _("give a reason"))
    if not key or len(key) > MAX_KEY_LENGTH:
        raise invalid("idempotency_key", _("give a key of 1 to {n} characters", n=MAX_KEY_LENGTH))
    return value


def _customer_query(store_id: str, customer_id: uuid.UUID) -> Any:
    return select(Customer.id).where(Customer.id == customer_id, Customer.store_id == store_id)


@dataclass(frozen=True, slots=True)
class _Request:
    """What a ``post`` asks for: a replay must ask for exactly the same."""

    customer_id: uuid.UUID
    kind: str
    amount: Decimal
    currency: str
    reason: str
    reference: str | None


def _first_of(session: Session, store_id: str, scope: str, key: str) -> WalletTransaction | None:
    return session.scalars(
        select(WalletTransaction).where(
            WalletTransaction.store_id == store_id,
            WalletTransaction.scope == scope,
            WalletTransaction.idempotency_key == key,
        )
    ).one_or_none()


def _replay(first: WalletTransaction | None, request: _Request) -> WalletTransaction:
    if first is None:  # cannot happen while keys are never deleted; refuse rather than guess
        raise KeyReused(_("this idempotency key is in use"))
    recorded = _Request(
        first.customer_id,
        first.kind,
        first.amount,
        first.currency,
        first.reason,
        first.reference,
    )
    if recorded != request:
        differs = [
            f.name
            for f in fields(_Request)
            if getattr(recorded, f.name) != getattr(request, f.name)
        ]
        raise KeyReused(
            _("this idempotency key was used with another request body"),
            fields={
                "idempotency_key": [
                    _("already used with another {names}", names=", ".join(differs))
                ]
            },
        )
    return first


_LEDGER_KEYS = {"created_at": SortKey("created_at", WalletTransaction.created_at, "datetime")}


def ledger_page(
    session: Session,
    store_id: str,
    customer_id: uuid.UUID,
    *,
    currency: str,
    limit: int,
    cursor: str | None,
) -> dict[str, Any]:
    """The balance and one page of the ledger, newest first."""
    balance = session.scalar(
        select(Customer.wallet_balance).where(
            Customer.id == customer_id, Customer.store_id == store_id
        )
    )
    if balance is None:
        raise NotFound(_("no such customer"))
    where = [WalletTransaction.store_id == store_id, WalletTransaction.customer_id == customer_id]
    rows, next_cursor = model_page(
        session, WalletTransaction, _LEDGER_KEYS, "-created_at", where, limit, cursor
    )
    return {"balance": balance, "currency": currency, "items": rows, "next_cursor": next_cursor}


def _checkout_debit(session: Session, store_id: str, order_id: str) -> WalletTransaction | None:
    return session.scalars(
        select(WalletTransaction).where(
            WalletTransaction.store_id == store_id,
            WalletTransaction.scope == CHECKOUT_SCOPE,
            WalletTransaction.idempotency_key == CHECKOUT_KEY.format(order_id=order_id),
            WalletTransaction.kind == "debit",
        )
    ).one_or_none()


def _refund_of(session: Session, store_id: str, debit: WalletTransaction) -> Any:
    return session.scalar(
        select(WalletTransaction.id).where(
            WalletTransaction.store_id == store_id,
            WalletTransaction.scope == CHECKOUT_SCOPE,
            WalletTransaction.idempotency_key == REFUND_KEY.format(debit_id=debit.id),
        )
    )


def refund_order_spend(
    session: Session, store_id: str, order_id: str, status: str
) -> WalletTransaction | None:
    """When an order that was paid partly from the wallet is cancelled or refunded, credit
    the amount it spent back, once (key ``refund:<debit id>``: a replayed or later event, or
    ``cancelled`` then ``refunded``, moves nothing again). In the caller's transaction.
    Returns the new credit, or ``None`` when there is nothing (more) to give back."""
    if status.lower() not in REFUND_STATUSES:
        return None
    debit = _checkout_debit(session, store_id, order_id)
    if debit is None:
        return None
    try:
        posted = post(
            session,
            store_id,
            debit.customer_id,
            kind="credit",
            amount=debit.amount,
            currency=debit.currency,
            wallet_currency=debit.currency,
            reason=f"order {status.lower()}: wallet payment returned",
            idempotency_key=REFUND_KEY.format(debit_id=debit.id),
            actor="system",
            reference=order_id,
            scope=CHECKOUT_SCOPE,
        )
    except KeyReused:  # someone used the key by hand for something else: do not guess
        log.error("customers: the wallet refund key of order %s is taken", order_id)
        return None
    return None if posted.replayed else posted.transaction


def spend_at_checkout(
    state: CustomersState,
    store_id: str,
    user_id: str | None,
    order_id: str,
    amount: Decimal,
    currency: str,
) -> WalletSpend:
    """The ``spend_wallet`` answer: debit once per order (key ``order:<order_id>``) the wallet
    of the customer linked to the host account ``user_id`` (never one found by contact)."""
    from .identity import linked_customer

    holding = wallet_currency(state)
    customer_id = None
    if user_id:
        with state.db.session() as session:
            customer_id = linked_customer(session, store_id, str(user_id))
    if customer_id is None:
        return WalletSpend("unknown_customer", to_money(amount), holding)
    try:
        with state.db.transaction() as session:
            posted = post(
                session,
                store_id,
                customer_id,
                kind="debit",
                amount=amount,
                currency=currency,
                wallet_currency=holding,
                reason="checkout",
                idempotency_key=CHECKOUT_KEY.format(order_id=order_id),
                actor="checkout",
                reference=order_id,
                scope=CHECKOUT_SCOPE,
            )
            row = posted.transaction
            if posted.replayed and _refund_of(session, store_id, row) is not None:
                # the order was cancelled or refunded and its wallet payment given back
                return WalletSpend("refunded", row.amount, row.currency)
            return WalletSpend(
                "replayed" if posted.replayed else "debited",
                row.amount,
                row.currency,
                session.scalar(select(Customer.wallet_balance).where(Customer.id == customer_id)),
                str(row.id),
            )
    except InsufficientBalance:
        return WalletSpend("insufficient_balance", to_money(amount), holding)
    except KeyReused:
        return WalletSpend("conflict", to_money(amount), holding)
