"""The reference SMS plugin (hooks/sms_gateway) against a fake HTTP provider on a local
``http.server`` thread: a queued SMS reaches the provider with the store's sender name, its id
becomes the message's provider id, a provider error fails the message, a slow provider is cut
off by the timeout, and the provider's delivery reports move the message's state."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from customers_plugin.models import Message
from tests.api.conftest import BearerAuth, Staff

from .conftest import send

gateway = pytest.importorskip("customers_sms_gateway")


class FakeProvider:
    """Records each POST and answers ``{"id": "sms-N"}``; ``status`` 500 or ``delay`` seconds
    on demand."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.status = 200
        self.delay = 0.0
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length))
                provider.received.append({"body": body, "auth": self.headers["Authorization"]})
                time.sleep(provider.delay)
                answer = json.dumps({"id": f"sms-{len(provider.received)}"}).encode()
                self.send_response(provider.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def provider() -> Iterator[FakeProvider]:
    fake = FakeProvider()
    yield fake
    fake.close()


@pytest.fixture
def sms_app(make_app, recorder, provider):
    return make_app(
        CUSTOMERS_PLUGINS=[recorder, BearerAuth(), gateway.plugin],
        CUSTOMERS_DEFAULT_REGION="SA",
        CUSTOMERS_SMS_SENDER_NAMES={"a": "ShopA"},
        SMS_GATEWAY_URL=provider.url,
        SMS_GATEWAY_TOKEN="gw-token",
        SMS_GATEWAY_TIMEOUT=0.5,
    )


def _row(app, message_id: str) -> Message:
    with app.extensions["customers"].db.session() as session:
        return session.get(Message, uuid.UUID(message_id))


def _sms(staff: Staff, **body: Any) -> Any:
    cid = staff.create(email="sara@example.sa", phone="+966501234567")["id"]
    return send(staff, cid, channel="sms", subject=None, body="Your table is ready", **body)


def test_an_sms_reaches_the_provider_with_the_sender_name(sms_app, provider):
    response = _sms(Staff(sms_app))
    assert response.status_code == 202, response.json
    [received] = provider.received
    assert received["body"] == {
        "to": "+966501234567",
        "from": "ShopA",
        "text": "Your table is ready",
    }
    assert received["auth"] == "Bearer gw-token"
    row = _row(sms_app, response.json["id"])
    assert (row.state, row.provider_id) == ("sent", "sms-1")


def test_a_provider_error_or_a_slow_provider_fails_the_message(sms_app, provider):
    staff = Staff(sms_app)
    provider.status = 500
    failed = _sms(staff).json
    assert _row(sms_app, failed["id"]).failure_reason == "ProviderError"
    provider.status, provider.delay = 200, 2.0
    slow = send(staff, failed["customer_id"], channel="sms", subject=None, body="x").json
    row = _row(sms_app, slow["id"])
    assert row.state == "failed"
    assert row.failure_reason in ("TimeoutError", "URLError")


def test_the_providers_delivery_reports_move_the_message(sms_app, provider):
    message_id = _sms(Staff(sms_app)).json["id"]
    with sms_app.app_context():
        assert gateway.handle_report({"id": "sms-1", "status": "DELIVRD"}) is True
        assert gateway.handle_report({"id": "sms-1", "status": "ACCEPTD"}) is False  # late
        assert gateway.handle_report({"id": "nobody", "status": "DELIVRD"}) is False
        assert gateway.handle_report({"id": "sms-1", "status": "???"}) is False
    assert _row(sms_app, message_id).state == "delivered"


def test_without_a_provider_url_the_plugin_lets_the_channel_be_unavailable(make_app, recorder):
    app = make_app(
        CUSTOMERS_PLUGINS=[recorder, BearerAuth(), gateway.plugin],
        CUSTOMERS_SMS_SENDER_NAMES={"a": "ShopA"},
        CUSTOMERS_DEFAULT_REGION="SA",
    )
    response = _sms(Staff(app))
    assert _row(app, response.json["id"]).failure_reason == "channel_unavailable"
