"""``flask seed-demo``: fill the shop with multilingual demo customers (Faker locales ar_SA,
he_IL, it_IT, en_US), their orders (some cancelled or refunded), bookings (some cancelled) and
contact-form messages.

The host's rows are written first, in one transaction; then every event goes to customers-plugin
through its hooks in the order it happened — the same path the storefront takes, so the demo
data is built exactly as real data would be. Random but reproducible (``--seed``).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass, field
from typing import Any

import click
import phonenumbers
from flask.cli import with_appcontext
from sqlalchemy import select

from customers_plugin import get_state
from customers_plugin.models import Customer

from . import shop
from .forms import ContactInput
from .models import Booking, ContactMessage, Order, Product, Service, db, new_ref, utcnow

# locale -> (country, language, share of the customers)
LOCALES = {
    "ar_SA": ("SA", "ar", 30),
    "he_IL": ("IL", "he", 25),
    "it_IT": ("IT", "it", 25),
    "en_US": ("US", "en", 20),
}
MESSAGES = {
    "ar": [
        ("استفسار عن الطلب", "متى يصل طلبي؟ شكراً لكم."),
        ("سؤال عن المنتج", "هل التمر متوفر بكميات أكبر للمناسبات؟"),
    ],
    "he": [
        ("שאלה על משלוח", "האם אתם שולחים גם לאילת?"),
        ("תודה", "קיבלתי את ההזמנה, הכל מצוין!"),
    ],
    "it": [
        ("Spedizione", "Quanto tempo ci vuole per la consegna a Milano?"),
        ("Informazioni", "L'olio è disponibile anche in latta da 3 litri?"),
    ],
    "en": [
        ("Gift wrapping", "Can you gift-wrap my next order?"),
        ("Wholesale", "Do you offer prices for cafés?"),
    ],
}
BOOKING_NOTES = {
    "ar": ["أفضّل الموعد الصباحي", ""],
    "he": ["אני מגיע עם חבר", ""],
    "it": ["Sono vegetariana", ""],
    "en": ["Running ten minutes late is possible", ""],
}
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
PAYMENT_CHOICES = ("card", "card", "paypal", "bank_transfer", "cash_on_delivery")  # card: 2 in 5


@dataclass(frozen=True, slots=True)
class Person:
    store_id: str
    contact: ContactInput

    @property
    def language(self) -> str:
        return self.contact.language or "en"

    def columns(self) -> dict[str, Any]:
        return shop.contact_columns(self.contact)


@dataclass
class Plan:
    """The events to fire, in the order they happened."""

    events: list[tuple[dt.datetime, int, str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, when: dt.datetime, hook_name: str, event: Any, kind: str) -> None:
        self.events.append((when, len(self.events), hook_name, event))
        self.counts[kind] = self.counts.get(kind, 0) + 1


@click.command("seed-demo")
@click.option(
    "--customers", "count", default=200, show_default=True, type=click.IntRange(1, 20_000)
)
@click.option("--if-empty", is_flag=True, help="Do nothing when the shop already has customers.")
@click.option("--seed", default=2026, show_default=True, help="Random seed: same seed, same data.")
@with_appcontext
def seed_demo(count: int, if_empty: bool, seed: int) -> None:
    """Fill the shop with demo customers, orders, bookings and messages."""
    if if_empty and _has_data():
        click.echo("seed-demo: the shop already has data; nothing to do (--if-empty).")
        return
    started = time.perf_counter()
    plan = build(count, random.Random(seed), utcnow())
    failed = 0
    for _when, _seq, hook_name, event in sorted(plan.events, key=lambda e: (e[0], e[1])):
        failed += not shop.fire(hook_name, event)
    took = time.perf_counter() - started
    summary = ", ".join(f"{n} {kind}" for kind, n in plan.counts.items())
    click.echo(f"seed-demo: {count} people, {summary}; {len(plan.events)} events in {took:.1f} s")
    if failed:
        raise click.ClickException(f"{failed} event(s) failed; see the log")


def _has_data() -> bool:
    if db.session.scalar(select(Order.id).limit(1)) is not None:
        return True
    with get_state().db.session() as session:
        return session.scalar(select(Customer.id).limit(1)) is not None


def build(count: int, rng: random.Random, now: dt.datetime) -> Plan:
    """Write the host's rows (one commit) and return the events they make."""
    from faker import Faker

    fakers = {}
    for locale in LOCALES:
        fakers[locale] = Faker(locale)
        fakers[locale].seed_instance(rng.random())
    products = _by_store(Product)
    services = _by_store(Service)
    used_phones: set[str] = set()
    plan = Plan()
    rows: list[tuple[str, Any]] = []
    for i in range(count):
        person = _person(i, rng, fakers, used_phones)
        before = len(rows)
        for _ in range(rng.choices([0, 1, 2, 3, 4, 6], [15, 35, 25, 13, 8, 4])[0]):
            rows.append(("order", _order(person, rng, now, products[person.store_id])))
        if rng.random() < 0.3:
            for _ in range(rng.choice([1, 1, 2, 3])):
                rows.append(("booking", _booking(person, rng, now, services[person.store_id])))
        if len(rows) == before or rng.random() < 0.25:  # everyone leaves a trace
            rows.append(("message", _message(person, rng, now)))
    db.session.add_all(row for _kind, row in rows)
    db.session.flush()  # ids for the events

    for kind, row in rows:
        if kind == "order":
            plan.add(row.created_at, "on_order_placed", shop.order_placed_event(row), "orders")
            _maybe_change_order(row, rng, now, plan)
        elif kind == "booking":
            plan.add(row.created_at, "on_booking", shop.booking_event(row), "bookings")
            if rng.random() < 0.1:
                row.status = "cancelled"
                when = min(row.created_at + dt.timedelta(days=1), now)
                plan.add(
                    when,
                    "on_booking_updated",
                    shop.booking_cancelled_event(row, when),
                    "cancelled bookings",
                )
        else:
            plan.add(row.created_at, "on_form_submit", shop.form_event(row), "messages")
    db.session.commit()
    return plan


