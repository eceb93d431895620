"""Queueing a message to a customer: the checks (address, consent per channel, the store's SMS
sender name, the sending rate), the thread it joins or starts, the text (``compose``) and the
send job, recorded in the same transaction (outbox).

Consent: a ``marketing`` message goes only to a customer subscribed on that channel (email:
``marketing_consent``; SMS: ``sms_consent``); a ``transactional`` one always. The rate limit
(``CUSTOMERS_MESSAGE_RATE_PER_MINUTE``, per store) refuses a single send over it
(``RateLimited``, 429 with ``Retry-After``); a bulk send queues every message and the send job
defers what is over the rate (``sending``). The job's only argument is the message id.
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import make_msgid
from typing import Any

from sqlalchemy import func, select

from ... import security
from ...config import per_store
from ...i18n import _
from ...models import Customer, Message, Thread
from ...types import utcnow
from .. import activity, bulk, fields
from ..errors import Conflict, NotFound, ServiceError, TooMany, invalid
from ..scope import Scope
from . import channels, unsubscribe
from .compose import compose

CHANNELS = (channels.EMAIL, channels.SMS)
PURPOSES = ("marketing", "transactional")
SUBJECT_MAX = 255
BODY_MAX = {channels.EMAIL: 50_000, channels.SMS: 1_600}
RATE_WINDOW = dt.timedelta(minutes=1)
SEND_JOB = "send_message"


class NoAddress(Conflict):
    """The customer has no address on the channel."""

    code = "no_address"


class NoConsent(Conflict):
    """A marketing message to a customer not subscribed on that channel."""

    code = "no_consent"


class RateLimited(TooMany):
    """The store queued as many messages as its rate allows this minute."""


@dataclass(frozen=True, slots=True)
class Draft:
    """What the sender asks for; ``subject``/``body`` may hold placeholders (``compose``)."""

    channel: str
    purpose: str
    body: str | None = None
    subject: str | None = None
    template: str | None = None
    thread_id: uuid.UUID | None = None


def address_of(customer: Customer, channel: str) -> str | None:
    return customer.email if channel == channels.EMAIL else customer.phone


def consented(customer: Any, channel: str, purpose: str) -> bool:
    """Whether the customer (anything with ``marketing_consent`` and ``sms_consent``) may get a
    message of ``purpose`` on ``channel``."""
    if purpose != "marketing":
        return True
    status = customer.marketing_consent if channel == channels.EMAIL else customer.sms_consent
    return status == "subscribed"


def rate_limit(state: Any, store_id: str) -> int | None:
    """Messages per minute the store may send (``None``: no limit)."""
    value = per_store(state.setting("CUSTOMERS_MESSAGE_RATE_PER_MINUTE"), store_id)
    return None if value is None else int(value)


def check_rate(s: Scope, now: dt.datetime) -> None:
    """:raises RateLimited: the store queued its rate of messages in the last minute."""
    limit = rate_limit(s.state, s.store_id)
    if limit is None:
        return
    since = now - RATE_WINDOW
    count, oldest = s.session.execute(
        select(func.count(), func.min(Message.created_at)).where(
            Message.store_id == s.store_id,
            Message.direction == "out",
            Message.created_at > since,
        )
    ).one()
    if count >= limit:
        wait = max(1, math.ceil((oldest + RATE_WINDOW - now).total_seconds()))
        raise RateLimited(
            _("this store may send {limit} messages a minute; try again later", limit=limit),
            retry_after=wait,
        )


def queue(s: Scope, customer_id: uuid.UUID, draft: Draft) -> Message:
    """One message to one customer, ``queued``; its send job runs after commit.

    :raises NotFound: no such customer (or thread of theirs) in this store.
    :raises SmsSenderMissing: an SMS from a store without a sender name.
    :raises NoAddress: / :raises NoConsent: the customer cannot get it.
    :raises RateLimited: over the store's rate.
    :raises Invalid: an unknown template or placeholder, a subject missing or not allowed.
    """
    customer = _customer(s, customer_id)
    _check_sender(s, draft)
    problem = _unreachable(customer, draft)
    if problem is not None:
        raise problem
    now = utcnow()
    check_rate(s, now)
    thread = _thread(s, customer, draft, origin="card", now=now)
    message = _add(s, customer, thread, draft, now)
    return message


def queue_many(s: Scope, customer_ids: Sequence[uuid.UUID], draft: Draft) -> int:
    """The same message to each customer that can get it, each in a thread of its own (origin
    ``bulk``), queued; those without an address or consent are skipped. Returns how many were
    queued. Over the rate, the send job defers them (``sending``).

    :raises SmsSenderMissing: an SMS from a store without a sender name.
    :raises Invalid: an unknown template or placeholder, a subject missing or not allowed.
    """
    _check_sender(s, draft)
    queued = 0
    now = utcnow()
    for start in range(0, len(customer_ids), 500):
        chunk = list(customer_ids[start : start + 500])
        found = s.session.scalars(
            select(Customer).where(
                Customer.store_id == s.store_id,
                Customer.id.in_(chunk),
                Customer.erased_at.is_(None),
            )
        )
        for customer in found:
            if _unreachable(customer, draft) is not None:
                continue
            thread = _thread(s, customer, draft, origin="bulk", now=now)
            _add(s, customer, thread, draft, now)
            queued += 1
    return queued


def _check_sender(s: Scope, draft: Draft) -> None:
    channels.sender_name(s.state, s.store_id, draft.channel)
    if draft.purpose == "marketing" and draft.channel == channels.EMAIL:
        unsubscribe.check_configured(s.state)


def _customer(s: Scope, customer_id: uuid.UUID) -> Customer:
    customer = s.session.scalar(
        select(Customer).where(
            Customer.id == customer_id,
            Customer.store_id == s.store_id,
            Customer.erased_at.is_(None),
        )
    )
    if customer is None:
        raise NotFound(_("no such customer"))
    return customer


def _unreachable(customer: Customer, draft: Draft) -> ServiceError | None:
    if not address_of(customer, draft.channel):
        return NoAddress(
            _("the customer has no address on the {channel} channel", channel=draft.channel)
        )
    if not consented(customer, draft.channel, draft.purpose):
        return NoConsent(
            _(
                "the customer is not subscribed to marketing on the {channel} channel",
                channel=draft.channel,
            )
        )
    return None


def new_reply_token() -> str:
    """A random token for the thread's reply address (``reply+TOKEN@domain``)."""
    return secrets.token_hex(16)


