"""Merging one customer into another (the kept customer survives), and undoing it.

The rules, in the order they apply:

- both customers are locked, lowest id first (a concurrent merge of the same pair waits);
- every customer-owned table moves as ``privacy.owned.OWNED`` registers it: orders, bookings,
  forms, reviews, wallet ledger, consent history, activity, notes, tasks and review requests
  move; tags, sources, custom field values, manual group memberships and wishlist items move
  unless the kept customer has the same one (tag, source, field, group, product): then the
  kept customer's wins and the other's is kept in the merge record; automatic memberships
  are re-evaluated for the kept customer instead of moved;
- the profile: the kept customer's non-empty values win, its empty ones take the other's; the
  other's primary and extra emails and phones become the kept customer's extra ones;
- consent: the most recent decision wins (the whole history moves);
- status: a blocked customer stays blocked (either one blocked: the kept one is);
- the host account link: the kept customer takes the other's only if it has none; two
  customers linked to different accounts are not merged (``both_linked``);
- counters and the wallet balance are recomputed from the moved rows (balance = sum of the
  ledger); the merged customer's row is deleted; ``customers_merged`` is announced after commit;
- the merge record keeps the merged row, the kept customer's columns before and after, and
  each moved or set-aside row, so ``undo`` (within ``CUSTOMERS_MERGE_UNDO_HOURS``) moves back
  exactly what moved. Rows the kept customer gained after the merge stay with it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import case, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from ...i18n import _
from ...models import Customer, Merge, WalletTransaction
from ...types import new_id, utcnow
from .. import activity, stats
from ..errors import Conflict, NotFound, invalid
from ..scope import Scope
from .moves import move_all, move_back
from .rows import dump_row, load_row

_customers = Customer.__table__
# empty on the kept customer: filled from the merged one
FILLED = (
    "name",
    "search_name",
    "country",
    "language",
    "photo_key",
    "gender",
    "birthdate",
    "company",
    "position",
    "vat_id",
)
_CONSENT = ("marketing_consent", "marketing_consent_at", "marketing_consent_source")
_BLOCK = ("status", "block_reason", "block_details", "status_changed_at")
# the kept customer's columns a merge may change (restored by the undo)
CHANGED = (*FILLED, *_CONSENT, *_BLOCK, "extra_emails", "extra_phones", "host_user_id")


class BothLinked(Conflict):
    code = "both_linked"


class UndoRefused(Conflict):
    """The merge cannot be undone (already undone, too late, or the kept customer is gone)."""

    code = "undo_refused"


def merge(scope: Scope, kept_id: uuid.UUID, other_id: uuid.UUID, undo_hours: int) -> Merge:
    """Fold ``other_id`` into ``kept_id`` (see the module docstring). :raises NotFound: either
    is not a customer of this store. :raises Conflict: linked to two accounts, or erased."""
    if kept_id == other_id:
        raise invalid("other_id", _("a customer cannot be merged into itself"))
    session = scope.session
    both = _locked(session, scope.store_id, [kept_id, other_id])
    if kept_id not in both:
        raise NotFound(_("no such customer"))
    if other_id not in both:
        raise NotFound(_("no such customer"), fields={"other_id": [_("no such customer")]})
    kept, other = both[kept_id], both[other_id]
    if kept["erased_at"] is not None or other["erased_at"] is not None:
        raise Conflict(_("an erased customer cannot be merged"))
    if kept["host_user_id"] and other["host_user_id"]:
        raise BothLinked(_("both customers are linked to a shopper account; they stay apart"))
    now = utcnow()
    after = _combined(kept, other)
    record = Merge(
        id=new_id(),
        store_id=scope.store_id,
        kept_id=kept_id,
        merged_id=other_id,
        merged_email_key=other["email_normalized"],
        merged_phone=other["phone"],
        merged=dump_row(other),
        kept_before={
            "before": dump_row({k: kept[k] for k in after}),
            "after": dump_row(after),
        },
        actor=scope.actor,
        merged_at=now,
        undo_until=now + dt.timedelta(hours=undo_hours),
    )
    session.add(record)
    session.flush()
    moved = move_all(session, scope.store_id, record.id, kept_id, other_id)
    session.execute(delete(_customers).where(_customers.c.id == other_id))
    if after:
        session.execute(
            update(_customers).where(_customers.c.id == kept_id).values(**after, updated_at=now)
        )
    _recount(scope, kept_id)
    activity.record(
        session,
        scope.store_id,
        kept_id,
        "customers_merged",
        {"merge_id": str(record.id), "merged_id": str(other_id), "moved": moved},
        actor=scope.actor,
    )
    scope.facts_changed(kept_id)
    scope.announce(
        "customers_merged",
        store_id=scope.store_id,
        kept_id=str(kept_id),
        merged_ids=(str(other_id),),
    )
    return record


def undo(scope: Scope, merge_id: uuid.UUID) -> Merge:
    """Give the merged customer back everything the merge moved from them. :raises NotFound:
    no such merge in this store. :raises UndoRefused: undone already, past its window, the
    kept customer is gone or the merged customer's email or phone is someone's now."""
    session = scope.session
    record = session.scalar(
        select(Merge)
        .where(Merge.store_id == scope.store_id, Merge.id == merge_id)
        .with_for_update()
    )
    if record is None:
        raise NotFound(_("no such merge"))
    if record.undone_at is not None:
        raise UndoRefused(_("this merge was undone already"))
    if utcnow() > record.undo_until:
        raise UndoRefused(_("this merge can no longer be undone"))
    if record.kept_id not in _locked(session, scope.store_id, [record.kept_id]):
        raise UndoRefused(_("the kept customer no longer exists"))
    merged = load_row(_customers, record.merged)
    if _taken(session, scope.store_id, merged):
        raise UndoRefused(_("the merged customer's email or phone belongs to a customer now"))
    _restore_kept(session, record)
    session.execute(insert(_customers).values(**merged))
    move_back(session, scope.store_id, record.id, record.kept_id, record.merged_id)
    for customer_id in (record.kept_id, record.merged_id):
        _recount(scope, customer_id)
        activity.record(
            session,
            scope.store_id,
            customer_id,
            "merge_undone",
            {"merge_id": str(record.id)},
            actor=scope.actor,
        )
    record.undone_at = utcnow()
    record.undone_by = scope.actor
    scope.facts_changed(record.kept_id, record.merged_id)
    return record


def _locked(session: Session, store_id: str, ids: list[uuid.UUID]) -> dict[uuid.UUID, Any]:
    """The customers' rows, locked in id order (so two merges never wait on each other)."""
    rows = session.execute(
        select(_customers)
        .where(_customers.c.store_id == store_id, _customers.c.id.in_(ids))
        .order_by(_customers.c.id)
        .with_for_update()
    ).mappings()
    return {row["id"]: dict(row) for row in rows}


