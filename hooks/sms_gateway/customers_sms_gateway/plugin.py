"""The ``sms`` channel over an HTTP provider, and the provider's delivery reports.

Settings, read from the app's config: ``SMS_GATEWAY_URL`` (the provider's send endpoint;
unset: the plugin sends nothing and lets another channel answer), ``SMS_GATEWAY_TOKEN`` (sent
as ``Authorization: Bearer``) and ``SMS_GATEWAY_TIMEOUT`` (seconds, default 10).

The provider's contract: ``POST {"to": "+9665…", "from": "<sender name>", "text": "…"}`` as
JSON answers ``{"id": "<message id>"}``; its delivery reports carry that id and a status
(``DELIVRD``, ``UNDELIV``, ``REJECTD``, ``EXPIRED``, ``ACCEPTD``), which ``handle_report`` maps
to the module's states. A provider error raises: the module marks the message ``failed`` with
the error's kind. Nothing is logged with a number or a text.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any

from customers_plugin import get_state, hookimpl, report_delivery

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 10.0
MAX_ANSWER_BYTES = 64 * 1024
# the provider's statuses -> the module's delivery states
STATUSES = {
    "ACCEPTD": "sent",
    "DELIVRD": "delivered",
    "UNDELIV": "failed",
    "EXPIRED": "failed",
    "REJECTD": "bounced",
}


class ProviderError(Exception):
    """The provider refused the message (an HTTP error) or answered without a message id."""


class SmsGateway:
    """Registered under the entry-point name ``sms_gateway``."""

    @hookimpl
    def send_message(
        self, store_id: str, channel: str, to: str, body: str, sender_name: str | None
    ) -> str | None:
        if channel != "sms":
            return None
        config = get_state().config
        url = config.get("SMS_GATEWAY_URL")
        if not url:
            return None
        payload = json.dumps({"to": to, "from": sender_name, "text": body}).encode()
        request = urllib.request.Request(url, data=payload, method="POST")
        request.add_header("Content-Type", "application/json")
        if config.get("SMS_GATEWAY_TOKEN"):
            request.add_header("Authorization", f"Bearer {config['SMS_GATEWAY_TOKEN']}")
        timeout = float(config.get("SMS_GATEWAY_TIMEOUT") or DEFAULT_TIMEOUT)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                data = json.loads(answer.read(MAX_ANSWER_BYTES) or b"{}")
        except urllib.error.HTTPError as exc:
            exc.close()
            raise ProviderError(f"the SMS provider answered HTTP {exc.code}") from None
        message_id = data.get("id") if isinstance(data, dict) else None
        if not isinstance(message_id, str) or not message_id:
            raise ProviderError("the SMS provider answered without a message id")
        log.info("sms gateway: message sent for store %s", store_id)
        return message_id


def handle_report(report: Mapping[str, Any]) -> bool:
    """Apply one delivery report of the provider (``{"id": …, "status": …, "error": …}``) in the
    current app's context; returns whether the message's state moved. An unknown status or
    message id is ignored (``False``): providers resend what they are not acknowledged."""
    state = STATUSES.get(str(report.get("status", "")).upper())
    message_id = report.get("id")
    if state is None or not isinstance(message_id, str):
        return False
    reason = report.get("error")
    try:
        return report_delivery(
            "sms", message_id, state, str(reason)[:200] if reason is not None else None
        )
    except LookupError:
        return False


plugin = SmsGateway()
