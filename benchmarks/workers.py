"""Events per second applied by 1 and 2 RQ workers (capture mode ``queue``), what the host pays
per event in that mode (one INSERT into the inbox and one queue push), and how long after the
hook returns a running worker makes the event's group membership visible."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

from rq import Queue
from sqlalchemy import delete, select

from customers_plugin import Contact, OrderPlaced
from customers_plugin.models import Customer, CustomerGroup, GroupMember
from customers_plugin.services.groups import manage
from customers_plugin.services.groups.registry import registry_for

from .common import Result, latency, make_app, raw_connection, time_calls
from .hook_cost import EXISTING, STORE, _event

BATCH = 100  # CUSTOMERS_INBOX_BATCH's default, for the floor
BIG = {"match": "all", "conditions": [{"field": "total_purchases", "op": "gt", "value": "1000"}]}

REDIS_URL = os.environ.get("CUSTOMERS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
ROOT = Path(__file__).resolve().parents[1]


STOP_WAIT = 300  # seconds a stopped worker may take to finish its job and exit, under load
START_WAIT = 300  # seconds the first event may wait for a worker that is still starting


@contextmanager
def _worker(url: str, queue: str, *flags: str) -> Iterator[subprocess.Popen]:
    """``flask customers worker`` on ``queue`` until the block ends; then it is asked to stop
    (it finishes its job), waited for, and killed if it does not exit within ``STOP_WAIT``.
    Its log goes to a temporary file (a pipe nobody reads while it runs could fill and stall
    it); ``_log`` reads it."""
    env = dict(
        os.environ,
        FLASK_APP="benchmarks.worker_app:create_app",
        CUSTOMERS_TEST_WORKER_DB=url,
        CUSTOMERS_TEST_REDIS_URL=REDIS_URL,
        CUSTOMERS_TEST_QUEUE=queue,
        PYTHONPATH=os.pathsep.join(filter(None, [os.environ.get("PYTHONPATH"), str(ROOT)])),
    )
    flask = Path(sys.executable).with_name("flask")
    command = [flask, "customers", "worker", *flags]
    with (
        tempfile.TemporaryFile() as log,
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log) as proc,
    ):
        proc.log = log  # type: ignore[attr-defined]
        try:
            yield proc
        finally:
            if proc.poll() is None:
                proc.terminate()
            try:
                proc.wait(timeout=STOP_WAIT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _log(proc: subprocess.Popen) -> str:
    proc.log.seek(0)  # type: ignore[attr-defined]
    return proc.log.read().decode(errors="replace")[-2000:]  # type: ignore[attr-defined]


def _workers_ready(redis: Any, queue: str, workers: int) -> None:
    """Wait until ``workers`` workers listen on ``queue`` (registered in Redis)."""
    from rq import Worker

    waited = time.perf_counter()
    while Worker.count(connection=redis, queue=Queue(queue, connection=redis)) < workers:
        if time.perf_counter() - waited > START_WAIT:
            raise RuntimeError("the workers did not start")
        time.sleep(0.05)
    time.sleep(1)  # their start-up relay and registry cleaning are over


def _inbox_size(url: str) -> int:
    conn = raw_connection(url)
    try:
        return conn.execute("SELECT count(*) FROM customers_event_inbox").fetchone()[0]
    finally:
        conn.close()


def _steady_rate(url: str, held: Queue, queue: str, workers: int, events: int) -> float:
    """Events per second while ``workers`` running workers drain ``events`` stored events: the
    jobs wait on ``held`` (no worker listens there) and are moved to the workers' queue once
    they all listen; the clock stops when the inbox is empty (worker start and stop excluded)."""
    with ExitStack() as running:
        procs = [running.enter_context(_worker(url, queue)) for _ in range(workers)]
        target = Queue(queue, connection=held.connection, serializer=held.serializer)
        _workers_ready(held.connection, queue, workers)
        conn = raw_connection(url)
        try:
            started = time.perf_counter()
            for job in held.get_jobs():
                held.remove(job)
                target.enqueue_job(job)
            while conn.execute("SELECT count(*) FROM customers_event_inbox").fetchone()[0]:
                for proc in procs:
                    if proc.poll() is not None:
                        raise RuntimeError(f"a worker exited: {_log(proc)}")
                time.sleep(0.005)
            return events / (time.perf_counter() - started)
        finally:
            conn.close()


def _store_events(url: str, events: int) -> Any:
    """``events`` orders of known customers stored in queue mode; their jobs wait on a queue of
    their own, where no worker listens. Returns the app and the host's milliseconds per event."""
    queue = f"customers-bench-held-{uuid.uuid4().hex[:8]}"
    app = make_app(
        url, CUSTOMERS_CAPTURE_MODE="queue", CUSTOMERS_REDIS_URL=REDIS_URL, CUSTOMERS_QUEUE=queue
    )
    hook = app.extensions["customers"].hook
    samples = time_calls(
        lambda i: hook.on_order_placed(event=_event(i, f"existing-{i % EXISTING}@bench.test")),
        events,
        warmup=0,
    )
    return app, samples


