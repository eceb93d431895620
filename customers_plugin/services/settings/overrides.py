"""Reading and writing a store's overrides (``customers_store_settings``)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, delete, func, select, type_coerce
from sqlalchemy.orm import Session

from ...db import insert
from ...i18n import _
from ...models import StoreSetting
from ...types import utcnow
from ..errors import Invalid
from .registry import REGISTRY

if TYPE_CHECKING:
    from ...state import CustomersState
    from ..scope import Scope

# the overrides read during one request, by store; None outside ``request_cache``
_READ: ContextVar[dict[str, dict[str, Any]] | None] = ContextVar(
    "customers_store_settings", default=None
)


@contextmanager
def request_cache() -> Iterator[None]:
    """Keep the overrides read inside this block (one request, one host event, one inbox
    batch) and forget them after it; inside another such block, share that block's reads."""
    if _READ.get() is not None:
        yield
        return
    token = _READ.set({})
    try:
        yield
    finally:
        _READ.reset(token)


def start_request_cache() -> Any:
    """``request_cache`` split for a framework's before/teardown pair: answers the token
    ``end_request_cache`` takes."""
    return _READ.set({})


def end_request_cache(token: Any) -> None:
    try:
        _READ.reset(token)
    except ValueError:  # ended in another context than it started in: just forget the reads
        _READ.set(None)


def _cache() -> dict[str, dict[str, Any]] | None:
    return _READ.get()


def overridden(state: CustomersState, store_id: str, session: Session | None = None) -> dict:
    """The store's overrides by key (registry keys only; a key the registry dropped is
    ignored)."""
    cache = _cache()
    if cache is not None and store_id in cache:
        return cache[store_id]
    query = select(StoreSetting.key, StoreSetting.value).where(StoreSetting.store_id == store_id)
    # on the session's connection: two plain columns need no ORM result machinery
    if session is not None:
        rows = session.connection().execute(query).all()
    else:
        with state.db.session() as own:
            rows = own.connection().execute(query).all()
    found = _known(rows)
    if cache is not None:
        cache[store_id] = found
    return found


def _known(pairs: Any) -> dict[str, Any]:
    return {key: value for key, value in pairs if key in REGISTRY}


def overrides_column(dialect: str, store_id: Any) -> Any:
    """A select-list column holding the overrides of store ``store_id`` (a bound parameter)
    as one JSON object: a statement that reads rows of its own brings them along (the
    database computes it once per statement), and ``remember`` keeps them for the request."""
    if dialect == "postgresql":
        pairs = func.json_object_agg(StoreSetting.key, StoreSetting.value)
    else:
        pairs = func.json_group_object(StoreSetting.key, func.json(StoreSetting.value))
    read = select(pairs).where(StoreSetting.store_id == store_id).scalar_subquery()
    return type_coerce(read, JSON).label(OVERRIDES_LABEL)


OVERRIDES_LABEL = "store_overrides"


def remember(store_id: str, values: Mapping[str, Any] | None) -> None:
    """Keep a store's overrides that ``overrides_column`` brought along for this request, so
    the settings read after it cost no round trip (outside a request cache: nothing)."""
    cache = _cache()
    if cache is not None:
        cache[store_id] = _known((values or {}).items())


def effective(
    where: Scope | str,
    key: str,
    *,
    state: CustomersState | None = None,
    session: Session | None = None,
) -> Any:
    """The value of setting ``key`` for a store: its override, else the app's configuration.

    ``where`` is a service ``Scope`` (its store, state and session are used) or a store id
    (then ``state`` defaults to the current app's and a session of its own is opened unless
    ``session`` is given)."""
    setting = REGISTRY[key]
    if isinstance(where, str):
        store_id = where
        if state is None:
            from ...state import get_state

            state = get_state()
    else:
        store_id, state, session = where.store_id, where.state, session or where.session
    values = overridden(state, store_id, session)
    if key in values:
        return values[key]
    return setting.app_value(state.config, store_id)


def effective_all(
    state: CustomersState, store_id: str, session: Session | None = None
) -> dict[str, dict[str, Any]]:
    """Every setting of the store: ``{key: {"value", "overridden", "default"}}``."""
    values = overridden(state, store_id, session)
    out = {}
    for key, setting in REGISTRY.items():
        default = setting.app_value(state.config, store_id)
        out[key] = {
            "value": values.get(key, default),
            "overridden": key in values,
            "default": default,
        }
    return out


def change(scope: Scope, body: Mapping[str, Any]) -> dict[str, Any]:
    """Apply a PATCH: each key validated by its registry rule (``null`` removes the store's
    override), all or none. Answers the keys that changed, with their new override (or None).

    :raises Invalid: an unknown key or a value its rule refuses, naming each such field.
    """
    problems: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for key, value in body.items():
        setting = REGISTRY.get(key)
        if setting is None:
            problems[key] = [_("not a setting a store may change")]
            continue
        if value is None:
            cleaned[key] = None
            continue
        try:
            cleaned[key] = setting.clean(value)
        except ValueError as exc:
            problems[key] = [str(exc)]
    if problems:
        raise Invalid(_("some settings are not valid"), fields=problems)
    session, store_id = scope.session, scope.store_id
    before = overridden(scope.state, store_id, session)
    changed: dict[str, Any] = {}
    now = utcnow()
    for key, value in cleaned.items():
        if value is None:
            if key in before:
                session.execute(
                    delete(StoreSetting).where(
                        StoreSetting.store_id == store_id, StoreSetting.key == key
                    )
                )
                changed[key] = None
            continue
        if key in before and before[key] == value:
            continue
        row = {"store_id": store_id, "key": key, "value": value}
        session.execute(
            insert(session, StoreSetting.__table__)
            .values(**row, updated_by=scope.actor, updated_at=now)
            .on_conflict_do_update(
                index_elements=["store_id", "key"],
                set_={"value": value, "updated_by": scope.actor, "updated_at": now},
            )
        )
        changed[key] = value
    cache = _cache()
    if cache is not None:
        cache.pop(store_id, None)
    return changed
