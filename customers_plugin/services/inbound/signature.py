"""The signature of an inbound email delivery: ``X-Customers-Timestamp`` (Unix seconds) and
``X-Customers-Signature: sha256=<hex>``, the HMAC-SHA256 under ``CUSTOMERS_INBOUND_SECRET`` of
``<timestamp>.`` followed by the raw body. A timestamp further than
``CUSTOMERS_INBOUND_TOLERANCE_SECONDS`` from now is refused, so a captured delivery cannot be
replayed later (and a replay within the window is a duplicate, kept once)."""

from __future__ import annotations

import hashlib
import hmac
import re
import time

from ...i18n import _
from ..errors import Unauthenticated

TIMESTAMP_HEADER = "X-Customers-Timestamp"
SIGNATURE_HEADER = "X-Customers-Signature"
PREFIX = "sha256="
_TIMESTAMP = re.compile(r"^[0-9]{1,12}$")


class BadSignature(Unauthenticated):
    """The delivery is not signed with the configured secret, or was signed too long ago."""

    code = "invalid_signature"


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The ``X-Customers-Signature`` value of ``body`` sent at ``timestamp``."""
    signed = str(timestamp).encode() + b"." + body
    return PREFIX + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def check_time(timestamp: str | None, tolerance: int, now: float | None = None) -> int:
    """The delivery's timestamp, when it is within ``tolerance`` seconds of now.

    :raises BadSignature: missing, malformed or outside the window.
    """
    if not timestamp or not _TIMESTAMP.match(timestamp):
        raise BadSignature(_("the delivery has no valid {header} header", header=TIMESTAMP_HEADER))
    value = int(timestamp)
    if abs((time.time() if now is None else now) - value) > tolerance:
        raise BadSignature(_("the delivery was signed too long ago (or in the future)"))
    return value


def verify(secret: str, body: bytes, timestamp: int, signature: str | None) -> None:
    """:raises BadSignature: ``signature`` is not ``sign(secret, body, timestamp)``."""
    expected = sign(secret, body, timestamp)
    if not signature or not hmac.compare_digest(expected, signature.strip().lower()):
        raise BadSignature(_("the delivery is not signed with the inbound secret"))
