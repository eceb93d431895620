"""The ``sweep_stale_work`` job run by a real ``rq worker`` process from Redis: a stalled import
becomes failed, an interrupted review request failed/interrupted, an expired export loses its
file; the job's result counts each part."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import select

from customers_plugin.models import ExportJob, ImportBatch, ReviewRequest
from customers_plugin.services import sweeps
from customers_plugin.services.imports.storage import export_path
from customers_plugin.types import utcnow
from tests.conftest import REDIS_URL
from tests.helpers import customers_of, order, run_rq_worker


def test_a_failing_part_is_logged_and_counted_and_the_others_still_run(
    customers, monkeypatch, caplog
):
    calls: list[str] = []

    def broken(state, now):
        calls.append("broken")
        raise RuntimeError("database went away")

    def fine(state, now):
        calls.append("fine")
        return ["x", "y"]

    monkeypatch.setattr(sweeps, "SWEEPS", (("first", broken), ("second", fine)))
    assert customers.jobs.submit("sweep_stale_work") == {"first": -1, "second": 2}
    assert calls == ["broken", "fine"]
    assert "the first sweep failed" in caplog.text


@pytest.mark.redis
def test_the_sweep_job_runs_under_a_real_rq_worker(make_app, database_urls, backend, tmp_path):
    queue_name = f"customers-test-{uuid.uuid4().hex[:8]}"
    folder = tmp_path / "transfer"
    app = make_app(
        CUSTOMERS_REDIS_URL=REDIS_URL,
        CUSTOMERS_QUEUE=queue_name,
        CUSTOMERS_TRANSFER_FOLDER=str(folder),
    )
    state = app.extensions["customers"]
    state.hook.on_order_placed(event=order("o1", store="s1"))
    [customer] = customers_of(state.db)
    long_ago = utcnow() - dt.timedelta(hours=2)
    batch_id, request_id, export_id, fresh_id = (uuid.uuid4() for _ in range(4))
    with state.db.transaction() as session:
        session.add_all(
            [
                ImportBatch(
                    id=batch_id,
                    store_id="s1",
                    options={},
                    status="importing",
                    created_at=long_ago,
                    updated_at=long_ago,
                ),
                ReviewRequest(
                    id=request_id,
                    store_id="s1",
                    customer_id=customer.id,
                    send_key="manual:x",
                    trigger="manual",
                    status="sending",
                    claimed_at=long_ago,
                    due_at=long_ago,
                ),
                ExportJob(id=export_id, store_id="s1", params={}, status="done"),
                ExportJob(id=fresh_id, store_id="s1", params={}, status="done"),
            ]
        )
        session.flush()
        session.get(ExportJob, export_id).expires_at = long_ago
        session.get(ExportJob, fresh_id).expires_at = utcnow() + dt.timedelta(days=1)
    for done in (export_id, fresh_id):
        export_path(state, done).write_text("email\r\nsara@example.sa\r\n")

    job = state.jobs.submit("sweep_stale_work", job_id=f"sweep-{queue_name}")
    assert list(job.args) == ["sweep_stale_work", []]
    result = run_rq_worker(
        "tests.transfer.worker_app:create_app",
        queue_name,
        REDIS_URL,
        CUSTOMERS_TEST_WORKER_DB=database_urls[backend],
        CUSTOMERS_TEST_REDIS_URL=REDIS_URL,
        CUSTOMERS_TEST_QUEUE=queue_name,
        CUSTOMERS_TEST_TRANSFER_FOLDER=str(folder),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    job.refresh()
    assert job.get_status() == "finished"
    assert job.return_value() == {
        "imports_failed": 1,
        "review_requests_interrupted": 1,
        "messages_interrupted": 0,
        "exports_expired": 1,
        "jobs_relayed": 0,
        "outbox_pruned": 0,
    }
    with state.db.session() as session:
        batch = session.get(ImportBatch, batch_id)
        assert batch.status == "failed" and "no progress for 30 minutes" in batch.message
        request = session.get(ReviewRequest, request_id)
        assert (request.status, request.error) == ("failed", "interrupted")
        statuses = dict(session.execute(select(ExportJob.id, ExportJob.status)).all())
    assert statuses == {export_id: "expired", fresh_id: "done"}
    assert not export_path(state, export_id).exists()
    assert export_path(state, fresh_id).exists()
    state.jobs.queue.delete(delete_jobs=True)
