"""Migration 0011: wallet keys already recorded are sorted into their scopes (the checkout's
own ``order:``/``refund:`` keys become ``checkout``, every other key ``admin``), and after it
an admin key may equal a checkout key."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import MetaData, Table, select

from customers_plugin import migrate
from customers_plugin.db import Database
from customers_plugin.models import Customer, WalletTransaction

T0 = dt.datetime(2026, 11, 1, 8, 0, tzinfo=dt.UTC)


def _before_0011(model, added):
    columns = [c._copy() for c in model.__table__.columns if c.name not in added]
    return Table(model.__tablename__, MetaData(), *columns)


def _ledger_row(customer_id, kind, key, actor):
    return {
        "id": uuid.uuid4(),
        "store_id": "s",
        "customer_id": customer_id,
        "kind": kind,
        "amount": Decimal("5.00"),
        "currency": "USD",
        "balance_after": Decimal("5.00"),
        "reason": "r",
        "actor": actor,
        "idempotency_key": key,
        "created_at": T0,
    }


# customer columns 0011 adds, and the SMS consent 0014 adds
_LATER_CUSTOMER_COLUMNS = {"erased_at", "sms_consent", "sms_consent_at", "sms_consent_source"}


def test_0011_sorts_existing_keys_into_scopes(fresh_url):
    db = Database(fresh_url)
    migrate.upgrade(db, "0007")
    customer = uuid.uuid4()
    rows = {
        "checkout": _ledger_row(customer, "debit", "order:O1", "checkout"),
        "refund": _ledger_row(customer, "credit", "refund:abc", "system"),
        "typed": _ledger_row(customer, "credit", "order:O2", "staff-7"),
        "plain": _ledger_row(customer, "credit", "goodwill-1", "admin"),
    }
    with db.engine.begin() as conn:
        conn.execute(
            _before_0011(Customer, _LATER_CUSTOMER_COLUMNS).insert(),
            {"id": customer, "store_id": "s", "email": "a@example.com",
             "email_normalized": "a@example.com", "search_name": ""},
        )  # fmt: skip
        conn.execute(_before_0011(WalletTransaction, {"scope"}).insert(), list(rows.values()))
    migrate.upgrade(db, "0011")
    with db.session() as session:
        scopes = dict(session.execute(select(WalletTransaction.id, WalletTransaction.scope)).all())
    assert {name: scopes[row["id"]] for name, row in rows.items()} == {
        "checkout": "checkout",
        "refund": "checkout",
        "typed": "admin",
        "plain": "admin",
    }
    with db.engine.begin() as conn:  # the same key in the other scope is another key
        conn.execute(
            WalletTransaction.__table__.insert(),
            {**_ledger_row(customer, "debit", "order:O1", "staff-7"), "scope": "admin"},
        )
    db.dispose()
