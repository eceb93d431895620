"""``/customers``: the list, the card and the merchant's actions on customers (edit, delete,
status, block, tags, photo, bulk). Thin views: parse -> service -> schema."""

from __future__ import annotations

import uuid
from typing import Any

import orjson
from flask import Response
from flask_smorest import Blueprint

from .. import security
from ..i18n import _
from ..models import Customer
from ..schemas.customers import (
    BlockBody,
    BulkBody,
    BulkOut,
    CustomerCard,
    CustomerCreate,
    CustomerListArgs,
    CustomerPage,
    CustomerUpdate,
    PhotoUpload,
    StatusOut,
    TagsBody,
    TagsOut,
)
from ..security import require
from ..services import attachments, bulk, card, customers, fraud, listing, tags
from ..services.errors import NotFound
from ..state import get_state
from .common import json_response, page_size, scope
from .errors import install
from .openapi import image_download

blp = install(
    Blueprint("customers", __name__, description="The customer list and the customer card.")
)

_PAGE = CustomerPage()

FILTER_NAMES = {
    "q": "q",
    "tag": "tags",
    "group": "groups",
    "id": "ids",
    "status": "statuses",
    "source": "sources",
    "country": "countries",
    "marketing_consent": "marketing_consent",
    "system_notifications": "system_notifications",
    "joined_from": "joined_from",
    "joined_to": "joined_to",
    "orders_min": "orders_min",
    "orders_max": "orders_max",
    "spent_min": "spent_min",
    "spent_max": "spent_max",
}


def filters_from(args: dict[str, Any]) -> listing.Filters:
    values = {attr: args[name] for name, attr in FILTER_NAMES.items() if name in args}
    values["custom_fields"] = [tuple(item.split(":", 1)) for item in args.get("field", [])]
    return listing.Filters(**values)


@blp.route("", methods=["GET"])
@require(security.READ)
@blp.arguments(CustomerListArgs(), location="query", as_kwargs=True)
@blp.response(200, CustomerPage)
def list_customers(**args: Any) -> Any:
    """The customer list: search, filter, sort, keyset pages (default: newest joined first).

    Inactive and blocked customers appear only when ``status`` asks for them.
    """
    filters, sort, limit = filters_from(args), args["sort"], page_size(args)
    with scope(write=False) as s:
        written = None
        if not args["include_total"]:
            written = listing.page_as_json(
                s, filters, sort=sort, limit=limit, cursor=args.get("cursor")
            )
        if written is None:
            page = listing.list_customers(
                s,
                filters,
                sort=sort,
                limit=limit,
                cursor=args.get("cursor"),
                include_total=args["include_total"],
            )
            currency = s.currency  # while the session is open (the page usually brought it)
    if written is not None:  # PostgreSQL wrote the rows: the same bytes, no Python per row
        items = orjson.Fragment(written.items)
        return json_response({"items": items, "next_cursor": written.next_cursor, "total": None})
    for item in page.items:
        item["currency"] = currency
    return json_response(_PAGE.dump(page))


@blp.route("", methods=["POST"])
@require(security.WRITE)
@blp.arguments(CustomerCreate())
@blp.response(201, CustomerCard)
def create_customer(data: dict[str, Any]) -> Any:
    """Add a customer by hand. A duplicate email or phone answers 409 with ``existing_id``."""
    with scope() as s:
        customer_id = customers.create(s, data)
    with scope() as s:
        return card.card(s, customer_id)


@blp.route("/<uuid:customer_id>", methods=["GET"])
@require(security.READ)
@blp.response(200, CustomerCard)
def get_customer(customer_id: uuid.UUID) -> Any:
    """The customer card: every field, stats, consent history, recent orders, upcoming
    bookings."""
    with scope(write=False) as s:
        data = card.card(s, customer_id)
    data["fraud"] = fraud.label(s.state, s.store_id, data["email_normalized"], data["phone"])
    return data


@blp.route("/<uuid:customer_id>", methods=["PATCH"])
@require(security.WRITE)
@blp.arguments(CustomerUpdate())
@blp.response(200, CustomerCard)
def update_customer(data: dict[str, Any], customer_id: uuid.UUID) -> Any:
    """Edit a customer. The primary email cannot change (422); consent changes are recorded."""
    with scope() as s:
        customers.update(s, customer_id, data)
    with scope() as s:
        return card.card(s, customer_id)


@blp.route("/<uuid:customer_id>", methods=["DELETE"])
@require(security.DELETE)
@blp.response(204)
def delete_customer(customer_id: uuid.UUID) -> None:
    """Delete the customer and their personal data; fires ``customer_deleted``."""
    with scope() as s:
        customers.delete(s, [customer_id])


def _status(s: Any, customer_id: uuid.UUID, changed: bool) -> dict[str, Any]:
    customer: Customer = customers.get(s, customer_id)
    return {
        "id": customer.id,
        "status": customer.status,
        "block_reason": customer.block_reason,
        "block_details": customer.block_details,
        "changed": changed,
    }


@blp.route("/<uuid:customer_id>/deactivate", methods=["POST"])
@require(security.WRITE)
@blp.response(200, StatusOut)
def deactivate_customer(customer_id: uuid.UUID) -> Any:
    """Move the customer to the inactive list (409 if blocked)."""
    with scope() as s:
        return _status(s, customer_id, customers.set_active(s, customer_id, False))


