"""Fixtures of the task tests: a host that authorises like the API tests (``Bearer
<store>:<perms>``), says who the staff member is (``X-Staff: <id>``), lists its staff (ids
``s1``, ``s2`` with emails; ``s3`` without) and records every message ``send_message`` gets."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from flask import Flask

from customers_plugin import hookimpl
from tests.api.conftest import BearerAuth, Staff

STAFF = {
    "a": [
        {"id": "s1", "name": "Huda", "email": "huda@shop.example"},
        {"id": "s2", "name": "Omar", "email": "omar@shop.example"},
        {"id": "s3", "name": "Noor"},
    ],
    "b": [{"id": "b1", "name": "Lina", "email": "lina@other.example"}],
}


class StaffHost:
    """The host's staff: who asks, who can be assigned, and an email channel that records."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.lists_staff = True
        self.fail = 0
        self.delay = 0.0
        self._lock = threading.Lock()

    @hookimpl
    def current_staff(self, request: Any, store_id: str) -> str | None:
        return request.headers.get("X-Staff")

    @hookimpl
    def list_staff(self, store_id: str) -> Any:
        return STAFF.get(store_id, []) if self.lists_staff else None

    @hookimpl
    def send_message(
        self, store_id: str, channel: str, to: str, subject: str | None, body: str
    ) -> str | None:
        if channel != "email":
            return None
        time.sleep(self.delay)
        with self._lock:
            if self.fail:
                self.fail -= 1
                raise ConnectionError("provider down")
            self.sent.append({"store_id": store_id, "to": to, "subject": subject, "body": body})
            return f"m{len(self.sent)}"


class Clerk(Staff):
    """A staff client that also says who it is (``X-Staff``)."""

    def __init__(self, app: Flask, store: str = "a", perms: str = "*", who: str | None = "s1"):
        super().__init__(app, store, perms)
        if who is not None:
            self.headers["X-Staff"] = who


@pytest.fixture
def staff_host() -> StaffHost:
    return StaffHost()


@pytest.fixture
def tasks_app(make_app: Any, recorder: Any, staff_host: StaffHost) -> Flask:
    return make_app(
        CUSTOMERS_PLUGINS=[recorder, BearerAuth(), staff_host],
        CUSTOMERS_TIMEZONE="Asia/Riyadh",
    )


@pytest.fixture
def clerk(tasks_app: Flask) -> Clerk:
    return Clerk(tasks_app)


def new_customer(clerk: Staff, email: str = "sara@example.sa") -> str:
    return clerk.create(email=email, name="Sara")["id"]


def new_task(clerk: Staff, customer_id: str, **body: Any) -> dict[str, Any]:
    body = {"title": "Call back", "due_at": "2030-01-05T10:00:00", **body}
    response = clerk.post(f"/customers/{customer_id}/tasks", json=body)
    assert response.status_code == 201, response.json
    return response.json
