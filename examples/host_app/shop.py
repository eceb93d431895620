"""What the shop does: checkout, cancel, book, write to the shop — each commits the host's own
rows first and THEN tells customers-plugin through its hooks, exactly as a real host would.

The checkout asks the plugin's checkout-answer hooks (``allowed_payment_methods``,
``coupon_applies``, ``free_shipping_applies``) and honours them; ``None`` means the plugin has
no rule for this customer, so the host's own rules apply (a coupon the shop issued for a
wishlist gift needs the plugin's yes). Order events carry the coupon used, so the plugin
counts the uses of personal coupons. Group benefits (free shipping,
group coupons) need the signed-in account (``user_id``); restrictions also follow the
contact typed at checkout. No ``flask.request`` in here: the
views parse the forms, the seed command builds inputs itself.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from customers_plugin import (
    BookingMade,
    BookingUpdated,
    Contact,
    FormSubmitted,
    LineItem,
    OrderPlaced,
    OrderUpdated,
    get_state,
)

from . import desk
from .forms import BookingInput, CheckoutInput, ContactInput, FormError, MessageInput
from .models import (
    Booking,
    ContactMessage,
    Order,
    Product,
    Service,
    as_utc,
    db,
    to_cents,
    to_money,
    utcnow,
)

log = logging.getLogger(__name__)

# The host's own coupons: code -> (percent off, fixed amount off).
COUPONS: dict[str, tuple[int, Decimal]] = {
    "WELCOME10": (10, Decimal(0)),
    "SAVE5": (0, Decimal("5.00")),
}
SHIPPING = Decimal("4.90")
PAID_ON_ORDER = frozenset({"card", "paypal"})


@dataclass(frozen=True, slots=True)
class Quote:
    """What an order costs once the host's and the plugin's rules are applied."""

    subtotal: Decimal
    discount: Decimal
    shipping: Decimal

    @property
    def total(self) -> Decimal:
        return self.subtotal - self.discount + self.shipping


def to_contact(value: ContactInput) -> Contact:
    return Contact(
        email=value.email,
        phone=value.phone,
        name=value.name,
        country=value.country,
        language=value.language,
    )


def fire(hook_name: str, event: Any) -> bool:
    """Tell customers-plugin about something the host has committed; ``False`` if it failed.

    The host's own data is already safe: a failure in the plugin is logged (ids only, no
    personal data) and the visitor still gets their page.
    """
    try:
        getattr(get_state().hook, hook_name)(event=event)
    except Exception:
        log.exception("customers hook %s failed (store %s)", hook_name, event.store_id)
        return False
    return True


def ask(hook_name: str, **kwargs: Any) -> Any:
    """Ask one of the plugin's checkout answers. ``None`` is "no rule": so is a failure, which
    is logged — the visitor can still buy under the host's own rules."""
    try:
        return getattr(get_state().hook, hook_name)(**kwargs)
    except Exception:
        log.exception("customers hook %s failed (store %s)", hook_name, kwargs.get("store_id"))
        return None


def payment_methods_for(
    store_id: str, contact: Contact, methods: tuple[str, ...], user_id: str | None = None
) -> list[str]:
    allowed = ask(
        "allowed_payment_methods",
        store_id=store_id,
        user_id=user_id,
        contact=contact,
        methods=list(methods),
    )
    if allowed is None:
        return list(methods)
    return [m for m in methods if m in set(allowed)]


def quote(
    store_id: str, product: Product, order: CheckoutInput, user_id: str | None = None
) -> Quote:
    """Price an order; raises ``FormError`` when the plugin refuses the coupon. ``user_id``:
    the signed-in account (group benefits are its own), ``None`` for a guest."""
    subtotal = product.price * order.quantity
    discount = Decimal(0)
    if order.coupon_code:
        found = desk.coupon_discount(store_id, order.coupon_code, product, subtotal)
        if found is None:
            raise FormError({"coupon_code": "This coupon code does not exist."})
        usable = ask(
            "coupon_applies", store_id=store_id, user_id=user_id, coupon_code=order.coupon_code
        )
        # a coupon issued for the plugin (a gift) is personal: the plugin must say yes
        if usable is False or (found[1] and usable is not True):
            raise FormError({"coupon_code": "This coupon is not available for your account."})
        discount = found[0]
    free = ask("free_shipping_applies", store_id=store_id, user_id=user_id)
    return Quote(subtotal, discount, Decimal(0) if free else SHIPPING)


