"""Delivery reports: what the provider says became of a message it took (``delivered``,
``failed``, ``bounced``, or ``sent`` again).

States only move forward (queued < sending < sent < delivered = failed < bounced): a late or
repeated report never overwrites a later state (a ``sent`` after ``delivered`` changes
nothing), so reports may arrive in any order and twice. Reports come from the admin endpoint
(by our message id), a provider's signed webhook (by the provider's id, ``verify`` checks its
HMAC-SHA256 signature with ``CUSTOMERS_DELIVERY_SIGNING_SECRET``) or a plugin calling
``customers_plugin.report_delivery``. Inbound messages take no reports.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from typing import Any

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from ...i18n import _
from ...models import Message
from ...types import utcnow
from .. import activity
from ..errors import NotFound, Unauthenticated

REPORTED_STATES = ("sent", "delivered", "failed", "bounced")
RANK = {"queued": 0, "sending": 1, "sent": 2, "delivered": 3, "failed": 3, "bounced": 4}
REASON_MAX = 500
SIGNATURE_PREFIX = "sha256="


class BadSignature(Unauthenticated):
    """A webhook whose signature does not match the configured secret (or none is set)."""

    code = "bad_signature"


def verify(secret: str | None, body: bytes, signature: str | None) -> None:
    """Check ``signature`` (``sha256=<hex HMAC-SHA256 of the raw body>``).

    :raises BadSignature: no secret configured, no signature, or a wrong one.
    """
    if not secret or not signature or not signature.startswith(SIGNATURE_PREFIX):
        raise BadSignature(_("the delivery report is not signed with the shop's secret"))
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature[len(SIGNATURE_PREFIX) :].strip().lower()):
        raise BadSignature(_("the delivery report is not signed with the shop's secret"))


def sign(secret: str, body: bytes) -> str:
    """The signature a provider (or a test) puts in the header."""
    return SIGNATURE_PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _rank(column: Any) -> Any:
    return case(RANK, value=column, else_=99)


def apply(session: Session, message: Message, new_state: str, reason: str | None = None) -> bool:
    """Move ``message`` to ``new_state`` if that is forward; whether it moved."""
    if new_state not in REPORTED_STATES:
        raise ValueError(f"unknown delivery state {new_state!r}")
    now = utcnow()
    values: dict[str, Any] = {"state": new_state}
    if new_state == "delivered":
        values["delivered_at"] = now
    if new_state in ("failed", "bounced"):
        values["failure_reason"] = (reason or new_state)[:REASON_MAX]
    if new_state == "sent":
        values["sent_at"] = func.coalesce(Message.sent_at, now)
    moved = session.execute(
        update(Message)
        .where(
            Message.id == message.id,
            Message.direction == "out",
            _rank(Message.state) < RANK[new_state],
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved:
        activity.record(
            session,
            message.store_id,
            message.customer_id,
            f"message_{new_state}",
            {"message_id": str(message.id), "channel": message.channel},
        )
        session.refresh(message)
    return bool(moved)


def by_id(session: Session, store_id: str, message_id: uuid.UUID) -> Message:
    """:raises NotFound: no outbound message with that id in this store."""
    message = session.scalar(
        select(Message).where(
            Message.id == message_id, Message.store_id == store_id, Message.direction == "out"
        )
    )
    if message is None:
        raise NotFound(_("no such message"))
    return message


def by_provider(session: Session, channel: str, provider_id: str) -> Message:
    """:raises NotFound: no outbound message the provider knows by that id on that channel."""
    message = session.scalar(
        select(Message)
        .where(
            Message.provider_id == provider_id,
            Message.channel == channel,
            Message.direction == "out",
        )
        .order_by(Message.created_at.desc())
        .limit(1)
    )
    if message is None:
        raise NotFound(_("no message has that provider id"))
    return message


def report(
    state: Any, channel: str, provider_id: str, new_state: str, reason: str | None = None
) -> bool:
    """Apply a provider's report about the message it knows as ``provider_id``.

    :raises NotFound: no such message.
    """
    with state.db.transaction() as session:
        return apply(session, by_provider(session, channel, provider_id), new_state, reason)


def report_delivery(channel: str, provider_id: str, state: str, reason: str | None = None) -> bool:
    """For channel plugins: tell the plugin what became of a message your ``send_message``
    returned ``provider_id`` for (``state``: sent, delivered, failed or bounced; ``reason``
    short and free of personal data). Runs in the current app's context; returns whether the
    message's state moved (a report older than the state it has changes nothing).

    :raises LookupError: no message has that provider id on that channel.
    :raises ValueError: an unknown state.
    """
    from ...state import get_state

    try:
        return report(get_state(), channel, provider_id, state, reason)
    except NotFound as exc:
        raise LookupError(str(exc)) from None
