"""``/customers/{id}/wallet``: the balance and ledger, and crediting or debiting it with an
idempotency key (``customers.wallet``; a debit above the balance or a key reused with another
body answers 409)."""

from __future__ import annotations

import uuid
from typing import Any

from flask_smorest import Blueprint

from .. import security
from ..schemas.commerce import WalletOut, WalletTransactionIn, WalletTransactionOut
from ..schemas.common import PageArgs
from ..security import require
from ..services import wallet
from ..state import get_state
from .common import page_size, scope
from .errors import install

blp = install(Blueprint("customer-wallet", __name__, description="A customer's wallet."))


@blp.route("/<uuid:customer_id>/wallet", methods=["GET"])
@require(security.READ)
@blp.arguments(PageArgs(), location="query", as_kwargs=True)
@blp.response(200, WalletOut)
def customer_wallet(customer_id: uuid.UUID, **args: Any) -> Any:
    """The balance and the ledger (credits and debits: reason, who, when, reference), newest
    first."""
    with scope() as s:
        return wallet.ledger_page(
            s.session,
            s.store_id,
            customer_id,
            currency=wallet.wallet_currency(get_state()),
            limit=page_size(args),
            cursor=args.get("cursor"),
        )


@blp.route("/<uuid:customer_id>/wallet/transactions", methods=["POST"])
@require(security.WALLET)
@blp.arguments(WalletTransactionIn())
@blp.response(201, WalletTransactionOut)
@blp.alt_response(200, schema=WalletTransactionOut, description="A replay of the same key.")
def post_wallet_transaction(body: dict[str, Any], customer_id: uuid.UUID) -> Any:
    """Credit or debit the wallet (permission ``customers.wallet``). The same
    ``idempotency_key`` with the same body answers the first transaction (200) and moves no
    money; with another body (amount, type, currency, reason, reference) it answers 409
    ``idempotency_key_reused``; a debit above the balance answers 409 ``insufficient_balance``.
    Keys chosen here never collide with the plugin's own checkout keys."""
    holding = wallet.wallet_currency(get_state())
    with scope() as s:
        posted = wallet.post(
            s.session,
            s.store_id,
            customer_id,
            kind=body["type"],
            amount=body["amount"],
            currency=body.get("currency") or holding,
            wallet_currency=holding,
            reason=body["reason"],
            idempotency_key=body["idempotency_key"],
            actor=s.actor,
            reference=body.get("reference"),
        )
    return posted.transaction, 200 if posted.replayed else 201