def _batch_floor(url: str, events: int) -> float:
    """Events per second applied by hand-written SQL on one connection, set-based, writing the
    rows the workers write: per transaction of ``BATCH`` stored events (oldest first), their
    known customers read (key-share locked) in one statement, the new ones inserted in one, the
    orders, activity lines and sources inserted and the stats deltas (summed per customer)
    updated by one executemany each, and the batch's inbox rows deleted in one statement."""
    conn = raw_connection(url)
    started = time.perf_counter()
    try:
        while True:
            with conn.transaction():
                rows = conn.execute(
                    "SELECT id, payload FROM customers_event_inbox ORDER BY received_at, id "
                    f"LIMIT {BATCH} FOR UPDATE"
                ).fetchall()
                _floor_batch(conn, [(json.loads(p) if isinstance(p, str) else p) for _, p in rows])
                conn.execute(
                    "DELETE FROM customers_event_inbox WHERE id = ANY(%s)", ([r[0] for r in rows],)
                )
            if len(rows) < BATCH:
                return events / (time.perf_counter() - started)
    finally:
        conn.close()


def _floor_batch(conn: Any, payloads: list[dict[str, Any]]) -> None:
    """One batch of ``order_placed`` payloads, in the caller's transaction."""
    emails = sorted({p["contact"]["email"].casefold() for p in payloads})
    ids = dict(
        conn.execute(
            "SELECT email_normalized, id FROM customers_customers WHERE store_id = %s AND "
            "email_normalized = ANY(%s) FOR KEY SHARE",
            (STORE, emails),
        ).fetchall()
    )
    now = dt.datetime.now(dt.UTC)
    new = [e for e in emails if e not in ids]
    if new:
        created = conn.execute(
            "INSERT INTO customers_customers (id, store_id, email, email_normalized, name, "
            "search_name, extra_emails, extra_phones, addresses, marketing_consent, "
            "system_notifications, status, joined_at, updated_at, orders_count, total_spent, "
            "cancelled_orders_count, bookings_count, reviews_count, rating_sum, wallet_balance) "
            "SELECT gen_random_uuid(), %s, e, e, 'Bench Customer', 'bench customer', '[]', '[]', "
            "'[]', 'not_set', true, 'active', %s, %s, 0, 0, 0, 0, 0, 0, 0 FROM unnest(%s::text[]) "
            "AS e ON CONFLICT DO NOTHING RETURNING email_normalized, id",
            (STORE, now, now, new),
        ).fetchall()
        ids.update(dict(created))
    orders, lines, spent = [], [], {}
    for p in payloads:
        customer_id = ids[p["contact"]["email"].casefold()]
        total = int(Decimal(p["total"]) * 1000)
        placed = dt.datetime.fromisoformat(p["occurred_at"])
        orders.append(
            (uuid.uuid4(), STORE, customer_id, p["source"], p["order_id"], p["status"], total,
             p["currency"], "[]", placed, now)
        )  # fmt: skip
        data = {k: p[k] for k in ("order_id", "total", "currency", "status", "source")}
        lines.append(
            (uuid.uuid4(), STORE, customer_id, "order_placed", "system", json.dumps(data), placed,
             now)
        )  # fmt: skip
        count, money, latest = spent.get(customer_id, (0, 0, placed))
        spent[customer_id] = (count + 1, money + total, max(latest, placed))
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO customers_orders (id, store_id, customer_id, source, external_id, status,"
            " total, currency, items, placed_at, updated_at) VALUES "
            "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            orders,
        )
        cur.executemany(
            "INSERT INTO customers_customer_sources (customer_id, source, store_id, first_seen_at)"
            " VALUES (%s, 'store', %s, %s) ON CONFLICT DO NOTHING",
            [(c, STORE, now) for c in sorted(spent)],
        )
        cur.executemany(
            "UPDATE customers_customers SET orders_count = orders_count + %s, total_spent = "
            "total_spent + %s, last_order_at = CASE WHEN last_order_at IS NULL OR "
            "last_order_at < %s THEN %s ELSE last_order_at END WHERE id = %s",
            [(n, money, t, t, c) for c, (n, money, t) in sorted(spent.items())],
        )
        cur.executemany(
            "INSERT INTO customers_activity (id, store_id, customer_id, kind, actor, data, "
            "occurred_at, recorded_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            lines,
        )


