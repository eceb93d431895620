"""The plugin's own implementations of the host-event hooks.

They run first (``tryfirst``) and commit before any third-party implementation of the same
hook runs, so a third party that raises cannot lose the plugin's data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .plugins import hookimpl
from .services.capture import Capture

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
    from .extension import CustomersState


class CaptureHooks:
    """Registered once per app under the name ``customers.capture``."""

    def __init__(self, state: CustomersState) -> None:
        self._capture = Capture(state)

    @hookimpl(tryfirst=True)
    def on_order_placed(self, event: OrderPlaced) -> str:
        return self._capture.order_placed(event)

    @hookimpl(tryfirst=True)
    def on_order_updated(self, event: OrderUpdated) -> str:
        return self._capture.order_updated(event)

    @hookimpl(tryfirst=True)
    def on_booking(self, event: BookingMade) -> str:
        return self._capture.booking_made(event)

    @hookimpl(tryfirst=True)
    def on_booking_updated(self, event: BookingUpdated) -> str:
        return self._capture.booking_updated(event)

    @hookimpl(tryfirst=True)
    def on_form_submit(self, event: FormSubmitted) -> str:
        return self._capture.form_submitted(event)

    @hookimpl(tryfirst=True)
    def on_review_submitted(self, event: ReviewSubmitted) -> str:
        return self._capture.review_submitted(event)

    @hookimpl(tryfirst=True)
    def on_customer_signup(self, event: CustomerSignedUp) -> str:
        return self._capture.customer_signed_up(event)
