"""wallet key scopes, erased customers

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 07:00:00

``customers_wallet_transactions.scope``: idempotency keys are unique per store *and* scope
(``admin`` keys chosen by API callers, ``checkout`` keys the plugin makes), so a key typed by
staff can never pass for a checkout's. Rows already there: the checkout debits
(actor ``checkout``, key ``order:…``) and their refunds (actor ``system``, key ``refund:…``) are
``checkout``; everything else is ``admin``.

``customers_customers.erased_at``: when the customer's person data was erased by
anonymising (the row stays for the orders and the ledger that point at it).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import customers_plugin.types

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WALLET = "customers_wallet_transactions"
_OLD_UNIQUE = "uq_customers_wallet_transactions_store_id_idempotency_key"
_NEW_UNIQUE = "uq_customers_wallet_transactions_store_id_scope_idempotency_key"


def upgrade() -> None:
    with op.batch_alter_table(_WALLET, schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("scope", sa.String(length=16), server_default="admin", nullable=False)
        )
    ledger = sa.table(
        _WALLET,
        sa.column("scope", sa.String),
        sa.column("actor", sa.String),
        sa.column("idempotency_key", sa.String),
    )
    op.execute(
        ledger.update()
        .where(
            sa.or_(
                sa.and_(ledger.c.actor == "checkout", ledger.c.idempotency_key.like("order:%")),
                sa.and_(ledger.c.actor == "system", ledger.c.idempotency_key.like("refund:%")),
            )
        )
        .values(scope="checkout")
    )
    with op.batch_alter_table(_WALLET, schema=None) as batch_op:
        batch_op.drop_constraint(_OLD_UNIQUE, type_="unique")
        batch_op.create_unique_constraint(_NEW_UNIQUE, ["store_id", "scope", "idempotency_key"])
    with op.batch_alter_table("customers_customers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("erased_at", customers_plugin.types.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("customers_customers", schema=None) as batch_op:
        batch_op.drop_column("erased_at")
    with op.batch_alter_table(_WALLET, schema=None) as batch_op:
        batch_op.drop_constraint(_NEW_UNIQUE, type_="unique")
        batch_op.create_unique_constraint(_OLD_UNIQUE, ["store_id", "idempotency_key"])
        batch_op.drop_column("scope")
