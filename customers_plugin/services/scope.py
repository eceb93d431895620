"""What every admin service call needs besides its arguments: the session, the store, the
plugin manager (for notifications), the phone region, the field types and who acts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pluggy
from sqlalchemy.orm import Session

from ..db import after_commit
from ..plugins import has_listeners, notify
from .fields import FieldTypes


@dataclass(frozen=True, slots=True)
class Scope:
    session: Session
    store_id: str
    pm: pluggy.PluginManager
    field_types: FieldTypes
    region: str | None = None
    currency: str = "USD"
    actor: str = "admin"
    max_bulk: int = 10_000

    def announce(self, hook: str, **kwargs: Any) -> None:
        """Send a notification once this session commits (nothing if it rolls back)."""
        if has_listeners(self.pm, hook):
            pm = self.pm
            after_commit(self.session, lambda: notify(pm, hook, **kwargs))

    def listens(self, hook: str) -> bool:
        return has_listeners(self.pm, hook)
