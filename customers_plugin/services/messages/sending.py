"""The send job: one queued message handed to its channel, exactly once.

A sender first claims the message (``UPDATE … SET state = 'sending', claimed_at = now WHERE id
= :id AND state = 'queued'``, committed): of two runs of the job, or two workers, only one wins;
the other returns ``not_claimed``. Then it sends, and marks it ``sent`` with the provider's id
(only from ``sending``: a delivery report that came first is kept) or ``failed`` with the
error's kind. A process that dies between claim and send leaves it ``sending``: never sent
twice; the sweep marks it ``failed`` (``interrupted``) after
``CUSTOMERS_MESSAGE_SENDING_TIMEOUT_MINUTES``.

Over the store's rate (claims in the last minute) the job leaves the message ``queued``
(``deferred``); ``send_queued_messages`` (every minute by cron) sends what waits. Consent is
checked again at send time (a customer may unsubscribe while a bulk send waits). A marketing
email carries the unsubscribe link and the RFC 8058 headers; every email names the thread's
reply address when ``CUSTOMERS_REPLY_ADDRESS`` is set. Job arguments and logs carry ids only.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import aliased

from ...failures import kind_of
from ...jobs import job
from ...models import Customer, Message, Thread
from ...types import utcnow
from .. import activity
from ..errors import ServiceError
from . import channels, unsubscribe
from .outgoing import RATE_WINDOW, SEND_JOB, consented, rate_limit

if TYPE_CHECKING:
    from ...state import CustomersState

log = logging.getLogger(__name__)

INTERRUPTED = "interrupted"
QUEUED_BATCH = 500


def _waiting(state: CustomersState, message_id: uuid.UUID, now: dt.datetime) -> Any:
    """The queued message's store, with how many messages the store claimed in the last
    minute (one statement; ``None`` when the message is not queued)."""
    others = aliased(Message)
    claims = (
        select(func.count())
        .where(
            others.store_id == Message.store_id,
            others.direction == "out",
            others.claimed_at > now - RATE_WINDOW,
        )
        .scalar_subquery()
    )
    with state.db.session() as session:
        return session.execute(
            select(Message.store_id, claims.label("claims")).where(
                Message.id == message_id, Message.state == "queued"
            )
        ).first()


def _claim(state: CustomersState, message_id: uuid.UUID, now: dt.datetime) -> Any:
    with state.db.transaction() as session:
        return session.execute(
            update(Message)
            .where(Message.id == message_id, Message.state == "queued")
            .values(state="sending", claimed_at=now)
            .returning(
                Message.store_id,
                Message.customer_id,
                Message.thread_id,
                Message.channel,
                Message.purpose,
                Message.address,
                Message.subject,
                Message.body,
                Message.external_id,
            )
            .execution_options(synchronize_session=False)
        ).first()


def _finish(
    state: CustomersState, claimed: Any, message_id: uuid.UUID, values: dict[str, Any]
) -> None:
    kind = "message_sent" if values.get("state") == "sent" else "message_failed"
    with state.db.transaction() as session:
        changed = session.execute(
            update(Message)
            .where(Message.id == message_id, Message.state == "sending")
            .values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not changed:  # a delivery report came first: keep its state, add what we know
            extra = {k: v for k, v in values.items() if k in ("provider_id", "sent_at")}
            if extra:
                changed = session.execute(
                    update(Message)
                    .where(Message.id == message_id)
                    .values(**extra)
                    .execution_options(synchronize_session=False)
                ).rowcount
        if not changed:
            return  # deleted meanwhile (with its customer, perhaps)
        data = {"message_id": str(message_id), "channel": claimed.channel}
        if values.get("failure_reason"):
            data["reason"] = values["failure_reason"]
        activity.record(session, claimed.store_id, claimed.customer_id, kind, data)


def _may_still_send(state: CustomersState, claimed: Any) -> tuple[bool, str | None]:
    """Whether the customer still consents, and the thread's reply token."""
    with state.db.session() as session:
        found = session.execute(
            select(
                Customer.marketing_consent,
                Customer.sms_consent,
                Customer.erased_at,
                Thread.reply_token,
            )
            .join(Thread, Thread.customer_id == Customer.id)
            .where(Customer.id == claimed.customer_id, Thread.id == claimed.thread_id)
        ).first()
    if found is None or found.erased_at is not None:
        return False, None
    return consented(found, claimed.channel, claimed.purpose or "transactional"), found.reply_token


