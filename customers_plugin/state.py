"""The per-app state: what the plugin keeps for one Flask app, and ``get_state`` to find it.

It sits below every room that uses it (services, API, jobs, CLI, hook implementations):
``extension.py`` builds it in ``init_app`` and wires the built-in plugins into it; nothing here
imports the rooms above (their types are named for the type checker only).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Flask, current_app

if TYPE_CHECKING:
    import pluggy

    from .db import Database
    from .jobs import Dispatcher
    from .services.capture import Capture

EXTENSION_KEY = "customers"


class CustomersState:
    """Everything the plugin keeps for one app: its config, plugin manager (``pm``, ``hook``),
    database (``db``), job dispatcher (``jobs``) and capture flow (``capture``)."""

    pm: pluggy.PluginManager
    db: Database
    jobs: Dispatcher
    capture: Capture

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.config = app.config

    @property
    def hook(self) -> Any:
        return self.pm.hook

    def setting(self, key: str) -> Any:
        return self.config[key]


def get_state(app: Flask | None = None) -> CustomersState:
    """The state of ``app`` (default: the current app)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        return app.extensions[EXTENSION_KEY]
    except KeyError:
        raise RuntimeError("CustomersPlugin is not initialised on this app") from None
