"""A database the plugin's migrations have not reached answers 503 ``migrations_pending`` with
the command to run, and logs it, instead of a raw "no such table" 500."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from decimal import Decimal

import pytest
from flask import Flask

from customers_plugin import Contact, CustomersPlugin, MigrationsPending, OrderPlaced, migrate
from tests.api.conftest import PREFIX, BearerAuth

UPGRADE = "flask customers db upgrade"


@pytest.fixture
def bare_app(fresh_url: str) -> Iterator[Flask]:
    app = Flask("bare")
    app.config.update(
        TESTING=True,
        CUSTOMERS_DATABASE_URI=fresh_url,
        CUSTOMERS_LOAD_ENTRY_POINTS=False,
        CUSTOMERS_PLUGINS=[BearerAuth()],
    )
    CustomersPlugin(app)
    yield app
    app.extensions["customers"].db.dispose()


def _get(app: Flask, path: str):
    return app.test_client().get(PREFIX + path, headers={"Authorization": "Bearer a:*"})


def test_unmigrated_database_answers_migrations_pending_with_the_command(bare_app, caplog):
    with caplog.at_level(logging.ERROR, logger="customers_plugin"):
        response = _get(bare_app, "/customers")
    assert response.status_code == 503
    error = response.json["error"]
    assert error["code"] == "migrations_pending"
    assert UPGRADE in error["message"]
    assert "no such table" not in response.get_data(as_text=True)
    logged = [r.getMessage() for r in caplog.records if UPGRADE in r.getMessage()]
    assert logged, [r.getMessage() for r in caplog.records]
    assert (
        "head" in logged[0]
        or migrate.head_revision(bare_app.extensions["customers"].db) in (logged[0])
    )


def test_database_behind_by_some_revisions_answers_migrations_pending(bare_app):
    db = bare_app.extensions["customers"].db
    migrate.upgrade(db, "0003")  # before the wishlist, wallet and review tables
    response = _get(bare_app, "/wishlists/products")
    assert response.status_code == 503
    assert response.json["error"]["code"] == "migrations_pending"
    assert "0003" in response.json["error"]["message"]


def test_the_same_request_works_once_the_database_is_upgraded(bare_app):
    assert _get(bare_app, "/customers").status_code == 503
    migrate.upgrade(bare_app.extensions["customers"].db)
    response = _get(bare_app, "/customers")
    assert response.status_code == 200
    assert response.json["items"] == []


def test_a_database_error_on_an_up_to_date_schema_stays_an_internal_error(make_app, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from customers_plugin.services import listing

    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("disk I/O error"))

    monkeypatch.setattr(listing, "list_customers", broken)
    monkeypatch.setattr(listing, "page_as_json", broken)  # the page PostgreSQL writes
    app = make_app(CUSTOMERS_PLUGINS=[BearerAuth()], PROPAGATE_EXCEPTIONS=False)
    response = _get(app, "/customers")
    assert response.status_code == 500
    assert response.json["error"]["code"] == "internal_error"


def test_a_host_event_on_an_unmigrated_database_raises_migrations_pending(bare_app):
    event = OrderPlaced(
        store_id="default",
        contact=Contact(email="sara@example.sa"),
        order_id="o1",
        total=Decimal("10.00"),
        currency="USD",
    )
    with bare_app.app_context(), pytest.raises(MigrationsPending, match=UPGRADE):
        bare_app.extensions["customers"].hook.on_order_placed(event=event)
