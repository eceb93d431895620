"""``/settings``: the store's own values of the settings it may override (the app's
configuration is the default of each); the registry is ``services/settings/registry.py``."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from .. import security
from ..schemas.settings import SettingsOut, SettingsPatch
from ..security import require
from ..services import settings
from .common import scope
from .errors import install

blp = install(Blueprint("settings", __name__, description="The store's settings."))


@blp.route("", methods=["GET"])
@require(security.SETTINGS)
@blp.response(200, SettingsOut)
def get_settings() -> Any:
    """Every setting a store may override: its effective value, whether the store set it and
    the app's default."""
    with scope(write=False) as s:
        return settings.effective_all(s.state, s.store_id, s.session)


@blp.route("", methods=["PATCH"])
@require(security.SETTINGS)
@blp.arguments(SettingsPatch)
@blp.response(200, SettingsOut)
def change_settings(body: dict[str, Any]) -> Any:
    """Set the store's own values (each checked by its rule: 422 names the field; an unknown
    key is refused); ``null`` removes the store's value and the app's default applies again.
    All keys or none are changed."""
    with scope() as s:
        settings.change(s, body)
    with scope(write=False) as s:
        return settings.effective_all(s.state, s.store_id, s.session)
