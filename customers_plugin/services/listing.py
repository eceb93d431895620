"""The customer list: search, filters, sort and keyset pages.

One page is one statement whatever its size: the rows with their extras (tags, sources, and
whatever other modules register, e.g. groups; see ``row_extras``), plus the probe of a fuzzy
search and the count when asked for. Search uses the keys normalised on write
(``search_name``, ``email_normalized``, ``phone`` in E.164); on PostgreSQL trigram indexes
serve the substring match.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import orjson
import phonenumbers
from sqlalchemy import ARRAY, Select, String, any_, bindparam, exists, func, or_, select
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import Compiled
from sqlalchemy.sql.elements import BindParameter, ColumnElement

from ..driver import read_one
from ..models import Customer, CustomerSource, CustomerTag, FieldValue, GroupMember, Tag
from ..normalize import (
    InvalidEmail,
    InvalidPhone,
    ascii_digits,
    normalize_email,
    normalize_phone,
    search_key,
    validate_email_address,
)
from . import fields, list_json, row_extras, settings
from .keyset import (
    Order,
    SortKey,
    after,
    decode,
    encode,
    order_by,
    parse_sort,
    row_values,
    signature,
)
from .scope import Scope

DEFAULT_SORT = "-joined_at"
DEFAULT_STATUSES = ("active",)
SEARCH_PROBE = 1000  # see list_customers
_TRIGRAM = 3
_PHONE_CHARS = re.compile(r"^[\d\s()+\-./]+$")

SORT_KEYS: dict[str, SortKey] = {
    k.name: k
    for k in (
        # a customer without a name has the empty key: as NULL it sorts last both ways
        SortKey("name", func.nullif(Customer.search_name, ""), "str", True, attr="search_name"),
        SortKey("email", Customer.email_normalized, "str", True, attr="email_normalized"),
        SortKey("phone", Customer.phone, "str", True),
        SortKey("country", Customer.country, "str", True),
        SortKey("joined_at", Customer.joined_at, "datetime"),
        SortKey("updated_at", Customer.updated_at, "datetime"),
        SortKey("status", Customer.status, "str"),
        SortKey("marketing_consent", Customer.marketing_consent, "str"),
        SortKey("system_notifications", Customer.system_notifications, "bool"),
        SortKey("orders_count", Customer.orders_count, "int"),
        SortKey("total_spent", Customer.total_spent, "decimal"),
        SortKey("last_order_at", Customer.last_order_at, "datetime", True),
    )
}
ID_KEY = SortKey("id", Customer.id, "uuid")
_MAX_SHAPES = 256  # page statements kept (see _cached_page, _cached_rows_of)


@dataclass(slots=True)
class Filters:
    """What narrows the list (all optional; several values of one filter mean "any of")."""

    q: str | None = None
    tags: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    marketing_consent: list[str] = field(default_factory=list)
    system_notifications: bool | None = None
    joined_from: dt.datetime | None = None
    joined_to: dt.datetime | None = None
    orders_min: int | None = None
    orders_max: int | None = None
    spent_min: Decimal | None = None
    spent_max: Decimal | None = None
    custom_fields: list[tuple[str, str]] = field(default_factory=list)
    ids: list[uuid.UUID] = field(default_factory=list)
    groups: list[uuid.UUID] = field(default_factory=list)  # members of any of these groups


_NO_FILTERS = Filters()
_PAGES: dict[tuple[Any, ...], Compiled] = {}


@dataclass(slots=True)
class Page:
    items: list[dict[str, Any]]
    next_cursor: str | None
    total: int | None


def where_clauses(scope: Scope, filters: Filters) -> list[ColumnElement[bool]]:
    """The WHERE clauses of a filter, always scoped to the scope's store."""
    session, store_id = scope.session, scope.store_id
    clauses: list[ColumnElement[bool]] = [Customer.store_id == store_id]
    statuses = filters.statuses or list(DEFAULT_STATUSES)
    clauses.append(
        Customer.status == statuses[0] if len(statuses) == 1 else Customer.status.in_(statuses)
    )
    if filters.q and filters.q.strip():
        clauses.append(search_clause(filters.q, lambda: scope.region, phone_holder(scope))[0])
    if filters.tags:
        clauses.append(
            exists().where(
                CustomerTag.customer_id == Customer.id,
                CustomerTag.tag_id == Tag.id,
                Tag.store_id == store_id,
                Tag.name_key.in_({search_key(t) for t in filters.tags}),
            )
        )
    if filters.sources:
        clauses.append(
            exists().where(
                CustomerSource.customer_id == Customer.id,
                CustomerSource.source.in_(filters.sources),
            )
        )
    if filters.countries:
        clauses.append(Customer.country.in_([c.upper() for c in filters.countries]))
    if filters.marketing_consent:
        clauses.append(Customer.marketing_consent.in_(filters.marketing_consent))
    if filters.system_notifications is not None:
        clauses.append(Customer.system_notifications == filters.system_notifications)
    if filters.joined_from is not None:
        clauses.append(Customer.joined_at >= filters.joined_from)
    if filters.joined_to is not None:
        clauses.append(Customer.joined_at < filters.joined_to)
    if filters.orders_min is not None:
        clauses.append(Customer.orders_count >= filters.orders_min)
    if filters.orders_max is not None:
        clauses.append(Customer.orders_count <= filters.orders_max)
    if filters.spent_min is not None:
        clauses.append(Customer.total_spent >= filters.spent_min)
    if filters.spent_max is not None:
        clauses.append(Customer.total_spent <= filters.spent_max)
    for key, value in filters.custom_fields:
        field_id, canonical = fields.filter_value(session, store_id, scope.field_types, key, value)
        clauses.append(
            exists().where(
                FieldValue.customer_id == Customer.id,
                FieldValue.field_id == field_id,
                FieldValue.value == canonical,
            )
        )
    if filters.ids:
        clauses.append(Customer.id.in_(filters.ids))
    if filters.groups:
        clauses.append(
            exists().where(
                GroupMember.customer_id == Customer.id,
                GroupMember.store_id == store_id,
                GroupMember.group_id.in_(filters.groups),
            )
        )
    return clauses


