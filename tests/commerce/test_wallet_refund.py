"""An order paid partly from the wallet and then cancelled or refunded gives the wallet payment
back once: replays, ``refunded`` after ``cancelled`` and concurrent deliveries move nothing
more, the ledger always sums to the balance, in both capture modes (queue: a real RQ worker)."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import pytest
from rq import SimpleWorker
from rq.serializers import JSONSerializer
from sqlalchemy import select

from customers_plugin.events import Contact, OrderPlaced, OrderUpdated
from customers_plugin.models import Customer, WalletTransaction
from customers_plugin.services import wallet
from tests.conftest import REDIS_URL

from .conftest import STORE, account_of, place, sign_up

SARA = Contact(email="sara@example.sa")


def _credit(state: Any, customer_id: str, amount: str) -> None:
    with state.db.transaction() as session:
        wallet.post(
            session,
            STORE,
            uuid.UUID(customer_id),
            kind="credit",
            amount=amount,
            currency="SAR",
            wallet_currency="SAR",
            reason="gift card",
            idempotency_key=uuid.uuid4().hex,
        )


def _spend(state: Any, order_id: str, amount: str) -> Any:
    return state.hook.spend_wallet(
        store_id=STORE,
        user_id=account_of("sara@example.sa"),
        order_id=order_id,
        amount=Decimal(amount),
        currency="SAR",
    )


def _update(state: Any, order_id: str, status: str) -> None:
    state.hook.on_order_updated(
        event=OrderUpdated(store_id=STORE, contact=SARA, order_id=order_id, status=status)
    )


def _wallet(state: Any, customer_id: str) -> tuple[Decimal, Decimal, list[tuple]]:
    """The balance, the ledger's sum and its lines (kind, amount, reference, key)."""
    with state.db.session() as session:
        balance = session.scalar(
            select(Customer.wallet_balance).where(Customer.id == uuid.UUID(customer_id))
        )
        rows = session.execute(
            select(
                WalletTransaction.kind,
                WalletTransaction.amount,
                WalletTransaction.reference,
                WalletTransaction.idempotency_key,
            )
            .where(WalletTransaction.customer_id == uuid.UUID(customer_id))
            .order_by(WalletTransaction.created_at, WalletTransaction.id)
        ).all()
    total = sum((a if k == "credit" else -a for k, a, _r, _k in rows), Decimal(0))
    return balance, total, [tuple(r) for r in rows]


@pytest.fixture
def paid(state: Any) -> tuple[str, str]:
    """Sara has 100 SAR in her wallet and paid 30.50 of order o1 from it."""
    customer_id = place(state, "o1", total="130.50")
    sign_up(state)
    _credit(state, customer_id, "100")
    spent = _spend(state, "o1", "30.50")
    assert (spent.status, spent.balance) == ("debited", Decimal("69.50"))
    return customer_id, spent.transaction_id


def test_cancelling_an_order_paid_from_the_wallet_gives_the_amount_back_once(state, paid):
    customer_id, debit_id = paid
    _update(state, "o1", "cancelled")
    balance, total, lines = _wallet(state, customer_id)
    assert balance == total == Decimal("100")
    assert lines[-1] == ("credit", Decimal("30.50"), "o1", f"refund:{debit_id}")
    _update(state, "o1", "cancelled")  # the same event again
    _update(state, "o1", "refunded")  # and the payment provider's refund after it
    _update(state, "o1", "placed")  # re-opened…
    _update(state, "o1", "canceled")  # …and cancelled again
    balance, total, again = _wallet(state, customer_id)
    assert balance == total == Decimal("100")
    assert again == lines


def test_a_refunded_order_is_credited_with_its_reason_in_the_activity_log(state, paid, staff):
    customer_id, _debit = paid
    _update(state, "o1", "refunded")
    ledger = staff.get(f"/customers/{customer_id}/wallet").json
    assert Decimal(ledger["balance"]) == Decimal("100")
    credit = ledger["items"][0]
    assert (credit["type"], Decimal(credit["amount"]), credit["reference"]) == (
        "credit",
        Decimal("30.50"),
        "o1",
    )
    assert credit["reason"] == "order refunded: wallet payment returned"
    assert credit["actor"] == "system"


