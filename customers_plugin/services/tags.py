"""Tags (labels): add and remove on a customer, the store's tags with counts, rename and
delete a tag everywhere. Names are unique per store after folding (``search_key``)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..events import FieldChange
from ..models import Customer, CustomerTag, Tag
from ..normalize import search_key
from . import activity, contacts
from .errors import Conflict, NotFound, invalid
from .scope import Scope
from .snapshots import customer_info

MAX_TAG_LENGTH = 100


def clean_name(name: str) -> str:
    cleaned = " ".join(name.split())[:MAX_TAG_LENGTH]
    if not search_key(cleaned):
        raise invalid("name", "a tag needs a name")
    return cleaned


def tags_of(session: Session, customer_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[dict]]:
    """The tags of many customers in one query: ``{customer_id: [{id, name, automatic}]}``."""
    out: dict[uuid.UUID, list[dict[str, Any]]] = {cid: [] for cid in customer_ids}
    if not customer_ids:
        return out
    rows = session.execute(
        select(CustomerTag.customer_id, Tag.id, Tag.name, Tag.automatic)
        .join(Tag, Tag.id == CustomerTag.tag_id)
        .where(CustomerTag.customer_id.in_(list(customer_ids)))
        .order_by(Tag.name_key)
    )
    for customer_id, tag_id, name, automatic in rows:
        out[customer_id].append({"id": tag_id, "name": name, "automatic": automatic})
    return out


def add_tags(
    scope: Scope, customer_id: uuid.UUID, names: Iterable[str], *, notify: bool = True
) -> list[str]:
    """Label a customer; return the names it gained."""
    session = scope.session
    before = _names(session, customer_id)
    added = []
    for name in dict.fromkeys(clean_name(n) for n in names):
        if contacts.add_tag(session, scope.store_id, customer_id, name, automatic=False):
            added.append(name)
    if added:
        activity.record(
            session, scope.store_id, customer_id, "tagged", {"tags": added}, actor=scope.actor
        )
        if notify:
            _announce(scope, customer_id, before)
    return added


def remove_tag(scope: Scope, customer_id: uuid.UUID, tag_id: uuid.UUID) -> bool:
    session = scope.session
    tag = get_tag(session, scope.store_id, tag_id)
    before = _names(session, customer_id)
    removed = session.execute(
        delete(CustomerTag).where(
            CustomerTag.store_id == scope.store_id,
            CustomerTag.customer_id == customer_id,
            CustomerTag.tag_id == tag.id,
        )
    ).rowcount
    if removed:
        activity.record(
            session,
            scope.store_id,
            customer_id,
            "untagged",
            {"tags": [tag.name]},
            actor=scope.actor,
        )
        _announce(scope, customer_id, before)
    return bool(removed)


def _names(session: Session, customer_id: uuid.UUID) -> tuple[str, ...]:
    return tuple(t["name"] for t in tags_of(session, [customer_id])[customer_id])


def _announce(scope: Scope, customer_id: uuid.UUID, before: tuple[str, ...]) -> None:
    if scope.listens("customer_updated"):
        info = customer_info(scope.session, customer_id)
        change = FieldChange("tags", before, info.tags if info else ())
        scope.announce("customer_updated", customer=info, changes=(change,))


def get_tag(session: Session, store_id: str, tag_id: uuid.UUID) -> Tag:
    tag = session.scalar(select(Tag).where(Tag.store_id == store_id, Tag.id == tag_id))
    if tag is None:
        raise NotFound("no such tag")
    return tag


def tag_ids_by_name(session: Session, store_id: str, names: Iterable[str]) -> list[uuid.UUID]:
    keys = {search_key(n) for n in names} - {""}
    if not keys:
        return []
    return list(
        session.scalars(select(Tag.id).where(Tag.store_id == store_id, Tag.name_key.in_(keys)))
    )


def list_tags(session: Session, store_id: str, limit: int) -> list[dict[str, Any]]:
    """The store's tags by name, each with the number of customers wearing it."""
    counts = (
        select(CustomerTag.tag_id, func.count().label("n"))
        .where(CustomerTag.store_id == store_id)
        .group_by(CustomerTag.tag_id)
        .subquery()
    )
    rows = session.execute(
        select(Tag, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.tag_id == Tag.id)
        .where(Tag.store_id == store_id)
        .order_by(Tag.name_key, Tag.id)
        .limit(limit)
    )
    return [_tag_dict(tag, n) for tag, n in rows]


def _tag_dict(tag: Tag, count: int) -> dict[str, Any]:
    return {"id": tag.id, "name": tag.name, "automatic": tag.automatic, "customers_count": count}


def rename_tag(scope: Scope, tag_id: uuid.UUID, name: str) -> dict[str, Any]:
    session = scope.session
    tag = get_tag(session, scope.store_id, tag_id)
    name = clean_name(name)
    key = search_key(name)
    clash = session.scalar(
        select(Tag.id).where(Tag.store_id == scope.store_id, Tag.name_key == key, Tag.id != tag.id)
    )
    if clash is not None:
        raise Conflict("another tag has this name", fields={"name": ["already used"]})
    tag.name = name
    tag.name_key = key
    session.flush()
    return _tag_dict(tag, _count(session, tag.id))


def delete_tag(scope: Scope, tag_id: uuid.UUID) -> int:
    """Delete a tag from every customer; return how many wore it."""
    session = scope.session
    tag = get_tag(session, scope.store_id, tag_id)
    removed = session.execute(delete(CustomerTag).where(CustomerTag.tag_id == tag.id)).rowcount
    session.execute(delete(Tag).where(Tag.id == tag.id))
    return removed


def _count(session: Session, tag_id: uuid.UUID) -> int:
    return session.scalar(
        select(func.count()).select_from(CustomerTag).where(CustomerTag.tag_id == tag_id)
    )


def customer_exists(session: Session, store_id: str, customer_id: uuid.UUID) -> bool:
    found = session.scalar(
        select(Customer.id).where(Customer.store_id == store_id, Customer.id == customer_id)
    )
    return found is not None
