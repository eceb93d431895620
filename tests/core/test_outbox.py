"""Redis down loses nothing: jobs are recorded in the transaction that asks for them and relayed
to RQ once Redis answers (by hand, by the worker, by the sweep), and each runs exactly once."""

from __future__ import annotations

import datetime as dt
import io
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from customers_plugin import jobs as jobs_module
from customers_plugin import outbox
from customers_plugin.models import EventInbox, ExportJob, ImportBatch, JobOutbox
from customers_plugin.services import inbox, sweeps
from customers_plugin.types import utcnow
from tests.api.conftest import BearerAuth, Staff
from tests.conftest import REDIS_URL
from tests.helpers import customers_of, order
from tests.transfer.conftest import csv_bytes

pytestmark = pytest.mark.redis

ROOT = Path(__file__).resolve().parents[2]

STORE = "a"
ROWS = [
    ["email", "name"],
    ["layla@example.sa", "Layla"],
    ["noa@example.co.il", "Noa"],
    ["giulia@example.it", "Giulia"],
]


def _unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed on exit: nothing listens there


@pytest.fixture
def shop(make_app: Any, recorder: Any, tmp_path: Any) -> Any:
    """``shop(redis_url)``: an app in queue capture mode on the test's database; every app it
    makes shares one queue name and one transfer folder (a web process and a worker)."""
    queue_name = f"customers-test-{uuid.uuid4().hex[:8]}"
    made: list[Any] = []

    def factory(redis_url: str) -> Any:
        app = make_app(
            CUSTOMERS_REDIS_URL=redis_url,
            CUSTOMERS_QUEUE=queue_name,
            CUSTOMERS_CAPTURE_MODE="queue",
            CUSTOMERS_PLUGINS=[recorder, BearerAuth()],
            CUSTOMERS_TRANSFER_FOLDER=str(tmp_path / "transfer"),
        )
        made.append(app.extensions["customers"])
        return app

    yield factory
    for state in made:
        if state.jobs.redis_url == REDIS_URL:
            state.jobs.queue.delete(delete_jobs=True)
            break


def _down_url() -> str:
    return f"redis://127.0.0.1:{_unused_port()}/0"


def _outbox_rows(state: Any) -> list[JobOutbox]:
    with state.db.session() as session:
        return list(session.scalars(select(JobOutbox).order_by(JobOutbox.created_at)))


def _count(state: Any, model: Any) -> int:
    with state.db.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def _start_work_while_redis_is_down(app: Any, events: int = 20) -> tuple[str, str]:
    staff = Staff(app, STORE)
    started = staff.post(
        "/imports",
        data={"file": (io.BytesIO(csv_bytes(ROWS)), "customers.csv")},
        content_type="multipart/form-data",
    )
    assert started.status_code == 202, started.json
    exported = staff.post("/exports", json={"columns": ["email"]})
    assert exported.status_code == 202, exported.json
    for i in range(events):
        assert (
            app.extensions["customers"].hook.on_order_placed(
                event=order(f"o{i}", "10", store=STORE, email=f"buyer{i}@example.com")
            )
            == []
        )
    return started.json["id"], exported.json["id"]


def _count_executions(monkeypatch: Any) -> Counter:
    """Every job the worker runs, counted by (name, arguments)."""
    runs: Counter = Counter()
    jobs_module._load_jobs()
    for name, func_ in list(jobs_module._JOBS.items()):

        def counted(state: Any, *args: Any, _name: str = name, _func: Any = func_) -> Any:
            runs[(_name, *map(str, args))] += 1
            return _func(state, *args)

        monkeypatch.setitem(jobs_module._JOBS, name, counted)
    return runs


def _drain_jobs(state: Any, events: int) -> int:
    """How many jobs ``events`` buyers' events queue: one drain per inbox lane they fall in."""
    lanes = state.setting("CUSTOMERS_INBOX_LANES")
    emails = [f"buyer{i}@example.com" for i in range(events)]
    return len({inbox.lane_of(order("o", store=STORE, email=e), lanes) for e in emails})


def _burst_worker(app: Any) -> Any:
    return app.test_cli_runner().invoke(args=["customers", "worker", "--burst"])


