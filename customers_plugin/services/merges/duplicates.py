"""The store's duplicate suggestions: pairs of customers that may be one person, with a reason
and a score, in two parts read one after the other by one cursor:

1. ``same_phone`` (score 90): pairs capture recorded (an unverified event paired one
   customer's email with the other's phone, ``customers_duplicate_suggestions``), newest first;
2. ``same_name_email_domain`` (score 70): two customers with the same normalised name whose
   emails share a domain that is not a free-mail one (``FREE_MAIL_DOMAINS``), by name.

Each pair is listed once. Cheap at a million customers: part 1 walks an index of the
suggestions; part 2 walks the (store, name, id) index and joins each customer to at most
``CANDIDATES`` later customers of the same name (a very common name costs no more), so a page
reads about ``limit`` names' worth of rows where duplicates are common.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, literal, select, tuple_

from ...models import Customer, DuplicateSuggestion
from ...sql import email_domain
from ..keyset import InvalidCursor, Order, SortKey, after, decode, encode, order_by
from ..scope import Scope

SAME_PHONE_SCORE = 90
SAME_NAME_SCORE = 70
CANDIDATES = 20  # later customers of the same name each customer is compared with
# addresses anyone can get: a shared one of these says nothing about two people
FREE_MAIL_DOMAINS = (
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "yahoo.co.uk",
    "hotmail.com",
    "hotmail.co.uk",
    "outlook.com",
    "live.com",
    "msn.com",
    "icloud.com",
    "me.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "gmx.com",
    "gmx.de",
    "mail.ru",
    "yandex.ru",
    "yandex.com",
    "qq.com",
    "163.com",
)

_suggestions = DuplicateSuggestion.__table__
_RECORDED = [
    Order(SortKey("detected_at", _suggestions.c.detected_at, "datetime"), True),
    Order(SortKey("suggestion_id", _suggestions.c.id, "uuid", attr="id"), True),
]
_a = Customer.__table__.alias("a")
_b = Customer.__table__.alias("b")
_c = Customer.__table__.alias("c")  # the candidates of one customer
_NAMED = [
    Order(SortKey("name", _a.c.search_name, "str"), False),
    Order(SortKey("customer_id", _a.c.id, "uuid"), False),
    Order(SortKey("other_id", _b.c.id, "uuid"), False),
]


@dataclass(frozen=True, slots=True)
class Pair:
    customer_id: uuid.UUID
    other_id: uuid.UUID
    reason: str
    score: int
    detected_at: Any = None


def duplicates_page(
    scope: Scope, *, limit: int, cursor: str | None
) -> tuple[list[Pair], str | None]:
    """One page of the store's suggested pairs (see the module) and the next page's cursor."""
    recorded_after = named_after = None
    if cursor:
        try:
            recorded_after = decode(cursor, _RECORDED)
        except InvalidCursor:
            named_after = decode(cursor, _NAMED)
    pairs: list[Pair] = []
    if named_after is None:
        pairs, next_cursor = _recorded(scope, limit, recorded_after)
        if next_cursor is not None:
            return pairs, next_cursor
    more, next_cursor = _named(scope, limit - len(pairs), named_after)
    return pairs + more, next_cursor


def _recorded(scope: Scope, limit: int, cursor: list[Any] | None) -> tuple[list[Pair], str | None]:
    s = _suggestions.c
    query = select(s.id, s.customer_id, s.other_id, s.reason, s.detected_at).where(
        s.store_id == scope.store_id, s.customer_id < s.other_id
    )
    if cursor is not None:
        query = query.where(after(_RECORDED, cursor))
    rows = scope.session.execute(query.order_by(*order_by(_RECORDED)).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    pairs = [
        Pair(r.customer_id, r.other_id, r.reason, SAME_PHONE_SCORE, r.detected_at) for r in rows
    ]
    last = rows[-1] if rows else None
    return pairs, encode(_RECORDED, [last.detected_at, last.id]) if more and last else None


def _named(scope: Scope, limit: int, cursor: list[Any] | None) -> tuple[list[Pair], str | None]:
    if limit <= 0:  # the recorded part filled the page: the named part starts on the next one
        return [], encode(_NAMED, ["", uuid.UUID(int=0), uuid.UUID(int=0)])
    a, b = _a.c, _b.c
    same_name = and_(b.store_id == a.store_id, b.search_name == a.search_name, b.id > a.id)
    c = _c.c
    candidates = (
        select(c.id)
        .where(c.store_id == a.store_id, c.search_name == a.search_name, c.id > a.id)
        .order_by(c.id)
        .limit(CANDIDATES)
        .correlate(_a)
    )
    domain = email_domain(a.email_normalized)
    query = (
        select(a.id.label("customer_id"), b.id.label("other_id"), a.search_name)
        .select_from(_a.join(_b, same_name))
        .where(
            a.store_id == scope.store_id,
            a.search_name != "",
            domain == email_domain(b.email_normalized),
            domain.not_in(FREE_MAIL_DOMAINS),
            b.id.in_(candidates),
        )
    )
    if cursor is not None:
        # the first two keys alone, as a row bound the (store, name, id) index can seek to
        start = tuple_(a.search_name, a.id) >= tuple_(
            literal(cursor[0], a.search_name.type), literal(cursor[1], a.id.type)
        )
        query = query.where(start, after(_NAMED, cursor))
    rows = scope.session.execute(query.order_by(*order_by(_NAMED)).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    pairs = [
        Pair(r.customer_id, r.other_id, "same_name_email_domain", SAME_NAME_SCORE) for r in rows
    ]
    last = rows[-1] if rows else None
    values = [last.search_name, last.customer_id, last.other_id] if last else None
    return pairs, encode(_NAMED, values) if more and values else None