def _headers_and_body(
    state: CustomersState, claimed: Any, reply_token: str | None
) -> tuple[dict[str, str], str]:
    headers: dict[str, str] = {}
    body = claimed.body
    if claimed.channel != channels.EMAIL:
        return headers, body
    reply = state.setting("CUSTOMERS_REPLY_ADDRESS")
    if reply and reply_token:
        headers["Reply-To"] = reply.replace("{token}", reply_token)
    if claimed.purpose == "marketing":
        link = unsubscribe.link(state, claimed.store_id, claimed.customer_id, claimed.channel)
        headers.update(unsubscribe.headers(link))
        body = unsubscribe.with_footer(state, body, link)
    return headers, body


def deliver(state: CustomersState, message_id: uuid.UUID, now: dt.datetime | None = None) -> str:
    """Send one queued message if this caller can claim it: ``sent``, ``failed``,
    ``deferred`` (over the store's rate: still queued) or ``not_claimed`` (another sender has
    it, or it is not queued)."""
    now = now or utcnow()
    waiting = _waiting(state, message_id, now)
    if waiting is None:
        return "not_claimed"
    limit = rate_limit(state, waiting.store_id)
    if limit is not None and waiting.claims >= limit:
        return "deferred"
    claimed = _claim(state, message_id, now)
    if claimed is None:
        return "not_claimed"
    allowed, reply_token = _may_still_send(state, claimed)
    if not allowed:
        _finish(state, claimed, message_id, {"state": "failed", "failure_reason": "no_consent"})
        return "failed"
    try:
        headers, body = _headers_and_body(state, claimed, reply_token)
        provider_id = channels.send(
            state,
            claimed.store_id,
            claimed.channel,
            claimed.address,
            claimed.subject,
            body,
            headers=headers,
            message_id=claimed.external_id,
        )
    except Exception as exc:
        reason = exc.code if isinstance(exc, ServiceError) else kind_of(exc)
        failed = {"state": "failed", "failure_reason": str(reason)[:500]}
        _finish(state, claimed, message_id, failed)
        log.warning("customers: message %s failed (%s)", message_id, reason)
        return "failed"
    sent = {"state": "sent", "sent_at": utcnow(), "provider_id": provider_id[:255]}
    _finish(state, claimed, message_id, sent)
    return "sent"


def send_queued(state: CustomersState, now: dt.datetime | None = None) -> dict[str, int]:
    """Send what waits in ``queued`` (deferred by the rate, or whose job was lost), oldest
    first; a store over its rate is left for the next run. Counts per outcome."""
    now = now or utcnow()
    with state.db.session() as session:
        waiting = session.execute(
            select(Message.id, Message.store_id)
            .where(Message.state == "queued", Message.direction == "out")
            .order_by(Message.created_at, Message.id)
            .limit(QUEUED_BATCH)
        ).all()
    counts: dict[str, int] = {}
    full: set[str] = set()
    for message_id, store_id in waiting:
        if store_id in full:
            continue
        outcome = deliver(state, message_id, now)
        if outcome == "deferred":
            full.add(store_id)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def sweep_interrupted(state: CustomersState, now: dt.datetime) -> list[uuid.UUID]:
    """Mark ``failed`` (``interrupted``) every message ``sending`` for longer than
    ``CUSTOMERS_MESSAGE_SENDING_TIMEOUT_MINUTES`` (its sender died; it may have gone out, so
    nothing sends it again). Returns their ids."""
    minutes = state.setting("CUSTOMERS_MESSAGE_SENDING_TIMEOUT_MINUTES")
    if minutes is None:
        return []
    cutoff = now - dt.timedelta(minutes=float(minutes))
    with state.db.transaction() as session:
        return list(
            session.scalars(
                update(Message)
                .where(Message.state == "sending", Message.claimed_at < cutoff)
                .values(state="failed", failure_reason=INTERRUPTED)
                .returning(Message.id)
                .execution_options(synchronize_session=False)
            )
        )


@job(SEND_JOB, keep_result=False)
def send_message_job(state: CustomersState, message_id: str) -> str:
    """Job: send one queued message (safe to run twice: one send per message)."""
    return deliver(state, uuid.UUID(message_id))


@job("send_queued_messages")
def send_queued_messages_job(state: CustomersState) -> dict[str, int]:
    """Job (periodic): send the messages still queued (deferred by the rate limit)."""
    return send_queued(state)
