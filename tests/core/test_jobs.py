"""The job dispatcher: inline after commit without Redis; RQ with a real worker and Redis."""

from __future__ import annotations

import json
import uuid
import zlib
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text, update

from customers_plugin.models import Customer
from tests.conftest import REDIS_URL
from tests.helpers import customers_of, order, run_rq_worker

ROOT = Path(__file__).resolve().parents[2]


def _corrupt_stats(state) -> None:
    with state.db.transaction() as s:
        s.execute(update(Customer).values(orders_count=99, total_spent=Decimal("1.00")))


def test_inline_job_runs_only_after_commit_and_is_dropped_on_rollback(customers):
    [cid] = customers.hook.on_order_placed(event=order("1", "42.00"))
    _corrupt_stats(customers)
    with pytest.raises(RuntimeError), customers.db.transaction() as session:
        customers.jobs.enqueue_after_commit(session, "rebuild_stats", cid)
        raise RuntimeError("rolled back")
    assert customers_of(customers.db)[0].orders_count == 99
    with customers.db.transaction() as session:
        session.execute(text("SELECT 1"))
        customers.jobs.enqueue_after_commit(session, "rebuild_stats", cid)
        assert customers_of(customers.db)[0].orders_count == 99  # not before commit
    [c] = customers_of(customers.db)
    assert (c.orders_count, c.total_spent) == (1, Decimal("42.00"))


def test_rebuild_is_idempotent_and_matches_incremental_stats(customers):
    for i, total in enumerate(["5.005", "7.25", "100"]):
        customers.hook.on_order_placed(event=order(str(i), total))
    [before] = customers_of(customers.db)
    customers.jobs.submit("rebuild_stats", str(before.id))
    customers.jobs.submit("rebuild_stats", str(before.id))
    [after] = customers_of(customers.db)
    assert (after.orders_count, after.total_spent, after.last_order_at) == (
        before.orders_count,
        before.total_spent,
        before.last_order_at,
    )
    assert after.total_spent == Decimal("112.255")


def test_job_for_a_deleted_customer_returns_quietly(customers):
    assert customers.jobs.submit("rebuild_stats", str(uuid.uuid4())) is False


@pytest.mark.redis
def test_real_rq_worker_runs_the_job_from_redis(make_app, database_urls, backend):
    queue_name = f"customers-test-{uuid.uuid4().hex[:8]}"
    app = make_app(CUSTOMERS_REDIS_URL=REDIS_URL, CUSTOMERS_QUEUE=queue_name)
    state = app.extensions["customers"]
    [cid] = state.hook.on_order_placed(event=order("1", "42.00"))
    _corrupt_stats(state)
    job = state.jobs.submit("rebuild_stats", cid, job_id=f"rebuild-{cid}")
    assert list(job.args) == ["rebuild_stats", [cid]]  # ids only, never personal data
    stored = zlib.decompress(state.jobs.queue.connection.hget(job.key, "data"))
    assert json.loads(stored) == [
        "customers_plugin.jobs.execute",
        None,
        ["rebuild_stats", [cid]],
        {},
    ]
    assert b"buyer@example.com" not in stored
    assert state.jobs.submit("rebuild_stats", cid, job_id=f"rebuild-{cid}") is None  # deduplicated
    result = run_rq_worker(
        "tests.worker_app:create_app",
        queue_name,
        REDIS_URL,
        CUSTOMERS_TEST_WORKER_DB=database_urls[backend],
        CUSTOMERS_TEST_REDIS_URL=REDIS_URL,
        CUSTOMERS_TEST_QUEUE=queue_name,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    [c] = customers_of(state.db)
    assert (c.orders_count, c.total_spent) == (1, Decimal("42.00"))
    job.refresh()
    assert job.get_status() == "finished"
    state.jobs.queue.delete(delete_jobs=True)


@pytest.mark.redis
def test_long_jobs_get_the_long_timeout_and_event_jobs_keep_no_result(make_app):
    queue_name = f"customers-test-{uuid.uuid4().hex[:8]}"
    app = make_app(
        CUSTOMERS_REDIS_URL=REDIS_URL, CUSTOMERS_QUEUE=queue_name, CUSTOMERS_LONG_JOB_TIMEOUT=7200
    )
    jobs = app.extensions["customers"].jobs
    try:
        rebuild = jobs.submit("rebuild_stats", str(uuid.uuid4()))
        refresh = jobs.submit("refresh_group", str(uuid.uuid4()))
        event = jobs.submit("apply_event", str(uuid.uuid4()))
        assert rebuild.timeout == refresh.timeout == 7200
        assert event.timeout == 180  # RQ's default for everything else
        assert event.result_ttl == 0 and rebuild.result_ttl != 0
    finally:
        jobs.queue.delete(delete_jobs=True)
