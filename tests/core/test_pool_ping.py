"""PostgreSQL pool checkouts: a connection that sat idle is pinged (and replaced if it died),
one used a moment ago is handed out without a round trip."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import create_engine, text

from customers_plugin import db as db_module
from customers_plugin.db import Database
from tests.conftest import BACKENDS, POSTGRES_URL

pytestmark = pytest.mark.skipif("postgresql" not in BACKENDS, reason="PostgreSQL only")


def _backend_pid(database: Database) -> int:
    with database.engine.connect() as conn:
        return conn.execute(text("SELECT pg_backend_pid()")).scalar_one()


def test_a_connection_that_died_while_idle_is_replaced_at_checkout(monkeypatch: Any) -> None:
    monkeypatch.setattr(db_module, "PING_AFTER_IDLE_S", 0.0)
    database = Database(POSTGRES_URL)
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        pid = _backend_pid(database)
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        assert _backend_pid(database) != pid
    finally:
        admin.dispose()
        database.dispose()


def test_only_a_connection_idle_for_long_enough_is_pinged(monkeypatch: Any) -> None:
    database = Database(POSTGRES_URL)
    dialect = database.engine.dialect
    ping = dialect.do_ping
    pings: list[Any] = []
    monkeypatch.setattr(dialect, "do_ping", lambda conn: pings.append(conn) or ping(conn))
    try:
        monkeypatch.setattr(db_module, "PING_AFTER_IDLE_S", 3600.0)
        for _ in range(3):
            _backend_pid(database)
        assert pings == []
        monkeypatch.setattr(db_module, "PING_AFTER_IDLE_S", 0.0)
        _backend_pid(database)
        assert len(pings) == 1
    finally:
        database.dispose()
