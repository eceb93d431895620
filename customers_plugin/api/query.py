"""The query-string parser of the API's blueprints: a parameter that the endpoint's schema does
not declare answers 422 naming it (a typo such as ``?grop=`` is never silently ignored), and
``NoQuery`` for the list endpoints that take no parameter at all."""

from __future__ import annotations

import marshmallow as ma
from webargs.flaskparser import FlaskParser

from ..schemas.common import Query


class StrictQueryParser(FlaskParser):
    DEFAULT_UNKNOWN_BY_LOCATION = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "query": ma.RAISE,
        "querystring": ma.RAISE,
    }


class NoQuery(Query):
    """The query string of an endpoint that takes no parameter."""
