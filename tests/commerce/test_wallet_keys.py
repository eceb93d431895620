"""Wallet money rules from the admin side: moving money needs ``customers.wallet``, admin
idempotency keys live apart from checkout keys, and a key replayed with another body is a 409
(Stripe's rule) while an identical replay answers the first transaction."""

from __future__ import annotations

from decimal import Decimal

import pytest

from .conftest import STORE, account_of, place, sign_up

WALLET = "customers.wallet"


def _path(customer_id: str) -> str:
    return f"/customers/{customer_id}/wallet/transactions"


def _body(**changes: str) -> dict[str, str]:
    return {
        "type": "credit",
        "amount": "10.00",
        "reason": "goodwill",
        "idempotency_key": "k-1",
        **changes,
    }


def _spend(state, order_id: str, amount: str, email: str = "sara@example.sa"):
    """The signed-in account of ``email`` (linked by a verified sign-up) pays at checkout."""
    sign_up(state, email)
    return state.hook.spend_wallet(
        store_id=STORE,
        user_id=account_of(email),
        order_id=order_id,
        amount=Decimal(amount),
        currency="SAR",
    )


def test_customers_write_alone_cannot_move_money(state, staff):
    cid = place(state, "o1")
    writer = staff.as_(perms="customers.read,customers.write")
    response = writer.post(_path(cid), json=_body())
    assert response.status_code == 403
    assert staff.get(f"/customers/{cid}/wallet").json["balance"] == "0.00"


def test_customers_wallet_permission_moves_money(state, staff):
    cid = place(state, "o1")
    response = staff.as_(perms=WALLET).post(_path(cid), json=_body())
    assert response.status_code == 201, response.json
    assert response.json["balance_after"] == "10.00"


def test_admin_debit_keyed_like_a_checkout_does_not_swallow_the_checkout(state, staff):
    cid = place(state, "o1")
    assert (
        staff.post(_path(cid), json=_body(amount="50", idempotency_key="fund")).status_code == 201
    )
    admin_debit = _body(type="debit", amount="5", reason="manual", idempotency_key="order:O1")
    assert staff.post(_path(cid), json=admin_debit).status_code == 201
    spent = _spend(state, "O1", "20")
    assert spent.status == "debited"
    assert spent.balance == Decimal("25.00")
    assert staff.get(f"/customers/{cid}/wallet").json["balance"] == "25.00"


def test_checkout_key_does_not_turn_a_later_admin_key_into_a_replay(state, staff):
    cid = place(state, "o1")
    assert (
        staff.post(_path(cid), json=_body(amount="50", idempotency_key="fund")).status_code == 201
    )
    assert _spend(state, "O2", "20").status == "debited"
    admin = _body(type="debit", amount="20", reason="manual", idempotency_key="order:O2")
    response = staff.post(_path(cid), json=admin)
    assert response.status_code == 201
    assert response.json["balance_after"] == "10.00"


@pytest.mark.parametrize(
    "change",
    [
        {"amount": "11.00"},
        {"type": "debit"},
        {"reason": "another reason"},
        {"currency": "USD"},
    ],
    ids=["amount", "direction", "reason", "currency"],
)
def test_same_key_with_another_body_answers_409(state, staff, change):
    cid = place(state, "o1")
    assert (
        staff.post(_path(cid), json=_body(amount="30", idempotency_key="fund")).status_code == 201
    )
    first = staff.post(_path(cid), json=_body())
    assert first.status_code == 201
    again = staff.post(_path(cid), json=_body(**change))
    assert again.status_code == 409, again.json
    assert again.json["error"]["code"] == "idempotency_key_reused"
    assert staff.get(f"/customers/{cid}/wallet").json["balance"] == "40.00"


def test_identical_replay_answers_the_first_transaction(state, staff):
    cid = place(state, "o1")
    first = staff.post(_path(cid), json=_body())
    again = staff.post(_path(cid), json=_body())
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json == first.json
    assert staff.get(f"/customers/{cid}/wallet").json["balance"] == "10.00"
