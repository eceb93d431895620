"""The wallet: ledger and balance, idempotency keys, refusals, checkout spending, and 100
concurrent debits against a real database."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from customers_plugin.models import Activity, Customer, WalletTransaction
from customers_plugin.services import wallet
from customers_plugin.services.errors import Invalid, NotFound

from .conftest import STORE, account_of, place, sign_up


def _post(state, customer_id, kind, amount, key=None, **kw):
    with state.db.transaction() as session:
        return wallet.post(
            session,
            kw.pop("store_id", STORE),
            uuid.UUID(customer_id),
            kind=kind,
            amount=amount,
            currency=kw.pop("currency", "SAR"),
            wallet_currency="SAR",
            reason=kw.pop("reason", "test"),
            idempotency_key=key or uuid.uuid4().hex,
            **kw,
        )


def _balance_and_ledger_sum(state, customer_id):
    with state.db.session() as session:
        balance = session.scalar(
            select(Customer.wallet_balance).where(Customer.id == uuid.UUID(customer_id))
        )
        rows = session.execute(
            select(WalletTransaction.kind, WalletTransaction.amount).where(
                WalletTransaction.customer_id == uuid.UUID(customer_id)
            )
        ).all()
    total = sum((a if k == "credit" else -a for k, a in rows), Decimal(0))
    return balance, total, len(rows)


def test_credit_then_debit_keeps_exact_decimal_balance_and_ledger(state):
    cid = place(state, "o1")
    _post(state, cid, "credit", "10.10")
    _post(state, cid, "credit", Decimal("0.205"))
    debit = _post(state, cid, "debit", "0.305", reference="order-9", actor="staff-1")
    assert debit.transaction.balance_after == Decimal("10.00")
    assert debit.transaction.reference == "order-9"
    assert debit.transaction.actor == "staff-1"
    balance, total, rows = _balance_and_ledger_sum(state, cid)
    assert (balance, total, rows) == (Decimal("10.00"), Decimal("10.00"), 3)


def test_float_amounts_are_refused(state):
    cid = place(state, "o1")
    with pytest.raises(Invalid):
        _post(state, cid, "credit", 0.1)


def test_debit_above_balance_is_refused_and_records_nothing(state):
    cid = place(state, "o1")
    _post(state, cid, "credit", "5")
    with pytest.raises(wallet.InsufficientBalance):
        _post(state, cid, "debit", "5.01")
    assert _balance_and_ledger_sum(state, cid) == (Decimal("5.00"), Decimal("5.00"), 1)


def test_same_idempotency_key_moves_money_once(state):
    cid = place(state, "o1")
    first = _post(state, cid, "credit", "20", key="k-1")
    again = _post(state, cid, "credit", "20", key="k-1")
    assert again.replayed and not first.replayed
    assert again.transaction.id == first.transaction.id
    assert _balance_and_ledger_sum(state, cid)[0] == Decimal("20.00")


def test_idempotency_key_reused_for_another_amount_is_a_conflict(state):
    cid = place(state, "o1")
    _post(state, cid, "credit", "20", key="k-1")
    with pytest.raises(wallet.KeyReused):
        _post(state, cid, "credit", "21", key="k-1")


def test_wrong_currency_is_refused(state):
    cid = place(state, "o1")
    with pytest.raises(Invalid):
        _post(state, cid, "credit", "1", currency="USD")


def test_another_stores_customer_is_not_found(state):
    cid = place(state, "o1")
    with pytest.raises(NotFound):
        _post(state, cid, "credit", "1", store_id="other")


def test_transactions_are_in_the_activity_log(state):
    cid = place(state, "o1")
    _post(state, cid, "credit", "3")
    with state.db.session() as session:
        kinds = session.scalars(
            select(Activity.kind).where(Activity.customer_id == uuid.UUID(cid))
        ).all()
    assert "wallet_credit" in kinds


# -- API ------------------------------------------------------------------------------------


def test_api_credit_debit_and_ledger(state, staff):
    cid = place(state, "o1")
    path = f"/customers/{cid}/wallet/transactions"
    body = {"type": "credit", "amount": "50.00", "reason": "refund", "idempotency_key": "r1"}
    created = staff.post(path, json=body)
    assert created.status_code == 201, created.json
    assert created.json["amount"] == "50.00"
    assert created.json["balance_after"] == "50.00"
    assert staff.post(path, json=body).status_code == 200  # replay
    debit = {"type": "debit", "amount": "20.5", "reason": "manual", "idempotency_key": "d1"}
    assert staff.post(path, json=debit).status_code == 201
    page = staff.get(f"/customers/{cid}/wallet").json
    assert page["balance"] == "29.50"
    assert page["currency"] == "SAR"
    assert [t["type"] for t in page["items"]] == ["debit", "credit"]
    assert page["items"][0]["reason"] == "manual"
    assert page["items"][0]["actor"] == "admin"


def test_api_debit_over_balance_answers_409(state, staff):
    cid = place(state, "o1")
    body = {"type": "debit", "amount": "1", "reason": "x", "idempotency_key": "d1"}
    response = staff.post(f"/customers/{cid}/wallet/transactions", json=body)
    assert response.status_code == 409
    assert response.json["error"]["code"] == "insufficient_balance"


def test_api_rejects_missing_key_and_non_positive_amount(state, staff):
    cid = place(state, "o1")
    path = f"/customers/{cid}/wallet/transactions"
    assert (
        staff.post(path, json={"type": "credit", "amount": "1", "reason": "x"}).status_code == 422
    )
    zero = {"type": "credit", "amount": "0", "reason": "x", "idempotency_key": "z"}
    assert staff.post(path, json=zero).status_code == 422


def test_api_wallet_needs_permission_and_is_scoped_by_store(state, staff):
    cid = place(state, "o1")
    assert (
        staff.as_(perms="customers.read")
        .post(
            f"/customers/{cid}/wallet/transactions",
            json={"type": "credit", "amount": "1", "reason": "x", "idempotency_key": "k"},
        )
        .status_code
        == 403
    )
    assert staff.as_(store="b").get(f"/customers/{cid}/wallet").status_code == 404
    anonymous = staff.client.get(f"/api/v1/customers/{cid}/wallet")
    assert anonymous.status_code == 401


def test_storefront_shows_own_wallet(state, staff, sara):
    cid = place(state, "o1")
    _post(state, cid, "credit", "7")
    assert sara.call("GET", "/wallet").json["balance"] == "7.00"


# -- checkout -------------------------------------------------------------------------------


def test_checkout_spend_debits_once_per_order(state):
    cid = place(state, "o1")
    sign_up(state, "SARA@example.sa")
    _post(state, cid, "credit", "30")
    user = account_of("SARA@example.sa")
    spend = dict(store_id=STORE, user_id=user, order_id="o-77", currency="SAR")
    first = state.hook.spend_wallet(amount=Decimal("12.5"), **spend)
    again = state.hook.spend_wallet(amount=Decimal("12.5"), **spend)
    assert (first.status, first.ok, first.balance) == ("debited", True, Decimal("17.50"))
    assert (again.status, again.ok) == ("replayed", True)
    assert again.transaction_id == first.transaction_id
    assert _balance_and_ledger_sum(state, cid)[0] == Decimal("17.50")


def test_checkout_spend_refuses_more_than_the_balance_and_unknown_accounts(state):
    cid = place(state, "o1")
    sign_up(state)
    _post(state, cid, "credit", "5")
    low = state.hook.spend_wallet(
        store_id=STORE,
        user_id=account_of("sara@example.sa"),
        order_id="o-1",
        amount=Decimal("6"),
        currency="SAR",
    )
    stranger = state.hook.spend_wallet(
        store_id=STORE,
        user_id=account_of("nobody@example.sa"),
        order_id="o-2",
        amount=Decimal("1"),
        currency="SAR",
    )
    guest = state.hook.spend_wallet(
        store_id=STORE, user_id=None, order_id="o-3", amount=Decimal("1"), currency="SAR"
    )
    assert (low.status, low.ok) == ("insufficient_balance", False)
    assert stranger.status == guest.status == "unknown_customer"
    assert _balance_and_ledger_sum(state, cid)[0] == Decimal("5.00")


# -- concurrency ----------------------------------------------------------------------------


def test_hundred_concurrent_debits_of_ten_against_five_hundred(make_app, backend, recorder, host):
    if backend != "postgresql":
        pytest.skip("the concurrency rule is checked on real PostgreSQL")
    app = make_app(
        CUSTOMERS_PLUGINS=[recorder, host],
        CUSTOMERS_CURRENCY="SAR",
        CUSTOMERS_DEFAULT_STORE=STORE,
        # 100 threads race over 30 connections: the server is shared, and 30 simultaneous
        # transactions on one row are contention enough
        CUSTOMERS_ENGINE_OPTIONS={"pool_size": 30, "max_overflow": 0, "pool_timeout": 120},
    )
    state = app.extensions["customers"]
    cid = place(state, "o1")
    _post(state, cid, "credit", "500")
    barrier = threading.Barrier(100)
    lowest: list[Decimal] = []

    def debit(i: int) -> bool:
        barrier.wait()
        try:
            posted = _post(state, cid, "debit", "10", key=f"debit-{i}")
        except wallet.InsufficientBalance:
            return False
        lowest.append(posted.transaction.balance_after)
        return True

    with ThreadPoolExecutor(max_workers=100) as pool:
        outcomes = list(pool.map(debit, range(100)))
    assert outcomes.count(True) == 50
    assert min(lowest) == Decimal("0")
    balance, ledger_sum, rows = _balance_and_ledger_sum(state, cid)
    assert balance == Decimal("0.00")
    assert ledger_sum == balance
    assert rows == 51
    with state.db.session() as session:
        negative = session.scalar(
            select(func.count())
            .select_from(WalletTransaction)
            .where(WalletTransaction.balance_after < 0)
        )
    assert negative == 0
    assert sorted(lowest) == [Decimal(10 * i) for i in range(50)]
