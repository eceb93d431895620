"""PostgreSQL writes a list page's rows as JSON text (services/json_text.py,
services/list_json.py) byte for byte as Python writes them (``CustomerRow`` dumped by
``FastDump``, encoded by orjson): each writer over generated values, then whole pages of
generated customers with multilingual, quoted and control-character text, tags, sources and
groups, in every sort, filtered and searched, and through the cursor. Where PostgreSQL cannot
write the page (a total, another module's extra without a JSON-text writer, SQLite), Python
does."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import BigInteger, Boolean, DateTime, Text, bindparam, delete, event, select

from customers_plugin.models import (
    Customer,
    CustomerGroup,
    CustomerTag,
    GroupMember,
    Tag,
)
from customers_plugin.normalize import search_key
from customers_plugin.schemas.common import Money
from customers_plugin.schemas.customers import CustomerRow, UTCDateTime
from customers_plugin.services import json_text, list_json, listing, row_extras
from customers_plugin.types import money_from_units

from ..helpers import add_sources
from .conftest import Staff

ALPHABET = (
    "abcXYZ019 ,;\"\\/'\n\r\t\x00\x01\x1f\x7f=+-@.éòìÀ"  # quotes, escapes, control characters
    "محمدإيمانالأحمدُ٠١٢"  # Arabic with a haraka and Arabic-Indic digits
    "שלוםלויָ\u200f\u2028\ufeff😀"  # Hebrew with niqqud, marks, a line separator, an emoji
)
TEXT = st.text(ALPHABET, max_size=12).map(lambda s: s.replace("\x00", ""))  # no NUL in text
MAYBE = st.none() | TEXT
MOMENT = st.datetimes(
    min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(9000, 1, 1), timezones=st.just(dt.UTC)
) | st.builds(lambda d: d.replace(microsecond=0), st.datetimes(timezones=st.just(dt.UTC)))
UNITS = st.integers(-(10**16), 10**16) | st.integers(-2000, 2000).map(lambda n: n * 10)
SORTS = ["-joined_at", "name", "-name", "email", "phone", "country", "-total_spent",
         "orders_count", "-last_order_at", "last_order_at", "status",
         "system_notifications"]  # fmt: skip


def _pg(backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("PostgreSQL writes the JSON; SQLite pages are written by Python")


def _written(api_app, expression) -> str:
    with api_app.extensions["customers"].db.session() as session:
        return session.execute(select(expression)).scalar_one()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=MAYBE, moment=st.none() | MOMENT, units=UNITS, flag=st.none() | st.booleans())
def test_each_writer_writes_what_python_writes(api_app, backend, text, moment, units, flag):
    _pg(backend)

    def value(v, kind):
        return bindparam(None, v, kind)

    assert _written(api_app, json_text.string(value(text, Text()))) == orjson.dumps(text).decode()
    dumped = UTCDateTime().serialize("v", {"v": moment})
    when = json_text.utc_datetime(value(moment, DateTime(timezone=True)))
    assert _written(api_app, when) == orjson.dumps(dumped).decode()
    amount = Money().serialize("v", {"v": money_from_units(units)})
    assert _written(api_app, json_text.money(value(units, BigInteger()))) == f'"{amount}"'
    assert _written(api_app, json_text.integer(value(units, BigInteger()))) == str(units)
    assert (
        _written(api_app, json_text.boolean(value(flag, Boolean()))) == orjson.dumps(flag).decode()
    )
    ident = uuid.uuid4()
    assert _written(api_app, json_text.identifier(value(ident, Customer.id.type))) == f'"{ident}"'


def test_an_object_sorts_its_keys_and_refuses_keys_that_are_not_identifiers(api_app, backend):
    _pg(backend)
    obj = json_text.obj({"b": json_text.constant("1"), "a": json_text.constant('"x"')})
    assert _written(api_app, obj) == '{"a":"x","b":1}'
    assert _written(api_app, json_text.obj({})) == "{}"
    with pytest.raises(ValueError):
        json_text.members({"bad key": json_text.constant("1")})
    with pytest.raises(ValueError):
        json_text.constant("it's")


def test_the_row_writes_every_field_of_the_response_schema():
    keys = set(list_json.WRITERS) | list_json.TOP_LEVEL | {"extras", list_json.CURRENCY}
    assert keys == set(CustomerRow().fields)


CUSTOMER = st.fixed_dictionaries(
    {
        "name": MAYBE,
        # email, phone or both (unique per store: made from the row's number)
        "contact": st.sampled_from(["email", "phone", "both"]),
        "country": st.none() | st.sampled_from(["SA", "IL", "IT", "US"]),
        "status": st.sampled_from(["active", "inactive", "blocked"]),
        "block_reason": MAYBE,
        "joined_at": MOMENT,
        "last_order_at": st.none() | MOMENT,
        "orders_count": st.integers(0, 10**6),
        "total_spent": UNITS.map(money_from_units),
        "system_notifications": st.booleans(),
        "marketing_consent": st.sampled_from(["subscribed", "unsubscribed", "not_set"]),
        "tags": st.lists(st.tuples(TEXT.filter(str.strip), st.booleans()), max_size=3),
        "sources": st.lists(st.sampled_from(["store", "booking", "forms", 'x"y']), unique=True),
        "groups": st.lists(st.sampled_from(["VIP", "عملاء", "לקוחות", "a\\b"]), unique=True),
    }
)


def _store(api_app, customers: list[dict[str, Any]]) -> str:
    store = f"json-{uuid.uuid4().hex[:8]}"
    now = dt.datetime.now(dt.UTC)
    tags: dict[str, uuid.UUID] = {}
    groups: dict[str, uuid.UUID] = {}
    with api_app.extensions["customers"].db.transaction() as session:
        for n, c in enumerate(customers):
            customer_id = uuid.uuid4()
            email = f"c{n}@example.com" if c["contact"] != "phone" else None
            session.add(
                Customer(
                    id=customer_id,
                    store_id=store,
                    email=email,
                    email_normalized=email,
                    search_name=(c["name"] or "").casefold(),
                    phone=f"+9665{n:08d}" if c["contact"] != "email" else None,
                    updated_at=now,
                    **{
                        k: v
                        for k, v in c.items()
                        if k not in ("contact", "tags", "sources", "groups")
                    },
                )
            )
            session.flush()
            for key, (name, automatic) in {n.casefold(): (n, a) for n, a in c["tags"]}.items():
                if key not in tags:
                    tag = Tag(store_id=store, name=name, name_key=key, automatic=automatic)
                    session.add(tag)
                    session.flush()
                    tags[key] = tag.id
                session.add(CustomerTag(customer_id=customer_id, tag_id=tags[key], store_id=store))
            add_sources(session, customer_id, store, c["sources"])
            for name in c["groups"]:
                if name not in groups:
                    group = CustomerGroup(store_id=store, name=name)
                    session.add(group)
                    session.flush()
                    groups[name] = group.id
                session.add(
                    GroupMember(group_id=groups[name], customer_id=customer_id, store_id=store)
                )
    return store


@pytest.fixture
def taken(monkeypatch) -> Iterator[list[bool]]:
    """Whether each page was written by PostgreSQL (True) or by Python (False)."""
    seen: list[bool] = []
    real = listing.page_as_json

    def spy(*args, **kwargs):
        page = real(*args, **kwargs)
        seen.append(page is not None)
        return page

    monkeypatch.setattr(listing, "page_as_json", spy)
    yield seen


def _by_python(monkeypatch, staff: Staff, path: str) -> bytes:
    with monkeypatch.context() as m:
        m.setattr(listing, "page_as_json", lambda *a, **k: None)
        response = staff.get(path)
    assert response.status_code == 200
    return response.data


def _pages(staff: Staff, monkeypatch, query: str) -> int:
    """Walk every page of ``query`` both ways, comparing bytes; returns the rows seen."""
    path, seen = f"/customers?{query}", 0
    while True:
        response = staff.get(path)
        assert response.status_code == 200, response.json
        assert response.data == _by_python(monkeypatch, staff, path), path
        body = response.json
        seen += len(body["items"])
        if not body["next_cursor"]:
            return seen
        path = f"/customers?{query}&cursor={body['next_cursor']}"


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(customers=st.lists(CUSTOMER, min_size=1, max_size=7), sort=st.sampled_from(SORTS))
def test_postgresql_writes_the_pages_python_writes(
    api_app, backend, monkeypatch, taken, customers, sort
):
    _pg(backend)
    store = _store(api_app, customers)
    staff = Staff(api_app, store)
    every = "status=active&status=inactive&status=blocked"
    assert _pages(staff, monkeypatch, f"limit=3&sort={sort}&{every}") == len(customers)
    active = sum(c["status"] == "active" for c in customers)
    assert _pages(staff, monkeypatch, f"limit=50&sort={sort}") == active
    # filtered and searched pages (their rows counted by Python's pages, which they equal)
    # (a name a filter takes, whose key the fixture wrote as the API folds it)
    names = [
        n
        for c in customers
        for n, _ in c["tags"]
        if n.isprintable() and search_key(n) == n.casefold()
    ]
    tag = quote(names[0] if names else "none")
    assert _pages(staff, monkeypatch, f"limit=2&sort={sort}&{every}&tag={tag}") >= bool(names)
    countries = f"limit=2&sort={sort}&{every}&country=SA&country=IL&spent_min=0"
    assert _pages(staff, monkeypatch, countries) == sum(
        c["country"] in ("SA", "IL") and c["total_spent"] >= 0 for c in customers
    )
    assert _pages(staff, monkeypatch, f"limit=2&sort={sort}&{every}&q=example") == sum(
        c["contact"] != "phone" for c in customers
    )
    assert taken and all(taken)


def test_an_exact_match_a_filter_and_a_store_currency_are_written_by_postgresql(
    api_app, backend, monkeypatch, taken
):
    _pg(backend)
    staff = Staff(api_app, "a")
    staff.create(email="ليلى@example.com", phone="0501234567", name='Lei "la" \\ ליה', tags=["VIP"])
    assert staff.patch("/settings", json={"currency": "ILS"}).status_code == 200
    queries = ("q=0501234567", "q=%2B966501234567", "q=ليلى@example.com", "limit=1", "tag=vip")
    for query in queries:
        response = staff.get(f"/customers?{query}")
        assert response.data == _by_python(monkeypatch, staff, f"/customers?{query}")
        assert response.json["items"][0]["currency"] == "ILS"
    assert taken == [True] * len(queries)


def test_python_writes_what_postgresql_cannot(api_app, backend, monkeypatch, taken):
    staff = Staff(api_app, "a")
    staff.create(email="a@example.com", tags=["VIP"])
    for query in ("tag=VIP", "include_total=true", "q=exam", "country=SA"):
        response = staff.get(f"/customers?{query}")
        assert response.status_code == 200
        assert response.data == _by_python(monkeypatch, staff, f"/customers?{query}")
    staff.get("/customers")
    # another module's extra without a JSON-text writer
    extra = row_extras.RowExtra("labels", row_extras.EXTRAS["sources"].subquery, len)
    row_extras.register(extra)
    try:
        assert list(staff.get("/customers").json["items"][0]["extras"]) == ["labels"]
    finally:
        row_extras.unregister("labels")
    pg = backend == "postgresql"
    expected = [pg] * 3 + [pg, False]  # a page with its total never reaches it
    assert taken == expected


def test_another_modules_extra_with_a_writer_is_written_by_postgresql(
    api_app, backend, monkeypatch, taken
):
    _pg(backend)
    staff = Staff(api_app, "a")
    staff.create(email="a@example.com", tags=["VIP", 'b"c'])
    sources = row_extras.EXTRAS["sources"]
    extra = row_extras.RowExtra(
        "origins", sources.subquery, sources.decode, json_text=sources.json_text
    )
    row_extras.register(extra)
    try:
        response = staff.get("/customers")
        item = response.json["items"][0]
        assert item["extras"] == {"origins": item["sources"]}
        assert response.data == _by_python(monkeypatch, staff, "/customers")
    finally:
        row_extras.unregister("origins")
    assert taken == [True]


def test_a_customer_deleted_while_a_filtered_page_is_read_does_not_end_the_list(api_app, backend):
    """A filtered page reads its ids, then their rows: a customer deleted in between leaves
    the page one row short, and the cursor (from the ids) still leads to the rest."""
    _pg(backend)
    staff = Staff(api_app, "a")
    ids = [staff.create(email=f"d{i}@example.com", tags=["x"])["id"] for i in range(5)]
    engine = api_app.extensions["customers"].db.engine
    doomed: list[str] = []

    def delete_first_of_page(conn, cursor, statement, parameters, context, executemany):
        if "page_position" in statement and doomed:
            with engine.connect() as other:  # another session, committed at once
                other.execute(delete(Customer).where(Customer.id == uuid.UUID(doomed.pop())))
                other.commit()

    newest_first = ids[::-1]
    doomed.append(newest_first[1])
    event.listen(engine, "before_cursor_execute", delete_first_of_page)
    try:
        first = staff.get("/customers?tag=x&limit=2").json
    finally:
        event.remove(engine, "before_cursor_execute", delete_first_of_page)
    assert [item["id"] for item in first["items"]] == [newest_first[0]]
    assert first["next_cursor"]
    rest = staff.get(f"/customers?tag=x&limit=5&cursor={first['next_cursor']}").json
    assert [item["id"] for item in rest["items"]] == newest_first[2:]
