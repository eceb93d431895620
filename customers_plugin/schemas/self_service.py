"""Schemas of the shopper's own pages (``/me/profile``, ``/me/consent``,
``/me/erasure-request``); addresses use ``customers.AddressFields``."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from ..models import ERASURE_STATUSES, GENDERS
from ..services import consent, self_service
from .common import Body, UTCDateTime
from .customers import ProfileFields


class MeProfileOut(ma.Schema):
    linked = fields.Boolean(
        required=True, metadata={"description": "False until the account has a customer."}
    )
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    country = fields.String(allow_none=True)
    language = fields.String(allow_none=True)
    gender = fields.String(allow_none=True, validate=validate.OneOf(GENDERS))
    birthdate = fields.Date(allow_none=True)
    company = fields.String(allow_none=True)
    position = fields.String(allow_none=True)
    vat_id = fields.String(allow_none=True)


class MeProfilePatch(ProfileFields):
    """What a shopper edits of their profile. ``email`` and ``phone`` link the account and
    change only through the host's verified flow: sending them answers 422
    ``verified_flow_required``."""

    class Meta(Body.Meta):
        exclude = tuple(
            name
            for name in ProfileFields._declared_fields
            if name not in self_service.PROFILE_FIELDS
        )

    @ma.pre_load
    def _no_identity(self, data: Any, **_kwargs: Any) -> Any:
        if isinstance(data, dict):
            sent = [name for name in self_service.READ_ONLY_FIELDS if name in data]
            if sent:
                raise self_service.VerifiedFlowRequired(sent)
        return data


class ConsentChannelState(ma.Schema):
    status = fields.String(
        required=True, metadata={"description": "not_set, subscribed, unsubscribed, pending."}
    )
    subscribed = fields.Boolean(required=True)


def _channel_state(channel: consent.ShopperChannel) -> fields.Nested:
    return fields.Nested(
        ConsentChannelState, required=True, metadata={"description": channel.description}
    )


MeConsentOut = ma.Schema.from_dict(
    {c.name: _channel_state(c) for c in consent.SHOPPER_CHANNELS}, name="MeConsentOut"
)
# true: subscribe; false: unsubscribe; a channel left out keeps its status
MeConsentPatch = Body.from_dict(
    {
        c.name: fields.Boolean(metadata={"description": c.description})
        for c in consent.SHOPPER_CHANNELS
    },
    name="MeConsentPatch",
)


class MeErasureRequestOut(ma.Schema):
    status = fields.String(
        required=True,
        validate=validate.OneOf(("none", *ERASURE_STATUSES)),
        metadata={"description": "none: never asked (or the account is not linked)."},
    )
    id = fields.UUID(allow_none=True)
    requested_at = UTCDateTime(allow_none=True)
    closed_at = UTCDateTime(allow_none=True)