def run(url: str, backend: str, events: int, n_customers: int) -> list[Result]:
    results = []
    for workers in (1, 2):
        app, enqueue = _store_events(url, events)
        if workers == 1:
            results.append(
                latency(
                    "hook on_order_placed, queue mode (host's cost)", backend, n_customers, enqueue
                )
            )
        held = app.extensions["customers"].jobs.queue
        queue = f"customers-bench-{uuid.uuid4().hex[:8]}"
        rate = _steady_rate(url, held, queue, workers, events)
        Queue(queue, connection=held.connection).delete(delete_jobs=True)
        _forget(app)
        _forget(_store_events(url, events)[0])  # the same events again, applied by hand:
        floor = _batch_floor(url, events)
        results.append(
            Result(
                name=f"events applied per second, {workers} RQ worker(s)",
                backend=backend,
                n_customers=n_customers,
                unit="events/s",
                median=rate,
                floor=floor,
                samples=events,
                notes="flask customers worker (SimpleWorker) already running, until the inbox "
                f"is empty; floor: the same events and rows by hand-written set-based SQL, "
                f"{BATCH} per transaction, one connection",
            )
        )
    results.append(_visibility(url, backend, n_customers, min(events, 200)))
    return results


def _forget(app: Any) -> None:
    """Drop the jobs an app queued (on a queue no worker listens to) and its connections."""
    app.extensions["customers"].jobs.queue.delete(delete_jobs=True)
    app.extensions["customers"].db.dispose()


def _visibility(url: str, backend: str, n_customers: int, samples: int) -> Result:
    """An order that qualifies a new customer for a group, sent in queue mode while one worker
    runs: milliseconds from the hook's return until the membership row is visible."""
    queue = f"customers-bench-{uuid.uuid4().hex[:8]}"
    app = make_app(
        url, CUSTOMERS_CAPTURE_MODE="queue", CUSTOMERS_REDIS_URL=REDIS_URL, CUSTOMERS_QUEUE=queue
    )
    state = app.extensions["customers"]
    with state.db.transaction() as session:
        group_id = manage.create_group(
            session, registry_for(state.pm), STORE, {"name": "visibility", "conditions": BIG}
        ).id

    def member(email: str) -> bool:
        with state.db.reading() as session:
            found = session.execute(
                select(GroupMember.customer_id)
                .join(Customer, Customer.id == GroupMember.customer_id)
                .where(GroupMember.group_id == group_id, Customer.email_normalized == email)
            )
            return found.first() is not None

    def one(i: int) -> float:
        email = f"visible-{uuid.uuid4().hex}@b.t"
        state.hook.on_order_placed(event=_order(email))
        sent = time.perf_counter()
        while not member(email):
            if worker.poll() is not None:
                raise RuntimeError(f"the worker exited ({worker.returncode}): {_log(worker)}")
            if time.perf_counter() - sent > START_WAIT:
                raise RuntimeError(f"the worker applied nothing for {START_WAIT} s: {_log(worker)}")
            time.sleep(0.001)
        took = (time.perf_counter() - sent) * 1000
        time.sleep(0.02)  # events spaced out: latency, not throughput
        return took

    try:
        with _worker(url, queue) as worker:
            one(-1)  # waits for the worker to start
            samples_ms = [one(i) for i in range(samples)]
    finally:
        with state.db.transaction() as session:
            session.execute(delete(CustomerGroup).where(CustomerGroup.id == group_id))
        state.jobs.queue.delete(delete_jobs=True)
        state.db.dispose()
    return latency(
        "queue mode: hook return to group membership visible, 1 worker",
        backend,
        n_customers,
        samples_ms,
        notes="flask customers worker running; polled every 1 ms",
    )


def _order(email: str) -> OrderPlaced:
    return OrderPlaced(
        store_id=STORE,
        order_id=f"v-{uuid.uuid4().hex}",
        total=Decimal("1500.00"),
        currency="USD",
        contact=Contact(email=email),
    )
