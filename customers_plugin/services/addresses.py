"""A customer's addresses: free-text lines, the Saudi National Address fields and a map point,
kept as a list on the customer (``Customer.addresses``), each with a stable ``id``.

Formats (address.gov.sa): building number and additional number are 4 digits, the postal code
5 digits, the short address 4 letters and 4 digits (``RRRD2929``); a point is a latitude in
-90..90 and a longitude in -180..180. Which fields an address needs follows the store's
``address_method`` setting: ``national_address`` needs building number, street, district,
city, postal code (5 digits) and additional number; ``map_location`` needs the point;
``free_text`` needs a first line or a city. Only a new or changed address is held to the
method, so switching the method never locks the customer's older addresses.

At most one address is the default shipping address and one the default billing address: a
list with two is refused (422); ``add``/``change`` with ``default_shipping: true`` move the
default to that address. Every change goes through ``customers.update`` (activity log,
``customer_updated``, group re-evaluation).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from ..i18n import _
from .errors import Invalid, NotFound
from .scope import Scope

MAX_ADDRESSES = 10
TEXT_FIELDS = (
    "label",
    "line1",
    "line2",
    "building_number",
    "street",
    "district",
    "city",
    "region",
    "postal_code",
    "additional_number",
    "short_address",
    "country",
)
POINT_FIELDS = ("latitude", "longitude")
DEFAULT_FLAGS = ("default_shipping", "default_billing")
FIELDS = ("id", *TEXT_FIELDS, *POINT_FIELDS, *DEFAULT_FLAGS)

BUILDING_NUMBER = r"^[0-9]{4}$"
ADDITIONAL_NUMBER = r"^[0-9]{4}$"
SHORT_ADDRESS = r"^[A-Za-z]{4}[0-9]{4}$"
NATIONAL_POSTAL_CODE = re.compile(r"^[0-9]{5}$")
REQUIRED = {
    "national_address": (
        "building_number",
        "street",
        "district",
        "city",
        "postal_code",
        "additional_number",
    ),
    "map_location": POINT_FIELDS,
}


def _problem(fields: dict[str, list[str]], path: str, message: str) -> None:
    fields.setdefault(path, []).append(message)


def _held_to_method(
    address: Mapping[str, Any], method: str, prefix: str, fields: dict[str, list[str]]
) -> None:
    for name in REQUIRED.get(method, ()):
        if address.get(name) is None:
            _problem(
                fields,
                prefix + name,
                _("required by the store's address method ({method})", method=method),
            )
    if method == "national_address":
        code = address.get("postal_code")
        if code is not None and not NATIONAL_POSTAL_CODE.match(code):
            _problem(fields, prefix + "postal_code", _("a National Address postal code: 5 digits"))
    if method == "free_text" and not (address.get("line1") or address.get("city")):
        _problem(fields, prefix + "line1", _("give a first line or a city"))
    if (address.get("latitude") is None) != (address.get("longitude") is None):
        missing = "longitude" if address.get("longitude") is None else "latitude"
        _problem(fields, prefix + missing, _("a point needs both latitude and longitude"))


def _cleaned(address: Mapping[str, Any]) -> dict[str, Any]:
    """The stored form: known fields, no nulls or false flags, codes in upper case."""
    out: dict[str, Any] = {}
    for name in (*TEXT_FIELDS, *POINT_FIELDS):
        value = address.get(name)
        if value is None or value == "":
            continue
        out[name] = value
    for name in ("short_address", "country"):
        if name in out:
            out[name] = out[name].upper()
    for name in POINT_FIELDS:
        if name in out:
            out[name] = round(float(out[name]), 7)
    for flag in DEFAULT_FLAGS:
        if address.get(flag):
            out[flag] = True
    return out


def stable_ids(customer_id: uuid.UUID, stored: Sequence[Mapping[str, Any]]) -> list[dict]:
    """The stored list with an id on each address: one written before addresses had ids gets
    one derived from its place (the same on every read until the list is written again)."""
    return [
        {**address, "id": address.get("id") or str(uuid.uuid5(customer_id, f"address:{i}"))}
        for i, address in enumerate(stored or [])
    ]


def clean_list(
    scope: Scope,
    customer_id: uuid.UUID | None,
    new: Sequence[Mapping[str, Any]],
    old: Sequence[Mapping[str, Any]] = (),
    *,
    prefix: str = "addresses",
) -> list[dict[str, Any]]:
    """Check a whole list as it is to be stored and give each address an id.

    :raises Invalid: more than ``MAX_ADDRESSES``, two defaults of a kind, a repeated id, or an
        address (new or changed) missing what the store's address method needs.
    """
    from . import settings

    if len(new) > MAX_ADDRESSES:
        raise Invalid(
            _("at most {count} addresses", count=MAX_ADDRESSES),
            fields={prefix: [_("at most {count} addresses", count=MAX_ADDRESSES)]},
        )
    method = settings.effective(scope, "address_method")
    before = {a["id"]: _cleaned(a) for a in (stable_ids(customer_id, old) if customer_id else [])}
    problems: dict[str, list[str]] = {}
    seen: set[str] = set()
    out = []
    for i, address in enumerate(new):
        path = f"{prefix}.{i}."
        address_id = str(address.get("id") or uuid.uuid4())
        if address_id in seen:
            _problem(problems, path + "id", _("this id is given twice"))
        seen.add(address_id)
        cleaned = _cleaned(address)
        if before.get(address_id) != cleaned:
            _held_to_method(cleaned, method, path, problems)
        out.append({"id": address_id, **cleaned})
    for flag in DEFAULT_FLAGS:
        marked = [i for i, a in enumerate(out) if a.get(flag)]
        for i in marked[1:]:
            _problem(
                problems, f"{prefix}.{i}.{flag}", _("only one address is the {flag}", flag=flag)
            )
    if problems:
        raise Invalid(_("some addresses are not valid"), fields=problems)
    return out


# -- one address at a time (admin endpoints and /me/addresses) ------------------------------


def listed(scope: Scope, customer_id: uuid.UUID, *, lock: bool = False) -> list[dict[str, Any]]:
    """The customer's addresses, each with its id (``lock``: the customer row is locked for a
    change, so two concurrent changes never lose one). :raises NotFound: not in this store."""
    from .customers import get

    customer = get(scope, customer_id, lock=lock)
    return stable_ids(customer.id, customer.addresses)


def _moved_defaults(addresses: list[dict], chosen: str, body: Mapping[str, Any]) -> list[dict]:
    """Make ``chosen`` the default of each kind ``body`` sets true (the others lose it)."""
    for flag in DEFAULT_FLAGS:
        if body.get(flag):
            for address in addresses:
                if address["id"] != chosen:
                    address.pop(flag, None)
    return addresses


def add(scope: Scope, customer_id: uuid.UUID, body: Mapping[str, Any]) -> dict[str, Any]:
    """Add an address; answers it with its new id."""
    current = listed(scope, customer_id, lock=True)
    new_id = str(uuid.uuid4())
    addresses = _moved_defaults([dict(a) for a in current] + [{**body, "id": new_id}], new_id, body)
    return _write(scope, customer_id, addresses, new_id, prefix_of=len(current))


def change(
    scope: Scope, customer_id: uuid.UUID, address_id: uuid.UUID, body: Mapping[str, Any]
) -> dict[str, Any]:
    """Change some fields of one address (``null`` clears a field).

    :raises NotFound: no such address of this customer."""
    current = [dict(a) for a in listed(scope, customer_id, lock=True)]
    index = _index(current, address_id)
    merged = {**current[index], **body}
    current[index] = {k: v for k, v in merged.items() if v is not None}
    addresses = _moved_defaults(current, str(address_id), body)
    return _write(scope, customer_id, addresses, str(address_id), prefix_of=index)


def remove(scope: Scope, customer_id: uuid.UUID, address_id: uuid.UUID) -> None:
    """Delete one address. :raises NotFound: no such address of this customer."""
    from .customers import update

    current = listed(scope, customer_id, lock=True)
    index = _index(current, address_id)
    update(scope, customer_id, {"addresses": current[:index] + current[index + 1 :]})


def _index(addresses: Sequence[Mapping[str, Any]], address_id: uuid.UUID) -> int:
    for i, address in enumerate(addresses):
        if address["id"] == str(address_id):
            return i
    raise NotFound(_("no such address"))


def _write(
    scope: Scope, customer_id: uuid.UUID, addresses: list[dict], address_id: str, prefix_of: int
) -> dict[str, Any]:
    from .customers import get, update

    try:
        update(scope, customer_id, {"addresses": addresses})
    except Invalid as exc:  # name the fields of the one address the caller sent
        mine = f"addresses.{prefix_of}."
        fields = {(k[len(mine) :] if k.startswith(mine) else k): v for k, v in exc.fields.items()}
        raise Invalid(exc.message, fields=fields) from None
    stored = stable_ids(customer_id, get(scope, customer_id).addresses)
    return stored[_index(stored, uuid.UUID(address_id))]
