"""The source document's checkout examples, end to end through host events and the checkout
hooks: unserious customers lose cash on delivery and bank transfer, VIPs get free shipping, a
coupon limited to a group is refused to everybody else. Benefits go to the signed-in account's
customer only; restrictions also follow the checkout contact."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from customers_plugin import Contact
from customers_plugin.events import CustomerSignedUp, OrderPlaced, OrderUpdated
from customers_plugin.services.groups import manage
from customers_plugin.services.groups.registry import registry_for

STORE = "s1"
T = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)
METHODS = ["card", "cash_on_delivery", "bank_transfer"]


def group(customers: Any, **data: Any) -> None:
    with customers.db.transaction() as session:
        created = manage.create_group(session, registry_for(customers.pm), STORE, data)
    customers.jobs.submit("refresh_group", str(created.id))


def buy(customers: Any, email: str, order_id: str, total: str) -> None:
    customers.hook.on_order_placed(
        event=OrderPlaced(store_id=STORE, order_id=order_id, total=Decimal(total),
                          currency="USD", contact=Contact(email=email), occurred_at=T)
    )  # fmt: skip


def cancel(customers: Any, email: str, order_id: str) -> None:
    customers.hook.on_order_updated(
        event=OrderUpdated(store_id=STORE, order_id=order_id, status="cancelled",
                           contact=Contact(email=email), occurred_at=T)
    )  # fmt: skip


def methods_for(customers: Any, email: str, user_id: str | None = None) -> list[str]:
    return customers.hook.allowed_payment_methods(
        store_id=STORE, user_id=user_id, contact=Contact(email=email), methods=METHODS
    )


def account(customers: Any, email: str) -> str:
    """The host account of ``email`` signs up with its email verified: its user id."""
    user_id = f"user:{email}"
    customers.hook.on_customer_signup(
        event=CustomerSignedUp(
            store_id=STORE, user_id=user_id, contact=Contact(email=email), email_verified=True
        )
    )
    return user_id


def test_unserious_customers_lose_cash_on_delivery_and_bank_transfer(customers: Any) -> None:
    group(
        customers,
        name="Not serious",
        conditions={"match": "all", "conditions": [
            {"field": "cancelled_orders_count", "op": "gt", "value": 4},
            {"field": "total_purchases", "op": "lt", "value": "50"}]},
        hidden_payment_methods=["cash_on_delivery", "bank_transfer"],
    )  # fmt: skip
    for n in range(5):
        buy(customers, "flaky@example.com", f"f{n}", "30.00")
    assert methods_for(customers, "flaky@example.com") == METHODS  # 4 cancelled is not enough
    for n in range(5):
        cancel(customers, "flaky@example.com", f"f{n}")
    assert methods_for(customers, "flaky@example.com") == ["card"]
    for n in range(5):  # same history, but buys for 60: not in the group
        buy(customers, "loyal@example.com", f"l{n}", "60.00")
    for n in range(5):
        cancel(customers, "loyal@example.com", f"l{n}")
    buy(customers, "loyal@example.com", "l9", "60.00")
    assert methods_for(customers, "loyal@example.com") == METHODS
    assert methods_for(customers, "stranger@example.com") == METHODS


def test_vips_get_free_shipping(customers: Any) -> None:
    group(
        customers,
        name="VIP",
        conditions={"match": "any", "conditions": [
            {"field": "total_purchases", "op": "gt", "value": "1500"},
            {"field": "orders_count", "op": "gt", "value": 10}]},
        free_shipping=True,
    )  # fmt: skip
    buy(customers, "big@example.com", "b1", "1500.01")
    for n in range(11):
        buy(customers, "often@example.com", f"o{n}", "1.00")
    buy(customers, "exactly@example.com", "e1", "1500.00")

    def free(email: str) -> Any:
        return customers.hook.free_shipping_applies(
            store_id=STORE, user_id=account(customers, email)
        )

    assert free("big@example.com") is True
    assert free("often@example.com") is True
    assert free("exactly@example.com") is None
    assert free("stranger@example.com") is None
    assert customers.hook.free_shipping_applies(store_id=STORE, user_id=None) is None


def test_a_coupon_limited_to_a_group_is_refused_to_others(customers: Any) -> None:
    group(
        customers,
        name="Regulars",
        conditions={"match": "all", "conditions": [
            {"field": "orders_count", "op": "between", "value": [2, 5]}]},
        coupon_codes=["back10"],
    )  # fmt: skip
    buy(customers, "regular@example.com", "r1", "20.00")
    buy(customers, "regular@example.com", "r2", "20.00")
    buy(customers, "once@example.com", "x1", "20.00")

    def applies(email: str, code: str) -> Any:
        return customers.hook.coupon_applies(
            store_id=STORE, user_id=account(customers, email), coupon_code=code
        )

    assert applies("regular@example.com", "BACK10") is True
    guest = customers.hook.coupon_applies(store_id=STORE, user_id=None, coupon_code="BACK10")
    assert guest is False
    assert applies("once@example.com", "BACK10") is False
    assert applies("stranger@example.com", "back10") is False
    assert applies("once@example.com", "SUMMER") is None  # no group rule mentions it


def test_a_contact_match_gets_no_benefit_but_keeps_its_restrictions(customers: Any) -> None:
    group(
        customers,
        name="VIP",
        conditions={"match": "all", "conditions": [
            {"field": "total_purchases", "op": "gt", "value": "100"}]},
        free_shipping=True,
        coupon_codes=["VIP20"],
        hidden_payment_methods=["bank_transfer"],
    )  # fmt: skip
    buy(customers, "vip@example.com", "v1", "500.00")
    # a guest typing the VIP's email: no free shipping, no coupon, the restriction stays
    guest = customers.hook.free_shipping_applies(store_id=STORE, user_id=None)
    coupon = customers.hook.coupon_applies(store_id=STORE, user_id=None, coupon_code="VIP20")
    assert (guest, coupon) == (None, False)
    assert methods_for(customers, "vip@example.com") == ["card", "cash_on_delivery"]
    # another account typing the VIP's email at checkout: the same
    other = account(customers, "other@example.com")
    assert customers.hook.free_shipping_applies(store_id=STORE, user_id=other) is None
    assert methods_for(customers, "vip@example.com", other) == ["card", "cash_on_delivery"]
    # the VIP's own account gets the benefits
    own = account(customers, "vip@example.com")
    assert customers.hook.free_shipping_applies(store_id=STORE, user_id=own) is True
    assert customers.hook.coupon_applies(store_id=STORE, user_id=own, coupon_code="vip20") is True