def search_clause(
    q: str, region: Callable[[], str | None], held: Holder | None = None
) -> tuple[ColumnElement[bool], bool]:
    """``q`` against names (folded), emails (normalised) and phones (however typed), and
    whether the clause is an exact match on a unique key. ``region``, ``held``: as
    ``exact_match``'s.

    The shape of ``q`` picks the cheapest index: a whole email or a dialable phone number is
    an equality on the per-store unique keys; fragments use the trigram indexes (PostgreSQL).
    """
    match = exact_match(q, region, held)
    if match is not None:
        column, values = match
        return (column == values[0] if len(values) == 1 else column.in_(values)), True
    text = q.strip()
    email = normalize_email(text) or ""
    if "@" in email:
        return Customer.email_normalized.like(_contains(email), escape="\\"), False
    plain = ascii_digits(text)
    digits = re.sub(r"\D", "", plain)
    if _PHONE_CHARS.match(plain) and len(digits) >= 3:
        return Customer.phone.like(_contains(digits.lstrip("0") or digits), escape="\\"), False
    key = search_key(text)
    if len(key) < _TRIGRAM:
        # too short for a substring index: names with a word starting so (trigram indexes
        # pad word starts; email "words" such as the .sa of a domain would match far too much)
        word_start = or_(
            Customer.search_name.like(_pattern(_escape(key) + "%"), escape="\\"),
            Customer.search_name.like(_pattern("% " + _escape(key) + "%"), escape="\\"),
        )
        return word_start, False
    fragment = or_(
        Customer.search_name.like(_contains(key), escape="\\"),
        Customer.email_normalized.like(_contains(email), escape="\\"),
    )
    return fragment, False


Holder = Callable[[list[str]], bool]


