"""Read-only snapshots of customers for notification hooks (values, never ORM objects)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..events import CustomerInfo
from ..models import Customer, CustomerSource, CustomerTag, Tag


def customer_info(session: Session, customer_id: uuid.UUID) -> CustomerInfo | None:
    customer = session.get(Customer, customer_id, populate_existing=True)
    if customer is None:
        return None
    sources = session.scalars(
        select(CustomerSource.source)
        .where(CustomerSource.customer_id == customer_id)
        .order_by(CustomerSource.first_seen_at, CustomerSource.source)
    ).all()
    tags = session.scalars(
        select(Tag.name)
        .join(CustomerTag, CustomerTag.tag_id == Tag.id)
        .where(CustomerTag.customer_id == customer_id)
        .order_by(Tag.name)
    ).all()
    return CustomerInfo(
        id=str(customer.id),
        store_id=customer.store_id,
        email=customer.email,
        phone=customer.phone,
        name=customer.name,
        country=customer.country,
        language=customer.language,
        status=customer.status,
        sources=tuple(sources),
        tags=tuple(tags),
        joined_at=customer.joined_at,
    )
