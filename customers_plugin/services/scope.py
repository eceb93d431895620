"""What every admin service call needs besides its arguments: the session, the store, the
plugin manager (for notifications), the phone region, the field types and who acts.

A service that changes facts group conditions test (profile, status, tags, a new customer)
says so with ``facts_changed``: the groups module re-evaluates those customers, set-based, in
the same transaction just before it commits, so membership is never behind the change and no
notification listener has to catch up afterwards.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pluggy
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..db import after_commit
from ..plugins import has_listeners, notify
from .fields import FieldTypes

if TYPE_CHECKING:
    from ..state import CustomersState


@dataclass(frozen=True, slots=True)
class Scope:
    session: Session
    store_id: str
    state: CustomersState
    pm: pluggy.PluginManager
    field_types: FieldTypes
    actor: str = "admin"
    max_bulk: int = 10_000
    _changed: set[uuid.UUID] = field(default_factory=set, repr=False)
    _settings: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def region(self) -> str | None:
        """The store's phone region (setting ``default_region``), read when first asked for."""
        return self.setting("default_region")

    @property
    def currency(self) -> str:
        """The store's currency (setting ``currency``), read when first asked for."""
        return self.setting("currency")

    def setting(self, key: str) -> Any:
        """The store's value of setting ``key``, read on first use (a page that needs none
        of them pays no round trip for them) and kept for this scope."""
        if key not in self._settings:
            from .settings import effective

            self._settings[key] = effective(self, key)
        return self._settings[key]

    def announce(self, hook: str, **kwargs: Any) -> None:
        """Send a notification once this session commits (nothing if it rolls back)."""
        if has_listeners(self.pm, hook):
            pm = self.pm
            after_commit(self.session, lambda: notify(pm, hook, **kwargs))

    def listens(self, hook: str) -> bool:
        return has_listeners(self.pm, hook)

    def facts_changed(self, *customer_ids: uuid.UUID) -> None:
        """These customers' group-relevant facts changed: re-evaluate their memberships once,
        in this transaction, just before it commits (nothing if it rolls back)."""
        if not self._changed:
            event.listen(self.session, "before_commit", self._regroup, once=True)
        self._changed.update(customer_ids)

    def _regroup(self, session: Session) -> None:
        from .groups import reevaluate_customers

        reevaluate_customers(session, self.state, self.store_id, sorted(self._changed))
