"""The bounds every input is checked against, wherever it enters: the REST API's schemas and
bodies, the host event dataclasses and the rows of an import all call these functions, so a
value accepted at one door is accepted at every other and always fits its column.

- text: no NUL byte, no other control character that XML 1.0 refuses (C0 controls other than
  tab, line feed and carriage return), no lone surrogate, no U+FFFE/U+FFFF; and a length bound;
- money: exact (at most three decimals, never a float) and strictly between ``-MONEY_MAX`` and
  ``MONEY_MAX``;
- counts: whole numbers from 0 to ``COUNT_MAX`` (the 32-bit integer columns);
- structured values (JSON bodies, form answers): at most ``MAX_DEPTH`` levels of nesting,
  ``MAX_NODES`` values and ``MAX_TEXT`` characters of text, every string and key checked as text.

A failing check raises ``InvalidValue`` (a ``ValueError``) naming the field. Nothing here
touches Flask or the database.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .i18n import _
from .types import to_money

MONEY_MAX = Decimal(10) ** 13
COUNT_MAX = 2**31 - 1
MAX_DEPTH = 32
MAX_NODES = 10_000
MAX_TEXT = 1_000_000

_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class InvalidValue(ValueError):
    """An input outside its bounds: ``field`` names it (``items.2.quantity``), ``reason`` says
    why. Raised by the event constructors; the API answers it as 422 (400 for nesting)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class TooDeep(InvalidValue):
    """A structured value nested deeper than ``MAX_DEPTH`` levels."""


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be stored as text, or ``None`` when it can."""
    found = _FORBIDDEN.search(value)
    if found is None:
        return None
    if found.group() == "\x00":
        return _("must not contain a NUL character")
    if "\ud800" <= found.group() <= "\udfff":
        return _("must be valid Unicode text")
    code = f"{ord(found.group()):04X}"
    return _("must not contain the control character U+{code}", code=code)


def check_text(field: str, value: Any, *, max_length: int | None = None) -> str:
    """``value`` when it is a string the database and every export can hold, within
    ``max_length`` characters; else ``InvalidValue``."""
    if not isinstance(value, str):
        raise InvalidValue(field, _("must be a string"))
    problem = text_problem(value)
    if problem is not None:
        raise InvalidValue(field, problem)
    if max_length is not None and len(value) > max_length:
        raise InvalidValue(field, _("at most {n} characters", n=max_length))
    return value


def check_money(field: str, value: Any) -> Decimal:
    """An exact amount strictly between ``-MONEY_MAX`` and ``MONEY_MAX``."""
    if isinstance(value, bool):
        raise InvalidValue(field, _("must be an amount"))
    try:
        amount = to_money(value)
    except TypeError as exc:
        raise TypeError(f"{field}: {exc}") from None
    except ValueError as exc:
        raise InvalidValue(field, str(exc)) from None
    if not -MONEY_MAX < amount < MONEY_MAX:
        bound = f"{MONEY_MAX:f}"
        raise InvalidValue(
            field, _("must be between -{bound} and {bound} (exclusive)", bound=bound)
        )
    return amount


def check_count(field: str, value: Any) -> int:
    """A whole number from 0 to ``COUNT_MAX``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidValue(field, _("must be a whole number"))
    if not 0 <= value <= COUNT_MAX:
        raise InvalidValue(field, _("must be between 0 and {n}", n=COUNT_MAX))
    return value


def check_structure(
    field: str,
    value: Any,
    *,
    max_nodes: int | None = MAX_NODES,
    max_text: int | None = MAX_TEXT,
) -> Any:
    """A JSON-like value (dicts, lists, strings, numbers…) within the nesting bound, and the
    size bounds unless they are ``None`` (a request body is bounded by its bytes already).
    Walks it without recursion, so any depth is refused cleanly (``TooDeep``)."""
    stack: list[tuple[str, Any, int]] = [(field, value, 1)]
    nodes = text = 0
    while stack:
        path, item, depth = stack.pop()
        nodes += 1
        if max_nodes is not None and nodes > max_nodes:
            raise InvalidValue(field, _("at most {n} values", n=max_nodes))
        if isinstance(item, str):
            text += len(item)
            if max_text is not None and text > max_text:
                raise InvalidValue(field, _("at most {n} characters of text", n=max_text))
            check_text(path, item)
            continue
        if not isinstance(item, Mapping | list | tuple):
            continue
        if depth > MAX_DEPTH:
            raise TooDeep(field, _("nested deeper than {n} levels", n=MAX_DEPTH))
        if isinstance(item, Mapping):
            for key, child in item.items():
                name = check_text(path, key) if isinstance(key, str) else str(key)
                stack.append((f"{path}.{name}" if path else name, child, depth + 1))
        else:
            for index, child in enumerate(item):
                stack.append((f"{path}.{index}" if path else str(index), child, depth + 1))
    return value
