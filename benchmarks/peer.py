"""Our list pages beside a peer's: the same generated customers in Saleor's customer tables, and
the statements its GraphQL ``customers`` query issues, timed with psycopg.

What is described is Saleor 3.24.0-a.0 (commit 723cd4eb, 2026-08-21): the shape of
``account_user``, ``account_address``, ``account_user_addresses`` and ``order_order`` (column
names, types and the indexes its migrations create), and the SQL its ``customers(first: 50)``
query sent through Django, captured from a running install. ``order_order`` is cut down to the
columns the customers query touches (the real table has about 70). Nothing of Saleor is needed
to run this suite: it is PostgreSQL only, in the benchmark's throwaway schema.

The peer's figures are its database work alone (no Django, no GraphQL), so the ratio
ours / peer compares our whole request with the least the peer's request can cost.
"""

from __future__ import annotations

import itertools
import re
import statistics
import unicodedata
import uuid
from collections.abc import Iterator
from typing import Any

import pycountry

from .common import Result, latency, raw_connection, time_calls
from .generate import Generated, customer_rows
from .list_page import bench_client, fetch_all, measure, surnames

PAGE = 50
DDL = """
CREATE TABLE account_address (
    id integer PRIMARY KEY,
    first_name varchar(256) NOT NULL, last_name varchar(256) NOT NULL,
    company_name varchar(256) NOT NULL, street_address_1 varchar(256) NOT NULL,
    street_address_2 varchar(256) NOT NULL, city varchar(256) NOT NULL,
    postal_code varchar(20) NOT NULL, country varchar(2) NOT NULL,
    country_area varchar(128) NOT NULL, phone varchar(128) NOT NULL,
    city_area varchar(128) NOT NULL,
    metadata jsonb NOT NULL DEFAULT '{}', private_metadata jsonb NOT NULL DEFAULT '{}',
    validation_skipped boolean NOT NULL DEFAULT false
);
CREATE TABLE account_user (
    id integer PRIMARY KEY,
    is_superuser boolean NOT NULL, email varchar(254) NOT NULL UNIQUE,
    is_staff boolean NOT NULL, is_active boolean NOT NULL, password varchar(128) NOT NULL,
    date_joined timestamptz NOT NULL, last_login timestamptz,
    default_billing_address_id integer REFERENCES account_address (id),
    default_shipping_address_id integer REFERENCES account_address (id),
    note text, first_name varchar(256) NOT NULL, last_name varchar(256) NOT NULL,
    avatar varchar(100),
    private_metadata jsonb NOT NULL DEFAULT '{}', metadata jsonb NOT NULL DEFAULT '{}',
    jwt_token_key varchar(12) NOT NULL, language_code varchar(35) NOT NULL,
    search_document text NOT NULL, updated_at timestamptz NOT NULL, uuid uuid NOT NULL UNIQUE,
    external_reference varchar(250) UNIQUE, last_password_reset_request timestamptz,
    is_confirmed boolean NOT NULL DEFAULT true, last_confirm_email_request timestamptz,
    number_of_orders integer NOT NULL DEFAULT 0 CHECK (number_of_orders >= 0),
    search_vector tsvector, customer_type_id integer
);
CREATE TABLE account_user_addresses (
    id integer PRIMARY KEY,
    user_id integer NOT NULL REFERENCES account_user (id),
    address_id integer NOT NULL REFERENCES account_address (id),
    UNIQUE (user_id, address_id)
);
CREATE TABLE order_order (
    id uuid PRIMARY KEY,
    user_id integer REFERENCES account_user (id),
    user_email varchar(254) NOT NULL,
    created_at timestamptz NOT NULL,
    status varchar(32) NOT NULL,
    total_gross_amount numeric(20, 3) NOT NULL,
    currency varchar(3) NOT NULL
);
"""
# the trigram operator class is qualified by the schema pg_trgm lives in (our migrations put
# it in ``public``; the benchmark schema alone is on the search path)
INDEXES = """
CREATE INDEX ON account_address (phone);
CREATE INDEX ON account_address (phone varchar_pattern_ops);
CREATE INDEX ON account_address (country);
CREATE INDEX ON account_address USING gin (metadata);
CREATE INDEX ON account_address USING gin (private_metadata);
CREATE INDEX ON account_address USING gin (first_name {trgm}, last_name {trgm},
    city {trgm}, country {trgm});
CREATE INDEX ON account_address USING gin (company_name {trgm},
    street_address_1 {trgm}, street_address_2 {trgm}, city {trgm},
    postal_code {trgm}, phone {trgm});
CREATE INDEX ON account_user (updated_at);
CREATE INDEX ON account_user (upper(email));
CREATE INDEX ON account_user (email varchar_pattern_ops);
CREATE INDEX ON account_user (external_reference varchar_pattern_ops);
CREATE INDEX ON account_user USING gin (first_name {trgm});
CREATE INDEX ON account_user USING gin (last_name {trgm});
CREATE INDEX ON account_user USING gin ((first_name || ' ' || last_name) {trgm});
CREATE INDEX ON account_user USING gin (email {trgm}, first_name {trgm},
    last_name {trgm});
CREATE INDEX ON account_user USING gin (search_document {trgm});
CREATE INDEX ON account_user USING gin (search_vector);
CREATE INDEX ON account_user USING gin (metadata);
CREATE INDEX ON account_user USING gin (private_metadata);
CREATE INDEX ON account_user USING gin (private_metadata jsonb_path_ops);
CREATE INDEX ON account_user (customer_type_id);
CREATE INDEX ON account_user (date_joined);
CREATE INDEX ON account_user (email);
CREATE INDEX ON account_user (number_of_orders);
CREATE INDEX ON account_user (default_billing_address_id);
CREATE INDEX ON account_user (default_shipping_address_id);
CREATE INDEX ON account_user_addresses (user_id);
CREATE INDEX ON account_user_addresses (address_id);
CREATE INDEX ON order_order (user_id);
CREATE INDEX ON order_order USING gin (user_email {trgm});
CREATE INDEX ON order_order (created_at);
"""
_USER_COLUMNS = (
    "id, is_superuser, email, is_staff, is_active, password, date_joined, "
    "default_billing_address_id, default_shipping_address_id, first_name, last_name, "
    "jwt_token_key, language_code, search_document, updated_at, uuid, is_confirmed, "
    "number_of_orders"
)
_ADDRESS_COLUMNS = (
    "id, first_name, last_name, company_name, street_address_1, street_address_2, city, "
    "postal_code, country, country_area, phone, city_area"
)


