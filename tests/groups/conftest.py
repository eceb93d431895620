"""Fixtures of the groups tests: the app's condition registry and customers with given facts."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from customers_plugin.models import Customer, CustomerSource, CustomerTag, Tag
from customers_plugin.normalize import search_key
from customers_plugin.services.groups.registry import registry_for
from customers_plugin.types import new_id

STORE = "s1"
JOINED = dt.datetime(2026, 1, 15, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def registry(customers: Any) -> Any:
    return registry_for(customers.pm)


def insert_customer(
    session: Any,
    *,
    store_id: str = STORE,
    tags: tuple[str, ...] = (),
    sources: tuple[str, ...] = (),
    **facts: Any,
) -> uuid.UUID:
    """A customer row with exactly these facts (stats included), tags and sources."""
    customer_id = new_id()
    row = {
        "id": customer_id,
        "store_id": store_id,
        "email": f"{customer_id.hex}@example.com",
        "email_normalized": f"{customer_id.hex}@example.com",
        "search_name": "",
        "joined_at": JOINED,
        "updated_at": JOINED,
        "total_spent": Decimal(0),
        "wallet_balance": Decimal(0),
        "orders_count": 0,
        "cancelled_orders_count": 0,
        "bookings_count": 0,
        "reviews_count": 0,
        "rating_sum": 0,
        "status": "active",
        "marketing_consent": "not_set",
        "system_notifications": True,
        "extra_emails": [],
        "extra_phones": [],
        "addresses": [],
    }
    row.update(facts)
    session.execute(Customer.__table__.insert().values(**row))
    for name in tags:
        key = search_key(name)
        tag_id = session.scalar(select(Tag.id).where(Tag.store_id == store_id, Tag.name_key == key))
        if tag_id is None:
            tag_id = new_id()
            session.execute(
                Tag.__table__.insert().values(
                    id=tag_id,
                    store_id=store_id,
                    name=name,
                    name_key=key,
                    automatic=False,
                    created_at=JOINED,
                )
            )
        session.execute(
            CustomerTag.__table__.insert().values(
                customer_id=customer_id, tag_id=tag_id, store_id=store_id, added_at=JOINED
            )
        )
    for source in sources:
        session.execute(
            CustomerSource.__table__.insert().values(
                customer_id=customer_id, source=source, store_id=store_id, first_seen_at=JOINED
            )
        )
    return customer_id


def facts_of(session: Any, store_id: str = STORE) -> dict[uuid.UUID, dict[str, Any]]:
    """Every customer of the store as plain facts for the oracle."""
    facts: dict[uuid.UUID, dict[str, Any]] = {}
    for c in session.scalars(select(Customer).where(Customer.store_id == store_id)):
        facts[c.id] = {
            "total_spent": c.total_spent,
            "orders_count": c.orders_count,
            "cancelled_orders_count": c.cancelled_orders_count,
            "bookings_count": c.bookings_count,
            "reviews_count": c.reviews_count,
            "rating_sum": c.rating_sum,
            "gender": c.gender,
            "country": c.country,
            "status": c.status,
            "birthdate": c.birthdate,
            "joined_at": c.joined_at,
            "last_order_at": c.last_order_at,
            "tags": set(),
            "sources": set(),
        }
    for customer_id, name in session.execute(
        select(CustomerTag.customer_id, Tag.name)
        .join(Tag, Tag.id == CustomerTag.tag_id)
        .where(CustomerTag.store_id == store_id)
    ):
        facts[customer_id]["tags"].add(name)
    for customer_id, source in session.execute(
        select(CustomerSource.customer_id, CustomerSource.source).where(
            CustomerSource.store_id == store_id
        )
    ):
        facts[customer_id]["sources"].add(source)
    return facts
