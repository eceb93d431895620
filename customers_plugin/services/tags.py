"""Tags (labels): add and remove on a customer, the store's tags with counts, rename and
delete a tag everywhere. Names are unique per store after folding (``search_key``).

Renaming or deleting a tag changes the tags of every customer wearing it, so each of them is
announced (``customer_updated`` with a ``tags`` change) and their groups re-evaluated (group
conditions match tags by name): for up to ``TAG_CHANGE_INLINE`` customers inside the change's
own transaction (groups) and right after its commit (notifications); for more, by
``announce_tag_change`` jobs of ``TAG_CHANGE_CHUNK`` customers queued after the commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..db import after_commit
from ..events import FieldChange
from ..i18n import _
from ..jobs import job
from ..models import Customer, CustomerGroup, CustomerTag, Tag
from ..normalize import search_key
from ..plugins import deliver, listeners
from . import activity, contacts
from .errors import Conflict, NotFound, invalid
from .scope import Scope
from .snapshots import customer_info

if TYPE_CHECKING:
    from ..state import CustomersState

MAX_TAG_LENGTH = 100
TAG_CHANGE_INLINE = 200
TAG_CHANGE_CHUNK = 500


def clean_name(name: str) -> str:
    cleaned = " ".join(name.split())[:MAX_TAG_LENGTH]
    if not search_key(cleaned):
        raise invalid("name", _("a tag needs a name"))
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
        scope.facts_changed(customer_id)
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
        scope.facts_changed(customer_id)
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
        raise NotFound(_("no such tag"))
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


def rename_tag(
    scope: Scope, tag_id: uuid.UUID, name: str, *, state: CustomersState
) -> dict[str, Any]:
    """Rename a tag everywhere; its wearers are announced and their groups re-evaluated."""
    session = scope.session
    tag = get_tag(session, scope.store_id, tag_id)
    name = clean_name(name)
    key = search_key(name)
    clash = session.scalar(
        select(Tag.id).where(Tag.store_id == scope.store_id, Tag.name_key == key, Tag.id != tag.id)
    )
    if clash is not None:
        raise Conflict(_("another tag has this name"), fields={"name": [_("already used")]})
    old = tag.name
    tag.name = name
    tag.name_key = key
    session.flush()
    if name != old:
        _tag_changed(scope, state, _wearers(session, tag.id), old, name)
    return _tag_dict(tag, _count(session, tag.id))


def delete_tag(scope: Scope, tag_id: uuid.UUID, *, state: CustomersState) -> int:
    """Delete a tag from every customer (announced, groups re-evaluated); return how many
    wore it."""
    session = scope.session
    tag = get_tag(session, scope.store_id, tag_id)
    wearers = _wearers(session, tag.id)
    removed = session.execute(delete(CustomerTag).where(CustomerTag.tag_id == tag.id)).rowcount
    session.execute(delete(Tag).where(Tag.id == tag.id))
    _tag_changed(scope, state, wearers, tag.name, None)
    return removed


def _wearers(session: Session, tag_id: uuid.UUID) -> list[uuid.UUID]:
    return list(
        session.scalars(
            select(CustomerTag.customer_id)
            .where(CustomerTag.tag_id == tag_id)
            .order_by(CustomerTag.customer_id)
        )
    )


def _tag_changed(
    scope: Scope,
    state: CustomersState,
    ids: list[uuid.UUID],
    old: str,
    new: str | None,
) -> None:
    """What follows a tag renamed (``new``) or deleted (``new`` is None) on ``ids``."""
    if not ids:
        return
    session, store_id = scope.session, scope.store_id
    if len(ids) <= TAG_CHANGE_INLINE:
        from .groups import reevaluate_customers

        reevaluate_customers(session, state, store_id, ids)
        after_commit(session, lambda: announce_tag_change(state, store_id, old, new, ids))
        return
    has_groups = session.scalar(
        select(CustomerGroup.id).where(CustomerGroup.store_id == store_id).limit(1)
    )
    if has_groups is None and not _listeners(state):
        return
    for start in range(0, len(ids), TAG_CHANGE_CHUNK):
        chunk = [str(i) for i in ids[start : start + TAG_CHANGE_CHUNK]]
        state.jobs.enqueue_after_commit(
            session, "announce_tag_change", store_id, old, new, chunk, store_id=store_id
        )


def _listeners(state: CustomersState) -> list[Any]:
    return listeners(state.pm, "customer_updated")


def announce_tag_change(
    state: CustomersState, store_id: str, old: str, new: str | None, ids: Sequence[uuid.UUID]
) -> int:
    """Announce ``customer_updated`` with the ``tags`` change to each customer of ``ids``
    (``old`` renamed ``new``, or removed when ``new`` is None); returns how many."""
    impls = _listeners(state)
    if not impls or not ids:
        return 0
    from .imports.announce import snapshots

    infos = snapshots(state, list(ids))
    for info in infos:
        after = info.tags
        if new is None:
            before = tuple(sorted((*after, old)))
        else:
            before = tuple(sorted(old if t == new else t for t in after))
        deliver(
            impls,
            "customer_updated",
            customer=info,
            changes=(FieldChange("tags", before, after),),
        )
    return len(infos)


@job("announce_tag_change")
def announce_tag_change_job(
    state: CustomersState,
    store_id: str,
    old: str,
    new: str | None,
    customer_ids: list[str],
) -> int:
    """Job: re-evaluate the groups of customers whose tag was renamed or deleted, then
    announce them (ids and tag names only: no personal data). Safe to run twice."""
    from .groups import reevaluate_customers

    ids = [uuid.UUID(i) for i in customer_ids]
    with state.db.transaction() as session:
        reevaluate_customers(session, state, store_id, ids)
    return announce_tag_change(state, store_id, old, new, ids)


def _count(session: Session, tag_id: uuid.UUID) -> int:
    return session.scalar(
        select(func.count()).select_from(CustomerTag).where(CustomerTag.tag_id == tag_id)
    )


def customer_exists(session: Session, store_id: str, customer_id: uuid.UUID) -> bool:
    found = session.scalar(
        select(Customer.id).where(Customer.store_id == store_id, Customer.id == customer_id)
    )
    return found is not None
