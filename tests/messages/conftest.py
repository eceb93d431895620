"""Fixtures of the message tests: a host that authorises like the API tests (``Bearer
<store>:<perms>``), names the staff member (``X-Staff``) and provides email and SMS channels
that record every message ``send_message`` gets (headers, sender name, Message-ID)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from flask import Flask

from customers_plugin import hookimpl
from tests.api.conftest import BearerAuth, Staff

PUBLIC_URL = "https://shop.example"


class Channels:
    """Email and SMS providers that record what they are given."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.fail = False
        self._lock = threading.Lock()

    @hookimpl
    def current_staff(self, request: Any, store_id: str) -> str | None:
        return request.headers.get("X-Staff")

    @hookimpl
    def send_message(
        self, store_id, channel, to, subject, body, headers, sender_name, message_id
    ) -> str | None:
        if channel not in ("email", "sms"):
            return None
        if self.fail:
            raise ConnectionError("provider down")
        with self._lock:
            self.sent.append(
                {
                    "store_id": store_id,
                    "channel": channel,
                    "to": to,
                    "subject": subject,
                    "body": body,
                    "headers": dict(headers),
                    "sender_name": sender_name,
                    "message_id": message_id,
                }
            )
            return f"p-{len(self.sent)}"


@pytest.fixture
def channels() -> Channels:
    return Channels()


@pytest.fixture
def messages_config() -> dict[str, Any]:
    return {
        "SECRET_KEY": "test-secret",
        "CUSTOMERS_PUBLIC_URL": PUBLIC_URL,
        "CUSTOMERS_SMS_SENDER_NAMES": {"a": "ShopA"},
        "CUSTOMERS_REPLY_ADDRESS": "reply+{token}@mail.shop.example",
        "CUSTOMERS_DELIVERY_SIGNING_SECRET": "hook-secret",
        "CUSTOMERS_STORE_NAMES": {"a": "Shop A"},
        "CUSTOMERS_MESSAGE_TEMPLATES": {
            "welcome": {
                "en": {
                    "subject": "Welcome to {store}",
                    "body": "Hi {first_name}, dog: {field:dog}",
                },
                "ar": {"subject": "أهلا {first_name}", "body": "مرحبا {name}"},
            }
        },
    }


@pytest.fixture
def messages_app(make_app: Any, recorder: Any, channels: Channels, messages_config) -> Flask:
    return make_app(
        CUSTOMERS_PLUGINS=[recorder, BearerAuth(), channels],
        CUSTOMERS_DEFAULT_REGION="SA",
        **messages_config,
    )


@pytest.fixture
def staff(messages_app: Flask) -> Staff:
    member = Staff(messages_app)
    member.headers["X-Staff"] = "s1"
    return member


def new_customer(staff: Staff, email: str = "sara@example.sa", **body: Any) -> str:
    return staff.create(email=email, name="Sara Ali", **body)["id"]


def send(staff: Staff, customer_id: str, **body: Any) -> Any:
    """POST a message; a field given as ``None`` is left out."""
    body = {"channel": "email", "purpose": "transactional", "subject": "Hi", "body": "Hello"} | body
    sent = {k: v for k, v in body.items() if v is not None}
    return staff.post(f"/customers/{customer_id}/messages", json=sent)
