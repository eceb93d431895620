"""A contact form's message becomes a thread: the host's ``on_form_submit`` event carries what
the visitor wrote in ``FormSubmitted.message``; the form's submission (recorded by capture, in
the same transaction) opens a thread (origin ``form``, answered by email) holding it as an
inbound message, unread, announced with ``message_received`` after commit. A replayed event
opens nothing (capture sees the submission already recorded)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from ...events import FormSubmitted
from ...models import Message, Thread
from ..messages.outgoing import new_reply_token
from .parse import MESSAGE_ID_MAX, SUBJECT_MAX
from .receive import record_received

if TYPE_CHECKING:
    from ...state import CustomersState

FORM_CHANNEL = "form"


def open_thread(
    state: CustomersState, session: Session, event: FormSubmitted, customer_id: uuid.UUID
) -> uuid.UUID | None:
    """The thread of the form's message (``None`` when the form carries none)."""
    text = (event.message or "").strip()
    if not text:
        return None
    subject = event.form_name.strip()[:SUBJECT_MAX]
    thread = Thread(
        store_id=event.store_id,
        customer_id=customer_id,
        subject=subject,
        channel="email",
        reply_token=new_reply_token(),
        origin="form",
        unread_count=1,
        last_message_at=event.occurred_at,
        created_at=event.occurred_at,
    )
    session.add(thread)
    session.flush()
    message = Message(
        store_id=event.store_id,
        customer_id=customer_id,
        thread_id=thread.id,
        direction="in",
        channel=FORM_CHANNEL,
        purpose=None,
        address=event.contact.email,
        subject=subject,
        body=text,
        state="received",
        external_id=f"form:{event.source}:{event.submission_id}"[:MESSAGE_ID_MAX],
        created_at=event.occurred_at,
    )
    session.add(message)
    session.flush()
    record_received(state, session, message)
    return thread.id
