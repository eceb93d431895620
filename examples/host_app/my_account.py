""" "My account": the signed-in shopper's profile, addresses, consent, a copy of their data and
an erasure request, server-rendered on the plugin's self-service services (the same rules as
its ``/api/v1/me/…`` endpoints). The customer is the one linked to the signed-in account, never
one found by the email typed in a form."""

from __future__ import annotations

import contextlib
import json
import uuid
from typing import Any

import marshmallow as ma
from flask import Blueprint, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from customers_plugin import get_state
from customers_plugin.api.common import scope
from customers_plugin.schemas.customers import AddressFields
from customers_plugin.schemas.privacy import CustomerDataExport
from customers_plugin.schemas.self_service import MeProfilePatch
from customers_plugin.services import addresses, customers, identity, self_service, wallet
from customers_plugin.services.errors import ServiceError
from customers_plugin.services.privacy import access, requests

from . import views
from .accounts import shopper_account, signed_in

bp = Blueprint("my_account", __name__, url_prefix="/shop/<store>/my-account")
bp.url_value_preprocessor(views.pull_store)
bp.url_defaults(views.add_store)
bp.before_request(views.check_csrf)

ACTOR = "customer"
PROFILE = ("name", "language", "company")
ADDRESS = (
    "label",
    "line1",
    "building_number",
    "street",
    "district",
    "city",
    "postal_code",
    "additional_number",
    "short_address",
    "latitude",
    "longitude",
)


def _customer() -> uuid.UUID | None:
    account = signed_in(g.store.id)
    if account is None:
        return None
    return identity.shopper_customer(get_state(), g.store.id, shopper_account(account))


def _form(names: tuple[str, ...]) -> dict[str, Any]:
    """The filled-in fields of the form (an empty field is left out), numbers as numbers."""
    data: dict[str, Any] = {}
    for name in names:
        value = request.form.get(name, "").strip()
        if value:
            data[name] = value
    for name in ("latitude", "longitude"):
        if name in data:
            with contextlib.suppress(ValueError):  # else the schema names the field
                data[name] = float(data[name])
    return data


def _page(customer_id: uuid.UUID, errors: dict[str, Any] | None = None, status: int = 200) -> Any:
    with scope(write=False, store_id=g.store.id, actor=ACTOR) as s:
        customer = customers.get(s, customer_id)
        context = {
            "profile": self_service.profile(customer),
            "addresses": addresses.listed(s, customer_id),
            "consent": self_service.consent_of(customer),
            "erasure": requests.latest(s, customer_id),
        }
    return render_template("my_account.html", errors=errors or {}, **context), status


def _apply(customer_id: uuid.UUID, action: Any) -> Any:
    """Run a change; on a refusal show the page again with the reasons."""
    try:
        with scope(store_id=g.store.id, actor=ACTOR) as s:
            action(s)
    except ma.ValidationError as exc:
        return _page(customer_id, exc.normalized_messages(), 422)
    except ServiceError as exc:
        return _page(customer_id, exc.fields or {"": [exc.message]}, 422)
    return redirect(url_for("my_account.page"), code=303)


@bp.get("")
def page() -> Any:
    customer_id = _customer()
    if customer_id is None:
        return redirect(url_for("accounts.sign_in"), code=303)
    return _page(customer_id)


@bp.post("/profile")
def change_profile() -> Any:
    customer_id = _customer()
    if customer_id is None:
        return redirect(url_for("accounts.sign_in"), code=303)
    return _apply(
        customer_id,
        lambda s: self_service.change_profile(
            s, customer_id, MeProfilePatch().load(_form(PROFILE))
        ),
    )


@bp.post("/addresses")
def add_address() -> Any:
    customer_id = _customer()
    if customer_id is None:
        return redirect(url_for("accounts.sign_in"), code=303)
    data = _form(ADDRESS)
    if request.form.get("default_shipping"):
        data["default_shipping"] = True
    return _apply(customer_id, lambda s: addresses.add(s, customer_id, AddressFields().load(data)))


@bp.post("/addresses/<uuid:address_id>/delete")
def delete_address(address_id: uuid.UUID) -> Any:
    customer_id = _customer()
    if customer_id is None:
        return redirect(url_for("accounts.sign_in"), code=303)
    return _apply(customer_id, lambda s: addresses.remove(s, customer_id, address_id))


@bp.post("/consent")
def change_consent() -> Any:
    customer_id = _customer()
    if customer_id is None:
        return redirect(url_for("accounts.sign_in"), code=303)
    choices = {c: request.form.get(c) == "on" for c in self_service.consent_of(None)}
    return _apply(customer_id, lambda s: self_service.choose_consent(s, customer_id, choices))


@bp.post("/data")
def data_copy() -> Any:
    customer_id = _customer()
    if customer_id is None:
        return redirect(url_for("accounts.sign_in"), code=303)
    with scope(write=False, store_id=g.store.id, actor=ACTOR) as s:
        document = access.customer_data(s, customer_id, wallet.wallet_currency(get_state()))
    body = json.dumps(CustomerDataExport().dump(document), indent=2, ensure_ascii=False)
    return Response(
        body,
        mimetype="application/json",
        headers={
            "Content-Disposition": 'attachment; filename="my-data.json"',
            "Cache-Control": "no-store",
        },
    )


@bp.post("/erasure")
def ask_erasure() -> Any:
    customer_id = _customer()
    if customer_id is None:
        return redirect(url_for("accounts.sign_in"), code=303)
    return _apply(customer_id, lambda s: requests.ask(s, customer_id))