def exact_match(
    q: str, region: Callable[[], str | None], held: Holder | None = None
) -> tuple[Any, list[str]] | None:
    """The unique key ``q`` names whole (a valid email, or a dialable phone number in its E.164
    candidates) and its values; None when ``q`` is a fragment. ``region`` answers the store's
    phone region, asked only for a number typed without its country code.

    A number ``phonenumbers`` finds possible but not valid (a range its metadata does not know,
    or a mistyped one) may still be a customer's, stored as typed: ``held`` answers whether a
    customer of the store has one of its E.164 forms, and then it is an exact match too;
    otherwise (or without ``held``) it is searched as a fragment."""
    text = q.strip()
    email = normalize_email(text) or ""
    if "@" in email:
        try:
            return Customer.email_normalized, [validate_email_address(email)]
        except InvalidEmail:
            return None
    plain = ascii_digits(text)
    digits = re.sub(r"\D", "", plain)
    if _PHONE_CHARS.match(plain) and len(digits) >= 3:
        dialable, possible = _phone_candidates(plain, digits, region)
        if dialable:
            return Customer.phone, dialable
        if possible and held is not None and held(possible):
            return Customer.phone, possible
    return None


def _phone_candidates(
    plain: str, digits: str, region: Callable[[], str | None]
) -> tuple[list[str], list[str]]:
    """The E.164 numbers ``plain`` may mean (as typed, in the store's region, and, when typed
    without ``+``, as an international number): the valid ones, and the possible ones when
    none is valid. Short fragments give none."""
    found = []
    typed_region = None if plain.lstrip().startswith("+") else region()
    for candidate, candidate_region in ((plain, typed_region), ("+" + digits, None)):
        try:
            number = normalize_phone(candidate, candidate_region)
        except InvalidPhone:
            continue
        if number and number not in found:
            found.append(number)
    dialable = [number for number in found if _dialable(number)]
    return dialable, ([] if dialable else found)


def phone_holder(scope: Scope) -> Holder:
    """``exact_match``'s ``held`` for the scope's store: one look at the unique phone index,
    remembered for the request's later questions."""

    @functools.cache
    def held(numbers: tuple[str, ...]) -> bool:
        query = select(Customer.id).where(
            Customer.store_id == scope.store_id, Customer.phone.in_(numbers)
        )
        return scope.session.execute(query.limit(1)).first() is not None

    return lambda numbers: held(tuple(numbers))


@functools.lru_cache(maxsize=1024)
def _dialable(e164: str) -> bool:
    """Whether a number in E.164 is a valid one (the same numbers are searched again and again;
    parsing one costs about 50 µs)."""
    return phonenumbers.is_valid_number(phonenumbers.parse(e164))


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _contains(text: str) -> BindParameter[str]:
    return _pattern(f"%{_escape(text)}%")


def _pattern(pattern: str) -> BindParameter[str]:
    """A LIKE pattern written into the statement (safely quoted at execution): a prepared
    statement's generic plan cannot use the trigram indexes for a pattern it does not see."""
    return bindparam(None, pattern, String, literal_execute=True)


def list_customers(
    scope: Scope,
    filters: Filters,
    *,
    sort: str = DEFAULT_SORT,
    limit: int,
    cursor: str | None = None,
    include_total: bool = False,
) -> Page:
    orders, resume, q = _reading(sort, cursor, filters)
    held = phone_holder(scope)
    match = exact_match(q, lambda: scope.region, held) if q else None
    connection = scope.session.connection()
    dialect = connection.dialect.name
    total = None
    if not include_total and (not q or match) and _plain(filters):
        compiled, params = _cached_page(
            scope, connection.dialect, orders, filters, match, resume, limit
        )
        rows = connection.execute(compiled, params).all()
    else:
        clauses, total = _narrowed(scope, filters, q, held)
        overrides = settings.overrides_column(dialect, scope.store_id)
        columns = [*_LIST_COLUMNS, *row_extras.columns(dialect), overrides]
        rows = connection.execute(_page_query(columns, clauses, orders, resume, limit)).all()
        if not include_total:
            total = None
        elif total is None:
            count = select(func.count()).select_from(Customer).where(*clauses)
            total = connection.execute(count).scalar_one()
    rows, next_cursor = _page_end(scope, orders, rows, limit)
    return Page(items=[_item(row._mapping) for row in rows], next_cursor=next_cursor, total=total)


