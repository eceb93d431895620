"""Background jobs and the dispatcher that runs them.

With a Redis URL configured, jobs go to an RQ queue (JSON serializer, retried on failure)
through the outbox (outbox.py): ``enqueue_after_commit`` records the job in the caller's
transaction and relays it right after commit; when Redis does not answer the row stays pending
until a relay (worker, sweep, ``flask customers relay``) hands it over. Without a Redis URL jobs
run inline, right after the enqueuing transaction commits, and need no Redis at all. Either way
a job runs only after commit, its arguments are ids (never personal data) and running it twice
is harmless. A job that fails is recorded and logged by the error's kind
(``failures.kind_of``), never its text: what RQ keeps in Redis holds no personal data.

Job functions take ``(state, *args)``; ``execute`` is the one function RQ imports. A worker
finds the Flask app through its app context (``flask customers worker``) or ``FLASK_APP``
(plain ``rq worker``).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import current_app, has_app_context

from . import outbox
from .db import after_commit, after_commit_actions
from .failures import kind_of, log_failure

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from .state import CustomersState

log = logging.getLogger(__name__)

JobFunction = Callable[..., Any]
_JOBS: dict[str, JobFunction] = {}
_OPTIONS: dict[str, tuple[bool, bool, bool]] = {}  # name -> (keep_result, long, coalesce)
WAITING_TTL = 60  # seconds a coalescing job's "one waits in the queue" mark lives at most
_worker_app: Any = None


class JobFailed(Exception):
    """What RQ records of a failed job: its name and the error's kind, never the error's text."""


def job(
    name: str, *, keep_result: bool = True, long: bool = False, coalesce: bool = False
) -> Callable[[JobFunction], JobFunction]:
    """Register a job function under a stable name (the name is what the queue stores).

    ``keep_result=False``: RQ drops a finished job at once instead of keeping it and its result
    for ``result_ttl`` (for jobs run once per event, whose result nobody reads).
    ``long``: the job walks a whole file or store; RQ gives it ``CUSTOMERS_LONG_JOB_TIMEOUT``
    seconds instead of its default of 180.
    ``coalesce``: the job works through what the database holds (the event inbox): while one
    with the same arguments waits in the queue, asking again queues nothing, since the waiting
    one will see the new work. The job clears its mark when it starts, before it reads.
    """

    def decorate(func: JobFunction) -> JobFunction:
        if name in _JOBS and _JOBS[name] is not func:
            raise ValueError(f"job {name!r} is registered twice")
        _JOBS[name] = func
        _OPTIONS[name] = (keep_result, long, coalesce)
        return func

    return decorate


def _load_jobs() -> None:
    from .services import inbox, review_requests, stats, sweeps, tags, wishlist  # noqa: F401
    from .services.exports import run_export  # noqa: F401 - registers its job
    from .services.groups import jobs as group_jobs  # noqa: F401 - registers its jobs
    from .services.imports import jobs as import_jobs  # noqa: F401 - registers its jobs
    from .services.tasks import reminders  # noqa: F401 - registers its job


class Dispatcher:
    """Sends jobs to RQ, or runs them inline when no Redis is configured."""

    def __init__(self, state: CustomersState, redis_url: str | None, queue_name: str) -> None:
        self._state = state
        self.redis_url = redis_url
        self.queue_name = queue_name
        self._queue: Any = None

    @property
    def inline(self) -> bool:
        return not self.redis_url

    @property
    def queue(self) -> Any:
        """The RQ queue (created on first use)."""
        if self._queue is None:
            from redis import Redis
            from rq import Queue
            from rq.serializers import JSONSerializer

            connection = Redis.from_url(
                self.redis_url,
                socket_connect_timeout=self._state.setting("CUSTOMERS_REDIS_CONNECT_TIMEOUT"),
            )
            self._queue = Queue(self.queue_name, connection=connection, serializer=JSONSerializer)
        return self._queue

    def enqueue_after_commit(
        self,
        session: Session,
        name: str,
        *args: Any,
        job_id: str | None = None,
        store_id: str | None = None,
    ) -> None:
        """Run job ``name`` once ``session`` commits (dropped if it rolls back).

        With Redis the job is recorded in the outbox on ``session`` (for ``store_id``, default
        ``CUSTOMERS_DEFAULT_STORE``) and relayed after commit, with one relay for all the jobs
        of the transaction; inline it runs after commit.
        """
        if self.inline:

            def run() -> None:
                self.submit(name, *args, job_id=job_id)

            run.__name__ = f"job {name}"
            after_commit(session, run)
            return
        _registered(name)
        store_id = store_id or self._state.setting("CUSTOMERS_DEFAULT_STORE")
        row_id = outbox.record(session, store_id, name, args, job_id)
        for action in after_commit_actions(session):
            if isinstance(action, _RelayAfterCommit) and action.dispatcher is self:
                action.ids.append(row_id)
                return
        after_commit(session, _RelayAfterCommit(self, row_id))

    def relay(self, ids: list[Any] | None = None, store_id: str | None = None) -> list[str]:
        """Hand pending outbox rows to RQ (see outbox.relay); returns the job ids relayed.
        Inline, nothing is ever recorded, so there is nothing to relay."""
        if self.inline:
            return []
        return outbox.relay(self._state.db, self._push, ids=ids, store_id=store_id)

    def submit(self, name: str, *args: Any, job_id: str | None = None) -> Any:
        """Run job ``name`` now (inline) or put it on the queue; returns the RQ job or result."""
        _registered(name)
        if self.inline:
            with self._state.app.app_context(), self._state.db.for_jobs():
                return _JOBS[name](self._state, *args)
        return self._push(name, list(args), job_id)

    def _waiting_key(self, name: str, args: list[Any]) -> str:
        return f"customers:waiting:{self.queue_name}:{name}:{json.dumps(args)}"

    def started(self, name: str, args: list[Any]) -> None:
        """A coalescing job starts: from now on, new work needs a new job."""
        if not self.inline and _OPTIONS[name][2]:
            self.queue.connection.delete(self._waiting_key(name, args))

    def _push(self, name: str, args: list[Any], job_id: str | None) -> Any:
        """Put one job on the RQ queue; ``None`` when its id is queued already, or when a
        coalescing job with the same arguments waits in the queue."""
        keep_result, long, coalesce = _OPTIONS[name]
        if not coalesce:
            return self._enqueue(name, args, job_id, keep_result, long)
        connection = self.queue.connection
        waiting = self._waiting_key(name, args)
        if not connection.set(waiting, 1, nx=True, ex=WAITING_TTL):
            return None
        try:
            return self._enqueue(name, args, job_id, keep_result, long)
        except BaseException:
            connection.delete(waiting)
            raise

    def _enqueue(
        self, name: str, args: list[Any], job_id: str | None, keep_result: bool, long: bool
    ) -> Any:
        from rq import Retry
        from rq.exceptions import DuplicateJobError

        try:
            return self.queue.enqueue(
                "customers_plugin.jobs.execute",
                name,
                args,
                job_id=job_id,
                unique=job_id is not None,
                retry=Retry(max=3),
                result_ttl=None if keep_result else 0,
                job_timeout=self._state.setting("CUSTOMERS_LONG_JOB_TIMEOUT") if long else None,
                description=f"customers:{name}",
            )
        except DuplicateJobError:
            log.info("job %s (%s) is already queued", name, job_id)
            return None


class _RelayAfterCommit:
    """The after-commit action that relays the outbox rows one transaction recorded."""

    def __init__(self, dispatcher: Dispatcher, row_id: Any) -> None:
        self.dispatcher = dispatcher
        self.ids = [row_id]

    def __call__(self) -> None:
        try:
            self.dispatcher.relay(self.ids)
        except Exception as exc:  # the database refused the claim: a later relay takes them
            log.warning(
                "customers: %d job(s) stay pending in the outbox, the relay after commit failed "
                "(%s)",
                len(self.ids),
                type(exc).__name__,
            )


def _registered(name: str) -> None:
    _load_jobs()
    if name not in _JOBS:
        raise KeyError(f"unknown job {name!r}")


def execute(name: str, args: list[Any]) -> Any:
    """The single entry point RQ workers import. Runs a registered job inside the app.

    :raises JobFailed: the job raised; RQ stores and logs only its name and the error's kind
        (the worker's log gets the stack of code lines too).
    """
    from rq.timeouts import JobTimeoutException

    try:
        return _run(name, args)
    except JobTimeoutException:
        raise  # RQ's own, and it carries no data
    except Exception as exc:
        log_failure(log, "customers job %s failed", name, exc=exc)
        raise JobFailed(f"job {name} failed: {kind_of(exc)}") from None


def _run(name: str, args: list[Any]) -> Any:
    _load_jobs()
    from .state import get_state

    if has_app_context():
        state = get_state(current_app)
        state.jobs.started(name, args)
        with state.db.for_jobs():
            return _JOBS[name](state, *args)
    app = _app_for_worker()
    with app.app_context(), get_state(app).db.for_jobs():
        get_state(app).jobs.started(name, args)
        return _JOBS[name](get_state(app), *args)


def _app_for_worker() -> Any:
    """The host app of a plain ``rq worker`` process, loaded once from ``FLASK_APP``."""
    global _worker_app
    if _worker_app is None:
        from flask.cli import ScriptInfo

        _worker_app = ScriptInfo(app_import_path=os.environ.get("FLASK_APP")).load_app()
    return _worker_app
