"""Customer list pages through the REST API (Flask test client, full request/response cycle)
beside the floor: the one hand-written SQL statement that returns the same page (rows with their
tags, sources and groups)."""

from __future__ import annotations

import itertools
from typing import Any
from urllib.parse import quote

from flask import Flask

from customers_plugin import hookimpl
from customers_plugin.normalize import search_key

from .common import Result, latency, make_app, raw_connection, time_calls, time_paired
from .generate import Generated

PREFIX = "/api/v1"
PAGE = 50
_ROW = (
    "id, name, email, phone, country, joined_at, marketing_consent, "
    "system_notifications, status, block_reason, orders_count, total_spent, last_order_at"
)
# what each row of a page carries besides its columns, written by hand per dialect:
# (JSON object builder, JSON array aggregate, empty array)
_JSON = {
    True: ("json_build_object", "json_agg", "'[]'::json"),
    False: ("json_object", "json_group_array", "'[]'"),
}


def columns(pg: bool) -> str:
    """The floor's select list: the row columns, then tags, sources and groups as JSON."""
    obj, agg, empty = _JSON[pg]
    c = "customers_customers.id"
    return (
        f"{_ROW}, "
        f"(SELECT coalesce({agg}({obj}('id', t.id, 'name', t.name, 'automatic', t.automatic)), "
        f"{empty}) FROM customers_customer_tags ct JOIN customers_tags t ON t.id = ct.tag_id "
        f"WHERE ct.customer_id = {c}) AS tags, "
        f"(SELECT coalesce({agg}(s.source), {empty}) FROM customers_customer_sources s "
        f"WHERE s.customer_id = {c}) AS sources, "
        f"(SELECT coalesce({agg}({obj}('id', g.id, 'name', g.name)), {empty}) "
        f"FROM customers_group_members m JOIN customers_groups g ON g.id = m.group_id "
        f"WHERE m.customer_id = {c}) AS groups"
    )


class AllowBench:
    """The host's auth for the benchmark: everything allowed on the bench store."""

    def __init__(self, store_id: str) -> None:
        self.store_id = store_id

    @hookimpl
    def current_store(self, request: Any) -> str:
        return self.store_id

    @hookimpl
    def authorize(self, request: Any, permission: str, store_id: str) -> bool:
        return store_id == self.store_id


def surnames(data: Generated) -> list[str]:
    """The words a name search asks for: the last word of each sampled name."""
    return [n.split()[-1] for n in data.sample_names]


def _scenarios(data: Generated, pg: bool) -> list[tuple[str, Any, Any]]:
    """(name, query-string maker, floor-SQL maker) for each measured page."""
    ph = "%s" if pg else "?"
    names = itertools.cycle(surnames(data))
    phones = itertools.cycle(data.sample_phones)
    base = (
        f"SELECT {columns(pg)} FROM customers_customers WHERE store_id = {ph} AND status = 'active'"
    )
    store = data.store_id

    def name_search(_i: int) -> tuple[str, tuple]:
        word = next(names)
        # the API's predicate for a name fragment: the folded name or the email contains it
        return (
            f"{base} AND (search_name LIKE {ph} OR email_normalized LIKE {ph}) "
            f"ORDER BY joined_at DESC, id DESC LIMIT {PAGE}",
            (store, f"%{search_key(word)}%", f"%{word.lower()}%"),
            word,
        )

    def phone_search(_i: int) -> tuple[str, tuple]:
        phone = next(phones)
        return (
            f"{base} AND phone = {ph} ORDER BY joined_at DESC, id DESC LIMIT {PAGE}",
            (store, phone),
            phone,
        )

    tag_sql = (
        f"{base} AND EXISTS (SELECT 1 FROM customers_customer_tags ct JOIN customers_tags t ON "
        f"t.id = ct.tag_id WHERE ct.customer_id = customers_customers.id AND t.name_key = {ph}) "
        f"ORDER BY total_spent DESC, id DESC LIMIT {PAGE}"
    )
    return [
        (
            "list page, default sort",
            lambda i: f"limit={PAGE}",
            lambda i: (f"{base} ORDER BY joined_at DESC, id DESC LIMIT {PAGE}", (store,)),
        ),
        ("list page, search by name", None, name_search),
        ("list page, search by phone", None, phone_search),
        (
            "list page, tag filter + sort by total_spent",
            lambda i: f"limit={PAGE}&tag=VIP&sort=-total_spent",
            lambda i: (tag_sql, (store, search_key("VIP"))),
        ),
    ]


EMPTY_ROUTE = "/bench-empty"


def bench_client(url: str, data: Generated) -> tuple[Flask, Any]:
    """The app (everything allowed on the bench store) and its test client; the app also
    answers ``EMPTY_ROUTE`` with an empty body (a request's cost before any work)."""
    app = make_app(url, CUSTOMERS_PLUGINS=[AllowBench(data.store_id)])
    app.add_url_rule(EMPTY_ROUTE, "bench_empty", lambda: "")
    return app, app.test_client()


