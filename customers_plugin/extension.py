"""The Flask extension: ``CustomersPlugin(app)`` or ``CustomersPlugin().init_app(app)``.

Per-app state (``state.CustomersState``) lives in ``app.extensions["customers"]``; this module
builds and wires it. Nothing is created at import time and two apps in one process share
nothing (each has its own plugin manager, engine and queue).
"""

from __future__ import annotations

import os
import weakref
from typing import Any

from flask import Flask, current_app, has_app_context
from werkzeug.utils import import_string

from .config import apply_defaults
from .db import Database
from .jobs import Dispatcher
from .plugins import build_plugin_manager
from .services.tasks.manage import store_zone
from .state import EXTENSION_KEY, CustomersState, get_state


def build_state(app: Flask) -> CustomersState:
    """The state of ``app``: its capture flow, plugin manager (built-ins first, then the host's
    and the entry points' plugins), database and job dispatcher."""
    from .capture_hooks import CaptureHooks
    from .commerce_hooks import CommerceHooks
    from .groups_hooks import GroupHooks
    from .services.capture import Capture
    from .services.messages.smtp import SmtpEmail

    state = CustomersState(app)
    state.capture = Capture(state)
    extra = [import_string(p) if isinstance(p, str) else p for p in app.config["CUSTOMERS_PLUGINS"]]
    state.pm = build_plugin_manager(
        builtins=[
            CaptureHooks(state),
            GroupHooks(state),
            CommerceHooks(state),
            SmtpEmail(app.config),
        ],
        extra=extra,
        load_entry_points=app.config["CUSTOMERS_LOAD_ENTRY_POINTS"],
    )
    state.db = Database(
        _database_url(app),
        app.config["CUSTOMERS_ENGINE_OPTIONS"],
        statement_timeout_ms=app.config["CUSTOMERS_STATEMENT_TIMEOUT_MS"],
        job_statement_timeout_ms=app.config["CUSTOMERS_JOB_STATEMENT_TIMEOUT_MS"],
    )
    redis_url = app.config["CUSTOMERS_REDIS_URL"] or app.config.get("REDIS_URL")
    state.jobs = Dispatcher(state, redis_url, app.config["CUSTOMERS_QUEUE"])
    return state


def _database_url(app: Flask) -> str:
    url = app.config["CUSTOMERS_DATABASE_URI"] or app.config.get("SQLALCHEMY_DATABASE_URI")
    if url:
        return url
    os.makedirs(app.instance_path, exist_ok=True)
    return "sqlite:///" + os.path.join(app.instance_path, "customers.db")


class CustomersPlugin:
    """The customers module as a Flask extension.

    ``customers.hook`` is the handle through which the host fires events, e.g.
    ``customers.hook.on_order_placed(event=OrderPlaced(...))``. It resolves the current app, or
    the only app this extension was initialised with when no app context is active.
    """

    def __init__(self, app: Flask | None = None) -> None:
        self._apps: weakref.WeakSet[Flask] = weakref.WeakSet()
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        if EXTENSION_KEY in app.extensions:
            raise RuntimeError("CustomersPlugin is already initialised on this app")
        apply_defaults(app.config)
        store_zone(app.config["CUSTOMERS_TIMEZONE"])  # a wrong name fails here, not per request
        state = build_state(app)
        app.extensions[EXTENSION_KEY] = state

        from .api import register_api
        from .cli import customers_cli

        register_api(app, state)
        app.cli.add_command(customers_cli)
        self._apps.add(app)

    def state(self, app: Flask | None = None) -> CustomersState:
        if app is None and has_app_context() and current_app.extensions.get(EXTENSION_KEY):
            app = current_app._get_current_object()  # type: ignore[attr-defined]
        if app is None:
            apps = list(self._apps)
            if len(apps) != 1:
                raise RuntimeError(
                    "several apps use this CustomersPlugin: call it inside an app context"
                )
            app = apps[0]
        return get_state(app)

    @property
    def hook(self) -> Any:
        """The pluggy hook relay of the current app (``customers.hook.on_order_placed(...)``)."""
        return self.state().pm.hook

    @property
    def db(self) -> Database:
        return self.state().db
