"""An import that cannot finish: the last failed attempt (RQ retries spent, or inline) and a
worker that died (the stall sweep) leave the batch ``failed`` with a message naming no
personal data and nothing half-written; a failed batch resumes from its checkpoint (or is
undone); a run whose batch was failed or resumed meanwhile writes nothing more."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from typing import Any

import pytest
from rq import SimpleWorker
from rq.serializers import JSONSerializer
from sqlalchemy import func, select, update

from customers_plugin.models import ImportBatch, ImportRow
from customers_plugin.services import commerce_cron, imports, sweeps
from customers_plugin.services.errors import Conflict
from customers_plugin.services.imports import runner
from customers_plugin.services.imports.storage import file_path
from tests.api.conftest import BearerAuth, Staff
from tests.conftest import REDIS_URL
from tests.helpers import customers_of
from tests.transfer.conftest import batch, csv_bytes

POISON = "poison@example.com"
ROWS = [["email", "name"]] + [[f"c{i}@example.com", f"Customer {i}"] for i in range(6)]
ROWS[4][0] = POISON  # line 5: the second chunk of two rows
POISON_LINE = 5


def _poisoned_write(real: Any, calls: list[int]) -> Any:
    """``write_chunk`` that raises (quoting the row, as drivers do) on the poisoned row."""

    def write(session, options, chunk):
        calls.append(chunk.good)
        result = real(session, options, chunk)  # written, then the transaction rolls back
        if chunk.after_line < POISON_LINE <= chunk.last_line:
            raise ValueError(f"value too long for row {POISON!r}")
        return result

    return write


def _start(state: Any, *, enqueue: bool = True) -> str:
    started = imports.start_import(
        state,
        "a",
        imports.ImportOptions(),
        upload=io.BytesIO(csv_bytes(ROWS)),
        filename="customers.csv",
        enqueue=enqueue,
    )
    return started["id"]


def _staged(state: Any, batch_id: str) -> int:
    with state.db.session() as session:
        return session.scalar(select(func.count()).where(ImportRow.batch_id == uuid.UUID(batch_id)))


def _emails(state: Any) -> list[str]:
    return sorted(c.email for c in customers_of(state.db))


@pytest.fixture
def chunked_app(make_app: Any, recorder: Any, tmp_path: Any) -> Any:
    return make_app(
        CUSTOMERS_PLUGINS=[recorder, BearerAuth()],
        CUSTOMERS_TRANSFER_FOLDER=str(tmp_path / "transfer"),
        CUSTOMERS_IMPORT_CHUNK_ROWS=2,
    )


@pytest.fixture
def chunked(chunked_app: Any) -> Any:
    return chunked_app.extensions["customers"]


def test_an_inline_import_that_fails_is_marked_failed_and_resumes_from_its_checkpoint(
    chunked, monkeypatch
):
    real, calls = runner.write_chunk, []
    monkeypatch.setattr(runner, "write_chunk", _poisoned_write(real, calls))
    batch_id = _start(chunked)  # no Redis: the job runs (and fails) right after the commit
    failed = batch(chunked, batch_id, "a")
    assert failed["status"] == "failed" and failed["finished_at"] is not None
    assert (failed["rows_done"], failed["created"]) == (2, 2)  # the first chunk only
    assert "unexpected error (ValueError)" in failed["message"]
    assert "2 of 6 rows were imported (up to line 3" in failed["message"]
    assert POISON not in failed["message"] and "too long" not in failed["message"]
    assert _emails(chunked) == ["c0@example.com", "c1@example.com"]  # nothing half-written
    assert file_path(chunked, batch_id).exists() and _staged(chunked, batch_id) > 0

    monkeypatch.setattr(runner, "write_chunk", real)
    resumed = Staff(chunked.app, "a").post(f"/imports/{batch_id}/resume")
    assert resumed.status_code == 202, resumed.json
    done = batch(chunked, batch_id, "a")
    assert (done["status"], done["rows_done"], done["created"], done["errors"]) == (
        "done",
        6,
        6,
        0,
    )
    assert done["message"] is None
    assert _emails(chunked) == sorted(r[0] for r in ROWS[1:])  # each exactly once
    assert not file_path(chunked, batch_id).exists() and _staged(chunked, batch_id) == 0


def test_only_a_failed_import_with_its_file_can_be_resumed(chunked, monkeypatch):
    staff = Staff(chunked.app, "a")
    done_id = _start(chunked)
    refused = staff.post(f"/imports/{done_id}/resume")
    assert refused.status_code == 409
    assert refused.json["error"]["message"] == "an import in status 'done' cannot be resumed"
    assert staff.post(f"/imports/{uuid.uuid4()}/resume").status_code == 404
    assert staff.as_(store="b").post(f"/imports/{done_id}/resume").status_code == 404
    assert staff.as_(perms="customers.write").post(f"/imports/{done_id}/resume").status_code == 403

    monkeypatch.setattr(runner, "write_chunk", _poisoned_write(runner.write_chunk, []))
    failed_id = _start(chunked)
    file_path(chunked, failed_id).unlink()
    gone = staff.post(f"/imports/{failed_id}/resume")
    assert gone.status_code == 409 and "start a new import" in gone.json["error"]["message"]
    assert batch(chunked, failed_id, "a")["status"] == "failed"


def test_undoing_a_failed_import_reverses_its_chunks_and_drops_its_file_and_staged_rows(
    chunked, monkeypatch
):
    monkeypatch.setattr(runner, "write_chunk", _poisoned_write(runner.write_chunk, []))
    batch_id = _start(chunked)
    assert len(customers_of(chunked.db)) == 2
    imports.request_undo(chunked, "a", uuid.UUID(batch_id))
    assert batch(chunked, batch_id, "a")["status"] == "undone"
    assert customers_of(chunked.db) == []
    assert not file_path(chunked, batch_id).exists() and _staged(chunked, batch_id) == 0
    with pytest.raises(Conflict):
        imports.resume_import(chunked, "a", uuid.UUID(batch_id))


def _backdate(state: Any, batch_id: str, minutes: int) -> None:
    with state.db.transaction() as session:
        session.execute(
            update(ImportBatch)
            .where(ImportBatch.id == uuid.UUID(batch_id))
            .values(updated_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=minutes))
        )


def _kill_on_chunk(real: Any, n: int) -> Any:
    calls = {"n": 0}

    def write(session, options, chunk):
        calls["n"] += 1
        result = real(session, options, chunk)
        if calls["n"] == n:
            raise SystemExit("worker killed")  # not an Exception: no job code runs after it
        return result

    return write


def test_the_sweep_fails_an_import_whose_worker_died_and_it_resumes_without_duplicates(
    chunked, monkeypatch
):
    real = runner.write_chunk
    batch_id = _start(chunked, enqueue=False)
    monkeypatch.setattr(runner, "write_chunk", _kill_on_chunk(real, 2))
    with pytest.raises(SystemExit):
        runner.run_batch(chunked, batch_id)
    assert batch(chunked, batch_id, "a")["status"] == "importing"

    _backdate(chunked, batch_id, 29)  # within CUSTOMERS_IMPORT_STALL_MINUTES (30)
    assert sweeps.sweep(chunked)["imports_failed"] == 0
    assert batch(chunked, batch_id, "a")["status"] == "importing"
    _backdate(chunked, batch_id, 31)
    first, second = sweeps.sweep(chunked), sweeps.sweep(chunked)
    assert (first["imports_failed"], second["imports_failed"]) == (1, 0)
    stalled = batch(chunked, batch_id, "a")
    assert stalled["status"] == "failed"
    assert stalled["message"].startswith("the import made no progress for 30 minutes")
    assert (stalled["rows_done"], stalled["created"]) == (2, 2)

    monkeypatch.setattr(runner, "write_chunk", real)
    imports.resume_import(chunked, "a", uuid.UUID(batch_id))
    done = batch(chunked, batch_id, "a")
    assert (done["status"], done["created"], done["rows_done"]) == ("done", 6, 6)
    assert _emails(chunked) == sorted(r[0] for r in ROWS[1:])


def test_a_run_whose_batch_was_failed_meanwhile_rolls_its_chunk_back_and_stops(
    chunked, monkeypatch
):
    """The worker was only slow: the sweep failed its batch after its first chunk."""
    real = runner.write_chunk
    batch_id = _start(chunked, enqueue=False)
    calls = {"n": 0}

    def counted(session, options, chunk):
        calls["n"] += 1
        return real(session, options, chunk)

    def progress(info):  # called between chunks, after each commit
        if info["status"] == "importing" and info["rows_done"] == 2:
            _backdate(chunked, batch_id, 60)
            assert imports.sweep_stalled_imports(chunked) == [uuid.UUID(batch_id)]

    monkeypatch.setattr(runner, "write_chunk", counted)
    result = runner.run_batch(chunked, batch_id, progress)
    assert (result["status"], result["rows_done"], result["created"]) == ("failed", 2, 2)
    assert calls["n"] == 2  # chunk 2 was written, then rolled back; no chunk 3
    assert _emails(chunked) == ["c0@example.com", "c1@example.com"]  # chunk 2 rolled back
    assert file_path(chunked, batch_id).exists()  # still resumable


def test_the_cron_entry_of_the_sweep_runs_it_through_the_dispatcher(chunked):
    batch_id = _start(chunked, enqueue=False)
    with chunked.db.transaction() as session:
        session.execute(
            update(ImportBatch)
            .where(ImportBatch.id == uuid.UUID(batch_id))
            .values(status="importing")
        )
    _backdate(chunked, batch_id, 45)
    with chunked.app.app_context():
        outcome = commerce_cron.enqueue_sweep()
    assert outcome["imports_failed"] == 1
    assert batch(chunked, batch_id, "a")["status"] == "failed"


@pytest.mark.redis
def test_under_rq_the_last_failed_retry_marks_the_batch_failed_and_a_resume_finishes_it(
    make_app, recorder, tmp_path, monkeypatch
):
    queue_name = f"customers-test-{uuid.uuid4().hex[:8]}"
    app = make_app(
        CUSTOMERS_PLUGINS=[recorder, BearerAuth()],
        CUSTOMERS_TRANSFER_FOLDER=str(tmp_path / "transfer"),
        CUSTOMERS_IMPORT_CHUNK_ROWS=2,
        CUSTOMERS_REDIS_URL=REDIS_URL,
        CUSTOMERS_QUEUE=queue_name,
    )
    state = app.extensions["customers"]
    queue = state.jobs.queue

    def work() -> None:
        with app.app_context():
            SimpleWorker([queue], connection=queue.connection, serializer=JSONSerializer).work(
                burst=True
            )

    real, calls = runner.write_chunk, []
    monkeypatch.setattr(runner, "write_chunk", _poisoned_write(real, calls))
    try:
        batch_id = _start(state)
        work()
        assert calls == [2, 2] + [2] * 3  # chunk 1 then chunk 2 once, retried three times
        failed = batch(state, batch_id, "a")
        assert failed["status"] == "failed"
        assert "unexpected error (ValueError)" in failed["message"]
        assert POISON not in failed["message"]
        assert (failed["rows_done"], failed["created"]) == (2, 2)
        job = queue.fetch_job(f"import-{batch_id}")
        assert job.get_status() == "failed" and job.retries_left == 0

        monkeypatch.setattr(runner, "write_chunk", real)
        resumed = Staff(app, "a").post(f"/imports/{batch_id}/resume")
        assert resumed.status_code == 202 and resumed.json["status"] == "queued"
        work()
        done = batch(state, batch_id, "a")
        assert (done["status"], done["created"], done["rows_done"]) == ("done", 6, 6)
        assert _emails(state) == sorted(r[0] for r in ROWS[1:])
    finally:
        queue.delete(delete_jobs=True)
