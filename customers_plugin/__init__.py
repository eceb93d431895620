"""customers-plugin: a headless customers module for Flask shops and booking sites.

Public surface: ``CustomersPlugin`` (the Flask extension), ``hookimpl`` (the marker for plugin
implementations) and the event values in ``customers_plugin.events``.
"""

from .events import (
    BookingMade,
    BookingUpdated,
    Contact,
    CustomerInfo,
    CustomerSignedUp,
    FieldChange,
    FormSubmitted,
    LineItem,
    OrderPlaced,
    OrderUpdated,
    ReviewSubmitted,
    ShopperAccount,
)
from .extension import CustomersPlugin, get_state
from .plugins import ENTRY_POINT_GROUP, hookimpl

__all__ = [
    "ENTRY_POINT_GROUP",
    "BookingMade",
    "BookingUpdated",
    "Contact",
    "CustomerInfo",
    "CustomerSignedUp",
    "CustomersPlugin",
    "FieldChange",
    "FormSubmitted",
    "LineItem",
    "OrderPlaced",
    "OrderUpdated",
    "ReviewSubmitted",
    "ShopperAccount",
    "get_state",
    "hookimpl",
]
