"""``FastDump`` gives marshmallow's exact output and leaves to marshmallow what it cannot plan."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import marshmallow as ma
from marshmallow import fields

from customers_plugin.schemas.customers import CustomerPage, CustomerRow
from customers_plugin.schemas.fast_dump import FastDump


class PlainPage(ma.Schema):
    """The list page declared again on plain marshmallow: the reference output."""

    items = fields.List(fields.Nested(CustomerRow), required=True)
    next_cursor = fields.String(allow_none=True)
    total = fields.Integer(allow_none=True)


def _row(i: int, **overrides: object) -> dict:
    row = {
        "id": uuid.UUID(int=i),
        "name": f"محمد {i}" if i % 2 else f"אבי {i}",
        "email": f"c{i}@example.com",
        "phone": None if i % 3 else "+966501234567",
        "country": "SA",
        "sources": ["store", "booking"][: i % 3],
        "tags": [{"id": str(uuid.UUID(int=7)), "name": "VIP", "automatic": i % 2 == 0}],
        "groups": [{"id": str(uuid.UUID(int=9)), "name": "Clienti fedeli"}],
        "joined_at": dt.datetime(2026, 1, 2, 3, 4, 5, i, tzinfo=dt.UTC),
        "marketing_consent": "subscribed",
        "system_notifications": True,
        "status": "active",
        "block_reason": None,
        "orders_count": i,
        "total_spent": Decimal("1234.500") * i,
        "currency": "SAR",
        "last_order_at": None if i % 2 else dt.datetime(2026, 5, 1, tzinfo=dt.UTC),
    }
    row.update(overrides)
    return row


def test_the_list_page_dumps_as_marshmallow_would() -> None:
    page = {"items": [_row(i) for i in range(12)], "next_cursor": "abc", "total": 12}
    assert CustomerPage().dump(page) == PlainPage().dump(page)


def test_missing_keys_are_left_out_and_none_stays_none() -> None:
    row = _row(1)
    del row["groups"], row["currency"]
    page = {"items": [row, _row(2, tags=[], email=None)], "next_cursor": None}
    fast = CustomerPage().dump(page)
    assert fast == PlainPage().dump(page)
    assert "groups" not in fast["items"][0] and "total" not in fast
    assert fast["items"][1]["email"] is None and fast["items"][1]["tags"] == []


def test_objects_are_read_by_attribute() -> None:
    class Obj:
        items = [_row(3)]
        next_cursor = None
        total = 1

    assert CustomerPage().dump(Obj()) == PlainPage().dump(Obj())


def test_fields_reading_the_whole_object_and_dump_hooks_go_through_marshmallow() -> None:
    class WithMethod(FastDump):
        name = fields.String()
        shout = fields.Method("_shout")

        def _shout(self, obj: dict) -> str:
            return obj["name"].upper()

    class WithHook(FastDump):
        name = fields.String()

        @ma.post_dump
        def _tag(self, data: dict, **_: object) -> dict:
            return {**data, "hooked": True}

    assert WithMethod().dump({"name": "ciao"}) == {"name": "ciao", "shout": "CIAO"}
    assert WithHook().dump({"name": "ciao"}) == {"name": "ciao", "hooked": True}
    assert WithHook(many=True).dump([{"name": "a"}]) == [{"name": "a", "hooked": True}]


def test_a_field_that_changes_its_output_keeps_its_own_serialize() -> None:
    class Upper(fields.String):
        def _serialize(self, value: object, attr: object, obj: object, **kwargs: object) -> str:
            return str(value).upper()

    class Schema(FastDump):
        name = Upper()
        when = fields.DateTime(format="%Y")

    when = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert Schema().dump({"name": "shalom", "when": when}) == {"name": "SHALOM", "when": "2026"}
