"""Messages to and from customers, in threads: ``channels`` (the one way to send, through the
``send_message`` hook, and the SMS sender-name contract), ``smtp`` (the built-in email
channel), ``compose`` (templates and placeholders), ``outgoing`` (queueing one message or many,
consent, rate limit), ``sending`` (the exactly-once send job), ``delivery`` (delivery reports),
``unsubscribe`` (signed one-click unsubscribe links) and ``threads`` (reading threads, unread
counts)."""

from .channels import ChannelUnavailable, SmsSenderMissing, send
from .delivery import report_delivery
from .outgoing import Draft, queue, queue_many
from .sending import deliver, send_queued
from .threads import get_message, get_thread, mark_read, messages_page, threads_page

__all__ = [
    "ChannelUnavailable",
    "Draft",
    "SmsSenderMissing",
    "deliver",
    "get_message",
    "get_thread",
    "mark_read",
    "messages_page",
    "queue",
    "queue_many",
    "report_delivery",
    "send",
    "send_queued",
    "threads_page",
]