def checkout(
    store_id: str,
    order_input: CheckoutInput,
    methods: tuple[str, ...],
    *,
    user_id: str | None = None,
) -> Order:
    """Place an order for the signed-in account ``user_id`` (or a guest): check it, commit
    it, then fire ``on_order_placed``."""
    product = db.session.scalar(
        db.select(Product).filter_by(id=order_input.product_id, store_id=store_id, active=True)
    )
    if product is None:
        raise FormError({"product": "This product is not available."})
    contact = to_contact(order_input.contact)
    if order_input.payment_method not in payment_methods_for(store_id, contact, methods, user_id):
        raise FormError(
            {"payment_method": "This payment method is not available for your account."}
        )
    price = quote(store_id, product, order_input, user_id)
    order = Order(
        store_id=store_id,
        product_id=product.id,
        product_name=product.name,
        quantity=order_input.quantity,
        unit_price_cents=product.price_cents,
        discount_cents=to_cents(price.discount),
        shipping_cents=to_cents(price.shipping),
        total_cents=to_cents(price.total),
        currency=product.currency,
        coupon_code=order_input.coupon_code,
        payment_method=order_input.payment_method,
        payment_status="paid" if order_input.payment_method in PAID_ON_ORDER else "pending",
        **contact_columns(order_input.contact),
    )
    db.session.add(order)
    db.session.commit()
    fire("on_order_placed", order_placed_event(order))
    return order


def change_order_status(store_id: str, ref: str, status: str) -> Order | None:
    """Cancel or refund an order: commit, then fire ``on_order_updated``."""
    order = db.session.scalar(db.select(Order).filter_by(store_id=store_id, ref=ref))
    if order is None or order.status == status:
        return order
    order.status = status
    if order.payment_status == "paid":
        order.payment_status = "refunded"
    elif status == "cancelled":
        order.payment_status = "voided"
    order.updated_at = utcnow()
    db.session.commit()
    fire("on_order_updated", order_updated_event(order))
    return order


def book(store_id: str, booking_input: BookingInput) -> Booking:
    """Book a service: commit, then fire ``on_booking``."""
    service = db.session.scalar(
        db.select(Service).filter_by(id=booking_input.service_id, store_id=store_id)
    )
    if service is None:
        raise FormError({"service_id": "Choose a service from the list."})
    booking = Booking(
        store_id=store_id,
        service_id=service.id,
        service_name=service.name,
        starts_at=booking_input.starts_at,
        ends_at=booking_input.starts_at + dt.timedelta(minutes=service.duration_minutes),
        price_cents=service.price_cents,
        currency=service.currency,
        answers=dict(booking_input.answers),
        **contact_columns(booking_input.contact),
    )
    db.session.add(booking)
    db.session.commit()
    fire("on_booking", booking_event(booking))
    return booking


def send_message(store_id: str, message_input: MessageInput) -> ContactMessage:
    """Keep a contact-form message: commit, then fire ``on_form_submit``."""
    message = ContactMessage(
        store_id=store_id,
        subject=message_input.subject,
        message=message_input.message,
        subscribe=message_input.subscribe,
        **contact_columns(message_input.contact),
    )
    db.session.add(message)
    db.session.commit()
    fire("on_form_submit", form_event(message))
    return message


def contact_columns(contact: ContactInput) -> dict[str, Any]:
    return {
        "name": contact.name,
        "email": contact.email,
        "phone": contact.phone,
        "country": contact.country,
        "language": contact.language,
    }


# -- the events, built from the host's committed rows ------------------------------------------


def order_placed_event(order: Order) -> OrderPlaced:
    return OrderPlaced(
        store_id=order.store_id,
        contact=order.contact(),
        order_id=str(order.id),
        total=order.total,
        currency=order.currency,
        payment_status=order.payment_status,
        coupon_code=order.coupon_code,
        items=(
            LineItem(
                product_id=str(order.product_id),
                name=order.product_name,
                quantity=order.quantity,
                unit_price=to_money(order.unit_price_cents),
            ),
        ),
        occurred_at=as_utc(order.created_at),
    )


def order_updated_event(order: Order) -> OrderUpdated:
    return OrderUpdated(
        store_id=order.store_id,
        contact=order.contact(),
        order_id=str(order.id),
        status=order.status,
        payment_status=order.payment_status,
        occurred_at=as_utc(order.updated_at),
    )


def booking_event(booking: Booking) -> BookingMade:
    return BookingMade(
        store_id=booking.store_id,
        contact=booking.contact(),
        booking_id=str(booking.id),
        service=booking.service_name,
        starts_at=as_utc(booking.starts_at),
        ends_at=as_utc(booking.ends_at),
        price=to_money(booking.price_cents),
        currency=booking.currency,
        form_answers=dict(booking.answers),
        occurred_at=as_utc(booking.created_at),
    )


def booking_cancelled_event(booking: Booking, when: dt.datetime) -> BookingUpdated:
    return BookingUpdated(
        store_id=booking.store_id,
        contact=booking.contact(),
        booking_id=str(booking.id),
        status="cancelled",
        occurred_at=when,
    )


def form_event(message: ContactMessage) -> FormSubmitted:
    return FormSubmitted(
        store_id=message.store_id,
        contact=message.contact(),
        submission_id=str(message.id),
        form_name="contact",
        answers={"subject": message.subject, "message": message.message},
        subscribe_to_marketing=message.subscribe,
        occurred_at=as_utc(message.created_at),
    )
