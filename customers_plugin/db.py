"""The plugin's engine and sessions, and the after-commit outbox.

The plugin owns its engine (by default on the host's own database URL) so that its transactions
never commit or roll back the host's unit of work. Work queued on a session's outbox
(notifications to third parties, jobs) runs only after that session commits, and is dropped
when it rolls back.

On PostgreSQL every statement runs under a statement timeout: the request-time one by default
(``CUSTOMERS_STATEMENT_TIMEOUT_MS``); jobs, migrations and CLI commands run inside
``statement_timeout(ms)`` with their own (none by default). The timeout is a setting of each
pooled connection, changed only when a connection is checked out under a different one.

A pooled PostgreSQL connection is pinged at checkout only when it has sat idle in the pool
for ``PING_AFTER_IDLE_S`` or more (SQLAlchemy's ``pool_pre_ping`` pings every time: a round trip
per request). A connection that dies between two close checkouts fails its statement, and the
pool is then invalidated as a disconnect, as it would be without any ping. A host that asks for
``pool_pre_ping`` in the engine options gets SQLAlchemy's ping instead.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import CursorResult, Engine, any_, bindparam, create_engine, event, exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, sessionmaker

from .failures import log_failure

log = logging.getLogger(__name__)

_OUTBOX = "customers_outbox"
_WRITE_OPTION = "customers_write"
_TIMEOUT_KEY = "customers_statement_timeout"
_IDLE_SINCE_KEY = "customers_idle_since"
PING_AFTER_IDLE_S = 1.0
# the statement timeout in force here (ms, 0: none); None: the engine's request-time one
_TIMEOUT_OVERRIDE: ContextVar[int | None] = ContextVar(_TIMEOUT_KEY, default=None)


@contextmanager
def statement_timeout(ms: int | None) -> Iterator[None]:
    """Connections checked out inside run statements with this timeout (``None`` or 0: no
    timeout) instead of the request-time one: for jobs, migrations and CLI commands."""
    token = _TIMEOUT_OVERRIDE.set(int(ms or 0))
    try:
        yield
    finally:
        _TIMEOUT_OVERRIDE.reset(token)


def _configure_postgresql(engine: Engine, request_ms: int | None, ping: bool) -> None:
    """Give each checked-out connection the statement timeout in force (one ``SET`` when it
    differs from the connection's; committed, so a later rollback keeps it), and with ``ping``
    check a connection that sat idle (the ``SET`` checks it too)."""

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_conn: Any, record: Any) -> None:
        record.info[_IDLE_SINCE_KEY] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        override = _TIMEOUT_OVERRIDE.get()
        wanted = int(request_ms or 0) if override is None else override
        if record.info.get(_TIMEOUT_KEY) == wanted:
            idle_since = record.info.get(_IDLE_SINCE_KEY)
            if (
                ping
                and idle_since is not None
                and time.monotonic() - idle_since >= PING_AFTER_IDLE_S
            ):
                _ping(engine, dbapi_conn)
            return
        cursor = dbapi_conn.cursor()
        try:
            cursor.execute(f"SET statement_timeout = {wanted}")
        finally:
            cursor.close()
        dbapi_conn.commit()
        record.info[_TIMEOUT_KEY] = wanted


def _ping(engine: Engine, dbapi_conn: Any) -> None:
    """A round trip on a pooled connection; a dead one makes the pool connect afresh."""
    try:
        engine.dialect.do_ping(dbapi_conn)
    except engine.dialect.loaded_dbapi.Error as error:
        if engine.dialect.is_disconnect(error, dbapi_conn, None):
            raise exc.DisconnectionError() from error
        raise


def _configure_sqlite(engine: Engine) -> None:
    """Write transactions take the lock at BEGIN (no deadlock when a reader upgrades); plain
    reads begin deferred; WAL lets readers go on while one writer works."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get(_WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Database:
    """Engine + session factory of one app. Recreates its pool after a fork (RQ workers)."""

    def __init__(
        self,
        url: str,
        engine_options: dict[str, Any] | None = None,
        *,
        statement_timeout_ms: int | None = None,
        job_statement_timeout_ms: int | None = None,
    ) -> None:
        self.url = url
        self._options = dict(engine_options or {})
        self.statement_timeout_ms = statement_timeout_ms
        self.job_statement_timeout_ms = job_statement_timeout_ms
        self._lock = threading.Lock()
        self._engine: Engine | None = None
        self._reading_engine: Engine | None = None
        self._pid = 0
        self._sessionmaker = sessionmaker(expire_on_commit=False)
        event.listen(self._sessionmaker, "after_commit", _run_outbox)
        event.listen(self._sessionmaker, "after_rollback", _drop_outbox)

    @property
    def engine(self) -> Engine:
        if self._engine is None or self._pid != os.getpid():
            with self._lock:
                if self._engine is not None and self._pid != os.getpid():
                    self._engine.dispose(close=False)  # forked: never reuse parent sockets
                    self._engine = None
                if self._engine is None:
                    self._engine = self._create_engine()
                    self._pid = os.getpid()
                    self._sessionmaker.configure(bind=self._engine)
        return self._engine

    def _create_engine(self) -> Engine:
        options = dict(self._options)
        # a statement's parameters are customers' data: never in an error's text (logs, Redis)
        options.setdefault("hide_parameters", True)
        if self.url.startswith("sqlite"):
            options.setdefault("connect_args", {}).setdefault("timeout", 30)
            engine = create_engine(self.url, **options)
            _configure_sqlite(engine)
        else:
            engine = create_engine(self.url, **options)
            if engine.dialect.name == "postgresql":
                ping = not options.get("pool_pre_ping", False)
                _configure_postgresql(engine, self.statement_timeout_ms, ping)
        return engine

    def for_jobs(self) -> Any:
        """The statement timeout of background work (``CUSTOMERS_JOB_STATEMENT_TIMEOUT_MS``)."""
        return statement_timeout(self.job_statement_timeout_ms)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def session(self) -> Session:
        """A session for reading (on SQLite its transactions begin deferred)."""
        self.engine  # noqa: B018 - binds the factory on first use
        session = self._sessionmaker()
        session.connection(execution_options={_WRITE_OPTION: False})
        return session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A new session for a request that only reads.

        On PostgreSQL its statements run in autocommit: under READ COMMITTED every statement
        takes its own snapshot anyway, so BEGIN and COMMIT would only add two round trips. On
        SQLite it is one deferred transaction (one snapshot, no write lock). Never write here.
        """
        with self._sessionmaker(bind=self._reader()) as session:  # closing returns its connection
            yield session

    def _reader(self) -> Engine:
        """The engine of ``reading`` sessions: the same pool, its connections checked out in
        the reading mode (a session checks one out on its first statement only)."""
        engine = self.engine
        if self._reading_engine is None or self._reading_engine.pool is not engine.pool:
            options: dict[str, Any] = {_WRITE_OPTION: False}
            if engine.dialect.name == "postgresql":
                options["isolation_level"] = "AUTOCOMMIT"
            self._reading_engine = engine.execution_options(**options)
        return self._reading_engine

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A new session in one write transaction: committed on success, rolled back on error."""
        self.engine  # noqa: B018
        with self._sessionmaker() as session, session.begin():
            session.connection(execution_options={_WRITE_OPTION: True})
            yield session

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def insert(session: Session, table: Any) -> Any:
    """A dialect INSERT that knows ``on_conflict_do_nothing`` / ``on_conflict_do_update``."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise RuntimeError(f"customers-plugin supports PostgreSQL and SQLite, not {name}")


_COMPILED_IGNORES: weakref.WeakKeyDictionary[Any, dict[tuple, Any]] = weakref.WeakKeyDictionary()


def insert_ignore(
    session: Session, table: Any, row: dict[str, Any], returning: Any = None
) -> CursorResult[Any]:
    """``INSERT … ON CONFLICT DO NOTHING [RETURNING …]`` for one row, on the session's
    connection.

    SQLAlchemy 2.0 cannot cache ON CONFLICT statements, and compiling them on every event was
    half of a hook's cost; this compiles each shape once per dialect and reuses it (bind and
    result processing still apply).
    """
    connection = session.connection()
    return connection.execute(_compiled_ignore(session, connection, table, row, returning), row)


def insert_ignore_many(session: Session, table: Any, rows: Sequence[dict[str, Any]]) -> int:
    """``insert_ignore`` for many rows of one shape: multi-row INSERTs (about one round trip
    for a batch). Returns the number of rows inserted, counted by ``RETURNING`` (an
    executemany's ``rowcount`` is -1 on psycopg)."""
    if not rows:
        return 0
    connection = session.connection()
    first_key = next(iter(table.primary_key.columns))
    compiled = _compiled_ignore(session, connection, table, rows[0], first_key, many=True)
    return len(connection.execute(compiled, rows).all())


def _compiled_ignore(
    session: Session,
    connection: Any,
    table: Any,
    row: dict[str, Any],
    returning: Any,
    many: bool = False,
) -> Any:
    dialect = connection.dialect
    compiled_for_dialect = _COMPILED_IGNORES.setdefault(dialect, {})
    key = (table.name, tuple(row), None if returning is None else returning.key, many)
    compiled = compiled_for_dialect.get(key)
    if compiled is None:
        statement = (
            insert(session, table)
            .values({name: bindparam(name, type_=table.c[name].type) for name in row})
            .on_conflict_do_nothing()
        )
        if returning is not None:
            statement = statement.returning(returning)
        compiled = compiled_for_dialect[key] = statement.compile(
            dialect=dialect, for_executemany=many
        )
    return compiled


def after_commit(session: Session, action: Callable[[], None]) -> None:
    """Run ``action`` once ``session`` commits; forget it if the session rolls back."""
    session.info.setdefault(_OUTBOX, []).append(action)


def after_commit_actions(session: Session) -> list[Callable[[], None]]:
    """What ``session`` will run once it commits (so a caller can add to an action it queued)."""
    return session.info.get(_OUTBOX, [])


def _run_outbox(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released: the real commit is still to come
    actions = session.info.pop(_OUTBOX, [])
    for action in actions:
        try:
            action()
        except Exception as exc:  # an after-commit action must never undo or hide the commit
            name = getattr(action, "__name__", "an action")
            log_failure(log, "after-commit action %s failed", name, exc=exc)


def _drop_outbox(session: Session) -> None:
    if session.in_nested_transaction():
        return  # only a savepoint rolled back; what was queued before it still stands
    session.info.pop(_OUTBOX, None)


def is_statement_timeout(exc: BaseException) -> bool:
    """A statement stopped by PostgreSQL's statement timeout (SQLSTATE 57014, query_canceled)."""
    return getattr(getattr(exc, "orig", None), "sqlstate", None) == "57014"


def one_of(session: Session, column: Any, values: Sequence[Any]) -> Any:
    """``column IN (values)``; on PostgreSQL ``column = ANY(:array)``: one parameter instead of
    thousands (the statement stays small and cacheable, whatever the chunk size)."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(list(values))
