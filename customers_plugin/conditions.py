"""The column handles a plugin's condition types may test (``register_condition_types``).

A plugin registers ``register(name, customer_column("wallet_balance"), "money", ops)`` instead
of importing the plugin's models: the handle is part of the contract, the table behind it is not.
Only the attributes listed in ``CUSTOMER_ATTRIBUTES`` are offered; contact details (email,
phone, name) are not, so a condition type can never be used to search people by them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement

from .models import Customer

CUSTOMER_ATTRIBUTES: dict[str, Any] = {
    "country": Customer.country,
    "language": Customer.language,
    "gender": Customer.gender,
    "birthdate": Customer.birthdate,
    "company": Customer.company,
    "position": Customer.position,
    "status": Customer.status,
    "marketing_consent": Customer.marketing_consent,
    "joined_at": Customer.joined_at,
    "orders_count": Customer.orders_count,
    "total_spent": Customer.total_spent,
    "cancelled_orders_count": Customer.cancelled_orders_count,
    "last_order_at": Customer.last_order_at,
    "bookings_count": Customer.bookings_count,
    "reviews_count": Customer.reviews_count,
    "wallet_balance": Customer.wallet_balance,
}


def customer_column(name: str) -> Callable[[str], ColumnElement[Any]]:
    """The ``column(store_id)`` callable of a customer attribute, for ``register(...)``.

    :raises ValueError: for an attribute that is not offered (see ``CUSTOMER_ATTRIBUTES``).
    """
    try:
        column = CUSTOMER_ATTRIBUTES[name]
    except KeyError:
        offered = ", ".join(sorted(CUSTOMER_ATTRIBUTES))
        raise ValueError(f"no customer attribute {name!r}; offered: {offered}") from None

    def of_store(store_id: str) -> ColumnElement[Any]:
        return column

    return of_store