def test_redis_down_import_export_and_20_events_complete_exactly_once_after_the_relay(
    shop, monkeypatch, caplog
):
    down = shop(_down_url())
    down_state = down.extensions["customers"]
    batch_id, export_id = _start_work_while_redis_is_down(down)

    # the answers were true: the work is durably queued, nothing ran, nothing is lost
    staff = Staff(down, STORE)
    assert staff.get(f"/imports/{batch_id}").json["status"] == "queued"
    assert staff.get(f"/exports/{export_id}").json["status"] == "queued"
    assert _count(down_state, EventInbox) == 20
    rows = _outbox_rows(down_state)
    assert len(rows) == 22 and {r.state for r in rows} == {"pending"}
    assert {r.store_id for r in rows} == {STORE}
    assert {r.last_error for r in rows} == {"ConnectionError"}
    assert f"import-{batch_id}" in {r.job_id for r in rows}
    # the log names the job and its kind, and carries no personal data
    assert f"job import-{batch_id} (run_import) stays pending" in caplog.text
    assert f"job export-{export_id} (run_export) stays pending" in caplog.text
    assert "@example" not in caplog.text
    assert not any("@" in str(r.args) for r in rows)  # ids only

    # Redis is back: a new app (a new process) on the same database
    up = shop(REDIS_URL)
    up_state = up.extensions["customers"]
    relayed = up.test_cli_runner().invoke(args=["customers", "relay"])
    assert relayed.exit_code == 0, relayed.output
    assert "22 job(s) relayed, 0 pending" in relayed.output
    again = up.test_cli_runner().invoke(args=["customers", "relay"])
    assert "0 job(s) relayed, 0 pending" in again.output
    drains = _drain_jobs(up_state, 20)
    assert up_state.jobs.queue.count == 2 + drains

    runs = _count_executions(monkeypatch)
    result = _burst_worker(up)
    assert result.exit_code == 0, result.output
    assert sum(runs.values()) == 2 + drains and set(runs.values()) == {1}, runs
    assert runs[("run_import", batch_id)] == runs[("run_export", export_id)] == 1

    with up_state.db.session() as session:
        batch = session.get(ImportBatch, uuid.UUID(batch_id))
        assert (batch.status, batch.created_count) == ("done", 3)
        assert session.get(ExportJob, uuid.UUID(export_id)).status == "done"
    assert _count(up_state, EventInbox) == 0
    buyers = [c for c in customers_of(up_state.db, STORE) if c.email.startswith("buyer")]
    assert len(buyers) == 20 and {c.orders_count for c in buyers} == {1}
    assert {(r.state, r.attempts) for r in _outbox_rows(up_state)} == {("relayed", 2)}
    assert up_state.jobs.queue.count == 0


def test_a_worker_that_starts_after_redis_returns_runs_what_was_queued(shop):
    down = shop(_down_url())
    batch_id, export_id = _start_work_while_redis_is_down(down, events=2)
    up = shop(REDIS_URL)
    result = _burst_worker(up)  # no relay by hand: the worker relays when it starts
    assert result.exit_code == 0, result.output
    staff = Staff(up, STORE)
    assert staff.get(f"/imports/{batch_id}").json["status"] == "done"
    assert staff.get(f"/exports/{export_id}").json["status"] == "done"
    assert _count(up.extensions["customers"], EventInbox) == 0
    assert outbox.pending(up.extensions["customers"].db)["count"] == 0


def test_the_sweep_relays_pending_jobs_and_prunes_rows_relayed_long_ago(shop):
    down = shop(_down_url())
    for i in range(3):
        down.extensions["customers"].hook.on_order_placed(event=order(f"o{i}", store=STORE))
    up_state = shop(REDIS_URL).extensions["customers"]
    counts = sweeps.sweep(up_state)
    assert (counts["jobs_relayed"], counts["outbox_pruned"]) == (3, 0)
    assert up_state.jobs.queue.count == 1  # one buyer's events: one drain of their lane
    with up_state.db.transaction() as session:
        session.execute(update(JobOutbox).values(relayed_at=utcnow() - dt.timedelta(hours=25)))
    counts = sweeps.sweep(up_state)
    assert (counts["jobs_relayed"], counts["outbox_pruned"]) == (0, 3)
    assert _outbox_rows(up_state) == []


