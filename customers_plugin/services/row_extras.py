"""Data other tables add to a customer row (tags, sources, groups, and whatever other modules
register), read inside the statement that reads the rows.

Each extra is a correlated subquery that aggregates to a JSON array of objects; a decoder turns
that array into the row's value. A list page, the card and the export thus cost one statement
whatever the page size and however many extras are registered.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, func, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by

from ..models import Customer, CustomerSource, CustomerTag, Tag
from . import json_text as jt

# dialect name -> a JSON-array subquery correlated to ``Customer`` (the customer row carries the
# store scope: an extra reads only rows that belong to that customer)
SubqueryBuilder = Callable[[str], ColumnElement[Any]]


@dataclass(frozen=True, slots=True)
class RowExtra:
    """``name``: its key; ``subquery``: builds the JSON array; ``decode``: that array (a list of
    dicts) to the row's value. The package's own extras (tags, sources, groups) are
    ``top_level`` keys of a row; other modules' values go under the row's ``extras`` object.

    ``json_text`` (optional, PostgreSQL only): a correlated subquery writing the decoded value
    as the API's JSON text (see ``json_text``). Where every registered extra has one,
    PostgreSQL writes a whole list page itself (``listing.page_as_json``); without it, pages
    are written by Python, as before."""

    name: str
    subquery: SubqueryBuilder
    decode: Callable[[list[dict[str, Any]]], Any]
    top_level: bool = False
    json_text: Callable[[], ColumnElement[str]] | None = None


COLUMN = "extras_json"  # the label of the one column that carries them
EXTRAS: dict[str, RowExtra] = {}
_COLUMNS: dict[tuple[str, tuple[str, ...]], list[ColumnElement[Any]]] = {}  # built once


def register(extra: RowExtra) -> None:
    """Add an extra to every customer row (a second registration under a name is refused)."""
    known = EXTRAS.get(extra.name)
    if known is not None and known != extra:
        raise ValueError(f"row extra {extra.name!r} is registered twice")
    EXTRAS[extra.name] = extra
    _COLUMNS.clear()


def unregister(name: str) -> None:
    """Remove an extra (a module being unloaded, a test cleaning up)."""
    EXTRAS.pop(name, None)
    _COLUMNS.clear()


def columns(dialect: str, only: Sequence[str] | None = None) -> list[ColumnElement[Any]]:
    """The registered extras (or ``only`` these) as ONE labelled JSON-object column (one value
    to decode per row) for a ``select`` of customers; none when there is nothing."""
    names = tuple(EXTRAS if only is None else (n for n in EXTRAS if n in only))
    built = _COLUMNS.get((dialect, names))
    if built is None:
        pairs: list[ColumnElement[Any]] = []
        for name in names:
            subquery = EXTRAS[name].subquery(dialect)
            pairs += [_key(name), subquery if dialect == "postgresql" else func.json(subquery)]
        build = func.json_build_object if dialect == "postgresql" else func.json_object
        built = _COLUMNS[(dialect, names)] = [build(*pairs).label(COLUMN)] if pairs else []
    return built


def decode(row: Mapping[str, Any], only: Sequence[str] | None = None) -> dict[str, Any]:
    """The extras of one result row (read through ``columns`` with the same ``only``): the
    top-level ones by name, the others in ``extras``."""
    raw = row.get(COLUMN)
    if isinstance(raw, str):  # SQLite returns JSON text
        raw = json.loads(raw)
    raw = raw or {}
    values: dict[str, Any] = {"extras": {}}
    for name, extra in EXTRAS.items():
        if only is None or name in only:
            value = extra.decode(raw.get(name) or [])
            if extra.top_level:
                values[name] = value
            else:
                values["extras"][name] = value
    return values


def json_array(
    dialect: str,
    query: Select[Any],
    fields: Mapping[str, ColumnElement[Any]],
    order_by: Sequence[ColumnElement[Any]],
) -> ColumnElement[Any]:
    """The rows of ``query`` (correlated to ``Customer``) as a JSON array of objects with
    ``fields``, in ``order_by`` order; ``[]`` when there are none."""
    if dialect == "postgresql":
        pairs = _pairs(fields)
        aggregated = func.json_agg(aggregate_order_by(func.json_build_object(*pairs), *order_by))
        value = func.coalesce(aggregated, literal_column("'[]'::json"))
        return query.with_only_columns(value).scalar_subquery()
    # SQLite: no ORDER BY inside aggregates (before 3.44); an ordered subquery feeds the array
    inner = (
        query.with_only_columns(*(c.label(k) for k, c in fields.items()))
        .order_by(*order_by)
        .correlate(Customer)
        .subquery()
    )
    value = func.json_group_array(func.json_object(*_pairs({k: inner.c[k] for k in fields})))
    return select(value).scalar_subquery()


def _pairs(fields: Mapping[str, ColumnElement[Any]]) -> list[ColumnElement[Any]]:
    pairs: list[ColumnElement[Any]] = []
    for key, column in fields.items():
        pairs += [_key(key), column]
    return pairs


def _key(name: str) -> ColumnElement[Any]:
    """A JSON key written into the SQL text (names are identifiers, never user input)."""
    if not name.isidentifier():
        raise ValueError(f"{name!r} cannot be a JSON key here")
    return literal_column(f"'{name}'")


def id_text(value: Any) -> str:
    """An id from JSON in its dashed form (PostgreSQL writes that; SQLite the 32 hex digits)."""
    text = str(value)
    return text if len(text) == 36 else str(uuid.UUID(text))


# -- the package's own: a customer's sources and tags ------------------------------


def _sources_of_customer() -> Select[Any]:
    return select(CustomerSource.source).where(CustomerSource.customer_id == Customer.id)


_SOURCE_ORDER = (CustomerSource.first_seen_at, CustomerSource.source)


def _sources(dialect: str) -> ColumnElement[Any]:
    fields = {"source": CustomerSource.source}
    return json_array(dialect, _sources_of_customer(), fields, _SOURCE_ORDER)


def _tags_of_customer() -> Select[Any]:
    return (
        select(Tag.id)
        .select_from(CustomerTag)
        .join(Tag, Tag.id == CustomerTag.tag_id)
        .where(CustomerTag.customer_id == Customer.id)
    )


def _tags(dialect: str) -> ColumnElement[Any]:
    fields = {"id": Tag.id, "name": Tag.name, "automatic": Tag.automatic}
    return json_array(dialect, _tags_of_customer(), fields, [Tag.name_key])


def _decode_tags(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"id": id_text(i["id"]), "name": i["name"], "automatic": bool(i["automatic"])}
        for i in items
    ]


def _sources_text() -> ColumnElement[str]:
    return jt.array(_sources_of_customer(), jt.string(CustomerSource.source), _SOURCE_ORDER)


def _tags_text() -> ColumnElement[str]:
    item = jt.obj(
        {
            "automatic": jt.boolean(Tag.automatic),
            "id": jt.identifier(Tag.id),
            "name": jt.string(Tag.name),
        }
    )
    return jt.array(_tags_of_customer(), item, [Tag.name_key])


register(
    RowExtra(
        "sources",
        _sources,
        lambda items: [i["source"] for i in items],
        top_level=True,
        json_text=_sources_text,
    )
)
register(RowExtra("tags", _tags, _decode_tags, top_level=True, json_text=_tags_text))