def api_page(client: Any, query: str) -> Any:
    response = client.get(f"{PREFIX}/customers?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response


def fetch_all(conn: Any, sql: str, params: tuple) -> list[Any]:
    """One statement's rows on a raw connection (what every floor and the peer cost)."""
    cur = conn.cursor()
    cur.execute(sql, params)
    return cur.fetchall()


def measure(
    client: Any, conn: Any, data: Generated, pg: bool, calls: int, names: set[str] | None = None
) -> list[tuple[str, list[float], list[float]]]:
    """(name, API samples, floor samples) of each scenario (or of those named); a search asks
    the API and the floor for the same words: ``surnames`` or the sampled phones, in order."""

    measured = []
    for name, query, floor in _scenarios(data, pg):
        if names is not None and name not in names:
            continue
        if query is None:
            made = [floor(i) for i in range(calls + 20)]
            api_samples, floor_samples = time_paired(
                lambda i, m=made: api_page(client, f"limit={PAGE}&q={quote(m[i][2], safe='')}"),
                lambda i, m=made: fetch_all(conn, m[i][0], m[i][1]),
                calls,
            )
        else:
            api_samples, floor_samples = time_paired(
                lambda i, q=query: api_page(client, q(i)),
                lambda i, f=floor: fetch_all(conn, *f(i)),
                calls,
            )
        measured.append((name, api_samples, floor_samples))
    return measured


def run(url: str, backend: str, data: Generated, calls: int) -> list[Result]:
    app, client = bench_client(url, data)
    conn = raw_connection(url)
    pg = backend == "postgresql"
    results = [
        latency(name, backend, data.customers, api_samples, floor_samples)
        for name, api_samples, floor_samples in measure(client, conn, data, pg, calls)
    ]
    # what any page pays before its own work: a request through Flask and its test client
    # to a view that does nothing (no floor: read it against the pages above)
    results.append(
        latency(
            "request to an empty Flask view (the pages' fixed cost)",
            backend,
            data.customers,
            time_calls(lambda i: client.get(EMPTY_ROUTE), calls),
        )
    )

    # deep page: follow the cursor up to 20 pages down, then time that page
    response = api_page(client, f"limit={PAGE}")
    depth = 1
    while depth < 20 and response.get_json()["next_cursor"]:
        previous = response
        response = api_page(client, f"limit={PAGE}&cursor={response.get_json()['next_cursor']}")
        depth += 1
    if not response.get_json()["next_cursor"]:
        response, depth = previous, depth - 1
    cursor = response.get_json()["next_cursor"]
    last = response.get_json()["items"][-1]
    ph = "%s" if pg else "?"
    deep_sql = (
        f"SELECT {columns(pg)} FROM customers_customers "
        f"WHERE store_id = {ph} AND status = 'active' "
        f"AND (joined_at < {ph} OR (joined_at = {ph} AND id < {ph})) "
        f"ORDER BY joined_at DESC, id DESC LIMIT {PAGE}"
    )
    cur = conn.cursor()
    cur.execute(
        f"SELECT joined_at, id FROM customers_customers WHERE id = {ph}",
        (last["id"] if pg else last["id"].replace("-", ""),),
    )
    joined_at, last_id = cur.fetchone()
    results.append(
        latency(
            f"list page, deep page via cursor (page {depth + 1})",
            backend,
            data.customers,
            *time_paired(
                lambda i: api_page(client, f"limit={PAGE}&cursor={cursor}"),
                lambda i: fetch_all(conn, deep_sql, (data.store_id, joined_at, joined_at, last_id)),
                calls,
            ),
        )
    )
    results += _duplicates(client, backend, data, calls)
    conn.close()
    app.extensions["customers"].db.dispose()
    return results


def _duplicates(client: Any, backend: str, data: Generated, calls: int) -> list[Result]:
    """The store's suggested duplicate pairs: the first page, and the 20th by cursor."""

    def page(cursor: str | None = None) -> Any:
        query = f"limit={PAGE}" + (f"&cursor={cursor}" if cursor else "")
        response = client.get(f"{PREFIX}/customers/duplicates?{query}")
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        return response.get_json()

    cursor, depth = None, 1
    while depth < 20 and (found := page(cursor)["next_cursor"]):
        cursor, depth = found, depth + 1
    return [
        latency(
            "duplicates page, first", backend, data.customers, time_calls(lambda i: page(), calls)
        ),
        latency(
            f"duplicates page, deep via cursor (page {depth})",
            backend,
            data.customers,
            time_calls(lambda i: page(cursor), calls),
        ),
    ]
