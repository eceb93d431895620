"""The plugin's own implementations of the host-event hooks.

They run first (``tryfirst``) and commit before any third-party implementation of the same
hook runs, so a third party that raises cannot lose the plugin's data. In capture mode
``queue`` they only store the event for a worker (services/inbox.py) and return ``None``. On a
database the migrations have not reached they raise ``MigrationsPending`` (what to run).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import DBAPIError

from . import migrate
from .plugins import hookimpl
from .services import inbox

if TYPE_CHECKING:
    from .events import (
        BookingMade,
        BookingUpdated,
        CustomerSignedUp,
        FormSubmitted,
        OrderPlaced,
        OrderUpdated,
        ReviewSubmitted,
    )
    from .state import CustomersState

CAPTURE_MODES = ("inline", "queue")


class CaptureHooks:
    """Registered once per app, beside the state it captures into."""

    def __init__(self, state: CustomersState) -> None:
        self._state = state
        mode = state.setting("CUSTOMERS_CAPTURE_MODE")
        if mode not in CAPTURE_MODES:
            raise ValueError(f"CUSTOMERS_CAPTURE_MODE must be one of {CAPTURE_MODES}, not {mode!r}")
        self._queued = mode == "queue"

    def _capture(self, kind: str, event: Any) -> str | None:
        try:
            if self._queued:
                inbox.accept(self._state, kind, event)
                return None
            return getattr(self._state.capture, inbox.KINDS[kind][1])(event)
        except DBAPIError as error:
            migrate.raise_if_pending(self._state.db, error)
            raise

    @hookimpl(tryfirst=True)
    def on_order_placed(self, event: OrderPlaced) -> str | None:
        return self._capture("order_placed", event)

    @hookimpl(tryfirst=True)
    def on_order_updated(self, event: OrderUpdated) -> str | None:
        return self._capture("order_updated", event)

    @hookimpl(tryfirst=True)
    def on_booking(self, event: BookingMade) -> str | None:
        return self._capture("booking_made", event)

    @hookimpl(tryfirst=True)
    def on_booking_updated(self, event: BookingUpdated) -> str | None:
        return self._capture("booking_updated", event)

    @hookimpl(tryfirst=True)
    def on_form_submit(self, event: FormSubmitted) -> str | None:
        return self._capture("form_submitted", event)

    @hookimpl(tryfirst=True)
    def on_review_submitted(self, event: ReviewSubmitted) -> str | None:
        return self._capture("review_submitted", event)

    @hookimpl(tryfirst=True)
    def on_customer_signup(self, event: CustomerSignedUp) -> str | None:
        return self._capture("customer_signed_up", event)
