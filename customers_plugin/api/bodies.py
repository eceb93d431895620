"""Reading request bodies within the API's bounds.

- ``limit_body(limit)``: the body may not pass ``limit`` bytes. Werkzeug refuses a larger
  ``Content-Length`` (413) but stops a chunked body silently at the limit, so it would be read
  as a truncated document (400): such a body is read through ``CappedInput``, which answers
  413 on the first byte past the limit.
- ``json_body()``: the JSON document of the request, nested at most ``bounds.MAX_DEPTH`` levels
  (deeper, or too deep for the parser itself: 400) with every string and key within the text
  bound (422 naming the field).
- ``PARSER``: the ``@blp.arguments`` parser of every API blueprint: JSON bodies read by
  ``parse_json``, and the strict query string of ``query.StrictQueryParser`` (an undeclared
  parameter answers 422).
"""

from __future__ import annotations

import io
import json
from typing import Any

import marshmallow as ma
from flask import request
from webargs.core import missing
from webargs.flaskparser import is_json_request
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

from ..bounds import InvalidValue, TooDeep, check_structure
from ..i18n import _
from ..services.errors import Invalid
from .query import StrictQueryParser


class CappedInput(io.RawIOBase):
    """A WSGI input stream that answers 413 once more than ``limit`` bytes were read."""

    def __init__(self, stream: Any, limit: int) -> None:
        super().__init__()
        self._stream = stream
        self._read = 0
        self.limit = limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._stream.read(len(buffer))
        self._read += len(data)
        if self._read > self.limit:
            raise RequestEntityTooLarge(
                _("the body is larger than {limit} bytes", limit=self.limit)
            )
        buffer[: len(data)] = data
        return len(data)


def limit_body(limit: int) -> None:
    """Refuse (413) a body of the current request larger than ``limit`` bytes, whether it
    gives a Content-Length or is chunked. Call it before the body is first read."""
    request.max_content_length = limit
    environ = request.environ
    if request.content_length is not None or "wsgi.input_terminated" not in environ:
        return
    if "stream" in request.__dict__:  # already opened: too late to wrap
        return
    raw = environ["wsgi.input"]
    if isinstance(raw, CappedInput):
        raw.limit = limit
    else:
        environ["wsgi.input"] = CappedInput(raw, limit)
    # werkzeug reads one byte past the limit, which CappedInput refuses
    request.max_content_length = limit + 1


def parse_json(data: bytes) -> Any:
    """A JSON document within the nesting and text bounds.

    :raises BadRequest: not JSON, or nested deeper than ``bounds.MAX_DEPTH``.
    :raises Invalid: a string or key outside the text bound (fields name it).
    """
    try:
        document = json.loads(data)
    except RecursionError:
        raise BadRequest(_("the JSON body is nested too deeply")) from None
    except (ValueError, UnicodeDecodeError):
        raise BadRequest(_("the body is not valid JSON")) from None
    try:
        return check_structure("", document, max_nodes=None, max_text=None)
    except TooDeep as exc:
        raise BadRequest(_("the JSON body is {reason}", reason=exc.reason)) from None
    except InvalidValue as exc:
        fields = {exc.field or "_body": [exc.reason]}
        raise Invalid(_("the request is not valid"), fields=fields) from None


def json_body() -> Any:
    """The current request's JSON document (``None`` when it sends no JSON body)."""
    if not request.is_json:
        return None
    data = request.get_data(cache=True)
    return parse_json(data) if data.strip() else None


class BoundedParser(StrictQueryParser):
    """The API's strict query parser, with JSON bodies read by ``parse_json``."""

    def load_json(self, req: Any, schema: ma.Schema) -> Any:
        if not is_json_request(req):
            return missing
        data = req.get_data(cache=True)
        return parse_json(data) if data.strip() else missing


PARSER = BoundedParser()
