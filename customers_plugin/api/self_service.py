"""``/me/…`` self-service: the signed-in shopper's profile, addresses, consent per channel, a
copy of their data and their erasure request. Identity as in ``api.storefront``: the customer
linked to the host account (``host_user_id``), never a contact match; an account not linked yet
reads empty answers and is refused changes (403 ``account_not_linked``). Every answer is
``Cache-Control: no-store``."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from flask import Response
from flask_smorest import Blueprint

from ..schemas.customers import AddressFields, AddressList, AddressOut
from ..schemas.privacy import CustomerDataExport
from ..schemas.self_service import (
    MeConsentOut,
    MeConsentPatch,
    MeErasureRequestOut,
    MeProfileOut,
    MeProfilePatch,
)
from ..services import addresses, customers, self_service, wallet
from ..services.privacy import access, requests
from ..state import get_state
from .common import scope
from .errors import install
from .openapi import SHOPPER, declare_security
from .storefront import NotLinked, known, not_linked, own, shopper, signed_in

blp = install(Blueprint("self-service", __name__, description="The shopper's own record."))
blp.register_error_handler(NotLinked, not_linked)
ACTOR = "customer"


@blp.after_request
def _never_stored(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def _mine(*, write: bool) -> tuple[str, uuid.UUID | None]:
    """The store and the shopper's customer (``None`` when not linked); a change without a
    customer answers 403."""
    store_id, account = shopper()
    if write:
        return store_id, own(store_id, account)
    return store_id, known(store_id, account)


# -- profile ----------------------------------------------------------------------------------


def _read_mine(read: Callable[[Any, uuid.UUID], Any], unlinked: Any) -> Any:
    """What ``read(scope, customer_id)`` answers for the shopper's own customer, or
    ``unlinked`` for an account not linked to one yet."""
    store_id, customer_id = _mine(write=False)
    if customer_id is None:
        return unlinked
    with scope(write=False, store_id=store_id, actor=ACTOR) as s:
        return read(s, customer_id)


@blp.route("/profile", methods=["GET"])
@declare_security(SHOPPER)
@blp.response(200, MeProfileOut)
def my_profile() -> Any:
    """The shopper's profile (``linked`` false and every field empty for an account not
    linked to a customer yet)."""
    return _read_mine(
        lambda s, customer_id: self_service.profile(customers.get(s, customer_id)),
        self_service.profile(None),
    )


@blp.route("/profile", methods=["PATCH"])
@declare_security(SHOPPER)
@signed_in
@blp.arguments(MeProfilePatch)
@blp.response(200, MeProfileOut)
def change_my_profile(body: dict[str, Any]) -> Any:
    """Change the shopper's name, country, language, gender, birthdate, company, position or
    VAT id. The email and the phone link the account: they change only through the host's
    verified flow (422 ``verified_flow_required``)."""
    store_id, customer_id = _mine(write=True)
    with scope(store_id=store_id, actor=ACTOR) as s:
        return self_service.profile(self_service.change_profile(s, customer_id, body))


# -- addresses --------------------------------------------------------------------------------


@blp.route("/addresses", methods=["GET"])
@declare_security(SHOPPER)
@blp.response(200, AddressList)
def my_addresses() -> Any:
    """The shopper's addresses."""
    return _read_mine(
        lambda s, customer_id: {"items": addresses.listed(s, customer_id)}, {"items": []}
    )


@blp.route("/addresses", methods=["POST"])
@declare_security(SHOPPER)
@signed_in
@blp.arguments(AddressFields)
@blp.response(201, AddressOut)
def add_my_address(body: dict[str, Any]) -> Any:
    """Add an address (the store's address method says which fields it needs: 422 names
    them)."""
    store_id, customer_id = _mine(write=True)
    with scope(store_id=store_id, actor=ACTOR) as s:
        return addresses.add(s, customer_id, body)


