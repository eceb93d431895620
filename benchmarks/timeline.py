"""The customer timeline at scale: one customer with ~2,000 timeline rows (orders, bookings,
forms, notes, tasks, messages, activity) in a store of generated customers that each have some
activity too. Measured:

- the first page and a deep page (30 pages down, by cursor) through the REST API (Flask test
  client), beside the floor: one hand-written ``UNION ALL`` statement returning the same page
  with its fields, run with psycopg (or sqlite3);
- the service's page (one ``UNION ALL`` whose branches carry their fields as JSON) beside a
  merge in Python of one keyset query per kind, both on one session: the comparison that chose
  the union.
"""

from __future__ import annotations

import datetime as dt
import heapq
import uuid
from types import SimpleNamespace
from typing import Any

from sqlalchemy import create_engine, insert, text

from customers_plugin.models import (
    Activity,
    BookingSummary,
    FormSubmission,
    Message,
    Note,
    OrderSummary,
    Task,
    Thread,
)
from customers_plugin.services import keyset, timeline
from customers_plugin.types import new_id

from .common import Result, latency, make_app, raw_connection, time_calls, time_paired
from .generate import Generated
from .list_page import PREFIX, AllowBench

PAGE = 50
DEPTH = 30  # pages down for the deep page
PER_KIND = {"order": 300, "booking": 200, "form": 200, "note": 300, "task": 200, "message": 300}
ACTIVITY = 500  # the customer's own activity lines (not covered by an item)
BACKGROUND_ACTIVITY = 2  # activity lines of every other customer


