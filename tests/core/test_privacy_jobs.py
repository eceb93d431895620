"""No personal data in Redis or logs: a job that fails on a row carrying an email leaves the
error's kind (class, code) in RQ's result, the worker's log and the inbox row, never its text
(the database error's message and SQLAlchemy's echo of the bound parameters)."""

from __future__ import annotations

import base64
import logging
import uuid
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import select, text

from customers_plugin.models import EventInbox
from tests.conftest import REDIS_URL
from tests.helpers import order, run_test_worker

TRIGGER = "customers_test_refuse_insert"


@contextmanager
def refusing_new_customers(state) -> Iterator[None]:
    """Make every INSERT into the customer table fail inside the database."""
    postgres = state.db.dialect == "postgresql"
    with state.db.transaction() as s:
        if postgres:
            s.execute(
                text(
                    f"CREATE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS "
                    "$$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$"
                )
            )
            s.execute(
                text(
                    f"CREATE TRIGGER {TRIGGER} BEFORE INSERT ON customers_customers "
                    f"FOR EACH ROW EXECUTE FUNCTION {TRIGGER}()"
                )
            )
        else:
            s.execute(
                text(
                    f"CREATE TRIGGER {TRIGGER} BEFORE INSERT ON customers_customers "
                    "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
                )
            )
    try:
        yield
    finally:
        with state.db.transaction() as s:
            s.execute(
                text(
                    f"DROP TRIGGER {TRIGGER} ON customers_customers"
                    if postgres
                    else f"DROP TRIGGER {TRIGGER}"
                )
            )
            if postgres:
                s.execute(text(f"DROP FUNCTION {TRIGGER}()"))


def _email() -> str:
    return f"leak-{uuid.uuid4().hex[:10]}@example.com"


def _redis_values(connection, job_id: str) -> bytes:
    """Every value Redis holds under a key naming the job (job hash, results stream…)."""
    out = []
    for key in connection.scan_iter(match=f"*{job_id}*"):
        kind = connection.type(key)
        if kind == b"hash":
            out.extend(v for pair in connection.hgetall(key).items() for v in pair)
        elif kind == b"stream":
            for _id, fields in connection.xrange(key):
                out.extend(v for pair in fields.items() for v in pair)
        elif kind == b"string":
            out.append(connection.get(key))
    return b"\n".join(_readable(v if isinstance(v, bytes) else str(v).encode()) for v in out)


def _readable(value: bytes) -> bytes:
    """RQ keeps exception texts zlib-compressed, some also base64-encoded: open both."""
    for decode in (lambda v: zlib.decompress(base64.b64decode(v, validate=True)), zlib.decompress):
        try:
            return decode(value)
        except (ValueError, zlib.error):
            continue
    return value


@pytest.mark.redis
def test_a_failing_job_stores_and_logs_no_email(make_app, database_urls, backend):
    queue_name = f"customers-privacy-{uuid.uuid4().hex[:8]}"
    settings = {"CUSTOMERS_REDIS_URL": REDIS_URL, "CUSTOMERS_QUEUE": queue_name}
    state = make_app(CUSTOMERS_CAPTURE_MODE="queue", **settings).extensions["customers"]
    email = _email()
    queue = state.jobs.queue
    try:
        with refusing_new_customers(state):
            assert state.hook.on_order_placed(event=order("1", "10", email=email)) == []
            result = run_test_worker(queue_name, database_urls[backend], REDIS_URL)
        [job_id] = queue.failed_job_registry.get_job_ids()
        stored = _redis_values(queue.connection, job_id)
        assert email.encode() not in stored
        assert b"JobFailed" in stored  # the failure is recorded, by its kind
        assert b"refused by the test" not in stored
        worker_log = result.stdout + result.stderr
        assert "JobFailed" in worker_log
        assert email not in worker_log
        with state.db.session() as s:
            [error] = s.scalars(select(EventInbox.last_error)).all()
        assert email not in error
    finally:
        queue.delete(delete_jobs=True)
        queue.failed_job_registry.cleanup()


def test_an_inline_job_failure_logs_its_kind_and_no_email(make_app, caplog):
    app = make_app(CUSTOMERS_CAPTURE_MODE="queue")  # no Redis: the job runs after commit
    state = app.extensions["customers"]
    email = _email()
    caplog.set_level(logging.INFO)
    with refusing_new_customers(state):
        state.hook.on_order_placed(event=order("1", "10", email=email))
    logged = "\n".join(
        r.getMessage() + (logging.Formatter().formatException(r.exc_info) if r.exc_info else "")
        for r in caplog.records
    )
    assert "apply_event" in logged
    assert email not in logged
    assert "refused by the test" not in logged


def test_database_errors_never_echo_bound_parameters(make_app):
    state = make_app().extensions["customers"]
    email = _email()
    with refusing_new_customers(state), pytest.raises(Exception) as failure:
        state.hook.on_order_placed(event=order("1", "10", email=email))
    assert email not in str(failure.value)
