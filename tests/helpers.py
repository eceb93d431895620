"""Small helpers shared by tests: building events and reading the database back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from sqlalchemy import event, select

from customers_plugin import Contact, OrderPlaced
from customers_plugin.models import Base, Customer, CustomerSource

T0 = dt.datetime(2026, 10, 1, 9, 0, tzinfo=dt.UTC)


@contextmanager
def statements_sent(
    engine: Any, keep: Callable[[str], bool] = lambda statement: True
) -> Iterator[list[str]]:
    """The SQL statements ``engine`` sends inside the block (those ``keep`` accepts)."""
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if keep(statement):
            sent.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


def order(
    order_id: str, total: str = "100.00", *, store: str = "s1", **contact: Any
) -> OrderPlaced:
    contact = contact or {"email": "buyer@example.com"}
    extra = {k: contact.pop(k) for k in ("status", "currency", "occurred_at") if k in contact}
    return OrderPlaced(
        store_id=store,
        order_id=order_id,
        total=Decimal(total),
        currency=extra.get("currency", "USD"),
        status=extra.get("status", "placed"),
        occurred_at=extra.get("occurred_at", T0),
        contact=Contact(**contact),
    )


def dump(db: Any) -> dict[str, list[tuple]]:
    """Every row of every plugin table, sorted: equal dumps mean nothing changed."""
    with db.engine.connect() as conn:
        return {
            table.name: sorted(tuple(map(repr, row)) for row in conn.execute(select(table)))
            for table in Base.metadata.sorted_tables
        }


def customers_of(db: Any, store: str | None = None) -> list[Customer]:
    with db.session() as session:
        query = select(Customer).order_by(Customer.joined_at)
        if store is not None:
            query = query.where(Customer.store_id == store)
        return list(session.scalars(query))


def run_rq_worker(flask_app: str, queue: str, redis_url: str, **env: str) -> Any:
    """Run a real ``rq worker --burst`` (JSON serializer) on ``queue`` in a subprocess; the
    worker loads ``flask_app`` (FLASK_APP) configured by the ``env`` variables."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    return subprocess.run(
        [
            Path(sys.executable).with_name("rq"),
            "worker",
            "--burst",
            "--url",
            redis_url,
            "--serializer",
            "json",
            queue,
        ],
        cwd=root,
        env={**os.environ, "FLASK_APP": flask_app, "PYTHONPATH": str(root), **env},
        capture_output=True,
        text=True,
        timeout=600,  # generous: a loaded machine is slow, a passing worker exits in seconds
    )


def run_test_worker(queue: str, database_url: str, redis_url: str) -> Any:
    """``run_rq_worker`` with ``tests.worker_app`` pointed at this database and queue."""
    return run_rq_worker(
        "tests.worker_app:create_app",
        queue,
        redis_url,
        CUSTOMERS_TEST_WORKER_DB=database_url,
        CUSTOMERS_TEST_REDIS_URL=redis_url,
        CUSTOMERS_TEST_QUEUE=queue,
    )


def add_sources(session: Any, customer_id: Any, store: str, sources: list[str]) -> None:
    """Give a customer these sources, every other one a second older (first seen order)."""
    now = dt.datetime.now(dt.UTC)
    for k, source in enumerate(sources):
        session.add(
            CustomerSource(
                customer_id=customer_id,
                source=source,
                store_id=store,
                first_seen_at=now - dt.timedelta(seconds=k % 2),
            )
        )
