"""Large files stream: the import's peak memory does not grow with the number of rows, and an
import runs under a real RQ worker with its progress in the job's meta."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from customers_plugin.services import imports
from tests.conftest import REDIS_URL
from tests.helpers import customers_of, run_rq_worker
from tests.transfer.conftest import batch, csv_bytes

ROOT = Path(__file__).resolve().parents[2]


def test_peak_memory_stays_flat_when_the_file_is_ten_times_larger(
    make_app, database_urls, backend, tmp_path
):
    app = make_app()  # empties the tables afterwards
    probe = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.transfer.memory_probe",
            database_urls[backend],
            str(tmp_path),
            "300,600,6000",  # a warm-up (lazy imports, caches), then 600 and 6000 rows
        ],
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert probe.returncode == 0, probe.stderr[-2000:]
    _warm, small, large = json.loads(probe.stdout.strip().splitlines()[-1])
    assert len(customers_of(app.extensions["customers"].db)) == 6900
    assert large < small * 1.5 + 512 * 1024, (small, large)
    assert large < 16 * 1024 * 1024


@pytest.mark.redis
def test_an_import_runs_under_a_real_rq_worker_with_progress_in_job_meta(
    make_app, database_urls, backend, tmp_path
):
    queue_name = f"customers-test-{uuid.uuid4().hex[:8]}"
    folder = tmp_path / "transfer"
    app = make_app(
        CUSTOMERS_REDIS_URL=REDIS_URL,
        CUSTOMERS_QUEUE=queue_name,
        CUSTOMERS_TRANSFER_FOLDER=str(folder),
        CUSTOMERS_IMPORT_CHUNK_ROWS=2,
    )
    state = app.extensions["customers"]
    rows = [["email", "name"]] + [[f"w{i}@example.com", f"נועה {i}"] for i in range(5)]
    started = imports.start_import(
        state, "s1", imports.ImportOptions(), upload=io.BytesIO(csv_bytes(rows))
    )
    assert batch(state, started["id"])["status"] == "queued"  # not run in this process
    job = state.jobs.queue.fetch_job(f"import-{started['id']}")
    assert list(job.args) == ["run_import", [started["id"]]]  # the batch id only
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
    done = batch(state, started["id"])
    assert (done["status"], done["created"], done["rows_done"]) == ("done", 5, 5)
    assert sorted(c.name for c in customers_of(state.db)) == [f"נועה {i}" for i in range(5)]
    job.refresh()
    assert job.get_status() == "finished"
    assert job.meta["progress"] == {
        "status": "done",
        "total_rows": 5,
        "rows_done": 5,
        "errors": 0,
    }
    state.jobs.queue.delete(delete_jobs=True)
