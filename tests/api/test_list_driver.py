"""A list page's one statement runs on the driver's cursor (customers_plugin/driver.py): the
same bytes as through SQLAlchemy, which still runs it when something listens to the engine's
cursor events; one pooled connection per request, handed back in the pool's own mode; a
timed-out statement answers 503, a lost connection is dropped from the pool."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import create_engine, event, text

from customers_plugin import db as db_module
from customers_plugin import driver
from tests.conftest import POSTGRES_URL

from .conftest import Staff


@pytest.fixture
def pg_staff(backend: str, api_app: Any) -> Staff:
    if backend != "postgresql":
        pytest.skip("the driver runs PostgreSQL's written pages")
    staff = Staff(api_app)
    for i in range(3):
        staff.create(name=f"Layla {i}", phone=f"+96650123456{i}", tags=["vip"])
    return staff


def _engine(staff: Staff) -> Any:
    return staff.app.extensions["customers"].db.engine


def test_the_page_is_the_same_on_the_driver_and_through_sqlalchemy(pg_staff, monkeypatch):
    ran: list[str] = []
    real = driver.DriverStatement.one
    monkeypatch.setattr(
        driver.DriverStatement, "one", lambda s, *a: ran.append(s.sql) or real(s, *a)
    )
    queries = ["limit=2", "limit=2&sort=name", "q=%2B966501234561", "tag=vip&limit=2"]
    on_driver = [pg_staff.get(f"/customers?{q}").data for q in queries]
    assert len(ran) == len(queries)

    seen: list[str] = []
    listener = lambda conn, cursor, statement, *rest: seen.append(statement)  # noqa: E731
    event.listen(_engine(pg_staff), "before_cursor_execute", listener)
    try:
        through_sqlalchemy = [pg_staff.get(f"/customers?{q}").data for q in queries]
    finally:
        event.remove(_engine(pg_staff), "before_cursor_execute", listener)
    assert len(ran) == len(queries)  # a listener sees every statement: none ran on the driver
    assert sum("page_position" in s for s in seen) == len(queries)
    assert through_sqlalchemy == on_driver
    assert b"Layla" in on_driver[0]


def test_a_request_holds_one_connection_and_returns_it_as_the_pool_hands_them_out(pg_staff):
    engine = _engine(pg_staff)
    held: list[int] = []
    most = [0]

    def out(*_args: Any) -> None:
        held.append(1)
        most[0] = max(most[0], len(held))

    event.listen(engine, "checkout", out)
    event.listen(engine, "checkin", lambda *_a: held.pop())
    for query in ["limit=2", "q=%2B966501234561", "tag=vip", "q=Layla"]:
        assert pg_staff.get(f"/customers?{query}").status_code == 200
    assert most[0] == 1 and held == []
    with engine.connect() as conn:  # the pool's default mode: transactions, not autocommit
        assert conn.connection.driver_connection.autocommit is False


def test_a_page_stopped_by_the_statement_timeout_answers_503(pg_staff, make_app, monkeypatch):
    app = make_app(**{**pg_staff.app.config, "CUSTOMERS_STATEMENT_TIMEOUT_MS": 50})
    staff = Staff(app)
    slow = property(lambda _s: "SELECT pg_sleep(5)", lambda _s, _v: None)
    with monkeypatch.context() as m:
        m.setattr(driver.DriverStatement, "sql", slow, raising=False)
        response = staff.get("/customers?limit=2")
    assert response.status_code == 503
    assert response.json["error"]["code"] == "query_timeout"
    assert staff.get("/customers?limit=2").status_code == 200


def test_a_connection_lost_between_requests_is_dropped_from_the_pool(pg_staff, monkeypatch):
    monkeypatch.setattr(db_module, "PING_AFTER_IDLE_S", 3600.0)  # no ping to catch it first
    engine = _engine(pg_staff)
    assert pg_staff.get("/customers?limit=2").status_code == 200
    with engine.connect() as conn:  # the pool's one idle connection, the page's
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        admin.dispose()
    assert pg_staff.get("/customers?limit=2").status_code == 500
    assert pg_staff.get("/customers?limit=2").status_code == 200
    with engine.connect() as conn:
        assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() != pid
