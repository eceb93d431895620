"""An example host for customers-plugin: a small shop + booking site with its own
Flask-SQLAlchemy models, firing the plugin's events, answering its store/authorization hooks,
and mounting the plugin's admin (``customers_plugin.admin``) behind a staff sign-in.

Run it with ``flask --app examples.host_app run`` (``make demo`` does the set-up first).
"""

from __future__ import annotations

import os
import secrets
import sys
from typing import Any

from flask import Flask, redirect, render_template, url_for

from customers_plugin import CustomersPlugin, get_state, migrate

from .stores import (
    DEMO_ADMIN_TOKEN,
    DEMO_READONLY_TOKEN,
    DEMO_SECOND_STORE_TOKEN,
    DEMO_STAFF_TOKEN,
    READ_ONLY,
    STAFF,
    HostServices,
    Store,
)


def database_url(app: Flask) -> str:
    """``DATABASE_URL`` from the environment, else a SQLite file in the instance folder."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        os.makedirs(app.instance_path, exist_ok=True)
        return "sqlite:///" + os.path.join(app.instance_path, "shop.db")
    for plain in ("postgres://", "postgresql://"):
        if url.startswith(plain):  # the driver installed with customers-plugin is psycopg 3
            return "postgresql+psycopg://" + url[len(plain) :]
    return url


def _stores() -> dict[str, Store]:
    first = os.environ.get("HOST_APP_ADMIN_TOKEN") or DEMO_ADMIN_TOKEN
    staff = os.environ.get("HOST_APP_STAFF_TOKEN") or DEMO_STAFF_TOKEN
    reader = os.environ.get("HOST_APP_READONLY_TOKEN") or DEMO_READONLY_TOKEN
    second = os.environ.get("HOST_APP_SECOND_STORE_TOKEN") or DEMO_SECOND_STORE_TOKEN
    stores = [
        Store("default", "Demo Shop", first, ((STAFF, staff), (READ_ONLY, reader))),
        Store("second", "Second Shop", second),
    ]
    return {s.id: s for s in stores}


def _announce_demo_tokens(stores: dict[str, Store]) -> None:
    """Print the demo tokens (only the built-in defaults: tokens from the environment stay
    secret)."""
    demo = (DEMO_ADMIN_TOKEN, DEMO_STAFF_TOKEN, DEMO_READONLY_TOKEN, DEMO_SECOND_STORE_TOKEN)
    for store in stores.values():
        for role, token in store.tokens():
            if token in demo:
                print(
                    f" * {role} API token for store {store.id!r}: {token} (demo default; set"
                    " HOST_APP_ADMIN_TOKEN / _STAFF_TOKEN / _READONLY_TOKEN / _SECOND_STORE_TOKEN)",
                    file=sys.stderr,
                )


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """The host app. ``config`` overrides any setting (tests pass a database URL, etc.)."""
    from . import accounts, admin, commerce, desk, views
    from .catalog import ensure_catalog
    from .models import db
    from .seed import seed_demo

    instance = os.environ.get("HOST_APP_INSTANCE_PATH")
    app = Flask(__name__, instance_path=os.path.abspath(instance) if instance else None)
    app.config.update(
        SECRET_KEY=os.environ.get("HOST_APP_SECRET_KEY") or secrets.token_hex(32),
        HOST_APP_CSRF=True,
        HOST_APP_AUTO_MIGRATE=True,
        HOST_APP_CURRENCY="USD",
        CUSTOMERS_CURRENCY="USD",
        MAX_CONTENT_LENGTH=256 * 1024,
    )
    if os.environ.get("REDIS_URL"):
        app.config["REDIS_URL"] = os.environ["REDIS_URL"]
    app.config.update(config or {})
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = database_url(app)

    stores = _stores()
    app.extensions["host_app_stores"] = stores
    host_services = HostServices(stores)
    app.config["CUSTOMERS_PLUGINS"] = [
        *app.config.get("CUSTOMERS_PLUGINS", ()),
        host_services,
        commerce.ShopperServices(),  # which account is signed in, the cart, current prices
        desk.OrderDesk(),  # orders staff place for a customer, wishlist gift coupons
    ]
    base_url = os.environ.get("HOST_APP_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    app.config.setdefault(
        "CUSTOMERS_REVIEW_PAGE_URL", base_url + "/shop/default/reviews?token={token}"
    )

    db.init_app(app)
    CustomersPlugin(app)  # on the same database URL (SQLALCHEMY_DATABASE_URI)

    app.register_blueprint(views.bp)
    app.register_blueprint(commerce.bp)
    app.register_blueprint(accounts.bp)
    admin.mount(app)
    app.jinja_env.globals["csrf_token"] = views.csrf_token
    app.jinja_env.globals["signed_in"] = accounts.signed_in
    app.jinja_env.globals["all_stores"] = list(stores.values())
    app.cli.add_command(seed_demo)

    @app.get("/")
    def home() -> Any:
        return redirect(url_for("shop.products", store="default"))

    @app.errorhandler(404)
    def not_found(_error: Exception) -> Any:
        return render_template("message.html", title="Not found", text="No such page."), 404

    @app.errorhandler(413)
    def too_large(_error: Exception) -> Any:
        return render_template("message.html", title="Too large", text="That was too much."), 413

    with app.app_context():
        db.create_all()  # the host's tables (a real host would use its own migrations)
        if app.config["HOST_APP_AUTO_MIGRATE"]:
            migrate.upgrade(get_state(app).db)  # the plugin's tables: a no-op when up to date
        ensure_catalog(list(stores), app.config["HOST_APP_CURRENCY"])

    if not app.testing:
        _announce_demo_tokens(stores)
    return app