def _load(url: str, data: Generated) -> uuid.UUID:
    """The timeline rows of one customer, and background activity of all; its id."""
    engine = create_engine(url)
    store = data.store_id
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)

    def at(i: int) -> dt.datetime:
        return start + dt.timedelta(minutes=37 * i)

    with engine.begin() as conn:
        ids = [
            row[0]
            for row in conn.execute(
                text("SELECT id FROM customers_customers WHERE store_id = :s"), {"s": store}
            )
        ]
        cid = ids[len(ids) // 2]
        base = {"store_id": store, "customer_id": cid}
        thread_id = new_id()
        conn.execute(
            insert(Thread.__table__),
            [{**base, "id": thread_id, "subject": "Order", "channel": "email",
              "reply_token": uuid.uuid4().hex, "origin": "card", "unread_count": 0,
              "last_message_at": at(0), "created_at": at(0)}],
        )  # fmt: skip
        rows = {
            OrderSummary: [
                {**base, "id": new_id(), "source": "store", "external_id": f"tl-{i}",
                 "status": "paid", "total": "10.00", "currency": "USD", "items": [],
                 "placed_at": at(i), "updated_at": at(i)}
                for i in range(PER_KIND["order"])
            ],
            BookingSummary: [
                {**base, "id": new_id(), "source": "booking", "external_id": f"tl-{i}",
                 "service": "Haircut", "status": "confirmed", "form_answers": {},
                 "starts_at": at(i + 5), "booked_at": at(i), "updated_at": at(i)}
                for i in range(PER_KIND["booking"])
            ],
            FormSubmission: [
                {**base, "id": new_id(), "source": "forms", "external_id": f"tl-{i}",
                 "form_name": "Contact", "answers": {}, "submitted_at": at(i)}
                for i in range(PER_KIND["form"])
            ],
            Note: [
                {**base, "id": new_id(), "text": "Called about the parcel. " * 20,
                 "type": "note", "author": "staff-1", "pinned": False, "created_at": at(i)}
                for i in range(PER_KIND["note"])
            ],
            Task: [
                {**base, "id": new_id(), "title": "Call back", "due_at": at(i + 100),
                 "status": "open", "created_at": at(i), "updated_at": at(i)}
                for i in range(PER_KIND["task"])
            ],
            Message: [
                {**base, "id": new_id(), "thread_id": thread_id, "direction": "out",
                 "channel": "email", "purpose": "transactional", "body": "Your order " * 40,
                 "subject": "Order", "state": "sent", "created_at": at(i)}
                for i in range(PER_KIND["message"])
            ],
            Activity: [
                {**base, "id": new_id(), "kind": "tagged", "actor": "system",
                 "data": {"tag": "VIP"}, "occurred_at": at(i), "recorded_at": at(i)}
                for i in range(ACTIVITY)
            ],
        }  # fmt: skip
        for model, batch in rows.items():
            conn.execute(insert(model.__table__), batch)
        background = [
            {"id": new_id(), "store_id": store, "customer_id": other, "kind": "created",
             "actor": "system", "data": {}, "occurred_at": at(k), "recorded_at": at(k)}
            for other in ids if other != cid for k in range(BACKGROUND_ACTIVITY)
        ]  # fmt: skip
        for i in range(0, len(background), 20_000):
            conn.execute(insert(Activity.__table__), background[i : i + 20_000])
    engine.dispose()
    return cid


def _floor_sql(pg: bool, after: list[Any] | None) -> tuple[str, list[Any]]:
    """The same page by hand: each kind's rows after the cursor, ordered and limited, with
    their fields as JSON, in one UNION ALL ordered by (at, kind, id) descending."""
    ph = "%s" if pg else "?"
    obj = "json_build_object" if pg else "json_object"
    branches = [
        ("activity", "customers_activity", "occurred_at",
         f"{obj}('event', kind, 'actor', actor, 'details', data)",
         "AND kind NOT IN ('order_placed', 'booking_made', 'form_submitted', 'note_added', "
         "'task_created', 'message_queued', 'message_received')"),
        ("booking", "customers_bookings", "booked_at",
         f"{obj}('booking_id', external_id, 'service', service, 'status', status, "
         "'starts_at', starts_at, 'price', price)", ""),
        ("form", "customers_form_submissions", "submitted_at",
         f"{obj}('submission_id', external_id, 'form_name', form_name)", ""),
        ("message", "customers_messages", "created_at",
         f"{obj}('thread_id', thread_id, 'direction', direction, 'subject', subject, "
         "'excerpt', substr(body, 1, 300))", ""),
        ("note", "customers_notes", "created_at",
         f"{obj}('type', type, 'author', author, 'excerpt', substr(text, 1, 300))", ""),
        ("order", "customers_orders", "placed_at",
         f"{obj}('order_id', external_id, 'status', status, 'total', total, "
         "'currency', currency)", ""),
        ("task", "customers_tasks", "created_at",
         f"{obj}('title', title, 'status', status, 'due_at', due_at)", ""),
    ]  # fmt: skip
    parts, params = [], []
    for rank, (kind, table, at, fields, extra) in enumerate(branches):
        resume = ""
        if after is not None:
            c_at, c_kind, c_id = after
            if kind < c_kind:
                resume, values = f"AND {at} <= {ph}", [c_at]
            elif kind > c_kind:
                resume, values = f"AND {at} < {ph}", [c_at]
            else:
                resume = f"AND ({at} < {ph} OR ({at} = {ph} AND id < {ph}))"
                values = [c_at, c_at, c_id]
            params_extra = values
        else:
            params_extra = []
        parts.append(
            f"SELECT * FROM (SELECT {at} AS at, {rank} AS rank, id, {fields} AS data "
            f"FROM {table} WHERE store_id = {ph} AND customer_id = {ph} AND {at} IS NOT NULL "
            f"{extra} {resume} ORDER BY {at} DESC, id DESC LIMIT {PAGE + 1}) AS b{rank}"
        )
        params += ["__store", "__customer", *params_extra]
    sql = " UNION ALL ".join(parts) + f" ORDER BY at DESC, rank DESC, id DESC LIMIT {PAGE + 1}"
    return sql, params


_MERGE_QUERIES: dict[tuple[str, str | None], Any] = {}


def _merge_page(session: Any, store_id: str, cid: uuid.UUID, after: list[Any] | None) -> int:
    """The alternative measured: one keyset query per kind (built once, as the service's
    statements are), merged in Python."""
    params: dict[str, Any] = {"tl_store": store_id, "tl_customer": cid, "tl_limit": PAGE + 1}
    if after is not None:
        params["tl_at"], params["tl_id"] = after[0], after[2]
    lists = []
    for kind in timeline.kinds():
        key = (kind, after[1] if after is not None else None)
        if key not in _MERGE_QUERIES:
            _MERGE_QUERIES[key] = timeline._branch(timeline.SOURCES[kind], key[1]).query
        rows = session.execute(_MERGE_QUERIES[key], params).mappings().all()
        lists.append([(row["at"], kind, row["id"], row) for row in rows])
    merged = heapq.merge(*lists, key=lambda item: item[:3], reverse=True)
    page = [next(merged, None) for _ in range(PAGE + 1)]
    items = [timeline.SOURCES[k].serialize(row) for _at, k, _id, row in filter(None, page)]
    return len(items)


def run(url: str, backend: str, data: Generated, calls: int) -> list[Result]:
    """PostgreSQL only (the floor is written in its SQL)."""
    cid = _load(url, data)
    pg = True
    app = make_app(url, CUSTOMERS_PLUGINS=[AllowBench(data.store_id)])
    client = app.test_client()
    path = f"{PREFIX}/customers/{cid}/timeline?limit={PAGE}"

    def api(cursor: str | None) -> Any:
        """The page's response; what is timed (reading its JSON is the caller's work, and the
        list suite's pages are timed so too)."""
        response = client.get(path + (f"&cursor={cursor}" if cursor else ""))
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        return response

    cursor = None
    for _ in range(DEPTH):
        cursor = api(cursor).json["next_cursor"]
    deep = keyset.decode(cursor, timeline._CURSOR)
    conn = raw_connection(url)

    def floor(after: list[Any] | None) -> Any:
        sql, params = _floor_sql(pg, after)
        values = [data.store_id if p == "__store" else cid if p == "__customer" else p
                  for p in params]  # fmt: skip
        cur = conn.cursor()
        cur.execute(sql, values)
        return cur.fetchall()

    assert len(floor(None)) == PAGE + 1 and len(floor(deep)) == PAGE + 1
    db = app.extensions["customers"].db
    results = [
        latency(
            "timeline first page (API)", backend, data.customers,
            *time_paired(lambda i: api(None), lambda i: floor(None), calls),
        ),
        latency(
            f"timeline page {DEPTH + 1} by cursor (API)", backend, data.customers,
            *time_paired(lambda i: api(cursor), lambda i: floor(deep), calls),
        ),
    ]  # fmt: skip
    with db.reading() as session:
        scope = SimpleNamespace(session=session, store_id=data.store_id)
        for label, after, token in (("first", None, None), ("deep", deep, cursor)):
            union = time_calls(
                lambda i, t=token: timeline.page(scope, cid, limit=PAGE, cursor=t), calls
            )
            merge = time_calls(
                lambda i, a=after: _merge_page(session, data.store_id, cid, a), calls
            )
            results.append(
                latency(
                    f"timeline {label} page, service: UNION ALL (floor: per-kind merge)",
                    backend, data.customers, union, merge,
                )
            )  # fmt: skip
    conn.close()
    app.extensions["customers"].db.dispose()
    return results
