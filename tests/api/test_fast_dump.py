"""``FastDump`` gives marshmallow's exact output and leaves to marshmallow what it cannot plan."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal

import marshmallow as ma
from flask import Flask, jsonify
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import fields

from customers_plugin.api.common import json_response
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


_TEXT = st.one_of(
    st.none(),
    st.sampled_from(["محمد بن عبد الله", "أَحْمَد", "שָׁלוֹם כהן", "Niccolò Ferrà", "=SUM(A1)"]),
    st.text(max_size=12),
)
_ROW = st.fixed_dictionaries(
    {
        "id": st.uuids(),
        "name": _TEXT,
        "email": _TEXT,
        "phone": _TEXT,
        "country": _TEXT,
        "sources": st.lists(st.sampled_from(["store", "booking", "import", "=cmd"]), max_size=3),
        "tags": st.lists(
            st.fixed_dictionaries(
                {"id": st.uuids().map(str), "name": _TEXT, "automatic": st.booleans()}
            ),
            max_size=3,
        ),
        "extras": st.dictionaries(st.sampled_from(["points", "tier"]), st.integers(), max_size=2),
        "joined_at": st.datetimes(timezones=st.just(dt.UTC)),
        "marketing_consent": st.sampled_from(["subscribed", "unsubscribed", "never"]),
        "system_notifications": st.booleans(),
        "status": st.sampled_from(["active", "inactive", "blocked"]),
        "block_reason": _TEXT,
        "orders_count": st.integers(min_value=0, max_value=2**31 - 1),
        "total_spent": st.decimals(
            min_value=Decimal("-9999999999999.999"),
            max_value=Decimal("9999999999999.999"),
            places=3,
            allow_nan=False,
            allow_infinity=False,
        ),
        "currency": st.sampled_from(["SAR", "ILS", "EUR"]),
        "last_order_at": st.none() | st.datetimes(timezones=st.just(dt.UTC)),
    }
)


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(_ROW, max_size=6),
    cursor=st.none() | st.text(max_size=8),
    total=st.none() | st.integers(min_value=0, max_value=2**63 - 1),
)
def test_generated_pages_dump_and_encode_as_marshmallow_and_flask_would(
    rows: list[dict], cursor: str | None, total: int | None
) -> None:
    """Values copied as they are and values converted by their field give marshmallow's
    output; the list's orjson body holds the same JSON as ``jsonify`` of that output."""
    page = {"items": rows, "next_cursor": cursor, "total": total}
    fast = CustomerPage().dump(page)
    assert fast == PlainPage().dump(page)
    with Flask(__name__).test_request_context():
        assert json.loads(json_response(fast).get_data()) == jsonify(fast).get_json()
