"""Schemas of ``/settings``, built from the settings registry so the document states exactly
the rule each key's ``clean`` applies."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields

from ..services.settings import SETTINGS, Setting
from .common import Body


class SettingValue(fields.Field):
    """A value of one setting, checked by the registry's rule and documented with its schema."""

    def __init__(self, setting: Setting, *, answer: bool = False, **kwargs: Any) -> None:
        # an answer carries the app's configuration, which the host may set beyond the rule
        schema = {"type": setting.schema["type"]} if answer else dict(setting.schema)
        if "enum" in schema and kwargs.get("allow_none"):
            schema["enum"] = [*schema["enum"], None]  # OpenAPI 3.0: null must be listed
        metadata = {
            **schema,
            "description": setting.description,
            **kwargs.pop("metadata", {}),
        }
        super().__init__(metadata=metadata, **kwargs)
        self.setting = setting

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        try:
            return self.setting.clean(value)
        except ValueError as exc:
            raise ma.ValidationError(str(exc)) from None


def _state_schema(setting: Setting) -> type[ma.Schema]:
    return ma.Schema.from_dict(
        {
            "value": SettingValue(setting, answer=True, required=True, allow_none=True),
            "overridden": fields.Boolean(
                required=True, metadata={"description": "The store set its own value."}
            ),
            "default": SettingValue(
                setting,
                answer=True,
                required=True,
                allow_none=True,
                metadata={"description": "The app's configuration (what null goes back to)."},
            ),
        },
        name="Setting_" + setting.key,
    )


SettingsOut = ma.Schema.from_dict(
    {s.key: fields.Nested(_state_schema(s), required=True) for s in SETTINGS},
    name="SettingsOut",
)


# keys to change; null removes the store's own value (the app's comes back)
SettingsPatch = Body.from_dict(
    {s.key: SettingValue(s, allow_none=True) for s in SETTINGS}, name="SettingsPatch"
)
