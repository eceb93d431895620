"""The attacks of issue 11 §1 replayed: a shopper who knows someone's phone (or email) never
reads or moves that person's wallet, ledger, wishlist or pending reviews, never becomes them
through a public form, and never counts an order on them. Identity is the host account."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from customers_plugin.events import (
    BookingMade,
    Contact,
    FormSubmitted,
    OrderPlaced,
    OrderUpdated,
    ProductPrice,
)
from customers_plugin.models import Customer, DuplicateSuggestion
from customers_plugin.services import wallet
from customers_plugin.services.groups import manage
from customers_plugin.services.groups.registry import registry_for

from .conftest import STORE, Shopper, account_of, deliver_order, sign_up

VICTIM_EMAIL = "sara@example.sa"
VICTIM_PHONE = "+966501234567"
ATTACKER_EMAIL = "mallory@evil.example"
DRESS = {"product_id": "p-dress"}


@pytest.fixture(autouse=True)
def catalog(host):
    """The host's products: the storefront takes their names and prices from here."""
    host.prices = {
        pid: ProductPrice(Decimal("199.90"), "SAR", name="Dress")
        for pid in ("p-dress", "p-2", *(f"p{n}" for n in range(10)))
    }
    return host.prices


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


def _customer(state: Any, customer_id: str) -> Customer:
    with state.db.session() as session:
        return session.get(Customer, uuid.UUID(customer_id))


def _order(state: Any, order_id: str, contact: Contact, total: str = "100.00") -> str:
    event = OrderPlaced(
        store_id=STORE, contact=contact, order_id=order_id, total=Decimal(total), currency="SAR"
    )
    return state.hook.on_order_placed(event=event)[0]


def _spend(state: Any, user_id: str | None, order_id: str, amount: str = "10") -> Any:
    return state.hook.spend_wallet(
        store_id=STORE, user_id=user_id, order_id=order_id, amount=Decimal(amount), currency="SAR"
    )


def _attacker(shop: Any, *, phone: str = VICTIM_PHONE, verified: str = "email") -> Shopper:
    """A signed-in account with its own (verified) email and the victim's phone typed in."""
    headers = {
        "X-Account": account_of(ATTACKER_EMAIL),
        "X-Email": ATTACKER_EMAIL,
        "X-Phone": phone,
        "X-Verified": verified,
    }
    return Shopper(shop, None, headers)


def _sees_nothing(shopper: Shopper) -> None:
    wallet_page = shopper.call("GET", "/wallet")
    assert wallet_page.status_code == 200
    assert (wallet_page.json["balance"], wallet_page.json["items"]) == ("0.00", [])
    assert shopper.call("GET", "/wishlist").json["items"] == []
    pending = shopper.call("GET", "/reviews/pending").json
    assert (pending["name"], pending["orders"]) == (None, [])


def _victim_with_everything(state: Any, shop: Any) -> str:
    """Sara: an order delivered long ago (a pending review), 50 SAR in her wallet, a wish."""
    customer_id = _order(state, "v1", Contact(email=VICTIM_EMAIL, phone=VICTIM_PHONE))
    deliver_order(state, "v1", dt.datetime.now(dt.UTC) - dt.timedelta(days=30))
    _credit(state, customer_id, "50")
    sign_up(state, VICTIM_EMAIL)
    assert Shopper(shop, VICTIM_EMAIL).call("POST", "/wishlist", json=DRESS).status_code == 201
    return customer_id


def test_attacker_with_the_victims_phone_reads_nothing_of_hers(state, shop):
    victim = _victim_with_everything(state, shop)
    victim_view = Shopper(shop, VICTIM_EMAIL)
    assert victim_view.call("GET", "/wallet").json["balance"] == "50.00"
    assert victim_view.call("GET", "/reviews/pending").json["orders"] != []

    attacker = _attacker(shop)
    _sees_nothing(attacker)
    # even adding to the wishlist makes the attacker's own customer, never touches Sara's
    assert (
        attacker.call("POST", "/wishlist", json={**DRESS, "product_id": "p-2"}).status_code == 201
    )
    assert [i["product_id"] for i in victim_view.call("GET", "/wishlist").json["items"]] == [
        "p-dress"
    ]
    mine = attacker.call("GET", "/wishlist").json["items"]
    assert [i["product_id"] for i in mine] == ["p-2"]
    assert _customer(state, victim).host_user_id == account_of(VICTIM_EMAIL)


def test_attacker_with_the_victims_phone_spends_nothing_of_hers(state, shop):
    victim = _victim_with_everything(state, shop)
    _attacker(shop).call("GET", "/wallet")  # the attacker's account as linked as it gets
    spent = _spend(state, account_of(ATTACKER_EMAIL), "evil-1")
    assert spent.status == "unknown_customer" and not spent.ok
    assert _spend(state, None, "evil-2").status == "unknown_customer"
    assert _customer(state, victim).wallet_balance == Decimal("50.00")
    # Sara's own account still pays
    assert _spend(state, account_of(VICTIM_EMAIL), "v2").status == "debited"


