"""``/customers/{id}/addresses``: a customer's addresses one at a time (list, add, change,
delete); the whole list can still be written with ``PATCH /customers/{id}``. The rules are
``services/addresses.py``'s."""

from __future__ import annotations

import uuid
from typing import Any

from flask_smorest import Blueprint

from .. import security
from ..schemas.customers import AddressFields, AddressList, AddressOut
from ..security import require
from ..services import addresses
from .common import scope
from .errors import install

blp = install(Blueprint("customer-addresses", __name__, description="A customer's addresses."))


@blp.route("/<uuid:customer_id>/addresses", methods=["GET"])
@require(security.READ)
@blp.response(200, AddressList)
def list_addresses(customer_id: uuid.UUID) -> Any:
    """The customer's addresses (at most ten), in their order."""
    with scope(write=False) as s:
        return {"items": addresses.listed(s, customer_id)}


@blp.route("/<uuid:customer_id>/addresses", methods=["POST"])
@require(security.WRITE)
@blp.arguments(AddressFields)
@blp.response(201, AddressOut)
def add_address(body: dict[str, Any], customer_id: uuid.UUID) -> Any:
    """Add an address (422 naming the fields the store's address method needs, or past ten
    addresses); ``default_shipping``/``default_billing`` true moves that default to it."""
    with scope() as s:
        return addresses.add(s, customer_id, body)


@blp.route("/<uuid:customer_id>/addresses/<uuid:address_id>", methods=["PATCH"])
@require(security.WRITE)
@blp.arguments(AddressFields)
@blp.response(200, AddressOut)
def change_address(body: dict[str, Any], customer_id: uuid.UUID, address_id: uuid.UUID) -> Any:
    """Change fields of one address (``null`` clears one)."""
    with scope() as s:
        return addresses.change(s, customer_id, address_id, body)


@blp.route("/<uuid:customer_id>/addresses/<uuid:address_id>", methods=["DELETE"])
@require(security.WRITE)
@blp.response(204)
def delete_address(customer_id: uuid.UUID, address_id: uuid.UUID) -> None:
    """Delete one address."""
    with scope() as s:
        addresses.remove(s, customer_id, address_id)
