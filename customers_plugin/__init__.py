"""customers-plugin: a headless customers module for Flask shops and booking sites.

Public surface, and the whole contract a third-party plugin may import: ``CustomersPlugin``
(the Flask extension), ``hookimpl`` (the marker for plugin implementations), the event values of
``customers_plugin.events``, ``get_state`` (the app's state: ``.db`` is the ``Database`` a plugin
keeps its own tables in, with ``insert`` for dialect upserts), ``customer_column`` (column handles
for condition types), ``order_customer_id`` (what the plugin recorded) and ``report_delivery``
(a channel plugin's delivery reports). Plugins never import the models.
"""

from .bounds import InvalidValue
from .conditions import customer_column
from .db import Database, insert
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
from .extension import CustomersPlugin
from .lookups import order_customer_id
from .migrate import MigrationsPending
from .plugins import ENTRY_POINT_GROUP, hookimpl
from .services.messages.delivery import report_delivery
from .state import CustomersState, get_state

__all__ = [
    "ENTRY_POINT_GROUP",
    "BookingMade",
    "BookingUpdated",
    "Contact",
    "CustomerInfo",
    "CustomerSignedUp",
    "CustomersPlugin",
    "CustomersState",
    "Database",
    "FieldChange",
    "FormSubmitted",
    "InvalidValue",
    "LineItem",
    "MigrationsPending",
    "OrderPlaced",
    "OrderUpdated",
    "ReviewSubmitted",
    "ShopperAccount",
    "customer_column",
    "get_state",
    "hookimpl",
    "insert",
    "order_customer_id",
    "report_delivery",
]