def test_two_relays_racing_hand_each_job_to_the_queue_once(shop, monkeypatch):
    down_state = shop(_down_url()).extensions["customers"]
    with down_state.db.transaction() as session:
        for _ in range(40):
            down_state.jobs.enqueue_after_commit(
                session, "rebuild_stats", str(uuid.uuid4()), store_id=STORE
            )
    monkeypatch.setattr(outbox, "RELAY_BATCH", 7)
    up_state = shop(REDIS_URL).extensions["customers"]
    pushed: Counter = Counter()
    real_push = up_state.jobs._push

    def slow_push(name: str, args: list[Any], job_id: str) -> Any:
        pushed[job_id] += 1
        time.sleep(0.005)  # widen the window in which the other relay looks for rows
        return real_push(name, args, job_id)

    monkeypatch.setattr(up_state.jobs, "_push", slow_push)
    results: list[list[str]] = [[], []]
    start = threading.Barrier(2)

    def run(slot: int) -> None:
        start.wait()
        results[slot] = up_state.jobs.relay()

    threads = [threading.Thread(target=run, args=(slot,)) for slot in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    first, second = results
    assert len(first) + len(second) == 40 and not set(first) & set(second)
    assert len(pushed) == 40 and set(pushed.values()) == {1}
    assert up_state.jobs.queue.count == 40
    assert {r.state for r in _outbox_rows(up_state)} == {"relayed"}


def test_relay_by_hand_fails_loudly_while_redis_is_down(shop):
    down = shop(_down_url())
    down.extensions["customers"].hook.on_order_placed(event=order("o1", store=STORE))
    result = down.test_cli_runner().invoke(args=["customers", "relay"])
    assert result.exit_code == 1
    assert "0 job(s) relayed, 1 pending" in result.output
    assert "still pending since" in result.output
    [row] = _outbox_rows(down.extensions["customers"])
    assert (row.state, row.attempts, row.last_error) == ("pending", 2, "ConnectionError")


def test_a_rolled_back_transaction_records_no_job(shop):
    state = shop(_down_url()).extensions["customers"]
    with pytest.raises(RuntimeError), state.db.transaction() as session:
        state.jobs.enqueue_after_commit(session, "rebuild_stats", str(uuid.uuid4()), store_id="a")
        raise RuntimeError("rolled back")
    assert _outbox_rows(state) == []


def test_one_transaction_relays_all_its_jobs_once_committed(shop, monkeypatch):
    monkeypatch.setattr(outbox, "RELAY_BATCH", 2)  # more jobs than one relay batch
    state = shop(REDIS_URL).extensions["customers"]
    with state.db.transaction() as session:
        for _ in range(3):
            state.jobs.enqueue_after_commit(
                session, "rebuild_stats", str(uuid.uuid4()), store_id="a"
            )
        assert state.jobs.queue.count == 0  # nothing leaves before commit
    assert state.jobs.queue.count == 3
    assert {(r.state, r.attempts) for r in _outbox_rows(state)} == {("relayed", 1)}


def test_inline_mode_records_nothing_and_needs_no_redis(make_app):
    app = make_app(CUSTOMERS_CAPTURE_MODE="queue")  # no Redis configured
    state = app.extensions["customers"]
    state.hook.on_order_placed(event=order("o1", store=STORE))
    assert [c.orders_count for c in customers_of(state.db)] == [1]
    assert _outbox_rows(state) == []
    assert state.jobs.relay() == []
    result = app.test_cli_runner().invoke(args=["customers", "relay"])
    assert result.exit_code == 0 and "nothing to relay" in result.output


def test_a_plain_rq_worker_with_the_relaying_class_relays_then_runs_the_events(
    shop, database_urls, backend
):
    down = shop(_down_url())
    for i in range(3):
        down.extensions["customers"].hook.on_order_placed(
            event=order(f"o{i}", "10", store=STORE, email=f"buyer{i}@example.com")
        )
    queue_name = down.config["CUSTOMERS_QUEUE"]
    shop(REDIS_URL)  # removes the queue afterwards
    result = subprocess.run(
        [
            Path(sys.executable).with_name("rq"),
            "worker",
            "--burst",
            "--url",
            REDIS_URL,
            "--serializer",
            "json",
            "--worker-class",
            "customers_plugin.worker.RelayingWorker",
            queue_name,
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "FLASK_APP": "tests.worker_app:create_app",
            "PYTHONPATH": str(ROOT),
            "CUSTOMERS_TEST_WORKER_DB": database_urls[backend],
            "CUSTOMERS_TEST_REDIS_URL": REDIS_URL,
            "CUSTOMERS_TEST_QUEUE": queue_name,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    state = down.extensions["customers"]
    assert [c.orders_count for c in customers_of(state.db, STORE)] == [1, 1, 1]
    assert _count(state, EventInbox) == 0
    assert outbox.pending(state.db)["count"] == 0


def test_a_job_the_queue_refuses_stays_pending_and_the_others_are_relayed(shop, caplog):
    down = shop(_down_url())
    state = down.extensions["customers"]
    down.extensions["customers"].hook.on_order_placed(event=order("o1", store=STORE))
    with state.db.transaction() as session:
        outbox.record(session, STORE, "job_of_a_newer_version", ["x"], "newer-1")
    down.extensions["customers"].hook.on_order_placed(event=order("o2", store=STORE))
    up_state = shop(REDIS_URL).extensions["customers"]
    assert len(up_state.jobs.relay()) == 2
    assert up_state.jobs.queue.count == 1  # both events are one buyer's: one drain
    [kept] = [r for r in _outbox_rows(up_state) if r.state == "pending"]
    assert (kept.job_id, kept.last_error) == ("newer-1", "KeyError")
    assert "job newer-1 (job_of_a_newer_version) stays pending" in caplog.text


def test_a_relay_the_database_refuses_after_commit_keeps_the_event_pending(
    shop, monkeypatch, caplog
):
    state = shop(REDIS_URL).extensions["customers"]

    def locked(*args: Any, **kwargs: Any) -> Any:
        raise TimeoutError("database is locked")

    monkeypatch.setattr(outbox, "relay", locked)
    assert state.hook.on_order_placed(event=order("o1", store=STORE)) == []
    [row] = _outbox_rows(state)
    assert row.state == "pending" and _count(state, EventInbox) == 1
    assert "1 job(s) stay pending in the outbox, the relay after commit failed" in caplog.text
    monkeypatch.undo()
    assert state.jobs.relay() == [row.job_id]
