"""Fields and base schemas shared by the API: safe text (the text bound of ``bounds``: no NUL
byte or other forbidden control character, no lone surrogate, bounded length), UTC datetimes,
money as decimal strings, the error shape, page arguments.

The server is exactly as strict as the OpenAPI document generated from these schemas: JSON
bodies take JSON booleans and integers only (``Body``), amounts are decimal strings matching
their documented pattern, a patterned text is checked as sent (never trimmed first), page sizes
and cursors are bounded as documented."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from ..bounds import COUNT_MAX, MONEY_MAX, text_problem
from ..i18n import _
from ..security import PERMISSIONS
from ..services.keyset import CURSOR_PATTERN, MAX_CURSOR_LENGTH
from ..state import get_state

INT_MAX = COUNT_MAX


class StrictBoolean(fields.Boolean):
    """A JSON boolean: ``true`` or ``false`` only (not ``0``, ``1`` or ``"yes"``)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if value is True or value is False:
            return value
        raise self.make_error("invalid", input=value)


def make_strict(field: fields.Field) -> None:
    """Make a field of a JSON body take only its JSON type: booleans only ``true``/``false``,
    integers only JSON integers (not ``"3"``, ``3.5`` or ``true``); lists and nested lists too."""
    if type(field) is fields.Boolean:
        field.__class__ = StrictBoolean
    elif isinstance(field, fields.Integer):
        field.strict = True
    elif isinstance(field, fields.List):
        make_strict(field.inner)


class Body(ma.Schema):
    """Request bodies: any field the schema does not know is an error (no mass assignment), and
    booleans and integers are JSON booleans and integers, as the document says (``STRICT``;
    a form-encoded body, whose values are all text, sets it to False)."""

    STRICT = True
    OPENAPI: dict[str, Any] = {}  # what the document adds to the schema (e.g. oneOf)

    class Meta:
        unknown = ma.RAISE

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        if self.STRICT:
            make_strict(field_obj)


