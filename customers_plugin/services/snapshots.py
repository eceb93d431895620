"""Read-only snapshots of customers for notification hooks (values, never ORM objects)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import one_of
from ..events import CustomerInfo
from ..models import Customer
from . import row_extras

_COLUMNS = (
    Customer.id,
    Customer.store_id,
    Customer.email,
    Customer.phone,
    Customer.name,
    Customer.country,
    Customer.language,
    Customer.status,
    Customer.joined_at,
)
_EXTRAS = ("sources", "tags")


def customer_infos(session: Session, customer_ids: Sequence[uuid.UUID]) -> list[CustomerInfo]:
    """Snapshots of many customers in one statement (their sources and tags included); ids
    that no longer exist are left out."""
    if not customer_ids:
        return []
    dialect = session.get_bind().dialect.name
    rows = session.execute(
        select(*_COLUMNS, *row_extras.columns(dialect, _EXTRAS)).where(
            one_of(session, Customer.id, list(customer_ids))
        )
    ).all()
    infos = []
    for row in rows:
        extras = row_extras.decode(row._mapping, _EXTRAS)
        infos.append(
            CustomerInfo(
                id=str(row.id),
                store_id=row.store_id,
                email=row.email,
                phone=row.phone,
                name=row.name,
                country=row.country,
                language=row.language,
                status=row.status,
                sources=tuple(extras["sources"]),
                tags=tuple(sorted(tag["name"] for tag in extras["tags"])),
                joined_at=row.joined_at,
            )
        )
    return infos


def customer_info(session: Session, customer_id: uuid.UUID) -> CustomerInfo | None:
    found = customer_infos(session, [customer_id])
    return found[0] if found else None
