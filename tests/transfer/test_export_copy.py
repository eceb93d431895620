"""The PostgreSQL export by COPY (services/export_copy.py) writes the portable writer's bytes:
generated customers with multilingual names, quotes, line breaks, cells a spreadsheet would
evaluate, money, dates, tags, sources, custom fields and empty values, on both paths."""

from __future__ import annotations

import csv
import datetime as dt
import uuid
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Text, literal, select

from customers_plugin.models import (
    Customer,
    CustomerTag,
    FieldDefinition,
    FieldValue,
    Tag,
)
from customers_plugin.services import export_copy, exports
from customers_plugin.services.listing import Filters

from ..helpers import add_sources

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


PLAIN = {
    **dict.fromkeys(("name", "company", "position", "vat_id", "gender", "country", "language")),
    **dict.fromkeys(("birthdate", "last_order_at", "field")),
    "phone": False, "status": "active", "joined_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    "orders_count": 0, "total_spent": Decimal(0), "tags": [], "sources": [],
}  # fmt: skip


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
            add_sources(session, customer_id, store, c["sources"])
            if c["field"] is not None:
                session.add(
                    FieldValue(
                        customer_id=customer_id, field_id=field.id, store_id=store, value=c["field"]
                    )
                )
    return store


EVERY = Filters(statuses=["active", "inactive", "blocked"])
# every customer too, but through a narrowing filter: tags and sources by correlated subqueries
NARROW = Filters(statuses=["active", "inactive", "blocked"], orders_min=0)


def _both(state, store: str, columns: list[str], filters: Filters = EVERY) -> tuple[bytes, bytes]:
    request = exports.ExportRequest(filters=filters)
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
    for columns, filters in (([], EVERY), (every, EVERY), (every, NARROW)):
        by_copy, portable = _both(state, store, columns, filters)
        assert by_copy == portable


def test_the_copy_path_reads_in_chunks_and_counts_its_rows(state, backend, monkeypatch):
    if backend != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    monkeypatch.setattr(export_copy, "CHUNK", 3)
    monkeypatch.setattr(export_copy, "FLUSH", 2)
    store = _store(
        state, [{**PLAIN, "orders_count": n, "total_spent": Decimal(n)} for n in range(8)]
    )
    request = exports.ExportRequest(filters=Filters(statuses=["active"]))
    with state.db.session() as session:
        scope = exports.make_scope(state, session, store)
        columns = ["id", "orders_count"]
        pieces = list(exports.csv_pieces(scope, request, columns))
    assert sum(n for _, n in pieces) == 8
    assert b"".join(p for p, _ in pieces) == _both(state, store, columns)[1]


HOSTILE = ["it's", "a\\'; DROP TABLE x; --", "\\", "'\\'", "ليلى الأحمد", "שירה כהן", "%(s)s", "$1"]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_values_merged_into_the_copy_statement_stay_values(state, backend, hostile):
    """COPY takes no parameters: psycopg merges them in as quoted literals. A name with quotes,
    backslashes, placeholders or right-to-left text is compared and written back, never run;
    a column type's own conversion (money to thousandths) is applied on the way."""
    if backend != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    store = _store(state, [{**PLAIN, "name": hostile}])
    with state.db.session() as session:
        query = select(Customer.name, literal(hostile, Text)).where(
            Customer.store_id == store,
            Customer.name.in_([hostile, "x"]),
            Customer.total_spent > Decimal("-0.001"),
            Customer.joined_at < dt.datetime(2027, 1, 1, tzinfo=dt.UTC),
        )
        sql, params = export_copy.bound_statement(query, session.get_bind().dialect)
        assert -1 in params.values()  # -0.001 as the column stores it, in thousandths
        cursor = session.connection().connection.driver_connection.cursor()
        with cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)", params) as copy:
            rows = [bytes(row).decode() for row in copy]
    assert [next(csv.reader([row])) for row in rows] == [[hostile, hostile]]
