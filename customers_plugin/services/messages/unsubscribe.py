"""Unsubscribe links of marketing messages (RFC 8058 one-click).

A link's token is signed (itsdangerous, ``CUSTOMERS_SIGNING_KEY`` else the app's
``SECRET_KEY``) and bound to one store, one customer and one channel; it does not expire (an old
newsletter's link must still work). ``{CUSTOMERS_PUBLIC_URL}{prefix}/unsubscribe/{token}``
answers a small confirmation page to GET and unsubscribes on POST (what mail clients send for
``List-Unsubscribe-Post: List-Unsubscribe=One-Click``), recording the consent history with
source ``unsubscribe_link``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...i18n import _
from ...models import Customer
from .. import activity, consent
from ..errors import Conflict, NotFound
from . import channels

if TYPE_CHECKING:
    from ...state import CustomersState

_SALT = "customers.unsubscribe"
SOURCE = "unsubscribe_link"
ONE_CLICK = "List-Unsubscribe=One-Click"


class NotConfigured(Conflict):
    """Unsubscribe links cannot be made: no public URL or no signing key."""

    code = "unsubscribe_unavailable"


@dataclass(frozen=True, slots=True)
class Holder:
    store_id: str
    customer_id: uuid.UUID
    channel: str


def _serializer(state: CustomersState) -> URLSafeSerializer:
    key = state.setting("CUSTOMERS_SIGNING_KEY") or state.app.config.get("SECRET_KEY")
    if not key:
        raise NotConfigured(_("set SECRET_KEY or CUSTOMERS_SIGNING_KEY to sign unsubscribe links"))
    return URLSafeSerializer(key, salt=_SALT)


def check_configured(state: CustomersState) -> None:
    """:raises NotConfigured: marketing email could not carry its unsubscribe link."""
    _serializer(state)
    if not state.setting("CUSTOMERS_PUBLIC_URL"):
        raise NotConfigured(
            _("set CUSTOMERS_PUBLIC_URL: marketing email carries an unsubscribe link")
        )


def token(state: CustomersState, store_id: str, customer_id: uuid.UUID, channel: str) -> str:
    return _serializer(state).dumps({"s": store_id, "c": str(customer_id), "ch": channel})


def read(state: CustomersState, value: str) -> Holder:
    """:raises NotFound: not a token this shop signed (or altered)."""
    try:
        data = _serializer(state).loads(value)
        holder = Holder(str(data["s"]), uuid.UUID(data["c"]), str(data["ch"]))
    except (BadSignature, KeyError, TypeError, ValueError):
        raise NotFound(_("this unsubscribe link is not valid")) from None
    if holder.channel not in (channels.EMAIL, channels.SMS):
        raise NotFound(_("this unsubscribe link is not valid"))
    return holder


def link(state: CustomersState, store_id: str, customer_id: uuid.UUID, channel: str) -> str:
    base = str(state.setting("CUSTOMERS_PUBLIC_URL") or "").rstrip("/")
    prefix = str(state.setting("CUSTOMERS_URL_PREFIX")).rstrip("/")
    return f"{base}{prefix}/unsubscribe/{token(state, store_id, customer_id, channel)}"


def headers(url: str) -> dict[str, str]:
    """The RFC 2369 / RFC 8058 headers of a marketing email."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": ONE_CLICK}


def with_footer(state: CustomersState, body: str, url: str) -> str:
    footer = str(state.setting("CUSTOMERS_UNSUBSCRIBE_FOOTER")).replace("{link}", url)
    return f"{body.rstrip()}\n\n{footer}"


def subscribed(session: Session, holder: Holder) -> bool | None:
    """Whether the link's customer is subscribed on its channel (``None``: no such customer)."""
    customer = session.scalar(
        select(Customer).where(
            Customer.id == holder.customer_id, Customer.store_id == holder.store_id
        )
    )
    if customer is None:
        return None
    status = (
        customer.marketing_consent if holder.channel == channels.EMAIL else customer.sms_consent
    )
    return status == "subscribed"


def unsubscribe(session: Session, holder: Holder) -> bool:
    """Unsubscribe the link's customer on its channel; whether it changed anything (a second
    click changes nothing).

    :raises NotFound: the customer is gone.
    """
    if subscribed(session, holder) is None:
        raise NotFound(_("this unsubscribe link is not valid"))
    setter = consent.set_marketing if holder.channel == channels.EMAIL else consent.set_sms
    changed = setter(
        session, holder.store_id, holder.customer_id, "unsubscribed", source=SOURCE, actor=None
    )
    if changed:
        activity.record(
            session,
            holder.store_id,
            holder.customer_id,
            "unsubscribed",
            {"channel": holder.channel, "source": SOURCE},
            actor=None,
        )
    return changed