class Query(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE


# the text rule of ``bounds`` as the document states it (no NUL or other control character but
# tab, line feed and carriage return, no U+FFFE/U+FFFF), and the same with a non-space in it
_FORBIDDEN = "\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\uFFFE\\uFFFF"
TEXT_PATTERN = f"^[^{_FORBIDDEN}]*$"
NONBLANK_TEXT_PATTERN = f"^[^{_FORBIDDEN}]*[^\\s{_FORBIDDEN}][^{_FORBIDDEN}]*$"


class Text(fields.String):
    """A string that the database can always store: bounded, and within ``bounds``' text
    rule (no NUL byte or other forbidden control character, valid Unicode).

    Trimmed before its other checks (so a required text of spaces only is empty), unless it
    has a pattern. The document states it: a pattern refusing the forbidden characters, and for
    a text that must not be empty, one requiring a character other than a space."""

    def __init__(self, *, max_length: int = 200, strip: bool = True, **kwargs: Any) -> None:
        validators = list(kwargs.pop("validate", None) or [])
        if not any(isinstance(v, validate.Regexp) for v in validators):
            not_empty = any(isinstance(v, validate.Length) and v.min for v in validators)
            metadata = kwargs.setdefault("metadata", {})
            metadata.setdefault(
                "pattern", NONBLANK_TEXT_PATTERN if strip and not_empty else TEXT_PATTERN
            )
        validators.append(validate.Length(max=max_length))
        super().__init__(validate=validators, **kwargs)
        self.max_length = max_length
        # a documented pattern is checked on the text as sent: trimming first would accept
        # what the document refuses
        self.strip = strip and not any(isinstance(v, validate.Regexp) for v in validators)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        if len(text) > self.max_length:  # the documented maxLength holds before trimming
            raise ma.ValidationError(_("Longer than maximum length {max}.", max=self.max_length))
        problem = text_problem(text)
        if problem is not None:
            raise ma.ValidationError(problem)
        return text.strip() if self.strip else text


def TagName(**kwargs: Any) -> Text:
    """A tag's name: 1 to 100 characters, not only spaces."""
    return Text(max_length=100, validate=[validate.Length(min=1)], **kwargs)


class UTCDateTime(fields.AwareDateTime):
    """An ISO 8601 datetime; without an offset it is taken as UTC. Returned in UTC."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="iso", default_timezone=dt.UTC, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        parsed = super()._deserialize(value, attr, data, **kwargs)
        try:
            result = parsed.astimezone(dt.UTC)
        except (OverflowError, ValueError):
            raise ma.ValidationError(_("datetime out of range")) from None
        if not 1900 <= result.year <= 9000:
            raise ma.ValidationError(_("datetime out of range"))
        return result


class Money(fields.Decimal):
    """An amount: a decimal string, at most 13 integer digits and three decimals. On input it
    must be a string matching the pattern of its ``sign`` ("any", "non_negative" or
    "positive"), which the document states (a JSON number or ``1e3`` is refused)."""

    PATTERNS = {
        "any": r"^-?[0-9]{1,13}(\.[0-9]{1,3})?$",
        "non_negative": r"^[0-9]{1,13}(\.[0-9]{1,3})?$",
        "positive": r"^(0{0,12}[1-9][0-9]{0,12}(\.[0-9]{1,3})?"
        r"|0{1,13}\.([1-9][0-9]{0,2}|0[1-9][0-9]?|00[1-9]))$",
    }
    PATTERN = PATTERNS["any"]

    def __init__(self, *, sign: str = "any", **kwargs: Any) -> None:
        kwargs.setdefault("metadata", {}).setdefault("pattern", self.PATTERNS[sign])
        super().__init__(as_string=True, **kwargs)
        self.sign = sign

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, str) or not re.match(self.PATTERNS[self.sign], value):
            raise ma.ValidationError(_("an amount as a decimal string ({sign})", sign=self.sign))
        amount = super()._deserialize(value, attr, data, **kwargs)
        if not -MONEY_MAX < amount < MONEY_MAX:
            raise ma.ValidationError(_("amount out of range"))
        return amount.quantize(Decimal("0.001"))


class Country(Text):
    """An ISO 3166-1 alpha-2 code, returned in upper case."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=2, validate=[validate.Regexp(r"^[A-Za-z]{2}$")], **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        return super()._deserialize(value, attr, data, **kwargs).upper()


def Count(**kwargs: Any) -> fields.Integer:
    return fields.Integer(strict=False, validate=validate.Range(min=0, max=INT_MAX), **kwargs)


LANGUAGE = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")


def _page_size(value: int) -> None:
    maximum = get_state().setting("CUSTOMERS_MAX_PAGE_SIZE")
    if value > maximum:
        raise ma.ValidationError(_("must be at most {max}", max=maximum))


class PageSize(fields.Integer):
    """A page size from 1 to ``CUSTOMERS_MAX_PAGE_SIZE`` (the document states the app's
    maximum: see ``api.openapi``)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "metadata",
            {
                "description": "Page size (default CUSTOMERS_PAGE_SIZE, at most "
                "CUSTOMERS_MAX_PAGE_SIZE)."
            },
        )
        super().__init__(validate=[validate.Range(min=1, max=INT_MAX), _page_size], **kwargs)


def Cursor(**kwargs: Any) -> Text:
    """The ``next_cursor`` of a previous page: URL-safe base64, at most 2048 characters."""
    return Text(
        max_length=MAX_CURSOR_LENGTH,
        validate=[validate.Regexp(CURSOR_PATTERN)],
        metadata={
            "description": "The next_cursor of the previous page, as it was given (URL-safe "
            "base64; only cursors the server issued for the same sort are accepted)."
        },
        **kwargs,
    )


def SortSpec(keys: Iterable[str], default: str, **kwargs: Any) -> Text:
    """``sort``: comma-separated keys from ``keys``, each optionally prefixed with ``-``
    (descending) or ``+``; a key appears once."""
    names = "|".join(sorted(keys))
    pattern = rf"^[-+]?({names})(,[-+]?({names}))*$"
    return Text(
        max_length=200,
        load_default=default,
        validate=[
            validate.Regexp(pattern, error=_("sort by comma-separated keys: {names}", names=names))
        ],
        metadata={
            "description": f"Comma-separated keys, '-' for descending (default {default}); "
            f"keys: {', '.join(sorted(keys))}; each key once."
        },
        **kwargs,
    )


class PageArgs(Query):
    limit = PageSize()
    cursor = Cursor()


class ErrorBody(ma.Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    field_errors = fields.Dict(
        keys=fields.String(), values=fields.List(fields.String()), data_key="fields"
    )
    existing_id = fields.String()


class ErrorSchema(ma.Schema):
    """Every error answer: ``{"error": {"code", "message", "fields"}}``."""

    error = fields.Nested(ErrorBody, required=True)


class TagRef(ma.Schema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)
    automatic = fields.Boolean(required=True)


class PermissionsOut(ma.Schema):
    store_id = fields.String(required=True)
    staff = fields.String(
        allow_none=True, metadata={"description": "Who the host says is asking, if it says."}
    )
    permissions = fields.List(
        fields.String(validate=validate.OneOf(PERMISSIONS)),
        required=True,
        metadata={"description": "The permissions the host's `authorize` grants on the store."},
    )
