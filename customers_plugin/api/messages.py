"""Messages and threads: send to a customer (``customers.message``; 202, a job sends it), the
customer's threads and one thread (``customers.read``; reading marks it read), delivery reports
(``customers.message`` by our id, or a provider's signed webhook by its id) and the public
one-click unsubscribe link of marketing messages."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from typing import Any

from flask import Response, request
from flask_smorest import Blueprint

from .. import security
from ..i18n import _
from ..schemas.common import PageArgs
from ..schemas.messages import (
    DeliveryIn,
    DeliveryOut,
    MessageIn,
    MessageOut,
    ProviderDeliveryIn,
    ThreadPage,
    ThreadWithMessages,
    UnsubscribeOut,
)
from ..security import require
from ..services import messages
from ..services.errors import NotFound
from ..services.messages import delivery, unsubscribe
from ..services.messages.outgoing import CHANNELS
from ..services.messages.threads import attachments_of, message_data, thread_data
from ..state import get_state
from .common import page_size, scope
from .errors import install
from .openapi import DELIVERY_SIGNATURE, declare_security, html_page

blp = install(Blueprint("messages", __name__, description="Messages to customers, in threads."))

SIGNATURE_HEADER = "X-Customers-Signature"


@blp.route("/customers/<uuid:customer_id>/messages", methods=["POST"])
@require(security.MESSAGE)
@blp.arguments(MessageIn())
@blp.response(202, MessageOut)
@blp.alt_response(409, response="DEFAULT_ERROR", description="No address, consent or sender.")
@blp.alt_response(429, response="DEFAULT_ERROR", description="Over the store's sending rate.")
def send_message(body: dict[str, Any], customer_id: uuid.UUID) -> Any:
    """Queue an email or SMS to the customer, in a new thread or the given one; a job sends
    it (the answer's ``state`` is ``queued``). Marketing goes only to customers subscribed on
    that channel and carries an unsubscribe link; an SMS needs the store's sender name
    (``sms_sender_missing``); over the store's rate the answer is 429 with ``Retry-After``."""
    with scope() as s:
        return message_data(messages.queue(s, customer_id, messages.Draft(**body)), [])


@blp.route("/customers/<uuid:customer_id>/threads", methods=["GET"])
@require(security.READ)
@blp.arguments(PageArgs(), location="query", as_kwargs=True)
@blp.response(200, ThreadPage)
def customer_threads(customer_id: uuid.UUID, **args: Any) -> Any:
    """The customer's threads, the latest message first, each with its unread count (inbound
    messages staff has not read)."""
    with scope(write=False) as s:
        items, next_cursor = messages.threads_page(
            s, customer_id, limit=page_size(args), cursor=args.get("cursor")
        )
    return {"items": items, "next_cursor": next_cursor}


@blp.route("/threads/<uuid:thread_id>", methods=["GET"])
@require(security.READ)
@blp.arguments(PageArgs(), location="query", as_kwargs=True)
@blp.response(200, ThreadWithMessages)
def get_thread(thread_id: uuid.UUID, **args: Any) -> Any:
    """The thread with one page of its messages, oldest first. Staff reading it marks its
    inbound messages read (``unread_count`` becomes 0)."""
    with scope() as s:
        thread = messages.get_thread(s, thread_id)
        messages.mark_read(s, thread)
        page, next_cursor = messages.messages_page(
            s, thread, limit=page_size(args), cursor=args.get("cursor")
        )
        files = attachments_of(s, page)
        return {
            **thread_data(thread),
            "messages": [message_data(m, files[m.id]) for m in page],
            "next_cursor": next_cursor,
        }


@blp.route("/messages/<uuid:message_id>/delivery", methods=["POST"])
@require(security.MESSAGE)
@blp.arguments(DeliveryIn())
@blp.response(200, DeliveryOut)
def report_delivery(body: dict[str, Any], message_id: uuid.UUID) -> Any:
    """Record what the provider says became of an outbound message. States only move forward:
    a report older than the message's state (``sent`` after ``delivered``) changes nothing."""
    with scope() as s:
        message = delivery.by_id(s.session, s.store_id, message_id)
        changed = delivery.apply(s.session, message, body["state"], body.get("reason"))
        return {"id": message.id, "state": message.state, "changed": changed}


def _signed(view: Callable[..., Any]) -> Callable[..., Any]:
    """Check the webhook's signature over the raw body before anything is parsed."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        delivery.verify(
            get_state().setting("CUSTOMERS_DELIVERY_SIGNING_SECRET"),
            request.get_data(cache=True),
            request.headers.get(SIGNATURE_HEADER),
        )
        return view(*args, **kwargs)

    return wrapper


@blp.route("/deliveries/<string(maxlength=16):channel>", methods=["POST"])
@declare_security(DELIVERY_SIGNATURE)
@_signed
@blp.arguments(ProviderDeliveryIn())
@blp.response(200, DeliveryOut)
@blp.alt_response(404, response="DEFAULT_ERROR", description="No message has that provider id.")
def provider_delivery(body: dict[str, Any], channel: str) -> Any:
    """A provider's delivery report webhook, by the provider's message id; the raw body is
    signed with ``CUSTOMERS_DELIVERY_SIGNING_SECRET`` (header ``X-Customers-Signature:
    sha256=<hex HMAC-SHA256>``)."""
    if channel not in CHANNELS:
        raise NotFound(_("no such channel"))
    state = get_state()
    with state.db.transaction() as session:
        message = delivery.by_provider(session, channel, body["provider_id"])
        changed = delivery.apply(session, message, body["state"], body.get("reason"))
        return {"id": message.id, "state": message.state, "changed": changed}


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex">
<title>Unsubscribe</title></head>
<body><main><h1>Unsubscribe</h1><p>{text}</p>{form}</main></body></html>
"""
_FORM = '<form method="post"><button type="submit">Unsubscribe</button></form>'


@blp.route("/unsubscribe/<string(maxlength=512):token>", methods=["GET"])
@declare_security()
@html_page("A small page: the state of the subscription and a button to unsubscribe.")
@blp.alt_response(404, response="DEFAULT_ERROR", description="Not a link this shop signed.")
def unsubscribe_page(token: str) -> Response:
    """The page an unsubscribe link opens: it changes nothing by itself (link checkers follow
    links), its button posts to the same address."""
    state = get_state()
    holder = unsubscribe.read(state, token)
    with state.db.reading() as session:
        subscribed = unsubscribe.subscribed(session, holder)
    if subscribed is None:
        raise NotFound(_("this unsubscribe link is not valid"))
    what = "emails" if holder.channel == "email" else "text messages"
    if subscribed:
        html = _PAGE.format(text=f"Stop receiving marketing {what} from us?", form=_FORM)
    else:
        html = _PAGE.format(text=f"You do not receive marketing {what} from us.", form="")
    response = Response(html, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


@blp.route("/unsubscribe/<string(maxlength=512):token>", methods=["POST"])
@declare_security()
@blp.response(200, UnsubscribeOut)
@blp.alt_response(404, response="DEFAULT_ERROR", description="Not a link this shop signed.")
def unsubscribe_now(token: str) -> Any:
    """One-click unsubscribe (RFC 8058: mail clients post ``List-Unsubscribe=One-Click``; any
    body is ignored). Records the consent history with source ``unsubscribe_link``; a second
    post changes nothing."""
    state = get_state()
    holder = unsubscribe.read(state, token)
    with state.db.transaction() as session:
        unsubscribe.unsubscribe(session, holder)
    return {"channel": holder.channel, "subscribed": False}
