"""Cost of one message send job (``services.messages.sending.deliver``) with a channel that does
nothing, beside its floor: the same statements written by hand on a raw DB-API connection.

    python -m benchmarks.send_job                 # PostgreSQL, 200 sends
    python -m benchmarks.send_job --backend sqlite --sends 500
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
import uuid
from typing import Any

from customers_plugin import hookimpl
from customers_plugin.models import Customer, Message, Thread
from customers_plugin.services.messages import deliver

from .common import bench_database, latency, make_app, raw_connection, table

STORE = "bench"


class NoopChannel:
    """An email channel that sends nothing and answers at once."""

    def __init__(self) -> None:
        self.n = 0

    @hookimpl
    def send_message(self, channel: str) -> str | None:
        self.n += 1
        return f"noop-{self.n}" if channel == "email" else None


def _queue(state: Any, n: int) -> list[uuid.UUID]:
    """One customer, one thread and ``n`` queued transactional emails."""
    now = dt.datetime.now(dt.UTC)
    customer_id, thread_id = uuid.uuid4(), uuid.uuid4()
    ids = [uuid.uuid4() for _ in range(n)]
    with state.db.transaction() as session:
        session.execute(
            Customer.__table__.insert(),
            [{"id": customer_id, "store_id": STORE, "email": f"{customer_id.hex}@example.com",
              "email_normalized": f"{customer_id.hex}@example.com", "search_name": ""}],
        )  # fmt: skip
        session.execute(
            Thread.__table__.insert(),
            [{"id": thread_id, "store_id": STORE, "customer_id": customer_id, "channel": "email",
              "reply_token": uuid.uuid4().hex, "origin": "card", "unread_count": 0,
              "last_message_at": now, "created_at": now}],
        )  # fmt: skip
        session.execute(
            Message.__table__.insert(),
            [{"id": i, "store_id": STORE, "customer_id": customer_id, "thread_id": thread_id,
              "direction": "out", "channel": "email", "purpose": "transactional",
              "address": f"{customer_id.hex}@example.com", "subject": "Receipt",
              "body": "Thank you for your order.", "state": "queued", "created_at": now,
              "external_id": f"<{i.hex}@bench.example>"} for i in ids],
        )  # fmt: skip
    return ids


def _floor(url: str, backend: str, ids: list[uuid.UUID]) -> list[float]:
    """The job's statements by hand: read, rate count, claim (committed), consent and reply
    token, the (no-op) send, mark sent with the activity row (committed)."""
    pg = backend == "postgresql"
    ph = "%s" if pg else "?"
    conn = raw_connection(url)

    def key(value: uuid.UUID) -> object:
        return value if pg else value.hex

    def now() -> object:
        t = dt.datetime.now(dt.UTC)
        return t if pg else t.replace(tzinfo=None).isoformat(sep=" ")

    samples = []
    cur = conn.cursor()
    for message_id in ids:
        started = time.perf_counter()
        cur.execute(
            f"SELECT store_id FROM customers_messages WHERE id = {ph} AND state = 'queued'",
            (key(message_id),),
        )
        store_id = cur.fetchone()[0]
        cur.execute("BEGIN" if pg else "BEGIN IMMEDIATE")
        cur.execute(
            "UPDATE customers_messages SET state = 'sending', claimed_at = "
            f"{ph} WHERE id = {ph} AND state = 'queued' RETURNING customer_id, thread_id, "
            "channel, purpose, address, subject, body, external_id",
            (now(), key(message_id)),
        )
        customer_id, thread_id = cur.fetchone()[:2]
        cur.execute("COMMIT")
        cur.execute(
            "SELECT marketing_consent, sms_consent, erased_at FROM customers_customers "
            f"WHERE id = {ph}",
            (customer_id,),
        )
        cur.fetchone()
        cur.execute(f"SELECT reply_token FROM customers_threads WHERE id = {ph}", (thread_id,))
        cur.fetchone()
        cur.execute("BEGIN" if pg else "BEGIN IMMEDIATE")
        cur.execute(
            f"UPDATE customers_messages SET state = 'sent', sent_at = {ph}, provider_id = {ph} "
            f"WHERE id = {ph} AND state = 'sending'",
            (now(), "noop", key(message_id)),
        )
        cur.execute(
            "INSERT INTO customers_activity (id, store_id, customer_id, kind, actor, data, "
            f"occurred_at, recorded_at) VALUES ({ph}, {ph}, {ph}, 'message_sent', 'system', "
            f"{ph}, {ph}, {ph})",
            (key(uuid.uuid4()), store_id, customer_id, '{"message_id": "x"}', now(), now()),
        )
        cur.execute("COMMIT")
        samples.append((time.perf_counter() - started) * 1000)
    conn.close()
    return samples


def run(url: str, backend: str, sends: int) -> list[Any]:
    channel = NoopChannel()
    app = make_app(url, CUSTOMERS_PLUGINS=[channel], CUSTOMERS_MESSAGE_RATE_PER_MINUTE=None)
    state = app.extensions["customers"]
    warmup = _queue(state, 20)
    ids = _queue(state, sends)
    with app.app_context():
        for message_id in warmup:
            deliver(state, message_id)
        samples = []
        for message_id in ids:
            started = time.perf_counter()
            outcome = deliver(state, message_id)
            samples.append((time.perf_counter() - started) * 1000)
            assert outcome == "sent", outcome
    floor = _floor(url, backend, _queue(state, sends))
    state.db.dispose()
    return [
        latency(
            "send job (deliver), no-op channel",
            backend,
            1,
            samples,
            floor,
            notes=f"{sends} sends; floor: the job's statements by hand",
        )
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", default="postgresql", choices=("postgresql", "sqlite"))
    parser.add_argument("--sends", type=int, default=200)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp, bench_database(args.backend, tmp) as url:
        results = run(url, args.backend, args.sends)
    print(table(results))
    for result in results:
        print(f"median {result.median:.2f} ms, p95 {result.p95:.2f} ms, floor {result.floor:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
