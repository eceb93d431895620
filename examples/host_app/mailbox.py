"""The demo's outbox channel: without SMTP settings the example host still "sends" email and
SMS, into an in-memory list of the last ``KEEP`` messages shown as JSON at ``/demo/outbox``.

A real host configures ``CUSTOMERS_SMTP_*`` (email) and installs an SMS provider plugin (see
hooks/sms_gateway); this channel is registered last, so either of them wins.
"""

from __future__ import annotations

import itertools
from collections import deque
from typing import Any

from flask import Blueprint, current_app, jsonify

from customers_plugin import hookimpl

KEEP = 50
bp = Blueprint("demo_outbox", __name__)


class DemoOutbox:
    """Keeps what it is given; answers ``demo-N`` as the provider's message id."""

    def __init__(self) -> None:
        self.messages: deque[dict[str, Any]] = deque(maxlen=KEEP)
        self._ids = itertools.count(1)

    @hookimpl(trylast=True)
    def send_message(
        self, store_id, channel, to, subject, body, headers, sender_name, message_id
    ) -> str | None:
        if channel not in ("email", "sms"):
            return None
        provider_id = f"demo-{next(self._ids)}"
        self.messages.append(
            {
                "id": provider_id,
                "store_id": store_id,
                "channel": channel,
                "to": to,
                "from": sender_name,
                "subject": subject,
                "headers": dict(headers),
                "body": body,
            }
        )
        return provider_id


@bp.get("/demo/outbox")
def outbox() -> Any:
    """What the demo "sent", newest first."""
    return jsonify(list(reversed(current_app.extensions["host_app_outbox"].messages)))
