"""The API reads query strings from ``QueryArgs`` (a dict of lists) instead of werkzeug's
``MultiDict``: every query parses to what webargs' own loader gives, errors included."""

from __future__ import annotations

from typing import Any

import pytest
from flask import request
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException

from customers_plugin.api.query import StrictQueryParser
from customers_plugin.schemas.customers import CustomerListArgs


class WerkzeugArgs(StrictQueryParser):
    """The same parser reading werkzeug's MultiDict, as webargs does."""

    def load_querystring(self, req: Any, schema: Any) -> Any:
        return FlaskParser.load_querystring(self, req, schema)


def _parse(parser: StrictQueryParser) -> Any:
    try:
        return parser.parse(CustomerListArgs(), request, location="query")
    except HTTPException as error:  # webargs answers 422 with the messages by field
        return (error.code, getattr(error, "data", {}).get("messages"))


@pytest.mark.parametrize(
    "query",
    [
        "",
        "limit=50",
        "q=",
        "q=%2B393100768150&limit=5",
        "tag=vip&tag=new&tag=vip",
        "tag=&status=active&status=blocked",
        "country=SA&country=IL&sort=-total_spent&include_total=true",
        "limit=0",
        "limit=abc&grop=x",
        "q=a&q=b",
        "id=not-a-uuid",
        "joined_from=2026-01-01&spent_min=10.5",
    ],
)
def test_each_query_parses_as_webargs_parses_it(api_app, query):
    with api_app.test_request_context(f"/?{query}"):
        ours = _parse(StrictQueryParser())
        theirs = _parse(WerkzeugArgs())
    assert ours == theirs
