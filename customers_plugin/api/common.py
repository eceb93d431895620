"""What every view needs: the per-app API state, the service scope of the request and the page
size. Views stay thin: parse (schemas) -> service -> schema."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import orjson
from flask import Response, current_app, jsonify

from ..security import current_actor, current_store_id
from ..services.fields import FieldTypes
from ..services.scope import Scope
from ..state import CustomersState, get_state

API_STATE_KEY = "customers_api"
# keys sorted as jsonify sorts them; a datetime left to jsonify, which writes it its own way
_ORJSON = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_APPEND_NEWLINE


@dataclass
class ApiState:
    """Per-app state of the API (two apps in one process share nothing)."""

    api: Any
    state: CustomersState
    _field_types: FieldTypes | None = field(default=None, repr=False)

    @property
    def field_types(self) -> FieldTypes:
        """The app's field types, collected from ``register_field_types`` once."""
        if self._field_types is None:
            self._field_types = FieldTypes.collect(self.state.pm)
        return self._field_types


def api_state() -> ApiState:
    return current_app.extensions[API_STATE_KEY]


@contextmanager
def scope(
    *, write: bool = True, store_id: str | None = None, actor: str | None = None
) -> Iterator[Scope]:
    """A service scope for the authorised store of this request: on a new transaction, or with
    ``write=False`` on a read-only session (see ``Database.reading``). Its actor is the staff
    member the host names (``current_staff``), else ``admin``. The storefront passes the
    shopper's store and its own actor."""
    state = get_state()
    store_id = store_id or current_store_id()
    with state.db.transaction() if write else state.db.reading() as session:
        yield Scope(
            session=session,
            store_id=store_id,
            state=state,
            pm=state.pm,
            field_types=api_state().field_types,
            max_bulk=state.setting("CUSTOMERS_MAX_BULK"),
            actor=actor or current_actor(),
        )


def page_size(args: dict[str, Any]) -> int:
    return args.get("limit") or get_state().setting("CUSTOMERS_PAGE_SIZE")


def json_response(dumped: Any) -> Response:
    """A 200 answer of ``dumped`` (what a response schema's ``dump`` made) encoded by orjson,
    for hot read paths: ten times faster than the stdlib encoder behind ``jsonify``. The keys are
    sorted as ``jsonify`` sorts them; text outside ASCII is written as UTF-8, not escaped. What
    orjson refuses or would write otherwise than the app's own encoder (an integer beyond 64
    bits, a ``Decimal`` or a ``datetime`` in another module's row extras or timeline items) goes
    through that encoder."""
    try:
        body = orjson.dumps(dumped, option=_ORJSON)
    except orjson.JSONEncodeError:
        return jsonify(dumped)
    return current_app.response_class(body, mimetype="application/json")