def test_other_statuses_and_orders_without_a_wallet_payment_move_nothing(state, paid):
    customer_id, _debit = paid
    place(state, "o2")
    for order_id, status in (("o1", "paid"), ("o1", "delivered"), ("o2", "cancelled")):
        _update(state, order_id, status)
    balance, total, lines = _wallet(state, customer_id)
    assert balance == total == Decimal("69.50")
    assert [kind for kind, *_rest in lines] == ["credit", "debit"]


def test_a_reopened_order_cannot_spend_the_wallet_again_under_its_id(state, paid):
    customer_id, _debit = paid
    _update(state, "o1", "cancelled")
    again = _spend(state, "o1", "30.50")
    assert (again.status, again.ok) == ("refunded", False)
    assert _wallet(state, customer_id)[0] == Decimal("100")
    assert _spend(state, "o1-b", "30.50").status == "debited"  # a new order id pays


def test_concurrent_cancellations_give_the_money_back_once(make_app, backend, host, recorder):
    if backend != "postgresql":
        pytest.skip("the concurrency rule is checked on real PostgreSQL")
    app = make_app(
        CUSTOMERS_PLUGINS=[recorder, host],
        CUSTOMERS_DEFAULT_STORE=STORE,
        CUSTOMERS_CURRENCY="SAR",
        CUSTOMERS_ENGINE_OPTIONS={"pool_size": 10},
    )
    state = app.extensions["customers"]
    customer_id = place(state, "o1")
    sign_up(state)
    _credit(state, customer_id, "50")
    assert _spend(state, "o1", "20").ok
    barrier = threading.Barrier(8)

    def cancel(n: int) -> None:
        barrier.wait()
        _update(state, "o1", "cancelled" if n % 2 else "refunded")

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(cancel, range(8)))
    balance, total, lines = _wallet(state, customer_id)
    assert balance == total == Decimal("50")
    assert [kind for kind, *_rest in lines] == ["credit", "debit", "credit"]


@pytest.mark.redis
def test_in_queue_capture_mode_the_worker_gives_the_money_back_once(make_app, host, recorder):
    queue_name = f"customers-test-{uuid.uuid4().hex[:8]}"
    app = make_app(
        CUSTOMERS_PLUGINS=[recorder, host],
        CUSTOMERS_DEFAULT_STORE=STORE,
        CUSTOMERS_CURRENCY="SAR",
        CUSTOMERS_CAPTURE_MODE="queue",
        CUSTOMERS_REDIS_URL=REDIS_URL,
        CUSTOMERS_QUEUE=queue_name,
    )
    state = app.extensions["customers"]
    queue = state.jobs.queue

    def work() -> None:
        with app.app_context():
            SimpleWorker([queue], connection=queue.connection, serializer=JSONSerializer).work(
                burst=True
            )

    try:
        event = OrderPlaced(
            store_id=STORE, contact=SARA, order_id="o1", total=Decimal("50"), currency="SAR"
        )
        assert state.hook.on_order_placed(event=event) == []  # stored for the worker
        work()
        with state.db.session() as session:
            [customer] = session.scalars(select(Customer)).all()
        sign_up(state)
        work()
        _credit(state, str(customer.id), "40")
        assert _spend(state, "o1", "15").ok
        _update(state, "o1", "cancelled")
        _update(state, "o1", "cancelled")  # delivered twice
        assert _wallet(state, str(customer.id))[0] == Decimal("25")  # not applied yet
        work()
        balance, total, lines = _wallet(state, str(customer.id))
        assert balance == total == Decimal("40")
        assert [kind for kind, *_rest in lines] == ["credit", "debit", "credit"]
    finally:
        queue.delete(delete_jobs=True)
