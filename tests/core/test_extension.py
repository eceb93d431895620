"""The Flask extension: both set-up styles, config defaults, per-app isolation, no import work."""

from __future__ import annotations

import subprocess
import sys

import pytest
from flask import Flask
from flask_sqlalchemy import SQLAlchemy

from customers_plugin import CustomersPlugin, get_state
from customers_plugin.config import DEFAULTS
from tests.helpers import customers_of, order


def test_importing_the_package_does_no_work():
    code = (
        "import sys, customers_plugin;"
        "print(any(m.split('.')[0] in ('redis', 'rq', 'psycopg') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_init_app_fills_every_documented_default(tmp_path):
    app = Flask("host", instance_path=str(tmp_path))
    CustomersPlugin().init_app(app)
    for key, (default, _doc) in DEFAULTS.items():
        assert app.config[key] == default
    assert get_state(app).db.url == f"sqlite:///{tmp_path}/customers.db"
    assert get_state(app).jobs.inline


def test_host_settings_are_kept(tmp_path):
    app = Flask("host", instance_path=str(tmp_path))
    app.config.update(CUSTOMERS_URL_PREFIX="/crm", REDIS_URL="redis://example:6379/3")
    CustomersPlugin(app)
    assert app.config["CUSTOMERS_URL_PREFIX"] == "/crm"
    assert get_state(app).jobs.redis_url == "redis://example:6379/3"
    assert not get_state(app).jobs.inline


def test_initialising_twice_is_an_error(tmp_path):
    app = Flask("host", instance_path=str(tmp_path))
    CustomersPlugin(app)
    with pytest.raises(RuntimeError, match="already initialised"):
        CustomersPlugin(app)


def test_works_beside_the_hosts_flask_sqlalchemy(tmp_path):
    app = Flask("host", instance_path=str(tmp_path))
    app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path}/shop.db"
    db = SQLAlchemy(app)
    CustomersPlugin(app)
    # same database as the host, but the plugin's tables stay out of the host's metadata
    assert get_state(app).db.url == app.config["SQLALCHEMY_DATABASE_URI"]
    assert not [t for t in db.metadata.tables if t.startswith("customers_")]
    assert app.extensions["sqlalchemy"] is db


def test_two_apps_in_one_process_share_nothing(make_app, database_urls, backend):
    ext = CustomersPlugin()
    first, second = Flask("one"), Flask("two")
    for app in (first, second):
        app.config.update(
            CUSTOMERS_DATABASE_URI=database_urls[backend], CUSTOMERS_LOAD_ENTRY_POINTS=False
        )
        ext.init_app(app)
    one, two = get_state(first), get_state(second)
    assert one.pm is not two.pm and one.db is not two.db and one.jobs is not two.jobs
    with pytest.raises(RuntimeError, match="app context"):
        ext.hook  # noqa: B018 - ambiguous without an app context
    with second.app_context():
        assert ext.hook is two.pm.hook
    for app in (first, second):
        get_state(app).db.dispose()
    make_app()  # lets the fixture empty the tables afterwards


def test_hook_handle_works_without_an_app_context_for_a_single_app(make_app):
    app = make_app()
    ext = CustomersPlugin()
    other = Flask("solo")
    other.config.update(app.config)
    ext.init_app(other)
    [cid] = ext.hook.on_order_placed(event=order("1"))
    assert [str(c.id) for c in customers_of(get_state(other).db)] == [cid]
    get_state(other).db.dispose()
