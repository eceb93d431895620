"""Events per second applied by 1 and 2 RQ workers (capture mode ``queue``), and what the host
pays per event in that mode (one INSERT into the inbox and one queue push)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

from .common import Result, latency, make_app, time_calls
from .hook_cost import EXISTING, _event

REDIS_URL = os.environ.get("CUSTOMERS_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
ROOT = Path(__file__).resolve().parents[1]


def _drain(url: str, queue: str, workers: int) -> float:
    env = dict(
        os.environ,
        FLASK_APP="benchmarks.worker_app:create_app",
        CUSTOMERS_BENCH_DB=url,
        CUSTOMERS_BENCH_REDIS=REDIS_URL,
        CUSTOMERS_BENCH_QUEUE=queue,
        PYTHONPATH=str(ROOT),
    )
    flask = Path(sys.executable).with_name("flask")
    started = time.perf_counter()
    procs = [
        subprocess.Popen(
            [flask, "customers", "worker", "--burst"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(workers)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=1800)
        if proc.returncode:
            raise RuntimeError(err.decode()[-2000:])
    return time.perf_counter() - started


def run(url: str, backend: str, events: int, n_customers: int) -> list[Result]:
    results = []
    for workers in (1, 2):
        queue = f"customers-bench-{uuid.uuid4().hex[:8]}"
        app = make_app(
            url,
            CUSTOMERS_CAPTURE_MODE="queue",
            CUSTOMERS_REDIS_URL=REDIS_URL,
            CUSTOMERS_QUEUE=queue,
        )
        hook = app.extensions["customers"].hook
        enqueue = time_calls(
            lambda i, hook=hook: hook.on_order_placed(
                event=_event(i, f"existing-{i % EXISTING}@bench.test")
            ),
            events,
            warmup=0,
        )
        if workers == 1:
            results.append(
                latency(
                    "hook on_order_placed, queue mode (host's cost)", backend, n_customers, enqueue
                )
            )
        seconds = _drain(url, queue, workers)
        results.append(
            Result(
                name=f"events applied per second, {workers} RQ worker(s)",
                backend=backend,
                n_customers=n_customers,
                unit="rows/s",
                median=events / seconds,
                samples=events,
                notes="flask customers worker --burst (SimpleWorker), wall time incl. start-up",
            )
        )
        app.extensions["customers"].jobs.queue.delete(delete_jobs=True)
        app.extensions["customers"].db.dispose()
    return results
