"""The PostgreSQL export by COPY (services/export_copy.py) writes the portable writer's bytes:
generated customers with multilingual names, quotes, line breaks, cells a spreadsheet would
evaluate, money, dates, tags, sources, custom fields and empty values, on both paths."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from customers_plugin.models import (
    Customer,
    CustomerSource,
    CustomerTag,
    FieldDefinition,
    FieldValue,
    Tag,
)
from customers_plugin.services import export_copy, exports
from customers_plugin.services.listing import Filters

ALPHABET = (
    "abcXYZ019 ,;\"'\n\r\t=+-@.éòìÀ"  # Latin, Italian accents, CSV and formula characters
    "محمدإيمانالأحمدُ٠١٢"  # Arabic with a haraka and Arabic-Indic digits
    "שלוםלויָ\u200f"  # Hebrew with niqqud and a right-to-left mark
)
TEXT = st.text(ALPHABET, max_size=12)
MAYBE = st.none() | TEXT
MOMENT = st.datetimes(
    min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2040, 1, 1), timezones=st.just(dt.UTC)
) | st.builds(lambda d: d.replace(microsecond=0), st.datetimes(timezones=st.just(dt.UTC)))
MONEY = st.integers(-(10**12), 10**12).map(lambda units: Decimal(units).scaleb(-3))
CUSTOMER = st.fixed_dictionaries(
    {
        "name": MAYBE,
        "phone": st.booleans(),  # unique per store: "+9665" and the customer's number
        "company": MAYBE,
        "position": MAYBE,
        "vat_id": MAYBE,
        "gender": MAYBE,
        "country": st.none() | st.sampled_from(["SA", "IL", "IT", "US"]),
        "language": st.none() | st.sampled_from(["ar", "he", "it", "en-US"]),
        "status": st.sampled_from(["active", "inactive", "blocked"]),
        "birthdate": st.none() | st.dates(dt.date(1900, 1, 1), dt.date(2030, 1, 1)),
        "joined_at": MOMENT,
        "last_order_at": st.none() | MOMENT,
        "orders_count": st.integers(0, 10**6),
        "total_spent": MONEY,
        "tags": st.lists(TEXT.filter(str.strip), max_size=3, unique_by=str.casefold),
        "sources": st.lists(st.sampled_from(["store", "booking", "=forms", "-x"]), unique=True),
        "field": MAYBE,
    }
)


def _store(state, customers: list[dict]) -> str:
    store = f"copy-{uuid.uuid4().hex[:8]}"
    now = dt.datetime.now(dt.UTC)
    with state.db.transaction() as session:
        field = FieldDefinition(store_id=store, key="note", label="Note", type="text")
        session.add(field)
        session.flush()
        tags: dict[str, uuid.UUID] = {}
        for n, c in enumerate(customers):
            customer_id = uuid.uuid4()
            session.add(
                Customer(
                    id=customer_id,
                    store_id=store,
                    email=f"c{n}@example.com",
                    email_normalized=f"c{n}@example.com",
                    search_name=(c["name"] or "").casefold(),
                    phone=f"+9665{n:08d}" if c["phone"] else None,
                    updated_at=now,
                    **{
                        k: v for k, v in c.items() if k not in ("tags", "sources", "field", "phone")
                    },
                )
            )
            session.flush()
            for name in c["tags"]:
                if name.casefold() not in tags:
                    tag = Tag(store_id=store, name=name, name_key=name.casefold())
                    session.add(tag)
                    session.flush()
                    tags[name.casefold()] = tag.id
                session.add(
                    CustomerTag(
                        customer_id=customer_id, tag_id=tags[name.casefold()], store_id=store
                    )
                )
            for k, source in enumerate(c["sources"]):
                session.add(
                    CustomerSource(
                        customer_id=customer_id,
                        source=source,
                        store_id=store,
                        first_seen_at=now - dt.timedelta(seconds=k % 2),
                    )
                )
            if c["field"] is not None:
                session.add(
                    FieldValue(
                        customer_id=customer_id, field_id=field.id, store_id=store, value=c["field"]
                    )
                )
    return store


def _both(state, store: str, columns: list[str]) -> tuple[bytes, bytes]:
    request = exports.ExportRequest(filters=Filters(statuses=["active", "inactive", "blocked"]))
    out = []
    for copy in (True, False):
        with state.db.session() as session:
            scope = exports.make_scope(state, session, store)
            chosen = columns or exports.check_request(session, store, request)
            out.append(
                b"".join(p for p, _ in exports.csv_pieces(scope, request, chosen, copy=copy))
            )
    return out[0], out[1]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(customers=st.lists(CUSTOMER, min_size=1, max_size=6))
def test_copy_writes_the_portable_bytes(state, backend, customers):
    if backend != "postgresql":
        pytest.skip("COPY is PostgreSQL's; SQLite has only the portable writer")
    store = _store(state, customers)
    every = [*exports.DEFAULT_COLUMNS, "tags", "gender", "company", "position", "vat_id",
             "field:note"]  # fmt: skip
    for columns in ([], every):
        by_copy, portable = _both(state, store, columns)
        assert by_copy == portable


def test_the_copy_path_reads_in_chunks_and_counts_its_rows(state, backend, monkeypatch):
    if backend != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    monkeypatch.setattr(export_copy, "CHUNK", 3)
    monkeypatch.setattr(export_copy, "FLUSH", 2)
    customer = {k: None for k in ("name", "phone", "company", "position", "vat_id", "gender")}
    store = _store(
        state,
        [
            {**customer, "country": None, "language": None, "status": "active",
             "birthdate": None, "joined_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
             "last_order_at": None, "orders_count": n, "total_spent": Decimal(n),
             "tags": [], "sources": [], "field": None}
            for n in range(8)
        ],
    )  # fmt: skip
    request = exports.ExportRequest(filters=Filters(statuses=["active"]))
    with state.db.session() as session:
        scope = exports.make_scope(state, session, store)
        columns = ["id", "orders_count"]
        pieces = list(exports.csv_pieces(scope, request, columns))
    assert sum(n for _, n in pieces) == 8
    assert b"".join(p for p, _ in pieces) == _both(state, store, columns)[1]
