"""What a message says: a stored template (``CUSTOMERS_MESSAGE_TEMPLATES``, name -> language ->
``{"subject", "body"}``) chosen in the customer's language, and the placeholders filled in.

Placeholders: ``{name}``, ``{first_name}``, ``{store}`` (``CUSTOMERS_STORE_NAMES``, else the
store id) and ``{field:KEY}`` (the customer's custom field ``KEY``, empty when unset);
``{{`` and ``}}`` are literal braces. Rendering walks the text with ``string.Formatter.parse``
and looks names up in a fixed mapping: no attribute or index access, no conversion, no format
spec (so ``{name.__class__}`` or ``{name:>999999999}`` are refused, never evaluated). An
unknown template or placeholder is ``Invalid`` naming the field.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...config import per_store
from ...i18n import _
from ..errors import Invalid, invalid

FIELD_PREFIX = "field"
PLACEHOLDERS = ("name", "first_name", "store", "field:KEY")
_FORMATTER = string.Formatter()


@dataclass(frozen=True, slots=True)
class Text:
    subject: str | None
    body: str


def choose(templates: Mapping[str, Any], name: str, language: str | None) -> tuple[str | None, str]:
    """The template's subject and body in ``language``: that language, else its primary
    subtag (``ar`` for ``ar-SA``), else ``*``, else the template's first language.

    :raises Invalid: no such template (``template``).
    """
    versions = templates.get(name) if isinstance(templates, Mapping) else None
    if not isinstance(versions, Mapping) or not versions:
        raise invalid("template", _("unknown template {name}", name=repr(name)))
    wanted = (language or "").lower()
    by_lower = {str(k).lower(): v for k, v in versions.items()}
    for key in (wanted, wanted.split("-")[0], "*"):
        if key and key in by_lower:
            chosen = by_lower[key]
            break
    else:
        chosen = next(iter(versions.values()))
    return chosen.get("subject"), str(chosen.get("body") or "")


def render(field: str, text: str, words: Mapping[str, str], custom: Mapping[str, str]) -> str:
    """``text`` with its placeholders filled in from ``words`` and ``custom`` (custom fields).

    :raises Invalid: an unknown or malformed placeholder, named under ``field``.
    """
    out: list[str] = []
    try:
        parts = list(_FORMATTER.parse(text))
    except ValueError as exc:
        raise invalid(
            field, _("{problem}; write {{ and }} for literal braces", problem=str(exc))
        ) from None
    for literal, name, spec, conversion in parts:
        out.append(literal)
        if name is None:
            continue
        if name == FIELD_PREFIX and spec and conversion is None:
            out.append(custom.get(spec, ""))
            continue
        if name not in words or spec or conversion is not None:
            shown = name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            raise Invalid(
                _("unknown placeholder {placeholder}", placeholder="{" + shown + "}"),
                fields={
                    field: [
                        _(
                            "unknown placeholder {placeholder}; one of {choices}",
                            placeholder="{" + shown + "}",
                            choices=PLACEHOLDERS,
                        )
                    ]
                },
            )
        out.append(words[name])
    return "".join(out)


def words_for(state: Any, store_id: str, name: str | None) -> dict[str, str]:
    """The plain placeholders of one customer of ``store_id``."""
    store = per_store(state.setting("CUSTOMERS_STORE_NAMES"), store_id) or store_id
    full = (name or "").strip()
    return {"name": full, "first_name": full.split(" ")[0] if full else "", "store": str(store)}


def compose(
    state: Any,
    store_id: str,
    *,
    customer_name: str | None,
    language: str | None,
    custom: Mapping[str, str],
    subject: str | None,
    body: str | None,
    template: str | None,
) -> Text:
    """The subject and body one customer gets: the template's (when named; a ``subject`` or
    ``body`` given too wins over the template's) with the placeholders filled in.

    :raises Invalid: an unknown template or placeholder, or no body at all.
    """
    if template is not None:
        t_subject, t_body = choose(
            state.setting("CUSTOMERS_MESSAGE_TEMPLATES") or {}, template, language
        )
        subject = subject if subject is not None else t_subject
        body = body if body is not None else t_body
    if not body:
        raise invalid("body", _("a message needs a body (or a template)"))
    words = words_for(state, store_id, customer_name)
    return Text(
        subject=render("subject", subject, words, custom) if subject is not None else None,
        body=render("body", body, words, custom),
    )
