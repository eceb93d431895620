"""Store settings: the app's configuration is every store's default, a store may override the
keys of the registry (``registry.SETTINGS``) and every service reads a per-store value through
``effective(where, key)``, never ``app.config`` directly, so an override changes behaviour.

A store's overrides are read once per request: the extension opens a cache for each Flask
request (``start_request_cache`` / ``end_request_cache``, a context variable, so nothing here
reads Flask) and a change in the same request drops it. A statement that reads rows anyway may
bring them along (``overrides_column``, then ``remember``): a list page is one round trip.
A host event handled outside a request (fired from a script or a job) and an inbox batch keep
them for their own transaction; other work outside a request (jobs, CLI) reads them at every
call.
"""

from __future__ import annotations

from .overrides import (
    OVERRIDES_LABEL,
    change,
    effective,
    effective_all,
    end_request_cache,
    overridden,
    overrides_column,
    remember,
    request_cache,
    start_request_cache,
)
from .registry import ADDRESS_METHODS, REGISTRY, SETTINGS, Setting, per_store

__all__ = [
    "ADDRESS_METHODS",
    "OVERRIDES_LABEL",
    "REGISTRY",
    "SETTINGS",
    "Setting",
    "change",
    "effective",
    "effective_all",
    "end_request_cache",
    "overridden",
    "overrides_column",
    "per_store",
    "remember",
    "request_cache",
    "start_request_cache",
]
