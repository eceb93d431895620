"""Shared fixtures: one migrated database per backend per test session, emptied between tests.

Backends: SQLite (a file in a temporary folder) and real PostgreSQL (a schema of its own per
test session, so parallel runs never meet). PostgreSQL is reached at
``CUSTOMERS_TEST_POSTGRES_URL`` (default: the local server, database ``test``); Redis at
``CUSTOMERS_TEST_REDIS_URL``. Set ``CUSTOMERS_TEST_BACKENDS=sqlite`` to run SQLite only.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, text
from werkzeug.routing import Rule

from customers_plugin import CustomersPlugin, hookimpl, migrate
from customers_plugin.db import Database, statement_timeout
from customers_plugin.models import Base

POSTGRES_URL = os.environ.get(
    "CUSTOMERS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("CUSTOMERS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
BACKENDS = os.environ.get("CUSTOMERS_TEST_BACKENDS", "sqlite,postgresql").split(",")


class _BuildersOnFirstUse(Rule):
    """The URL rules of the apps tests build (tests/api and tests/core alone build 890):
    werkzeug compiles two URL builders per rule as the rule is added (40 ms for the plugin's
    120 rules, half of building an app); these compile each builder when ``url_for`` first
    needs it. Matching and building stay werkzeug's own."""

    def _compile_builder(self, append_unknown: bool = True) -> Any:
        compiled = None

        def build(rule: Rule, *args: Any, **kwargs: Any) -> Any:
            nonlocal compiled
            if compiled is None:
                compiled = Rule._compile_builder(rule, append_unknown)
            return compiled(rule, *args, **kwargs)

        return build


Flask.url_rule_class = _BuildersOnFirstUse


# The files that take a minute or more run first: the test processes take whole files
# (--dist loadfile --no-loadscope-reorder: in collection order, not xdist's default of files
# with the most tests first), and one of these started near the end would run alone while the
# others sat idle.
LONGEST_FIRST = ("test_openapi_fuzz.py", "test_openapi_fuzz_wsgi.py", "test_benchmarks_smoke.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.path.name not in LONGEST_FIRST)  # stable: order kept


RUN_ID = f"{os.getpid()}_{uuid.uuid4().hex[:6]}"


def _postgres_schema_url() -> tuple[str, str]:
    schema = f"customers_test_{RUN_ID}"
    sep = "&" if "?" in POSTGRES_URL else "?"
    return schema, f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture(scope="session")
def database_urls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Create and migrate each backend once per session."""
    urls: dict[str, str] = {}
    cleanups = []
    if "sqlite" in BACKENDS:
        path = tmp_path_factory.mktemp("sqlite") / "customers.db"
        urls["sqlite"] = f"sqlite:///{path}"
    if "postgresql" in BACKENDS:
        schema, url = _postgres_schema_url()
        admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))

        def drop(admin=admin, schema=schema) -> None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            admin.dispose()

        cleanups.append(drop)
        urls["postgresql"] = url
    for url in urls.values():
        db = Database(url)
        migrate.upgrade(db)
        db.dispose()
    yield urls
    for cleanup in cleanups:
        cleanup()


def _empty_all_tables(db: Database) -> None:
    """DELETE, children first, on both backends: on the few rows a test leaves it takes about
    2 ms on PostgreSQL where a TRUNCATE of every table takes 30-40 ms (it is run per test). It
    is not request-time work: no statement timeout."""
    with statement_timeout(None), db.engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def fresh_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of the test's backend (its own PostgreSQL schema), dropped after."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path}/fresh.db"
        return
    schema = f"customers_fresh_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in POSTGRES_URL else "?"
    yield f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


class Recorder:
    """A third-party plugin that records every notification it receives."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def named(self, hook: str) -> list[dict[str, Any]]:
        return [kwargs for name, kwargs in self.calls if name == hook]

    @hookimpl
    def customer_created(self, customer: Any) -> None:
        self.calls.append(("customer_created", {"customer": customer}))

    @hookimpl
    def customer_updated(self, customer: Any, changes: Any) -> None:
        self.calls.append(("customer_updated", {"customer": customer, "changes": changes}))

    @hookimpl
    def customer_deleted(self, store_id: str, customer_id: str) -> None:
        self.calls.append(("customer_deleted", {"store_id": store_id, "customer_id": customer_id}))

    @hookimpl
    def customer_blocked(self, customer: Any, reason: str, details: Any) -> None:
        self.calls.append(("customer_blocked", {"customer": customer, "reason": reason}))

    @hookimpl
    def customer_unblocked(self, customer: Any) -> None:
        self.calls.append(("customer_unblocked", {"customer": customer}))


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def make_app(database_urls: dict[str, str], backend: str, recorder: Recorder) -> Iterator[Any]:
    """Build apps on the test's backend: ``make_app(**config)``. Tables are emptied after."""
    apps: list[Flask] = []

    def factory(**config: Any) -> Flask:
        app = Flask(f"test_{len(apps)}")
        app.config.update(
            TESTING=True,
            CUSTOMERS_DATABASE_URI=database_urls[backend],
            CUSTOMERS_LOAD_ENTRY_POINTS=False,
            CUSTOMERS_PLUGINS=[recorder],
        )
        app.config.update(config)
        CustomersPlugin(app)
        apps.append(app)
        return app

    yield factory
    if apps:
        _empty_all_tables(apps[0].extensions["customers"].db)
    for app in apps:
        app.extensions["customers"].db.dispose()


@pytest.fixture
def app(make_app: Any) -> Flask:
    return make_app()


@pytest.fixture
def make_host(
    database_urls: dict[str, str], backend: str, caplog: pytest.LogCaptureFixture
) -> Iterator[Any]:
    """Build example host apps (examples/host_app) on the test's (already migrated) database:
    ``make_host(**config)``. Everything is dropped or emptied afterwards. The host logs (and
    survives) a failing hook: here that fails the test."""
    from examples.host_app import create_app
    from examples.host_app.models import db

    apps: list[Flask] = []

    def factory(**config: Any) -> Flask:
        app = create_app(
            {
                "TESTING": True,
                "SQLALCHEMY_DATABASE_URI": database_urls[backend],
                "CUSTOMERS_LOAD_ENTRY_POINTS": False,
                "HOST_APP_AUTO_MIGRATE": False,  # the session's database is migrated already
                **config,
            }
        )
        apps.append(app)
        return app

    yield factory
    hook_failures = [r for r in caplog.records if r.name == "examples.host_app.shop"]
    for app in apps:
        with app.app_context():
            db.drop_all()
            for engine in db.engines.values():
                engine.dispose()
        state = app.extensions["customers"]
        with state.db.engine.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
        state.db.dispose()
    assert not hook_failures, [r.getMessage() for r in hook_failures]


@pytest.fixture
def customers(app: Flask) -> Any:
    """The per-app state (``.hook``, ``.db``, ``.jobs``)."""
    return app.extensions["customers"]
