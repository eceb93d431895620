"""Fields and base schemas shared by the API: safe text (the text bound of ``bounds``: no NUL
byte or other forbidden control character, no lone surrogate, bounded length), UTC datetimes,
money as decimal strings, the error shape, page arguments."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from ..bounds import COUNT_MAX, MONEY_MAX, text_problem
from ..extension import get_state

INT_MAX = COUNT_MAX


class Body(ma.Schema):
    """Request bodies: any field the schema does not know is an error (no mass assignment)."""

    class Meta:
        unknown = ma.RAISE


class Query(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE


class Text(fields.String):
    """A string that the database can always store: bounded, and within ``bounds``' text
    rule (no NUL byte or other forbidden control character, valid Unicode)."""

    def __init__(self, *, max_length: int = 200, strip: bool = True, **kwargs: Any) -> None:
        validators = list(kwargs.pop("validate", None) or [])
        validators.append(validate.Length(max=max_length))
        super().__init__(validate=validators, **kwargs)
        self.strip = strip

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        problem = text_problem(text)
        if problem is not None:
            raise ma.ValidationError(problem)
        return text.strip() if self.strip else text


class UTCDateTime(fields.AwareDateTime):
    """An ISO 8601 datetime; without an offset it is taken as UTC. Returned in UTC."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="iso", default_timezone=dt.UTC, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        parsed = super()._deserialize(value, attr, data, **kwargs)
        try:
            result = parsed.astimezone(dt.UTC)
        except (OverflowError, ValueError):
            raise ma.ValidationError("datetime out of range") from None
        if not 1900 <= result.year <= 9000:
            raise ma.ValidationError("datetime out of range")
        return result


class Money(fields.Decimal):
    """An amount: a decimal string on output; on input at most three decimals, bounded."""

    PATTERN = r"^-?[0-9]{1,13}(\.[0-9]{1,3})?$"

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", {}).setdefault("pattern", self.PATTERN)
        super().__init__(as_string=True, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        amount = super()._deserialize(value, attr, data, **kwargs)
        if amount.as_tuple().exponent < -3 and amount != amount.quantize(Decimal("0.001")):
            raise ma.ValidationError("at most three decimals")
        if not -MONEY_MAX < amount < MONEY_MAX:
            raise ma.ValidationError("amount out of range")
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
        raise ma.ValidationError(f"must be at most {maximum}")


class PageArgs(Query):
    limit = fields.Integer(
        validate=[validate.Range(min=1, max=INT_MAX), _page_size],
        metadata={
            "description": "Page size (default CUSTOMERS_PAGE_SIZE, at most "
            "CUSTOMERS_MAX_PAGE_SIZE)."
        },
    )
    cursor = Text(
        max_length=2048,
        metadata={"description": "The next_cursor of the previous page; opaque."},
    )


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