def _narrowed(
    scope: Scope, filters: Filters, q: str, held: Holder
) -> tuple[list[ColumnElement[bool]], int | None]:
    """The clauses of a page's rows beyond a plain page's, and their count when a fuzzy search
    has already counted them."""
    total = None
    clauses = where_clauses(scope, replace(filters, q=None))
    search, exact = search_clause(q, lambda: scope.region, held) if q else (None, True)
    if search is not None:
        clauses.append(search)
    if not exact:
        # A fuzzy search first collects at most SEARCH_PROBE matching ids (through the
        # trigram indexes). Few matches: the page is ordered from those ids; ordering the
        # whole store while filtering would read every row of a store for a rare or absent
        # term. Many matches: they are dense, and the ordered index scan finds a page quickly.
        probe = _probe(scope.session, clauses)
        if len(probe) <= SEARCH_PROBE:
            clauses = [Customer.store_id == scope.store_id, Customer.id.in_(probe)]
            total = len(probe)
    return clauses, total


@dataclass(slots=True)
class JsonPage:
    items: str  # the rows' JSON array, as the API writes a list of ``CustomerRow``
    next_cursor: str | None


def page_as_json(
    scope: Scope,
    filters: Filters,
    *,
    sort: str = DEFAULT_SORT,
    limit: int,
    cursor: str | None = None,
) -> JsonPage | None:
    """The page ``list_customers`` reads, written as JSON text by PostgreSQL and read as one
    row (see ``list_json``): Python spends nothing per row. None where Python writes the page:
    on another database, and when another module's row extra has no JSON-text writer. (A total
    is never asked for here.)"""
    dialect = scope.session.get_bind().dialect
    if dialect.name != "postgresql":
        return None
    row_columns = list_json.columns()
    if row_columns is None:
        return None
    orders, resume, q = _reading(sort, cursor, filters)
    held = phone_holder(scope)
    match = exact_match(q, lambda: scope.region, held) if q else None
    if (not q or match) and _plain(filters):
        compiled, params = _cached_page(
            scope, dialect, orders, filters, match, resume, limit, row_columns
        )
        row = read_one(scope.session, compiled, params)
        next_cursor = None
        if getattr(row, list_json.READ) > limit:
            next_cursor = encode(orders, row_values(orders, row))
    else:
        # the page's ids and sort values by the filters' statement, then its rows by the one
        # statement kept for this sort: building and keying the whole JSON statement for each
        # request would cost more than the round trip
        clauses, _total = _narrowed(scope, filters, q, held)
        found = (
            scope.session.connection()
            .execute(_page_query(_sort_columns(orders), clauses, orders, resume, limit))
            .all()
        )
        next_cursor = None
        if len(found) > limit:
            next_cursor = encode(orders, row_values(orders, found[limit - 1]))
        compiled = _cached_rows_of(dialect, orders, limit, row_columns)
        params = {"store_id": scope.store_id, "ids": [r.id for r in found[:limit]]}
        row = read_one(scope.session, compiled, params)
    settings.remember(scope.store_id, getattr(row, settings.OVERRIDES_LABEL))
    body = getattr(row, list_json.ROWS)
    if body is None:
        return JsonPage("[]", None)
    currency = orjson.dumps(scope.currency).decode()
    return JsonPage(f"[{body.replace(list_json.CURRENCY_MARK, currency)}]", next_cursor)