def test_a_form_with_the_attackers_email_and_a_phone_only_customers_phone_takes_nothing(
    state, shop
):
    booking = BookingMade(
        store_id=STORE,
        contact=Contact(phone=VICTIM_PHONE, name="Sara"),
        booking_id="b1",
        service="Haircut",
        starts_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=2),
    )
    [victim] = state.hook.on_booking(event=booking)
    _credit(state, victim, "80")
    form = FormSubmitted(
        store_id=STORE,
        contact=Contact(email=ATTACKER_EMAIL, phone=VICTIM_PHONE),
        submission_id="f1",
        form_name="contact",
    )
    [recorded_on] = state.hook.on_form_submit(event=form)

    assert recorded_on != victim
    assert _customer(state, victim).email is None  # no primary email from a public form
    assert _customer(state, recorded_on).email == ATTACKER_EMAIL
    # the attacker's verified email links the attacker to the form's customer, not to Sara
    attacker = Shopper(
        shop,
        None,
        {"X-Account": account_of(ATTACKER_EMAIL), "X-Email": ATTACKER_EMAIL, "X-Verified": "email"},
    )
    _sees_nothing(attacker)
    assert _customer(state, recorded_on).host_user_id == account_of(ATTACKER_EMAIL)
    assert _spend(state, account_of(ATTACKER_EMAIL), "evil-1").status == "insufficient_balance"
    assert _customer(state, victim).wallet_balance == Decimal("80.00")
    # the merchant sees both as a possible duplicate
    with state.db.session() as session:
        pairs = set(
            session.execute(select(DuplicateSuggestion.customer_id, DuplicateSuggestion.other_id))
        )
    assert pairs == {
        (uuid.UUID(victim), uuid.UUID(recorded_on)),
        (uuid.UUID(recorded_on), uuid.UUID(victim)),
    }


def test_an_order_with_the_attackers_email_and_the_victims_phone_never_counts_on_her(
    state, shop, staff
):
    with state.db.transaction() as session:
        group = manage.create_group(
            session,
            registry_for(state.pm),
            STORE,
            {
                "name": "Cancels a lot",
                "conditions": {
                    "match": "all",
                    "conditions": [{"field": "cancelled_orders_count", "op": "gt", "value": 0}],
                },
                "hidden_payment_methods": ["cash_on_delivery"],
            },
        )
    victim = _order(state, "v1", Contact(email=VICTIM_EMAIL, phone=VICTIM_PHONE))
    sign_up(state, VICTIM_EMAIL)
    attacker_contact = Contact(email=ATTACKER_EMAIL, phone=VICTIM_PHONE)
    for n in range(3):
        _order(state, f"evil-{n}", attacker_contact)
        state.hook.on_order_updated(
            event=OrderUpdated(
                store_id=STORE, contact=attacker_contact, order_id=f"evil-{n}", status="cancelled"
            )
        )
    sara = _customer(state, victim)
    assert (sara.orders_count, sara.cancelled_orders_count) == (1, 0)
    methods = state.hook.allowed_payment_methods(
        store_id=STORE,
        user_id=account_of(VICTIM_EMAIL),
        contact=Contact(email=VICTIM_EMAIL, phone=VICTIM_PHONE),
        methods=["card", "cash_on_delivery"],
    )
    assert methods == ["card", "cash_on_delivery"]
    members = staff.get(f"/groups/{group.id}/members").json["items"]
    assert victim not in [m["id"] for m in members]
    # the merchant sees the pairing on Sara's card
    [suggestion] = staff.get(f"/customers/{victim}/duplicates").json["items"]
    assert suggestion["reason"] == "same_phone" and suggestion["source"] == "store"
    assert suggestion["customer_id"] != victim


def test_a_guest_and_a_foreign_host_answer_get_401(shop):
    guest = Shopper(shop, None)
    for method, path in (("GET", "/wallet"), ("GET", "/wishlist"), ("GET", "/reviews/pending")):
        assert guest.call(method, path).status_code == 401


def test_erasing_a_customer_erases_the_duplicate_suggestions_naming_them(state, staff):
    victim = _order(state, "v1", Contact(email=VICTIM_EMAIL, phone=VICTIM_PHONE))
    other = _order(state, "o1", Contact(email=ATTACKER_EMAIL, phone=VICTIM_PHONE))
    assert len(staff.get(f"/customers/{other}/duplicates").json["items"]) == 1
    assert staff.delete(f"/customers/{victim}").status_code == 204
    assert staff.get(f"/customers/{other}/duplicates").json["items"] == []
    with state.db.session() as session:
        assert session.scalars(select(DuplicateSuggestion)).all() == []
