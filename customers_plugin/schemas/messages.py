"""Bodies and answers of messages and threads: a message to send (one customer, or many by the
bulk action ``message``), a message and a thread as answered, the pages, a delivery report and
the unsubscribe answer."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from ..i18n import _
from ..models import MESSAGE_STATES, THREAD_ORIGINS
from ..services.messages.delivery import REASON_MAX, REPORTED_STATES
from ..services.messages.outgoing import BODY_MAX, CHANNELS, PURPOSES, SUBJECT_MAX
from .common import Body, Text, UTCDateTime

TEMPLATE_NAME = r"^[A-Za-z0-9_.-]{1,64}$"
PROVIDER_ID_MAX = 255


class MessageText(Body):
    """What one message says: a body (placeholders ``{name}``, ``{first_name}``, ``{store}``,
    ``{field:KEY}``; ``{{``/``}}`` for braces) and for email a subject, or a template whose
    version in the customer's language gives them."""

    OPENAPI = {"anyOf": [{"required": ["body"]}, {"required": ["template"]}]}

    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    purpose = fields.String(
        required=True,
        validate=validate.OneOf(PURPOSES),
        metadata={
            "description": "marketing: only to customers subscribed on the channel, with an "
            "unsubscribe link; transactional: always."
        },
    )
    subject = Text(
        max_length=SUBJECT_MAX,
        validate=[validate.Length(min=1)],
        metadata={"description": "Email only (required there unless the template has one)."},
    )
    body = Text(
        max_length=max(BODY_MAX.values()),
        strip=False,
        validate=[validate.Length(min=1)],
        metadata={
            "description": f"At most {BODY_MAX['email']} characters for email, "
            f"{BODY_MAX['sms']} for SMS (placeholders filled)."
        },
    )
    template = Text(
        max_length=64,
        validate=[validate.Regexp(TEMPLATE_NAME)],
        metadata={"description": "A name of CUSTOMERS_MESSAGE_TEMPLATES."},
    )

    @ma.validates_schema
    def _some_text(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if "body" not in data and "template" not in data:
            raise ma.ValidationError(_("give a body or a template"), field_name="body")


class MessageIn(MessageText):
    thread_id = fields.UUID(
        metadata={"description": "Reply in this thread of the customer (else a new thread)."}
    )


class AttachmentOut(ma.Schema):
    id = fields.UUID(required=True)
    filename = fields.String(required=True)
    content_type = fields.String(required=True)
    size = fields.Integer(required=True)


class MessageOut(ma.Schema):
    id = fields.UUID(required=True)
    customer_id = fields.UUID(required=True)
    thread_id = fields.UUID(required=True)
    direction = fields.String(required=True, validate=validate.OneOf(("in", "out")))
    channel = fields.String(required=True)
    purpose = fields.String(allow_none=True, validate=validate.OneOf(PURPOSES))
    subject = fields.String(allow_none=True)
    body = fields.String(required=True)
    template = fields.String(allow_none=True)
    state = fields.String(required=True, validate=validate.OneOf(MESSAGE_STATES))
    failure_reason = fields.String(allow_none=True)
    sent_by = fields.String(allow_none=True)
    created_at = UTCDateTime(required=True)
    sent_at = UTCDateTime(allow_none=True)
    delivered_at = UTCDateTime(allow_none=True)
    read_at = UTCDateTime(allow_none=True)
    attachments = fields.List(fields.Nested(AttachmentOut), dump_default=list)


class ThreadOut(ma.Schema):
    id = fields.UUID(required=True)
    customer_id = fields.UUID(required=True)
    subject = fields.String(allow_none=True)
    channel = fields.String(required=True)
    origin = fields.String(required=True, validate=validate.OneOf(THREAD_ORIGINS))
    unread_count = fields.Integer(required=True)
    last_message_at = UTCDateTime(required=True)
    created_at = UTCDateTime(required=True)


class ThreadPage(ma.Schema):
    items = fields.List(fields.Nested(ThreadOut), required=True)
    next_cursor = fields.String(allow_none=True)


class ThreadWithMessages(ThreadOut):
    """The thread and one page of its messages, oldest first."""

    messages = fields.List(fields.Nested(MessageOut), required=True)
    next_cursor = fields.String(allow_none=True)


class ThreadExport(ThreadOut):
    messages = fields.List(fields.Nested(MessageOut), required=True)


class DeliveryIn(Body):
    state = fields.String(required=True, validate=validate.OneOf(REPORTED_STATES))
    reason = Text(max_length=REASON_MAX, allow_none=True)


class ProviderDeliveryIn(DeliveryIn):
    provider_id = Text(required=True, max_length=PROVIDER_ID_MAX, validate=[validate.Length(min=1)])


class DeliveryOut(ma.Schema):
    id = fields.UUID(required=True)
    state = fields.String(required=True, validate=validate.OneOf(MESSAGE_STATES))
    changed = fields.Boolean(
        required=True, metadata={"description": "false: the message had that state or a later one"}
    )


class UnsubscribeOut(ma.Schema):
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    subscribed = fields.Boolean(required=True)