def _thread(s: Scope, customer: Customer, draft: Draft, *, origin: str, now: dt.datetime) -> Thread:
    if draft.thread_id is not None:
        thread = s.session.scalar(
            select(Thread)
            .where(
                Thread.id == draft.thread_id,
                Thread.store_id == s.store_id,
                Thread.customer_id == customer.id,
            )
            .with_for_update()
        )
        if thread is None:
            raise NotFound(_("no such thread of this customer"))
        thread.last_message_at = now
        return thread
    thread = Thread(
        store_id=s.store_id,
        customer_id=customer.id,
        subject=None,
        channel=draft.channel,
        reply_token=new_reply_token(),
        origin=origin,
        unread_count=0,
        last_message_at=now,
        created_at=now,
    )
    s.session.add(thread)
    return thread


def _add(s: Scope, customer: Customer, thread: Thread, draft: Draft, now: dt.datetime) -> Message:
    text = compose(
        s.state,
        s.store_id,
        customer_name=customer.name,
        language=customer.language,
        custom=fields.values_of(s.session, customer.id) if _uses_fields(draft) else {},
        subject=draft.subject,
        body=draft.body,
        template=draft.template,
    )
    subject = text.subject.strip() if text.subject else None
    if draft.channel == channels.EMAIL and not subject:
        raise invalid("subject", _("an email needs a subject"))
    if draft.channel != channels.EMAIL and subject:
        raise invalid(
            "subject", _("a message on the {channel} channel has no subject", channel=draft.channel)
        )
    if subject is not None and len(subject) > SUBJECT_MAX:
        raise invalid(
            "subject", _("at most {max} characters with placeholders filled", max=SUBJECT_MAX)
        )
    if len(text.body) > BODY_MAX[draft.channel]:
        raise invalid(
            "body",
            _("at most {max} characters with placeholders filled", max=BODY_MAX[draft.channel]),
        )
    if thread.subject is None and subject:
        thread.subject = subject
    s.session.flush()
    message = Message(
        store_id=s.store_id,
        customer_id=customer.id,
        thread_id=thread.id,
        direction="out",
        channel=draft.channel,
        purpose=draft.purpose,
        address=address_of(customer, draft.channel),
        subject=subject,
        body=text.body,
        template=draft.template,
        state="queued",
        external_id=_message_id(s.state) if draft.channel == channels.EMAIL else None,
        sent_by=None if s.actor == "admin" else s.actor,
        created_at=now,
    )
    s.session.add(message)
    s.session.flush()
    activity.record(
        s.session,
        s.store_id,
        customer.id,
        "message_queued",
        {"message_id": str(message.id), "channel": draft.channel},
        actor=s.actor,
    )
    s.state.jobs.enqueue_after_commit(
        s.session,
        SEND_JOB,
        str(message.id),
        job_id=f"send-message-{message.id}",
        store_id=s.store_id,
    )
    return message


def _uses_fields(draft: Draft) -> bool:
    if draft.template is not None:
        return True
    return "{field:" in (draft.body or "") or "{field:" in (draft.subject or "")


def _message_id(state: Any) -> str:
    sender = state.setting("CUSTOMERS_SMTP_SENDER") or ""
    return make_msgid(domain=sender.rpartition("@")[2] or "customers.localhost")


def _bulk_message(s: Scope, ids: Sequence[uuid.UUID], params: dict[str, Any]) -> int:
    """The bulk action ``message``: queue ``params["message"]`` to each customer that can get
    it; returns how many were queued (the others are skipped: matched minus changed)."""
    m = params["message"]
    draft = Draft(
        channel=m["channel"],
        purpose=m["purpose"],
        body=m.get("body"),
        subject=m.get("subject"),
        template=m.get("template"),
    )
    return queue_many(s, ids, draft)


bulk.register_action(bulk.BulkAction("message", security.MESSAGE, _bulk_message, ("message",)))
