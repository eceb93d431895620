"""The wallet ledger: one row per credit or debit of a customer's wallet.

The balance itself is ``Customer.wallet_balance``, changed only by conditional atomic SQL in
``services/wallet.py``; each row keeps the balance right after it. ``idempotency_key`` is unique
per store and key scope (``admin``: keys a caller of the API chose; ``checkout``: the plugin's
own ``order:…``/``refund:…`` keys), so a retried request or checkout never moves money twice and
a key chosen by staff can never pass for a checkout's.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..types import Money, UTCDateTime, utcnow
from .base import Base, id_column, store_column

WALLET_KINDS = ("credit", "debit")
KEY_SCOPES = ("admin", "checkout")


class WalletTransaction(Base):
    __tablename__ = "customers_wallet_transactions"
    __table_args__ = (
        UniqueConstraint("store_id", "scope", "idempotency_key"),
        CheckConstraint("kind IN ('credit', 'debit')", name="kind"),
        CheckConstraint("amount > 0", name="positive"),
        Index(None, "customer_id", "created_at", "id"),
    )

    id: Mapped[uuid.UUID] = id_column()
    store_id: Mapped[str] = store_column()
    customer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customers_customers.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(8))
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    balance_after: Mapped[Decimal] = mapped_column(Money)
    reason: Mapped[str] = mapped_column(String(200))
    actor: Mapped[str | None] = mapped_column(String(128))
    reference: Mapped[str | None] = mapped_column(String(128))
    idempotency_key: Mapped[str] = mapped_column(String(128))
    # whose key it is: "admin" (chosen by an API caller) or "checkout" (the plugin's own)
    scope: Mapped[str] = mapped_column(String(16), default="admin", server_default="admin")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
