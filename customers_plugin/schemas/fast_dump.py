"""A faster ``dump`` for response schemas on hot paths (the customer list).

The schema stays the one declaration of a response: its fields, their formats and the OpenAPI
document. ``FastDump`` walks those fields once and keeps, per field, the key to read, the key to
write and the field's own ``_serialize``; dumping then skips marshmallow's per-value accessor
and hook machinery. A value that the field would hand back unchanged (a ``str`` for a
``String``, an ``int`` for an ``Integer``, a ``bool`` for a ``Boolean``, ``None`` for any of them)
is copied without calling the field at all. A schema with dump hooks or fields that read the
whole object (``Method``, ``Function``) is dumped by marshmallow as usual.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import marshmallow as ma
from marshmallow import fields

Converter = Callable[[Any], Any]
_MISSING = ma.missing
_WHOLE_OBJECT = (fields.Method, fields.Function, fields.Pluck)
# field class -> the exact value types its ``_serialize`` returns as they are
_UNCHANGED: dict[type[fields.Field], frozenset[type]] = {
    fields.String: frozenset({str, type(None)}),
    fields.Integer: frozenset({int, type(None)}),
    fields.Boolean: frozenset({bool, type(None)}),
}
_NONE: frozenset[type] = frozenset()


def _unchanged(field: fields.Field) -> frozenset[type]:
    """The value types ``field`` dumps as they are (none if its class changes ``_serialize``)."""
    for cls, kinds in _UNCHANGED.items():
        if isinstance(field, cls) and type(field)._serialize is cls._serialize:
            return kinds
    return _NONE


def _converter(field: fields.Field) -> Converter | None:
    """How one field turns a value into output, or None when it needs marshmallow itself."""
    if isinstance(field, _WHOLE_OBJECT) or not field._CHECK_ATTRIBUTE:
        return None
    if isinstance(field, fields.Nested):
        nested = _plan(field.schema)
        if nested is None:
            return None
        dump_one = _dumper(nested)
        if field.many:
            return lambda v: None if v is None else [dump_one(item) for item in v]
        return lambda v: None if v is None else dump_one(v)
    if isinstance(field, fields.List):
        inner = _converter(field.inner)
        if inner is None:
            return None
        kinds = _unchanged(field.inner)
        return lambda v: None if v is None else [i if i.__class__ in kinds else inner(i) for i in v]
    serialize = field._serialize
    return lambda v: serialize(v, None, None)


# (attribute, output key, dump default, value types copied as they are, converter)
Plan = list[tuple[str, str, Any, frozenset[type], Converter]]


def _plan(schema: ma.Schema) -> Plan | None:
    if schema._hooks.get("post_dump") or schema._hooks.get("pre_dump"):
        return None
    plan: Plan = []
    for name, field in schema.dump_fields.items():
        convert = _converter(field)
        if convert is None:
            return None
        attribute = field.attribute or name
        if "." in attribute:  # a path into nested objects: marshmallow's accessor walks it
            return None
        key = field.data_key if field.data_key is not None else name
        plan.append((attribute, key, field.dump_default, _unchanged(field), convert))
    return plan


def _dumper(plan: Plan) -> Callable[[Any], dict[str, Any]]:
    def dump(obj: Any) -> dict[str, Any]:
        get = obj.get if isinstance(obj, dict) else lambda a, d: getattr(obj, a, d)
        out = {}
        for attribute, key, default, kinds, convert in plan:
            value = get(attribute, _MISSING)
            if value is _MISSING:
                value = default() if callable(default) else default
                if value is _MISSING:
                    continue
            out[key] = value if value.__class__ in kinds else convert(value)
        return out

    return dump


class FastDump(ma.Schema):
    """A schema whose ``dump`` (of one object) runs a plan made from its own fields."""

    def dump(self, obj: Any, *, many: bool | None = None) -> Any:
        many = self.many if many is None else many
        dumper = self.__dict__.get("_fast_dumper")
        if dumper is None:
            plan = _plan(self)
            dumper = _dumper(plan) if plan is not None else False
            self.__dict__["_fast_dumper"] = dumper
        if dumper is False:
            return super().dump(obj, many=many)
        if many:
            return [dumper(item) for item in obj]
        return dumper(obj)