@blp.route("/addresses/<uuid:address_id>", methods=["PATCH"])
@declare_security(SHOPPER)
@signed_in
@blp.arguments(AddressFields)
@blp.response(200, AddressOut)
def change_my_address(body: dict[str, Any], address_id: uuid.UUID) -> Any:
    """Change fields of one of the shopper's addresses (``null`` clears one)."""
    store_id, customer_id = _mine(write=True)
    with scope(store_id=store_id, actor=ACTOR) as s:
        return addresses.change(s, customer_id, address_id, body)


@blp.route("/addresses/<uuid:address_id>", methods=["DELETE"])
@declare_security(SHOPPER)
@blp.response(204)
def delete_my_address(address_id: uuid.UUID) -> None:
    """Delete one of the shopper's addresses."""
    store_id, customer_id = _mine(write=True)
    with scope(store_id=store_id, actor=ACTOR) as s:
        addresses.remove(s, customer_id, address_id)


# -- consent ----------------------------------------------------------------------------------


@blp.route("/consent", methods=["GET"])
@declare_security(SHOPPER)
@blp.response(200, MeConsentOut)
def my_consent() -> Any:
    """The shopper's status on each channel (``not_set`` for an account not linked yet)."""
    return _read_mine(
        lambda s, customer_id: self_service.consent_of(customers.get(s, customer_id)),
        self_service.consent_of(None),
    )


@blp.route("/consent", methods=["PATCH"])
@declare_security(SHOPPER)
@signed_in
@blp.arguments(MeConsentPatch)
@blp.response(200, MeConsentOut)
def change_my_consent(body: dict[str, Any]) -> Any:
    """Subscribe (true) or unsubscribe (false) per channel; each change is recorded in the
    consent history with the source ``storefront``."""
    store_id, customer_id = _mine(write=True)
    with scope(store_id=store_id, actor=ACTOR) as s:
        return self_service.choose_consent(s, customer_id, body)


# -- data copy and erasure --------------------------------------------------------------------


@blp.route("/data-export", methods=["POST"])
@declare_security(SHOPPER)
@blp.response(200, CustomerDataExport)
def export_my_data() -> Any:
    """Everything held about the shopper, as one JSON document (GDPR art. 15 and 20): the
    same document as the merchant's ``GET /customers/{id}/export``."""
    store_id, customer_id = _mine(write=True)
    with scope(write=False, store_id=store_id, actor=ACTOR) as s:
        return access.customer_data(s, customer_id, wallet.wallet_currency(get_state()))


def _request_state(request: Any) -> dict[str, Any]:
    if request is None:
        return {"status": "none", "id": None, "requested_at": None, "closed_at": None}
    return {
        "status": request.status,
        "id": request.id,
        "requested_at": request.requested_at,
        "closed_at": request.closed_at,
    }


@blp.route("/erasure-request", methods=["GET"])
@declare_security(SHOPPER)
@blp.response(200, MeErasureRequestOut)
def my_erasure_request() -> Any:
    """The state of the shopper's latest erasure request (``none`` if never asked). Once the
    merchant completes it the account is no longer linked to the erased record."""
    return _read_mine(
        lambda s, customer_id: _request_state(requests.latest(s, customer_id)),
        _request_state(None),
    )


@blp.route("/erasure-request", methods=["POST"])
@declare_security(SHOPPER)
@blp.response(202, MeErasureRequestOut)
@blp.alt_response(200, schema=MeErasureRequestOut, description="Asked already: still pending.")
def ask_my_erasure() -> Any:
    """Ask the merchant to erase the shopper's data; the merchant sees the request
    (``GET /erasure-requests``) and completes or declines it. Asking again while it is pending
    answers the pending request (200)."""
    store_id, customer_id = _mine(write=True)
    with scope(store_id=store_id, actor=ACTOR) as s:
        request, created = requests.ask(s, customer_id)
        return _request_state(request), 202 if created else 200
