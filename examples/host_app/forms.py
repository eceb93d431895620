"""Reading the storefront's HTML forms: every field checked, every problem a sentence for the
visitor (never a 500). Produces plain input values for ``shop.py``; knows nothing of the
database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import pycountry

from customers_plugin.normalize import (
    InvalidEmail,
    InvalidPhone,
    normalize_phone,
    validate_email_address,
)

MAX_TEXT = 200
MAX_MESSAGE = 2000
BOOKING_HORIZON = dt.timedelta(days=730)


class FormError(Exception):
    """Input the visitor must correct: ``errors`` maps a field name to a message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("invalid form input")
        self.errors = errors


@dataclass(frozen=True, slots=True)
class ContactInput:
    name: str
    email: str | None
    phone: str | None
    country: str | None
    language: str | None


@dataclass(frozen=True, slots=True)
class CheckoutInput:
    contact: ContactInput
    product_id: int
    quantity: int
    coupon_code: str | None
    payment_method: str


@dataclass(frozen=True, slots=True)
class BookingInput:
    contact: ContactInput
    service_id: int
    starts_at: dt.datetime
    answers: dict[str, str]


@dataclass(frozen=True, slots=True)
class MessageInput:
    contact: ContactInput
    subject: str
    message: str
    subscribe: bool


@cache
def countries() -> list[tuple[str, str]]:
    """(code, name) of every ISO 3166-1 country, by name, for the country select."""
    return sorted(((c.alpha_2, c.name) for c in pycountry.countries), key=lambda c: c[1])


class _Reader:
    """Collects the errors of one form while its fields are read."""

    def __init__(self, form: Mapping[str, Any]) -> None:
        self.form = form
        self.errors: dict[str, str] = {}

    def text(
        self,
        key: str,
        label: str,
        *,
        required: bool = False,
        limit: int = MAX_TEXT,
        multiline: bool = False,
    ) -> str:
        raw = str(self.form.get(key, "")).replace("\x00", "")
        value = raw.strip() if multiline else " ".join(raw.split())
        if required and not value:
            self.errors[key] = f"{label} is required."
        elif len(value) > limit:
            self.errors[key] = f"{label} is too long (at most {limit} characters)."
        return value

    def integer(self, key: str, label: str, low: int, high: int) -> int:
        raw = str(self.form.get(key, "")).strip()
        try:
            value = int(raw)
        except ValueError:
            self.errors[key] = f"{label} must be a whole number."
            return low
        if not low <= value <= high:
            self.errors[key] = f"{label} must be between {low} and {high}."
        return value

    def contact(self, language: str | None) -> ContactInput:
        name = self.text("name", "Your name", required=True)
        country = self.text("country", "Country").upper() or None
        if country and pycountry.countries.get(alpha_2=country) is None:
            self.errors["country"] = "Choose a country from the list."
            country = None
        email = self.text("email", "Email", limit=320) or None
        if email:
            try:
                validate_email_address(email)
            except InvalidEmail:
                self.errors["email"] = "This email address does not look right."
        phone = self.text("phone", "Phone", limit=40) or None
        if phone:
            try:  # the host knows the country: hand the plugin an unambiguous E.164 number
                phone = normalize_phone(phone, country)
            except InvalidPhone:
                self.errors["phone"] = (
                    "This phone number does not look right (add the country code, e.g. +966)."
                )
        if not email and not phone and "email" not in self.errors:
            self.errors["email"] = "Give an email address or a phone number."
        return ContactInput(name, email, phone, country, language)

    def done(self) -> None:
        if self.errors:
            raise FormError(self.errors)


def read_checkout(
    form: Mapping[str, Any], product_id: int, methods: tuple[str, ...], language: str | None
) -> CheckoutInput:
    reader = _Reader(form)
    contact = reader.contact(language)
    quantity = reader.integer("quantity", "Quantity", 1, 20)
    coupon = reader.text("coupon_code", "Coupon code", limit=32).upper() or None
    method = reader.text("payment_method", "Payment method")
    if method not in methods:
        reader.errors["payment_method"] = "Choose a payment method."
    reader.done()
    return CheckoutInput(contact, product_id, quantity, coupon, method)


def read_booking(form: Mapping[str, Any], now: dt.datetime, language: str | None) -> BookingInput:
    reader = _Reader(form)
    contact = reader.contact(language)
    service_id = reader.integer("service_id", "Service", 1, 2**31 - 1)
    day = reader.text("date", "Date", required=True)
    time = reader.text("time", "Time", required=True)
    starts_at = now
    if day and time:
        try:
            starts_at = dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=dt.UTC)
        except ValueError:
            reader.errors["date"] = "Give a date and a time, e.g. 2026-12-01 and 10:30."
        else:
            if starts_at <= now:
                reader.errors["date"] = "Choose a time in the future."
            elif starts_at > now + BOOKING_HORIZON:
                reader.errors["date"] = "Choose a date within the next two years."
    answers = {
        "first_visit": "yes" if form.get("first_visit") else "no",
        "notes": reader.text("notes", "Notes", limit=500, multiline=True),
    }
    reader.done()
    return BookingInput(contact, service_id, starts_at, answers)


def read_message(form: Mapping[str, Any], language: str | None) -> MessageInput:
    reader = _Reader(form)
    contact = reader.contact(language)
    subject = reader.text("subject", "Subject")
    message = reader.text("message", "Message", required=True, limit=MAX_MESSAGE, multiline=True)
    reader.done()
    return MessageInput(contact, subject, message, bool(form.get("subscribe")))
