"""The one way to send a message on a channel: ``send`` asks the ``send_message`` hook (first
non-None answer wins) and fails clearly when no implementation handles the channel.

The SMS contract: every SMS carries the store's sender name (the ``sms_sender_name`` setting:
``CUSTOMERS_SMS_SENDER_NAME`` or the store's override); without one the send is refused
(``SmsSenderMissing``) before any provider is asked. Logs never carry addresses or message text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ...i18n import _
from .. import settings
from ..errors import Conflict

if TYPE_CHECKING:
    from ...state import CustomersState

SMS = "sms"
EMAIL = "email"
SENDER_NAME_MAX = 11  # alphanumeric sender ids of SMS networks


class ChannelUnavailable(Conflict):
    """No ``send_message`` implementation handles the channel."""

    code = "channel_unavailable"


class SmsSenderMissing(Conflict):
    """The store has no SMS sender name (the ``sms_sender_name`` setting)."""

    code = "sms_sender_missing"


def sender_name(state: CustomersState, store_id: str, channel: str) -> str | None:
    """The store's sender name on ``channel`` (SMS only; ``None`` elsewhere).

    :raises SmsSenderMissing: an SMS store without a sender name.
    """
    if channel != SMS:
        return None
    name = settings.effective(store_id, "sms_sender_name", state=state)
    if not isinstance(name, str) or not name.strip():
        raise SmsSenderMissing(
            _(
                "this store has no SMS sender name: set its sms_sender_name setting "
                "(or CUSTOMERS_SMS_SENDER_NAME)"
            )
        )
    return name.strip()


def send(
    state: CustomersState,
    store_id: str,
    channel: str,
    to: str,
    subject: str | None,
    body: str,
    *,
    headers: Mapping[str, str] | None = None,
    message_id: str | None = None,
) -> str:
    """Deliver one message; returns the provider's message id.

    :param headers: extra email headers (``List-Unsubscribe``, ``Reply-To``…).
    :param message_id: the ``Message-ID`` an email should carry (an inbound reply's
        ``In-Reply-To`` names it).
    :raises SmsSenderMissing: an SMS without the store's sender name.
    :raises ChannelUnavailable: nobody handles ``channel``.
    :raises Exception: whatever the provider raised (the message was not sent).
    """
    answer = state.pm.hook.send_message(
        store_id=store_id,
        channel=channel,
        to=to,
        subject=subject,
        body=body,
        headers=dict(headers or {}),
        sender_name=sender_name(state, store_id, channel),
        message_id=message_id,
    )
    if answer is None:
        raise ChannelUnavailable(
            _("no provider sends messages on the {channel} channel", channel=repr(channel))
        )
    return str(answer)