@blp.route("/<uuid:customer_id>/activate", methods=["POST"])
@require(security.WRITE)
@blp.response(200, StatusOut)
def activate_customer(customer_id: uuid.UUID) -> Any:
    """Bring an inactive customer back (409 if blocked)."""
    with scope() as s:
        return _status(s, customer_id, customers.set_active(s, customer_id, True))


@blp.route("/<uuid:customer_id>/block", methods=["POST"])
@require(security.BLOCK)
@blp.arguments(BlockBody())
@blp.response(200, StatusOut)
def block_customer(data: dict[str, Any], customer_id: uuid.UUID) -> Any:
    """Block with a reason from the fixed list and free-text details; fires
    ``customer_blocked``."""
    with scope() as s:
        changed = customers.block(s, customer_id, data["reason"], data.get("details"))
        return _status(s, customer_id, changed)


@blp.route("/<uuid:customer_id>/unblock", methods=["POST"])
@require(security.BLOCK)
@blp.response(200, StatusOut)
def unblock_customer(customer_id: uuid.UUID) -> Any:
    """Lift a block; fires ``customer_unblocked``."""
    with scope() as s:
        return _status(s, customer_id, customers.unblock(s, customer_id))


@blp.route("/<uuid:customer_id>/tags", methods=["POST"])
@require(security.WRITE)
@blp.arguments(TagsBody())
@blp.response(200, TagsOut)
def add_customer_tags(data: dict[str, Any], customer_id: uuid.UUID) -> Any:
    """Add tags to the customer (creating tags the store does not have yet)."""
    with scope() as s:
        customers.get(s, customer_id)
        tags.add_tags(s, customer_id, data["tags"])
        return {"tags": tags.tags_of(s.session, [customer_id])[customer_id]}


@blp.route("/<uuid:customer_id>/tags/<uuid:tag_id>", methods=["DELETE"])
@require(security.WRITE)
@blp.response(200, TagsOut)
def remove_customer_tag(customer_id: uuid.UUID, tag_id: uuid.UUID) -> Any:
    """Remove one tag from the customer."""
    with scope() as s:
        customers.get(s, customer_id)
        tags.remove_tag(s, customer_id, tag_id)
        return {"tags": tags.tags_of(s.session, [customer_id])[customer_id]}


@blp.route("/<uuid:customer_id>/photo", methods=["PUT"])
@require(security.WRITE)
@blp.arguments(PhotoUpload(), location="files")
@blp.response(200, CustomerCard)
def upload_photo(files: dict[str, Any], customer_id: uuid.UUID) -> Any:
    """Upload the customer's photo: JPEG, PNG, GIF or WebP (checked by content), at most
    ``CUSTOMERS_MAX_UPLOAD_BYTES`` (413 above, 415 for other types; 409 for an erased
    customer)."""
    upload = files["photo"]
    with scope() as s:
        data = attachments.read_limited(upload.stream, _upload_limit())
        content_type = attachments.check_image(data)
        customer = customers.editable(s, customer_id)
        customer.photo_key = attachments.store(s.pm, s.store_id, "photo", content_type, data)
        customers.touch(s, customer, "photo_changed")
    with scope() as s:
        return card.card(s, customer_id)


def _upload_limit() -> int:
    return int(get_state().setting("CUSTOMERS_MAX_UPLOAD_BYTES"))


@blp.route("/<uuid:customer_id>/photo", methods=["GET"])
@require(security.READ)
@image_download("The photo: JPEG, PNG, GIF or WebP.")
def get_photo(customer_id: uuid.UUID) -> Response:
    """The customer's photo."""
    with scope() as s:
        customer = customers.get(s, customer_id)
        stream = (
            attachments.open_stored(s.pm, s.store_id, customer.photo_key)
            if customer.photo_key
            else None
        )
    if stream is None:
        raise NotFound(_("the customer has no photo"))
    with stream:
        data = stream.read()
    content_type = attachments.image_type(data[:16]) or "application/octet-stream"
    return Response(data, mimetype=content_type, headers={"X-Content-Type-Options": "nosniff"})


@blp.route("/<uuid:customer_id>/photo", methods=["DELETE"])
@require(security.WRITE)
@blp.response(204)
def delete_photo(customer_id: uuid.UUID) -> None:
    """Remove the customer's photo."""
    with scope() as s:
        customer = customers.get(s, customer_id, lock=True)
        if customer.photo_key is not None:
            customer.photo_key = None
            customers.touch(s, customer, "photo_removed")


@blp.route("/bulk", methods=["POST"])
@require(security.WRITE)
@blp.arguments(BulkBody())
@blp.response(200, BulkOut)
def bulk_action(data: dict[str, Any]) -> Any:
    """Apply an action (tag, untag, activate, deactivate, delete, …) to chosen ids or to every
    customer the filter selects. All or nothing; answers with counts."""
    action = bulk.ACTIONS.get(data["action"])
    if action is not None and action.permission != security.WRITE:
        security.check(action.permission)
    params = {k: v for k, v in data.items() if k not in ("action", "ids", "filter")}
    with scope() as s:
        result = bulk.run(
            s,
            data["action"],
            ids=data.get("ids"),
            filters=filters_from(data["filter"]) if "filter" in data else None,
            params=params,
        )
    return {"action": result.action, "matched": result.matched, "changed": result.changed}