def _country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return country.name if country else code


def _peer_customers(n: int, store_id: str) -> Iterator[tuple[tuple, list[tuple]]]:
    """(user with its address and search texts, its orders) as the peer stores them, for the
    same customers the generator loaded into our tables (same seed, same order)."""
    for i, row in enumerate(customer_rows(n, store_id), start=1):
        first, _, last = row["name"].partition(" ")
        email, phone, country = row["email"], row["phone"], row["country"]
        place = [first, last, _country_name(country), country, phone]
        # what the peer writes on save: a weight-A text (names, email), a weight-B text (the
        # email's domain and the address), and the older lower-cased search document
        words_a = f"{first} {last} {email}"
        words_b = " ".join([email.split("@")[-1], *place])
        document = "\n".join([email, first, last, *place]).lower()
        joined = row["joined_at"]
        user = (i, False, email, False, row["status"] == "active", "!", joined, i, i, first,
                last, uuid.uuid4().hex[:12], row["language"], document, joined, uuid.uuid4(),
                True, row["orders_count"], words_a, words_b, country, phone)  # fmt: skip
        orders = [
            (uuid.uuid4(), i, email, joined, "fulfilled", total, "USD") for total in row["_orders"]
        ]
        yield user, orders


def fill_customers(conn: Any, n: int, store_id: str) -> None:
    """The peer's user, address and link tables holding the generator's ``n`` customers,
    through ``COPY`` into a staging table (PostgreSQL builds the search vector from the texts
    the peer feeds it)."""
    with conn.cursor() as cur:
        cur.execute(
            f"CREATE TEMP TABLE peer_load AS SELECT {_USER_COLUMNS} FROM account_user WITH NO DATA"
        )
        cur.execute("ALTER TABLE peer_load ADD words_a text, ADD words_b text, "
                    "ADD country text, ADD phone text")  # fmt: skip
        with cur.copy(
            f"COPY peer_load ({_USER_COLUMNS}, words_a, words_b, country, phone) FROM STDIN"
        ) as copy:
            for user, _orders in _peer_customers(n, store_id):
                copy.write_row(user)
        cur.execute(
            f"INSERT INTO account_address ({_ADDRESS_COLUMNS}) "
            "SELECT id, first_name, last_name, '', '', '', '', '', country, '', phone, '' "
            "FROM peer_load ORDER BY id"
        )
        cur.execute(
            f"INSERT INTO account_user ({_USER_COLUMNS}, search_vector) "
            f"SELECT {_USER_COLUMNS}, setweight(to_tsvector('simple', words_a), 'A') "
            "|| setweight(to_tsvector('simple', words_b), 'B') FROM peer_load ORDER BY id"
        )
        cur.execute(
            "INSERT INTO account_user_addresses (id, user_id, address_id) "
            "SELECT id, id, id FROM peer_load ORDER BY id"
        )
        cur.execute("DROP TABLE peer_load")


def fill_orders(conn: Any, n: int, store_id: str) -> None:
    """The same customers' orders, in a second pass over the generator (memory stays flat)."""
    with (
        conn.cursor() as cur,
        cur.copy(
            "COPY order_order (id, user_id, user_email, created_at, status, total_gross_amount, "
            "currency) FROM STDIN"
        ) as copy,
    ):
        for _user, orders in _peer_customers(n, store_id):
            for order in orders:
                copy.write_row(order)


