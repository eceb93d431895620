"""What a signed-in shopper does with their own record (``/me/profile``, ``/me/consent``): the
profile fields they may edit and their consent per channel (``consent.SHOPPER_CHANNELS``).
The caller has already found the customer through the host account (``identity``); the primary
email and the phone, which link the account, change only through the host's verified flow.
Changes go through ``customers.update`` or ``consent`` (activity log, ``customer_updated``,
group re-evaluation), made by the actor ``customer``. No Flask here."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from ..events import FieldChange
from ..models import Customer
from . import activity, consent, customers
from .errors import Invalid
from .scope import Scope
from .snapshots import customer_info

PROFILE_FIELDS = (
    "name",
    "country",
    "language",
    "gender",
    "birthdate",
    "company",
    "position",
    "vat_id",
)
READ_ONLY_FIELDS = ("email", "phone")  # identity: the host's verified flow changes them
SOURCE = "storefront"


class VerifiedFlowRequired(Invalid):
    """The shopper tried to change their email or phone here: the host's verified flow (a
    confirmation link or code) does that, then tells the plugin (``on_customer_signup``)."""

    code = "verified_flow_required"

    def __init__(self, names: list[str]) -> None:
        message = "change it through the shop's account settings, where it is verified"
        super().__init__(message, fields={name: [message] for name in names})


def profile(customer: Customer | None) -> dict[str, Any]:
    """The shopper's profile (every field empty for an account not linked yet)."""
    values = {name: getattr(customer, name, None) for name in (*READ_ONLY_FIELDS, *PROFILE_FIELDS)}
    return {**values, "linked": customer is not None}


def change_profile(scope: Scope, customer_id: uuid.UUID, body: Mapping[str, Any]) -> Customer:
    """Apply the shopper's edit of ``PROFILE_FIELDS`` and answer the customer."""
    customers.update(scope, customer_id, {k: v for k, v in body.items() if k in PROFILE_FIELDS})
    return customers.get(scope, customer_id)


def consent_of(customer: Customer | None) -> dict[str, dict[str, Any]]:
    """Each channel's status (``not_set`` for an account not linked yet)."""
    out = {}
    for channel in consent.SHOPPER_CHANNELS:
        status = channel.status(customer) if customer is not None else "not_set"
        out[channel.name] = {"status": status, "subscribed": status == "subscribed"}
    return out


def choose_consent(
    scope: Scope, customer_id: uuid.UUID, choices: Mapping[str, bool]
) -> dict[str, dict[str, Any]]:
    """Subscribe to or unsubscribe from channels (``{name: subscribed}``); each change gets its
    history row; answers every channel's status."""
    customer = customers.editable(scope, customer_id)
    changes = []
    for channel in consent.SHOPPER_CHANNELS:
        if channel.name not in choices:
            continue
        old = channel.status(customer)
        if channel.choose(
            scope.session,
            scope.store_id,
            customer.id,
            bool(choices[channel.name]),
            source=SOURCE,
            actor=scope.actor,
        ):
            scope.session.refresh(customer)
            changes.append(FieldChange(channel.name, old, channel.status(customer)))
    if changes:
        activity.record(
            scope.session,
            scope.store_id,
            customer.id,
            "updated",
            {"fields": [c.field for c in changes], "source": SOURCE},
            actor=scope.actor,
        )
        scope.facts_changed(customer.id)
        if scope.listens("customer_updated"):
            info = customer_info(scope.session, customer.id)
            scope.announce("customer_updated", customer=info, changes=tuple(changes))
    return consent_of(customer)
