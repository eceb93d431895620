"""The admin's screens, in navigation order: one place registers them. A screen is an ES module
``static/screens/<id>.js`` exporting ``render(view, context)``; it is listed (in the navigation
and to the page's router) only when its module ships with the package, and shown to a staff
member only when they hold its permission (the page asks ``GET {api}/permissions``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import security
from ..i18n import N_

STATIC = Path(__file__).parent / "static"


@dataclass(frozen=True, slots=True)
class Screen:
    id: str  # the first segment of its address under the admin's prefix, and its module name
    label: str  # English: the catalog (domain "admin") translates it
    permission: str  # needed to open it

    def module(self) -> Path:
        return STATIC / "screens" / f"{self.id}.js"

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "permission": self.permission}


SCREENS: tuple[Screen, ...] = (
    Screen("customers", N_("Customers"), security.READ),
    Screen("groups", N_("Groups"), security.READ),
    Screen("import", N_("Import"), security.IMPORT),
    Screen("export", N_("Export"), security.EXPORT),
    Screen("fields", N_("Fields"), security.READ),
    Screen("duplicates", N_("Duplicates"), security.READ),
    Screen("settings", N_("Settings"), security.SETTINGS),
)


def available() -> list[Screen]:
    """The registered screens whose module is installed."""
    return [screen for screen in SCREENS if screen.module().is_file()]
