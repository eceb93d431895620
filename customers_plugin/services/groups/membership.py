"""Group membership: full set-based refresh of a group, re-evaluation of a few customers after an
event, manual members, previews and the "why is this customer in this group" explanation.

Invariant kept here: a customer is a member of a group iff they were added by hand
(``manual``) or they match the group's conditions. A full refresh is two statements per group
(``INSERT … SELECT`` for joiners, ``DELETE … WHERE NOT EXISTS`` for leavers) and never loops over
customers in Python. ``group_membership_changed`` is sent after commit.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import uuid
import weakref
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pluggy
from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    Uuid,
    bindparam,
    delete,
    exists,
    false,
    func,
    literal,
    select,
    true,
    update,
)
from sqlalchemy.orm import Session

from ...db import after_commit, insert, insert_ignore
from ...models import Customer, CustomerGroup, GroupMember
from ...plugins import has_listeners, notify
from ...types import UTCDateTime, utcnow
from .. import json_text, row_extras
from .conditions import Conditions, compile_conditions, explain, load, load_or_none
from .failures import failure_reason
from .registry import ConditionRegistry, EvalContext

log = logging.getLogger(__name__)

_members = GroupMember.__table__


@dataclass(frozen=True, slots=True)
class MembershipChange:
    """Who joined and who left a group; a refresh nobody listens to counts them without
    reading their ids (``counts``: joined, left)."""

    store_id: str
    group_id: uuid.UUID
    added: tuple[uuid.UUID, ...] = ()
    removed: tuple[uuid.UUID, ...] = ()
    counts: tuple[int, int] | None = None

    @property
    def joined(self) -> int:
        return len(self.added) if self.counts is None else self.counts[0]

    @property
    def left(self) -> int:
        return len(self.removed) if self.counts is None else self.counts[1]

    def __bool__(self) -> bool:
        return bool(self.joined or self.left)


def context(store_id: str, today: dt.date | None = None) -> EvalContext:
    return EvalContext(store_id=store_id, today=today or utcnow().date())


def _is_member(group_id: uuid.UUID) -> Any:
    return exists(
        select(_members.c.customer_id).where(
            _members.c.group_id == group_id, _members.c.customer_id == Customer.id
        )
    )


def refresh_group(
    session: Session,
    registry: ConditionRegistry,
    group: CustomerGroup,
    *,
    today: dt.date | None = None,
    ids: bool = True,
) -> MembershipChange:
    """Make the automatic members of ``group`` exactly the customers matching its conditions.

    Leavers go first: the DELETE then checks only the members there were, not the ones the
    INSERT is about to add (from empty, it has nothing to check). With ``ids=False`` (nobody
    listens for membership changes) the change is counted, not read: bringing the ids of a
    group of 175,000 members into Python costs about a third of the refresh.
    """
    ctx = context(group.store_id, today)
    predicate = compile_conditions(load(group.conditions, registry), registry, ctx)
    still_matches = exists(
        select(Customer.id).where(Customer.id == _members.c.customer_id, predicate)
    )
    leave = delete(_members).where(
        _members.c.group_id == group.id,
        _members.c.manual == false(),
        ~still_matches,
    )
    joiners = select(
        literal(group.id, Uuid()),
        Customer.id,
        literal(group.store_id, String()),
        false(),
        literal(utcnow(), UTCDateTime()),
    ).where(predicate)
    # members already there are skipped by the conflict on the primary key, and RETURNING
    # names only the rows inserted. (A NOT EXISTS on the members table here made the first
    # refresh of a group quadratic: planned on an empty table, it re-read the rows the
    # INSERT was adding — 179 s instead of 4 s at 1 M customers.)
    join = (
        insert(session, _members)
        .from_select(["group_id", "customer_id", "store_id", "manual", "added_at"], joiners)
        .on_conflict_do_nothing()
    )
    if ids:
        removed = session.scalars(leave.returning(_members.c.customer_id)).all()
        added = session.scalars(join.returning(_members.c.customer_id)).all()
        change = MembershipChange(group.store_id, group.id, tuple(added), tuple(removed))
    else:
        left = session.execute(leave).rowcount
        # an INSERT's rowcount is kept only when asked for (SQLAlchemy closes its cursor)
        joined = session.execute(join.execution_options(preserve_rowcount=True)).rowcount
        change = MembershipChange(group.store_id, group.id, counts=(joined, left))
    session.execute(
        update(CustomerGroup)
        .where(CustomerGroup.id == group.id)
        .values(refreshed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return change


def reevaluate(
    session: Session,
    registry: ConditionRegistry,
    store_id: str,
    customer_ids: Iterable[uuid.UUID],
    *,
    today: dt.date | None = None,
    failures: dict[uuid.UUID, str] | None = None,
) -> list[MembershipChange]:
    """Bring a few customers' memberships in every group of the store up to date.

    One query tests them against all the store's groups at once; then only the differences are
    written. Meant to run inside the transaction of the event that changed their facts, which
    it never fails: the query runs in a savepoint, groups marked failing are skipped, and a
    group that fails now is left out (its id and reason go to ``failures``).
    """
    ids = list(dict.fromkeys(customer_ids))
    if not ids:
        return []
    groups = session.execute(
        select(CustomerGroup.id, CustomerGroup.conditions).where(
            CustomerGroup.store_id == store_id, CustomerGroup.failure_reason.is_(None)
        )
    ).all()
    if not groups:
        return []
    found, matched = _matches(
        session,
        registry,
        context(store_id, today),
        groups,
        ids,
        {} if failures is None else failures,
    )
    # the customers' memberships (a customer belongs to one store: its id is the scope)
    manual_of = {
        (group_id, customer_id): manual
        for group_id, customer_id, manual in session.execute(
            select(_members.c.group_id, _members.c.customer_id, _members.c.manual).where(
                _members.c.customer_id.in_(ids)
            )
        )
    }
    joining: set[tuple[uuid.UUID, uuid.UUID]] = set()
    leaving: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for group_id, members in matched.items():
        for customer_id in found:
            manual = manual_of.get((group_id, customer_id))
            if customer_id in members and manual is None:
                joining.add((group_id, customer_id))
            elif customer_id not in members and manual is False:
                leaving[group_id].append(customer_id)

    added: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    now = utcnow()
    for group_id, customer_id in sorted(joining):  # a handful per event: one cached INSERT each
        row = {"group_id": group_id, "customer_id": customer_id, "store_id": store_id,
               "manual": False, "added_at": now}  # fmt: skip
        if insert_ignore(session, _members, row, returning=_members.c.customer_id).first():
            added[group_id].append(customer_id)
    removed: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for group_id, customer_ids_leaving in leaving.items():
        gone = session.scalars(
            delete(_members)
            .where(
                _members.c.group_id == group_id,
                _members.c.customer_id.in_(customer_ids_leaving),
                _members.c.manual == false(),
            )
            .returning(_members.c.customer_id)
        ).all()
        removed[group_id].extend(gone)
    return [
        MembershipChange(store_id, g, tuple(added.get(g, ())), tuple(removed.get(g, ())))
        for g in sorted(set(added) | set(removed))
    ]


Matches = tuple[set[uuid.UUID], dict[uuid.UUID, set[uuid.UUID]]]


def _matches(
    session: Session,
    registry: ConditionRegistry,
    ctx: EvalContext,
    groups: Sequence[Any],
    ids: list[uuid.UUID],
    failures: dict[uuid.UUID, str],
) -> Matches:
    """The customers found, and per group the ones matching it. All groups in one query; when
    that fails, each group alone, so one failing group is found and left out."""
    try:
        return _evaluate(session, registry, ctx, groups, ids)
    except Exception as exc:
        if len(groups) == 1:
            failures[groups[0][0]] = failure_reason(exc)
            return set(), {}
        log.info(
            "customers: the groups of store %s failed together (%s); evaluating each alone",
            ctx.store_id,
            type(exc).__name__,
        )
    found: set[uuid.UUID] = set()
    matched: dict[uuid.UUID, set[uuid.UUID]] = {}
    for group in groups:
        try:
            one_found, one_matched = _evaluate(session, registry, ctx, [group], ids)
        except Exception as exc:
            failures[group[0]] = failure_reason(exc)
            continue
        found |= one_found
        matched.update(one_matched)
    return found, matched


def _evaluate(
    session: Session,
    registry: ConditionRegistry,
    ctx: EvalContext,
    groups: Sequence[Any],
    ids: list[uuid.UUID],
) -> Matches:
    """One query over ``groups`` in a savepoint: a failure leaves the transaction usable."""
    with session.begin_nested():
        connection = session.connection()  # inside: the savepoint is taken on first use
        statement = _reevaluation_statement(registry, ctx, groups, connection.dialect)
        rows = connection.execute(statement, {"customer_ids": ids}).all()
    group_ids = [group_id for group_id, _stored in groups]
    matched: dict[uuid.UUID, set[uuid.UUID]] = {group_id: set() for group_id in group_ids}
    for customer_id, *matches in rows:
        for group_id, match in zip(group_ids, matches, strict=True):
            if match:
                matched[group_id].add(customer_id)
    return {row[0] for row in rows}, matched


_STATEMENTS: weakref.WeakKeyDictionary[ConditionRegistry, OrderedDict[Any, Any]] = (
    weakref.WeakKeyDictionary()
)
_STATEMENT_CACHE_SIZE = 256
_STATEMENTS_LOCK = threading.Lock()


def _reevaluation_statement(
    registry: ConditionRegistry, ctx: EvalContext, groups: Sequence[Any], dialect: Any
) -> Any:
    """Each customer of ``:customer_ids`` in one row: its id, then whether it matches each
    group's conditions, in the order of ``groups``.

    One scan of the customers' rows evaluates every group (conditions on other tables are
    correlated subqueries). Built and compiled once per (dialect, store, day, groups and their
    conditions) and reused: events only bind ids.
    """
    key = (
        dialect,
        ctx.store_id,
        ctx.today,
        tuple((g, json.dumps(stored, sort_keys=True, default=str)) for g, stored in groups),
    )
    with _STATEMENTS_LOCK:
        cache = _STATEMENTS.setdefault(registry, OrderedDict())
        statement = cache.get(key)
        if statement is not None:
            cache.move_to_end(key)
            return statement
    customer_ids = bindparam("customer_ids", expanding=True)
    matches = [
        compile_conditions(load(stored, registry), registry, ctx).label(f"g{i}")
        for i, (_group_id, stored) in enumerate(groups)
    ]
    statement = (
        select(Customer.id, *matches)
        .where(Customer.id.in_(customer_ids), Customer.store_id == ctx.store_id)
        .compile(dialect=dialect)
    )
    with _STATEMENTS_LOCK:
        cache[key] = statement
        if len(cache) > _STATEMENT_CACHE_SIZE:
            cache.popitem(last=False)
    return statement


def announce(
    session: Session, pm: pluggy.PluginManager, changes: Sequence[MembershipChange]
) -> None:
    """Send ``group_membership_changed`` for each change once ``session`` commits."""
    changes = [c for c in changes if c]
    if not changes or not has_listeners(pm, "group_membership_changed"):
        return
    for change in changes:
        after_commit(session, _announcer(pm, change))


def _announcer(pm: pluggy.PluginManager, change: MembershipChange) -> Any:
    def send() -> None:
        notify(
            pm,
            "group_membership_changed",
            store_id=change.store_id,
            group_id=str(change.group_id),
            added_ids=[str(i) for i in change.added],
            removed_ids=[str(i) for i in change.removed],
        )

    return send


# -- manual members ------------------------------------------------------------------------------


def add_members(
    session: Session, group: CustomerGroup, customer_ids: Iterable[uuid.UUID]
) -> MembershipChange:
    """Add customers by hand (they stay whatever the conditions say). Unknown ids and
    customers of other stores are ignored."""
    ids = list(dict.fromkeys(customer_ids))
    if not ids:
        return MembershipChange(group.store_id, group.id)
    known = select(Customer.id).where(Customer.store_id == group.store_id, Customer.id.in_(ids))
    session.execute(
        update(_members)
        .where(_members.c.group_id == group.id, _members.c.customer_id.in_(known))
        .values(manual=True)
    )
    source = select(
        literal(group.id, Uuid()),
        Customer.id,
        literal(group.store_id, String()),
        true(),
        literal(utcnow(), UTCDateTime()),
    ).where(Customer.store_id == group.store_id, Customer.id.in_(ids), ~_is_member(group.id))
    added = session.scalars(
        insert(session, _members)
        .from_select(["group_id", "customer_id", "store_id", "manual", "added_at"], source)
        .on_conflict_do_nothing()
        .returning(_members.c.customer_id)
    ).all()
    return MembershipChange(group.store_id, group.id, tuple(added))


def remove_members(
    session: Session,
    registry: ConditionRegistry,
    group: CustomerGroup,
    customer_ids: Iterable[uuid.UUID],
    *,
    today: dt.date | None = None,
) -> tuple[MembershipChange, list[uuid.UUID]]:
    """Take customers out by hand. Those who match the group's conditions stay as automatic
    members (change the conditions to exclude them); they are returned second."""
    ids = list(dict.fromkeys(customer_ids))
    if not ids:
        return MembershipChange(group.store_id, group.id), []
    ctx = context(group.store_id, today)
    # a failing group's conditions match nobody here: taking members out by hand still works
    conditions = None if group.failure_reason else load_or_none(group.conditions, registry)
    predicate = compile_conditions(conditions, registry, ctx)
    matching = set(
        session.scalars(select(Customer.id).where(Customer.id.in_(ids), predicate)).all()
    )
    kept = (
        session.scalars(
            update(_members)
            .where(_members.c.group_id == group.id, _members.c.customer_id.in_(list(matching)))
            .values(manual=False)
            .returning(_members.c.customer_id)
        ).all()
        if matching
        else []
    )
    leaving = [i for i in ids if i not in matching]
    removed = (
        session.scalars(
            delete(_members)
            .where(_members.c.group_id == group.id, _members.c.customer_id.in_(leaving))
            .returning(_members.c.customer_id)
        ).all()
        if leaving
        else []
    )
    return MembershipChange(group.store_id, group.id, (), tuple(removed)), list(kept)


# -- previews and explanations -------------------------------------------------------------------


def preview(
    session: Session,
    registry: ConditionRegistry,
    store_id: str,
    conditions: Conditions | None,
    group: CustomerGroup | None = None,
    *,
    today: dt.date | None = None,
) -> dict[str, int]:
    """How many customers match; for an existing group how many would join and leave."""
    ctx = context(store_id, today)
    predicate = compile_conditions(conditions, registry, ctx)
    matching = session.scalar(select(func.count()).select_from(Customer).where(predicate)) or 0
    result = {"matching": matching, "would_join": matching, "would_leave": 0}
    if group is not None:
        result["would_join"] = (
            session.scalar(
                select(func.count()).select_from(Customer).where(predicate, ~_is_member(group.id))
            )
            or 0
        )
        still_matches = exists(
            select(Customer.id).where(Customer.id == _members.c.customer_id, predicate)
        )
        result["would_leave"] = (
            session.scalar(
                select(func.count())
                .select_from(_members)
                .where(
                    _members.c.group_id == group.id,
                    _members.c.manual == false(),
                    ~still_matches,
                )
            )
            or 0
        )
    return result


def customer_groups(
    session: Session,
    registry: ConditionRegistry,
    store_id: str,
    customer_id: uuid.UUID,
    *,
    today: dt.date | None = None,
) -> list[dict[str, Any]]:
    """The groups a customer is in, each with why: added by hand, and/or the conditions with
    the customer's values."""
    ctx = context(store_id, today)
    rows = session.execute(
        select(CustomerGroup, _members.c.manual, _members.c.added_at)
        .join(_members, _members.c.group_id == CustomerGroup.id)
        .where(
            _members.c.customer_id == customer_id,
            _members.c.store_id == store_id,
            CustomerGroup.store_id == store_id,
        )
        .order_by(CustomerGroup.name, CustomerGroup.id)
    ).all()
    result = []
    for group, manual, added_at in rows:
        # a failing group is not explained (its conditions do not evaluate)
        conditions = None if group.failure_reason else load_or_none(group.conditions, registry)
        result.append(
            {
                "group_id": str(group.id),
                "name": group.name,
                "icon": group.icon,
                "manual": bool(manual),
                "added_at": added_at,
                "match": conditions.match if conditions else None,
                "conditions": explain(session, conditions, registry, ctx, customer_id)
                if conditions
                else [],
            }
        )
    return result


def _groups_of_customer() -> Select[Any]:
    return (
        select(CustomerGroup.id)
        .select_from(_members)
        .join(CustomerGroup, CustomerGroup.id == _members.c.group_id)
        .where(_members.c.customer_id == Customer.id)
    )


_GROUP_ORDER = (CustomerGroup.name, CustomerGroup.id)


def _groups(dialect: str) -> ColumnElement[Any]:
    fields = {"id": CustomerGroup.id, "name": CustomerGroup.name}
    return row_extras.json_array(dialect, _groups_of_customer(), fields, _GROUP_ORDER)


def _groups_text() -> ColumnElement[str]:
    item = json_text.obj(
        {"id": json_text.identifier(CustomerGroup.id), "name": json_text.string(CustomerGroup.name)}
    )
    return json_text.array(_groups_of_customer(), item, _GROUP_ORDER)


# the ``groups`` of a customer row: ``[{"id", "name"}, …]`` by name
GROUPS_EXTRA = row_extras.RowExtra(
    "groups",
    _groups,
    lambda items: [{"id": row_extras.id_text(i["id"]), "name": i["name"]} for i in items],
    top_level=True,
    json_text=_groups_text,
)
