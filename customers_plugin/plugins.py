"""The pluggy plugin manager of one app: specs, the built-in implementations, third-party
plugins found by entry point, and isolated delivery of notifications."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from importlib.metadata import entry_points
from typing import Any

import pluggy

from . import hookspecs

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "customers_plugin"

hookimpl = pluggy.HookimplMarker(hookspecs.PROJECT_NAME)


def build_plugin_manager(
    builtins: Iterable[object], extra: Iterable[object], load_entry_points: bool
) -> pluggy.PluginManager:
    """A fresh manager: one per app, so two apps in one process share no plugin state."""
    pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    for plugin in builtins:
        pm.register(plugin)
    if load_entry_points:
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            if pm.has_plugin(ep.name):
                continue
            try:
                pm.register(ep.load(), name=ep.name)
            except Exception:
                log.exception("customers plugin %r failed to load and was skipped", ep.name)
    for plugin in extra:
        pm.register(plugin)
    pm.check_pending()
    return pm


def has_listeners(pm: pluggy.PluginManager, hook_name: str) -> bool:
    return bool(getattr(pm.hook, hook_name).get_hookimpls())


def listeners(pm: pluggy.PluginManager, hook_name: str) -> list[Any]:
    """The implementations of a hook in calling order (last registered first)."""
    return list(reversed(getattr(pm.hook, hook_name).get_hookimpls()))


def deliver(impls: Iterable[Any], hook_name: str, **kwargs: Any) -> None:
    """Call each implementation in isolation: one that raises is logged, the others still run."""
    for impl in impls:
        try:
            impl.function(**{name: kwargs[name] for name in impl.argnames})
        except Exception:
            log.exception("customers hook %s of plugin %r raised", hook_name, impl.plugin_name)


def notify(pm: pluggy.PluginManager, hook_name: str, **kwargs: Any) -> None:
    """Call every implementation of a notification hook, each in isolation."""
    deliver(listeners(pm, hook_name), hook_name, **kwargs)