def _maybe_change_order(order: Order, rng: random.Random, now: dt.datetime, plan: Plan) -> None:
    roll = rng.random()
    if roll >= 0.13:
        return
    status = "cancelled" if roll < 0.08 else "refunded"
    order.status = status
    order.payment_status = "refunded" if order.payment_status == "paid" else "voided"
    order.updated_at = min(order.created_at + dt.timedelta(days=rng.randint(1, 5)), now)
    plan.add(order.updated_at, "on_order_updated", shop.order_updated_event(order), status)


def _by_store(model: Any) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for row in db.session.scalars(select(model).order_by(model.id)):
        found.setdefault(row.store_id, []).append(row)
    return found


def _person(i: int, rng: random.Random, fakers: dict[str, Any], used: set[str]) -> Person:
    locale = rng.choices(list(LOCALES), [w for _c, _l, w in LOCALES.values()])[0]
    country, language, _share = LOCALES[locale]
    fake = fakers[locale]
    email = None
    if rng.random() < 0.93:
        local = f"{fake.user_name()}{i}"
        if rng.random() < 0.2:  # people type their address in any case
            local = local.capitalize()
        email = f"{local}@{fake.free_email_domain()}"
    phone = _phone(rng, country, used) if (email is None or rng.random() < 0.7) else None
    if email is None and phone is None:
        email = f"customer{i}@example.com"
    return Person(
        store_id="default" if rng.random() < 0.85 else "second",
        contact=ContactInput(fake.name(), email, phone, country, language),
    )


def _phone(rng: random.Random, region: str, used: set[str]) -> str | None:
    """A valid mobile number of ``region``, written the way people write it."""
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    prefix = str(example.national_number)[:-6]
    for _ in range(20):
        number = phonenumbers.parse(f"+{example.country_code}{prefix}{rng.randrange(10**6):06d}")
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        if phonenumbers.is_valid_number(number) and e164 not in used:
            used.add(e164)
            text = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
            if region == "SA" and rng.random() < 0.3:
                text = text.translate(ARABIC_INDIC)
            return text
    return None


def _moment(rng: random.Random, now: dt.datetime, days_back: int) -> dt.datetime:
    return now - dt.timedelta(seconds=rng.randrange(3600, days_back * 86_400))


def _order(person: Person, rng: random.Random, now: dt.datetime, products: list[Any]) -> Order:
    product = rng.choice(products)
    quantity = rng.choices([1, 2, 3], [70, 22, 8])[0]
    coupon = "WELCOME10" if rng.random() < 0.1 else None
    subtotal = product.price_cents * quantity
    discount = subtotal // 10 if coupon else 0
    shipping = 490
    method = rng.choice(PAYMENT_CHOICES)
    when = _moment(rng, now, 420)
    return Order(
        ref=new_ref(),
        store_id=person.store_id,
        product_id=product.id,
        product_name=product.name,
        quantity=quantity,
        unit_price_cents=product.price_cents,
        discount_cents=discount,
        shipping_cents=shipping,
        total_cents=subtotal - discount + shipping,
        currency=product.currency,
        coupon_code=coupon,
        payment_method=method,
        payment_status="paid" if method in shop.PAID_ON_ORDER else "pending",
        status="placed",
        created_at=when,
        updated_at=when,
        **person.columns(),
    )


def _booking(person: Person, rng: random.Random, now: dt.datetime, services: list[Any]) -> Booking:
    service = rng.choice(services)
    day = (now + dt.timedelta(days=rng.randint(-90, 45))).date()
    starts = dt.datetime.combine(day, dt.time(rng.randint(9, 17), rng.choice([0, 30])), dt.UTC)
    booked = min(starts - dt.timedelta(days=rng.randint(1, 20)), now - dt.timedelta(hours=1))
    return Booking(
        ref=new_ref(),
        store_id=person.store_id,
        service_id=service.id,
        service_name=service.name,
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=service.duration_minutes),
        price_cents=service.price_cents,
        currency=service.currency,
        answers={
            "first_visit": rng.choice(["yes", "no"]),
            "notes": rng.choice(BOOKING_NOTES[person.language]),
        },
        status="confirmed",
        created_at=booked,
        **person.columns(),
    )


def _message(person: Person, rng: random.Random, now: dt.datetime) -> ContactMessage:
    subject, text = rng.choice(MESSAGES[person.language])
    return ContactMessage(
        store_id=person.store_id,
        subject=subject,
        message=text,
        subscribe=rng.random() < 0.5,
        created_at=_moment(rng, now, 200),
        **person.columns(),
    )