def _combined(kept: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """The kept customer's columns that change (see the module docstring)."""
    after: dict[str, Any] = {}
    for name in FILLED:
        if kept[name] in (None, "") and other[name] not in (None, ""):
            after[name] = other[name]
    other_at, kept_at = other["marketing_consent_at"], kept["marketing_consent_at"]
    if other_at is not None and (kept_at is None or other_at > kept_at):
        after.update({name: other[name] for name in _CONSENT})
    if other["status"] == "blocked" and kept["status"] != "blocked":
        after.update({name: other[name] for name in _BLOCK})
    emails = _extra(kept["extra_emails"], [other["email"], *(other["extra_emails"] or [])])
    emails = [e for e in emails if e != kept["email"]]
    if emails != list(kept["extra_emails"] or []):
        after["extra_emails"] = emails
    phones = _extra(kept["extra_phones"], [other["phone"], *(other["extra_phones"] or [])])
    phones = [p for p in phones if p != kept["phone"]]
    if phones != list(kept["extra_phones"] or []):
        after["extra_phones"] = phones
    if other["host_user_id"] and not kept["host_user_id"]:
        after["host_user_id"] = other["host_user_id"]
    return after


def _extra(mine: list[str] | None, theirs: list[str | None]) -> list[str]:
    seen = {value.casefold() for value in mine or []}
    out = list(mine or [])
    for value in theirs:
        if value and value.casefold() not in seen:
            seen.add(value.casefold())
            out.append(value)
    return out


def _restore_kept(session: Session, record: Merge) -> None:
    """The kept customer's columns the merge changed go back, each only if it still holds what
    the merge gave it (a later edit by staff stays)."""
    before = load_row(_customers, record.kept_before.get("before", {}))
    after = load_row(_customers, record.kept_before.get("after", {}))
    current = (
        session.execute(select(_customers).where(_customers.c.id == record.kept_id))
        .mappings()
        .one()
    )
    values = {
        name: before.get(name) for name, value in after.items() if _same(current[name], value)
    }
    if values:
        session.execute(
            update(_customers).where(_customers.c.id == record.kept_id).values(**values)
        )


def _same(current: Any, value: Any) -> bool:
    return dump_row({"v": current}) == dump_row({"v": value})


def _taken(session: Session, store_id: str, merged: dict[str, Any]) -> bool:
    c = _customers.c
    keys = [
        column == merged[name]
        for column, name in ((c.email_normalized, "email_normalized"), (c.phone, "phone"))
        if merged.get(name) is not None
    ]
    if not keys:
        return False
    found = session.scalar(select(c.id).where(c.store_id == store_id, or_(*keys)).limit(1))
    return found is not None


def _recount(scope: Scope, customer_id: uuid.UUID) -> None:
    """Counters from the customer's summaries, the wallet balance from their ledger."""
    stats.rebuild(scope.session, customer_id, scope.currency)
    ledger = WalletTransaction
    balance = (
        select(
            func.coalesce(
                func.sum(case((ledger.kind == "credit", ledger.amount), else_=-ledger.amount)), 0
            )
        )
        .where(ledger.store_id == scope.store_id, ledger.customer_id == customer_id)
        .scalar_subquery()
    )
    scope.session.execute(
        update(_customers).where(_customers.c.id == customer_id).values(wallet_balance=balance)
    )