# The statements of one ``customers(first: 50)`` request that read customers (the request's
# own look-ups of the staff user and the site settings are left out). Django's IN list of
# address ids is written ``= ANY`` here: one statement text for every page.
_READ = (
    "id, is_superuser, private_metadata, metadata, external_reference, password, "
    "last_login, email, first_name, last_name, is_staff, is_active, is_confirmed, "
    "last_confirm_email_request, note, date_joined, updated_at, last_password_reset_request, "
    "default_shipping_address_id, default_billing_address_id, avatar, jwt_token_key, "
    "language_code, search_vector, search_document, uuid, customer_type_id, number_of_orders"
)
_CUSTOMERS = f"SELECT {_READ}"
_BILLING = _READ.split(", ").index("default_billing_address_id")
_IS_CUSTOMER = (
    "(NOT is_staff OR (is_staff AND EXISTS (SELECT 1 AS a FROM order_order u0 "
    "WHERE u0.user_id = account_user.id LIMIT 1)))"
)
DEFAULT_PAGE = (
    f"{_CUSTOMERS} FROM account_user WHERE {_IS_CUSTOMER} ORDER BY email ASC, id ASC "
    f"LIMIT {PAGE + 1}"
)
# ``search``: a prefix tsquery filters, an exact websearch query only ranks; best rank first
SEARCH_PAGE = (
    f"{_CUSTOMERS}, ts_rank(search_vector, to_tsquery('simple', %(prefix)s)) AS prefix_rank, "
    "ts_rank(search_vector, websearch_to_tsquery('simple', %(exact)s)) AS exact_rank, "
    "ts_rank(search_vector, websearch_to_tsquery('simple', %(exact)s)) * 2 "
    "+ ts_rank(search_vector, to_tsquery('simple', %(prefix)s)) AS search_rank "
    f"FROM account_user WHERE {_IS_CUSTOMER} "
    "AND search_vector @@ to_tsquery('simple', %(prefix)s) "
    f"ORDER BY search_rank DESC, id DESC LIMIT {PAGE + 1}"
)
ADDRESSES = (
    "SELECT id, private_metadata, metadata, first_name, last_name, company_name, "
    "street_address_1, street_address_2, city, city_area, postal_code, country, "
    "country_area, phone, validation_skipped FROM account_address WHERE id = ANY(%s) "
    "ORDER BY id ASC"
)


def _search_terms(text: str) -> dict[str, str]:
    """The peer's parameters for a search of plain words: accents stripped, then every word as
    a prefix (``word:*``, tsquery operators blanked) joined by AND, and the text as it is."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    words = re.sub(r"[()&|!:<>'*]", " ", plain).split()
    return {"prefix": " & ".join(f"{w}:*" for w in words), "exact": plain}


def _page(conn: Any, sql: str, params: dict[str, str] | None = None) -> None:
    """One page as the peer reads it: 51 users (the 51st says a next page exists), then the
    default billing addresses of the 50 shown."""
    users = fetch_all(conn, sql, params or {})[:PAGE]
    fetch_all(conn, ADDRESSES, ([u[_BILLING] for u in users if u[_BILLING] is not None],))


def run(url: str, data: Generated, calls: int) -> list[Result]:
    """The peer's three pages, then ours (API and floor) with the same words."""
    conn = raw_connection(url)
    with conn.cursor() as cur:
        cur.execute(DDL)
    fill_customers(conn, data.customers, data.store_id)
    fill_orders(conn, data.customers, data.store_id)
    with conn.cursor() as cur:
        cur.execute(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'pg_trgm'"
        )
        cur.execute(INDEXES.format(trgm=f'"{cur.fetchone()[0]}".gin_trgm_ops'))
        cur.execute("VACUUM ANALYZE")
    words = {
        "list page, search by name": itertools.islice(itertools.cycle(surnames(data)), calls + 20),
        "list page, search by phone": itertools.islice(
            itertools.cycle(data.sample_phones), calls + 20
        ),
    }
    peer = {"list page, default sort": time_calls(lambda i: _page(conn, DEFAULT_PAGE), calls)}
    for name, asked in words.items():
        terms = [_search_terms(w) for w in asked]
        assert fetch_all(conn, SEARCH_PAGE, terms[0]), f"the peer finds nothing for {name}"
        peer[name] = time_calls(lambda i, t=terms: _page(conn, SEARCH_PAGE, t[i]), calls)
    app, client = bench_client(url, data)
    results = []
    for name, ours, floor in measure(client, conn, data, True, calls, set(peer)):
        result = latency(f"{name}, beside Saleor", "postgresql", data.customers, ours, floor)
        result.peer = statistics.median(peer[name])
        results.append(result)
    conn.close()
    app.extensions["customers"].db.dispose()
    return results