def _page_end(
    scope: Scope, orders: list[Order], rows: list[Any], limit: int
) -> tuple[list[Any], str | None]:
    """A page's rows (the one read beyond ``limit`` dropped) and the cursor after them; the
    store's settings the page brought along are kept for the request (reading one now costs
    no round trip)."""
    if rows:
        settings.remember(scope.store_id, rows[0]._mapping[settings.OVERRIDES_LABEL])
    if len(rows) <= limit:
        return rows, None
    return rows[:limit], encode(orders, row_values(orders, rows[limit - 1]))


def _reading(
    sort: str, cursor: str | None, filters: Filters
) -> tuple[list[Order], list[Any] | None, str]:
    """The sort, the cursor's values (checked against it) and the search of a request."""
    orders = parse_sort(sort or DEFAULT_SORT, SORT_KEYS, ID_KEY)
    resume = decode(cursor, orders) if cursor else None
    return orders, resume, (filters.q or "").strip()


def _page_query(
    columns: list[ColumnElement[Any]],
    clauses: list[ColumnElement[bool]],
    orders: list[Order],
    resume: list[Any] | None,
    limit: int,
) -> Select[Any]:
    """The page's one statement: ``columns`` of its rows, in order, after ``resume``."""
    query = select(*columns).where(*clauses)
    if resume is not None:
        query = query.where(after(orders, resume))
    return query.order_by(*order_by(orders)).limit(limit + 1)


def _sort_columns(orders: list[Order]) -> list[ColumnElement[Any]]:
    """The columns holding a row's values for a cursor of ``orders`` (its id among them)."""
    sort_values = {o.key.attribute for o in orders}
    return [c for c in _LIST_COLUMNS if c.key in sort_values]


def _json_page(
    row_columns: list[ColumnElement[Any]],
    clauses: list[ColumnElement[bool]],
    orders: list[Order],
    resume: list[Any] | None,
    limit: int,
    overrides: ColumnElement[Any],
) -> Select[Any]:
    """A page as one row of JSON text (``list_json.one_row``), with the sort values its cursor
    needs."""
    sort_columns = _sort_columns(orders)
    rows = [*row_columns, *sort_columns, list_json.position(order_by(orders))]
    page = _page_query(rows, clauses, orders, resume, limit).subquery("page")
    return list_json.one_row(page, sort_columns, limit, overrides)


def _plain(filters: Filters) -> bool:
    """Whether nothing but the search and the statuses narrows the list."""
    return replace(filters, q=None, statuses=[]) == _NO_FILTERS


def _cached_page(
    scope: Scope,
    dialect: Dialect,
    orders: list[Order],
    filters: Filters,
    match: tuple[Any, list[str]] | None,
    resume: list[Any] | None,
    limit: int,
    row_columns: list[ColumnElement[Any]] | None = None,
) -> tuple[Compiled, dict[str, Any]]:
    """The statement of a plain page (see ``_plain``; an exact match at most), compiled for
    ``dialect``, and its parameters. Its shape (sort, how many statuses and matched values,
    which cursor values are NULL, the page size, the row's columns) picks one statement built
    and compiled once with named parameters: building a statement and its cache key costs more
    than the database spends on the page (the compiled form still converts the parameters and
    the values of the rows by their types). With ``row_columns`` (``list_json``'s) the page is
    one row of JSON text (``_json_page``); else its rows are the list's columns and the row
    extras."""
    statuses = filters.statuses or list(DEFAULT_STATUSES)
    column, values = match if match is not None else (None, [])
    written = row_columns is not None
    if row_columns is None:
        row_columns = [*_LIST_COLUMNS, *row_extras.columns(dialect.name)]
    nulls = None if resume is None else tuple(v is None for v in resume)
    shape = (_compiles_as(dialect), tuple(map(id, row_columns)), signature(orders))
    shape += (len(statuses),)
    shape += (column is not None and column.key, len(values), nulls, limit)
    query = _PAGES.get(shape)
    if query is None:
        clauses = [
            Customer.store_id == bindparam("store_id"),
            _any_of(Customer.status, "status", len(statuses)),
        ]
        if column is not None:
            clauses.append(_any_of(column, "match", len(values)))
        binds = None
        if resume is not None:
            binds = [
                None if v is None else bindparam(f"after{i}", type_=o.key.column.type)
                for i, (o, v) in enumerate(zip(orders, resume, strict=True))
            ]
        if len(_PAGES) >= _MAX_SHAPES:
            _PAGES.clear()
        overrides = settings.overrides_column(dialect.name, bindparam("store_id"))
        if written:
            statement = _json_page(row_columns, clauses, orders, binds, limit, overrides)
        else:
            statement = _page_query([*row_columns, overrides], clauses, orders, binds, limit)
        query = _PAGES[shape] = statement.compile(dialect=dialect)
    params: dict[str, Any] = {"store_id": scope.store_id}
    params.update((f"status{i}", v) for i, v in enumerate(statuses))
    params.update((f"match{i}", v) for i, v in enumerate(values))
    params.update((f"after{i}", v) for i, v in enumerate(resume or ()) if v is not None)
    return query, params


