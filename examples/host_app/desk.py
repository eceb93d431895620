"""The shop's order desk for customers-plugin: ``place_order`` (a member of staff orders for a
customer from the plugin's admin API) and ``issue_coupon`` (a product coupon for a wishlist
gift). Registered through ``CUSTOMERS_PLUGINS``.

An order placed by staff is paid later ("pay later"; the customer pays on delivery or from the
shop's order page): it commits the shop's order, then fires ``on_order_placed`` like the
storefront checkout does, so the plugin links it to the staff member. This demo shop takes one
product per order; anything else is refused with a reason the API passes on.
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from customers_plugin import Contact, hookimpl
from customers_plugin.events import HostRefusal, OrderOutcome

from . import shop
from .models import IssuedCoupon, Order, Product, db, to_cents, utcnow


def _product(store_id: str, product_id: Any) -> Product | None:
    if not str(product_id).isdigit() or int(product_id) >= 2**31:
        return None
    return db.session.scalar(
        db.select(Product).filter_by(id=int(product_id), store_id=store_id, active=True)
    )


def coupon_discount(
    store_id: str, code: str, product: Product, subtotal: Decimal
) -> tuple[Decimal, bool] | None:
    """The discount of ``code`` on ``subtotal`` of ``product`` and whether it is a coupon the
    shop issued for customers-plugin (the plugin must then say it applies); ``None``: no such
    coupon (or not for this product, or expired)."""
    if code in shop.COUPONS:
        percent, amount = shop.COUPONS[code]
        return min(subtotal, (subtotal * percent / 100 + amount).quantize(Decimal("0.01"))), False
    issued = db.session.scalar(db.select(IssuedCoupon).filter_by(store_id=store_id, code=code))
    if issued is None or issued.product_id != product.id or issued.expired(utcnow()):
        return None
    return issued.discount_on(subtotal), True


class OrderDesk:
    """The host's answers to ``place_order`` and ``issue_coupon``."""

    @hookimpl
    def place_order(
        self,
        store_id: str,
        customer: Any,
        items: list[dict[str, Any]],
        coupon_code: str | None,
        staff_id: str,
    ) -> OrderOutcome:
        if len(items) != 1:
            return OrderOutcome.refused(
                "one_product_per_order", "This shop takes one product per order."
            )
        product = _product(store_id, items[0]["product_id"])
        if product is None:
            return OrderOutcome.refused("unknown_product", "This product is not sold here.")
        contact = Contact(email=customer.email, phone=customer.phone, name=customer.name)
        quantity = int(items[0]["quantity"])
        subtotal = product.price * quantity
        discount = Decimal(0)
        if coupon_code:
            found = coupon_discount(store_id, coupon_code, product, subtotal)
            if found is None:
                return OrderOutcome.refused("coupon_invalid", "This coupon code does not exist.")
            discount = found[0]
        total = subtotal - discount + shop.SHIPPING
        order = Order(
            store_id=store_id,
            product_id=product.id,
            product_name=product.name,
            quantity=quantity,
            unit_price_cents=product.price_cents,
            discount_cents=to_cents(discount),
            shipping_cents=to_cents(shop.SHIPPING),
            total_cents=to_cents(total),
            currency=product.currency,
            coupon_code=coupon_code,
            payment_method="pay_later",
            payment_status="pending",
            name=contact.name or "",
            email=contact.email,
            phone=contact.phone,
        )
        db.session.add(order)
        db.session.commit()
        shop.fire("on_order_placed", shop.order_placed_event(order))
        return OrderOutcome.placed(str(order.id), payment_status="pay_later")

    @hookimpl
    def issue_coupon(
        self, store_id: str, product_id: str, discount: Any, expires_at: Any
    ) -> str | HostRefusal:
        product = _product(store_id, product_id)
        if product is None:
            return HostRefusal("product_unavailable", "This product is no longer sold.", True)
        percent = to_cents(discount.value) if discount.kind == "percent" else 0
        amount = to_cents(discount.value) if discount.kind == "amount" else 0
        coupon = IssuedCoupon(
            store_id=store_id,
            code="GIFT-" + secrets.token_hex(5).upper(),
            product_id=product.id,
            percent=percent,
            amount_cents=amount,
            expires_at=expires_at,
        )
        db.session.add(coupon)
        db.session.commit()
        return coupon.code
