"""Taking in one email: find its thread, keep it once, tell the listeners.

The thread is found by its reply token (the address ``…+TOKEN@…`` the reply went to) or by
the ``In-Reply-To``/``References`` ids naming a message the store sent; that is the only way
in. A mail whose thread is not found (or whose customer was erased) is **unmatched** and kept
nowhere: a ``From`` address that matches a customer is not proof of who wrote, so it never
attaches mail to a customer (identity is not a contact match).

A matched mail becomes an inbound message (state ``received``) of the thread, once: its
``Message-ID`` (or, without one, a hash of the raw message) is looked up in the store under the
thread's row lock, so a mail delivered twice, even at the same time, is kept once. Its files
(``CUSTOMERS_INBOUND_FILE_*``) go to the attachment store; the thread's ``unread_count`` goes
up; ``message_received`` is announced after commit.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ...db import after_commit
from ...models import Customer, Message, MessageAttachment, Thread
from ...plugins import has_listeners, notify
from ...types import utcnow
from .. import activity, attachments
from ..notes.files import file_type, safe_filename
from ..snapshots import customer_info
from .parse import MESSAGE_ID_MAX, Mail, MailFile, parse

if TYPE_CHECKING:
    from ...state import CustomersState

STORED, DUPLICATE, UNMATCHED = "stored", "duplicate", "unmatched"
_TOKEN = "([A-Za-z0-9_-]{8,64})"
_PLUS_TOKEN = re.compile(rf"\+{_TOKEN}@")


def token_pattern(reply_address: str | None) -> re.Pattern[str]:
    """What finds a reply token in a recipient: ``CUSTOMERS_REPLY_ADDRESS`` with its
    ``{token}`` as the group (case-insensitive), else any ``…+TOKEN@…``."""
    if not reply_address or "{token}" not in reply_address:
        return _PLUS_TOKEN
    before, _, after = reply_address.partition("{token}")
    return re.compile(f"^{re.escape(before)}{_TOKEN}{re.escape(after)}$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Received:
    """What became of one mail: ``outcome`` (stored, duplicate, unmatched), the message and
    thread it is (none when unmatched), the files kept and those refused by the limits."""

    outcome: str
    message_id: uuid.UUID | None = None
    thread_id: uuid.UUID | None = None
    files: int = 0
    refused_files: int = 0


def receive(state: CustomersState, raw: bytes, *, channel: str = "email") -> Received:
    """Keep ``raw`` (one RFC 5322 message, already bounded) in its thread."""
    mail = parse(raw)
    tokens = token_pattern(state.setting("CUSTOMERS_REPLY_ADDRESS"))
    stored: list[tuple[str, str]] = []  # (store, key) of files kept so far
    try:
        with state.db.transaction() as session:
            thread = _thread_of(session, mail, tokens)
            if thread is None:
                return Received(UNMATCHED)
            external_id = mail.message_id or _content_id(raw)
            known = session.scalar(
                select(Message.id).where(
                    Message.store_id == thread.store_id,
                    Message.direction == "in",
                    Message.external_id == external_id,
                )
            )
            if known is not None:
                return Received(DUPLICATE, known, thread.id)
            return _keep(state, session, thread, mail, external_id, channel, stored)
    except Exception:
        for store_id, key in stored:  # the message was not kept: neither are its files
            attachments.delete_stored(state.pm, store_id, key)
        raise


def _thread_of(session: Session, mail: Mail, pattern: re.Pattern[str]) -> Thread | None:
    """The thread the mail answers, locked; ``None`` when nothing names one (or its customer
    was erased)."""
    tokens = sorted({m.group(1) for address in mail.recipients for m in pattern.finditer(address)})
    thread_id = None
    if tokens:
        thread_id = session.scalar(select(Thread.id).where(Thread.reply_token.in_(tokens)).limit(1))
    if thread_id is None and mail.answers:
        thread_id = session.scalar(
            select(Message.thread_id)
            .where(Message.external_id.in_(mail.answers), Message.direction == "out")
            .order_by(Message.created_at.desc())
            .limit(1)
        )
    if thread_id is None:
        return None
    thread = session.scalar(select(Thread).where(Thread.id == thread_id).with_for_update())
    if thread is None:
        return None
    erased = session.scalar(
        select(Customer.erased_at).where(
            Customer.id == thread.customer_id, Customer.store_id == thread.store_id
        )
    )
    return None if erased is not None else thread


def _content_id(raw: bytes) -> str:
    return f"<sha256-{hashlib.sha256(raw).hexdigest()}@inbound.invalid>"[:MESSAGE_ID_MAX]


def _keep(
    state: CustomersState,
    session: Session,
    thread: Thread,
    mail: Mail,
    external_id: str,
    channel: str,
    stored: list[tuple[str, str]],
) -> Received:
    now = utcnow()
    message = Message(
        store_id=thread.store_id,
        customer_id=thread.customer_id,
        thread_id=thread.id,
        direction="in",
        channel=channel,
        purpose=None,
        address=(mail.sender or "")[:320] or None,
        subject=mail.subject,
        body=mail.text,
        state="received",
        external_id=external_id,
        created_at=now,
    )
    session.add(message)
    session.flush()
    kept, refused = _store_files(state, session, message, mail.files, stored)
    session.execute(
        update(Thread)
        .where(Thread.id == thread.id)
        .values(unread_count=Thread.unread_count + 1, last_message_at=now)
        .execution_options(synchronize_session=False)
    )
    record_received(state, session, message)
    return Received(STORED, message.id, thread.id, kept, refused)


def _store_files(
    state: CustomersState,
    session: Session,
    message: Message,
    files: tuple[MailFile, ...],
    stored: list[tuple[str, str]],
) -> tuple[int, int]:
    """Keep the files within the limits (count, size, type judged by content); the others
    are refused (counted, not kept). Stored files are removed again if the mail rolls back."""
    limit = int(state.setting("CUSTOMERS_INBOUND_FILE_MAX_BYTES"))
    most = int(state.setting("CUSTOMERS_INBOUND_FILE_MAX_COUNT"))
    allowed = set(state.setting("CUSTOMERS_INBOUND_FILE_TYPES"))
    kept = 0
    for item in files:
        content_type = file_type(item.data) if item.data else None
        if kept >= most or len(item.data) > limit or content_type not in allowed:
            continue
        name = safe_filename(item.filename)
        key = attachments.store(state.pm, message.store_id, name, content_type, item.data)
        stored.append((message.store_id, key))
        session.add(
            MessageAttachment(
                store_id=message.store_id,
                customer_id=message.customer_id,
                message_id=message.id,
                key=key,
                filename=name,
                content_type=content_type,
                size=len(item.data),
                created_at=utcnow(),
            )
        )
        kept += 1
    session.flush()
    return kept, len(files) - kept


def record_received(state: CustomersState, session: Session, message: Message) -> None:
    """The activity line of an inbound message and, after commit, ``message_received``."""
    data = {"thread_id": str(message.thread_id), "message_id": str(message.id)}
    activity.record(
        session,
        message.store_id,
        message.customer_id,
        "message_received",
        {**data, "channel": message.channel},
        actor=None,
    )
    if has_listeners(state.pm, "message_received"):
        info = customer_info(session, message.customer_id)
        pm, message_id, channel = state.pm, str(message.id), message.channel
        after_commit(
            session,
            lambda: notify(
                pm, "message_received", customer=info, message_id=message_id, channel=channel
            ),
        )