def _cached_rows_of(
    dialect: Dialect, orders: list[Order], limit: int, row_columns: list[ColumnElement[Any]]
) -> Compiled:
    """The JSON page (``_json_page``) of the customers whose ids are the parameter ``ids``
    (a filtered page's, in any order; a customer deleted since is left out), compiled once per
    sort and page size."""
    shape = ("ids", _compiles_as(dialect), tuple(map(id, row_columns)), signature(orders))
    shape += (limit,)
    compiled = _PAGES.get(shape)
    if compiled is None:
        if len(_PAGES) >= _MAX_SHAPES:
            _PAGES.clear()
        clauses = [
            Customer.store_id == bindparam("store_id"),
            Customer.id == any_(bindparam("ids", type_=ARRAY(Customer.id.type))),
        ]
        overrides = settings.overrides_column(dialect.name, bindparam("store_id"))
        page = _json_page(row_columns, clauses, orders, None, limit, overrides)
        compiled = _PAGES[shape] = page.compile(dialect=dialect)
    return compiled


def _compiles_as(dialect: Dialect) -> tuple[Any, ...]:
    """What a statement compiled for ``dialect`` depends on: apps on the same database and
    driver (a host with several, or a test suite) share their compiled pages."""
    return (type(dialect), dialect.server_version_info, dialect.paramstyle)


def _any_of(column: Any, name: str, count: int) -> ColumnElement[bool]:
    """``column`` equal to one of ``count`` named parameters ``name0``, ``name1``…"""
    binds = [bindparam(f"{name}{i}", type_=column.type) for i in range(count)]
    return column == binds[0] if count == 1 else column.in_(binds)


def _probe(session: Session, clauses: list[ColumnElement[bool]]) -> list[uuid.UUID]:
    """Up to ``SEARCH_PROBE + 1`` ids matching a search (no order: the trigram indexes, or a
    sequential scan the LIMIT stops early when matches are dense)."""
    return list(session.scalars(select(Customer.id).where(*clauses).limit(SEARCH_PROBE + 1)))


def _item(row: Any) -> dict[str, Any]:
    item = {column: row[column] for column in ROW_COLUMNS}
    item.update(row_extras.decode(row))
    return item


def matching_ids(scope: Scope, filters: Filters, limit: int) -> list[uuid.UUID]:
    """Ids of the customers a filter selects (for bulk actions), at most ``limit + 1``."""
    query = select(Customer.id).where(*where_clauses(scope, filters)).order_by(Customer.id)
    return list(scope.session.scalars(query.limit(limit + 1)))


ROW_COLUMNS = (
    "id",
    "name",
    "email",
    "phone",
    "country",
    "joined_at",
    "marketing_consent",
    "system_notifications",
    "status",
    "block_reason",
    "orders_count",
    "total_spent",
    "last_order_at",
)
# what a list row reads: its columns and whatever a sort key's cursor needs
_LIST_COLUMNS = [
    Customer.__table__.c[name]
    for name in dict.fromkeys([*ROW_COLUMNS, *(k.attribute for k in SORT_KEYS.values())])
]
