"""Reading threads: a customer's threads (most recent first, with their unread counts) and one
thread's messages (oldest first). Reading a thread as staff marks its inbound messages read and
its ``unread_count`` zero, in one conditional UPDATE each (reading twice changes nothing)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select, update

from ...i18n import _
from ...models import Message, MessageAttachment, Thread
from ...types import utcnow
from ..errors import NotFound
from ..keyset import SortKey, model_page
from ..scope import Scope
from ..tasks.manage import require_customer

_THREAD_KEYS = {"last_message_at": SortKey("last_message_at", Thread.last_message_at, "datetime")}
_MESSAGE_KEYS = {"created_at": SortKey("created_at", Message.created_at, "datetime")}


def threads_page(
    s: Scope, customer_id: uuid.UUID, *, limit: int, cursor: str | None
) -> tuple[list[Thread], str | None]:
    """One page of the customer's threads, the latest message first.

    :raises NotFound: not a customer of this store.
    """
    require_customer(s, customer_id)
    where = [Thread.store_id == s.store_id, Thread.customer_id == customer_id]
    return model_page(s.session, Thread, _THREAD_KEYS, "-last_message_at", where, limit, cursor)


def get_thread(s: Scope, thread_id: uuid.UUID) -> Thread:
    """:raises NotFound: no such thread in this store."""
    thread = s.session.scalar(
        select(Thread).where(Thread.id == thread_id, Thread.store_id == s.store_id)
    )
    if thread is None:
        raise NotFound(_("no such thread"))
    return thread


def mark_read(s: Scope, thread: Thread) -> None:
    """Staff read the thread: its inbound messages are read, its unread count zero."""
    if not thread.unread_count:
        return
    s.session.execute(
        update(Message)
        .where(
            Message.thread_id == thread.id,
            Message.direction == "in",
            Message.read_at.is_(None),
        )
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    s.session.execute(
        update(Thread)
        .where(Thread.id == thread.id, Thread.store_id == s.store_id)
        .values(unread_count=0)
        .execution_options(synchronize_session=False)
    )
    s.session.refresh(thread)


def messages_page(
    s: Scope, thread: Thread, *, limit: int, cursor: str | None
) -> tuple[list[Message], str | None]:
    """One page of the thread's messages, oldest first."""
    where = [Message.store_id == s.store_id, Message.thread_id == thread.id]
    return model_page(s.session, Message, _MESSAGE_KEYS, "created_at", where, limit, cursor)


def attachments_of(s: Scope, messages: list[Message]) -> dict[uuid.UUID, list[MessageAttachment]]:
    """The files of these messages, by message id."""
    found: dict[uuid.UUID, list[MessageAttachment]] = {m.id: [] for m in messages}
    if not messages:
        return found
    rows = s.session.scalars(
        select(MessageAttachment)
        .where(
            MessageAttachment.store_id == s.store_id,
            MessageAttachment.message_id.in_(list(found)),
        )
        .order_by(MessageAttachment.created_at, MessageAttachment.id)
    )
    for row in rows:
        found[row.message_id].append(row)
    return found


def get_message(s: Scope, message_id: uuid.UUID) -> Message:
    """:raises NotFound: no such message in this store."""
    message = s.session.scalar(
        select(Message).where(Message.id == message_id, Message.store_id == s.store_id)
    )
    if message is None:
        raise NotFound(_("no such message"))
    return message


def attachment_keys(s: Scope, customer_ids: list[uuid.UUID]) -> list[str]:
    """The attachment keys of these customers' message files (to delete after their rows go)."""
    if not customer_ids:
        return []
    return list(
        s.session.scalars(
            select(MessageAttachment.key).where(
                MessageAttachment.store_id == s.store_id,
                MessageAttachment.customer_id.in_(customer_ids),
            )
        )
    )


def export_threads(s: Scope, customer_id: uuid.UUID) -> list[dict[str, Any]]:
    """Every thread of the customer for their data export, oldest first, each with all its
    messages (oldest first) and the names of their files."""
    mine = {"store_id": s.store_id, "customer_id": customer_id}
    threads = list(
        s.session.scalars(select(Thread).filter_by(**mine).order_by(Thread.created_at, Thread.id))
    )
    every = list(
        s.session.scalars(
            select(Message).filter_by(**mine).order_by(Message.created_at, Message.id)
        )
    )
    files = attachments_of(s, every)
    by_thread: dict[uuid.UUID, list[dict[str, Any]]] = {t.id: [] for t in threads}
    for message in every:
        by_thread[message.thread_id].append(message_data(message, files[message.id]))
    return [{**thread_data(t), "messages": by_thread[t.id]} for t in threads]


_MESSAGE_COLUMNS = (
    "id", "customer_id", "thread_id", "direction", "channel", "purpose", "subject", "body",
    "template", "state", "failure_reason", "sent_by", "created_at", "sent_at", "delivered_at",
    "read_at",
)  # fmt: skip
_THREAD_COLUMNS = (
    "id", "customer_id", "subject", "channel", "origin", "unread_count", "last_message_at",
    "created_at",
)  # fmt: skip


def message_data(message: Message, files: list[MessageAttachment]) -> dict[str, Any]:
    """A message as the API answers it, with its files."""
    return {**{c: getattr(message, c) for c in _MESSAGE_COLUMNS}, "attachments": files}


def thread_data(thread: Thread) -> dict[str, Any]:
    return {c: getattr(thread, c) for c in _THREAD_COLUMNS}
