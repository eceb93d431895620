"""The query-string parser of the API's blueprints: a parameter that the endpoint's schema does
not declare answers 422 naming it (a typo such as ``?grop=`` is never silently ignored), and
``NoQuery`` for the list endpoints that take no parameter at all."""

from __future__ import annotations

from typing import Any

import flask
import marshmallow as ma
from webargs.flaskparser import FlaskParser

from ..schemas.common import Query


class StrictQueryParser(FlaskParser):
    DEFAULT_UNKNOWN_BY_LOCATION = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "query": ma.RAISE,
        "querystring": ma.RAISE,
    }

    def load_querystring(self, req: flask.Request, schema: ma.Schema) -> Any:
        return self._makeproxy(QueryArgs(req.args.lists()), schema)


class QueryArgs(dict[str, list[str]]):
    """A query string's values by name, read as webargs reads werkzeug's ``MultiDict``
    (``get``: the first value, ``getlist``: all). Each parameter a request leaves out is a
    dictionary miss here, where ``MultiDict.get`` raises and catches an HTTP exception (the
    customer list declares twenty-odd parameters)."""

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        values = super().get(key)
        return values[0] if values else default

    def getlist(self, key: str) -> list[str]:
        return list(super().get(key, ()))


class NoQuery(Query):
    """The query string of an endpoint that takes no parameter."""
