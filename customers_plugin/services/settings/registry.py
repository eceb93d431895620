"""What a store may override of the app's configuration: one typed ``Setting`` per key, with
its configuration key (the default), its rule (``clean``) and the JSON schema the API
documents. The rule and the schema say the same thing, so the OpenAPI document is exact.

Keys that stay app-wide on purpose (infrastructure, limits, secrets, the wallet currency whose
ledger amounts would change meaning, the note types the document lists) are named in
docs/features/settings.md.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import phonenumbers
import pycountry

from ...config import per_store
from ...i18n import _

ADDRESS_METHODS = ("free_text", "national_address", "map_location")
# a sender id: letters and digits, at most 11 (the alphanumeric sender id rule of SMS gateways)
SMS_SENDER_PATTERN = r"^[A-Za-z0-9]{1,11}$"
CHANNEL_PATTERN = r"^[a-z][a-z0-9_]{0,31}$"
REVIEW_DAYS_MAX = 365
WISHLIST_MAX = 10_000


@dataclass(frozen=True, slots=True)
class Setting:
    """One overridable setting.

    ``schema``: its JSON schema (type, enum, pattern, bounds); ``clean`` checks a value against
    it and answers the value to store (``ValueError`` with the reason otherwise); ``default``
    reads the app's configuration for a store (``config[config_key]`` unless given).
    """

    key: str
    config_key: str
    description: str
    schema: dict[str, Any]
    default: Callable[[Mapping[str, Any], str], Any] | None = field(default=None, repr=False)

    def app_value(self, config: Mapping[str, Any], store_id: str) -> Any:
        if self.default is not None:
            return self.default(config, store_id)
        return config.get(self.config_key)

    def clean(self, value: Any) -> Any:
        kind = self.schema["type"]
        if kind == "boolean":
            if value is not True and value is not False:
                raise ValueError(_("a boolean (true or false)"))
            return value
        if kind == "integer":
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(_("an integer"))
            low, high = self.schema["minimum"], self.schema["maximum"]
            if not low <= value <= high:
                raise ValueError(_("between {low} and {high}", low=low, high=high))
            return value
        if not isinstance(value, str):
            raise ValueError(_("a string"))
        if "enum" in self.schema and value not in self.schema["enum"]:
            raise ValueError(_enum_message(self.schema["enum"]))
        # the document's pattern (ECMA: "$" is the very end), matched on the whole value
        body = self.schema.get("pattern", "").removeprefix("^").removesuffix("$")
        if "pattern" in self.schema and not re.fullmatch(body, value):
            raise ValueError(_("must match {pattern}", pattern=self.schema["pattern"]))
        return value


def _enum_message(values: list[str]) -> str:
    if len(values) <= 10:
        return _("one of: {choices}", choices=", ".join(values))
    return _("not a known code")


def _per_store_of(key: str, fallback: Any = None) -> Callable[[Mapping[str, Any], str], Any]:
    def read(config: Mapping[str, Any], store_id: str) -> Any:
        return per_store(config.get(key), store_id, fallback)

    return read


def _review_days(config: Mapping[str, Any], store_id: str) -> int:
    days = per_store(config.get("CUSTOMERS_REVIEW_REQUEST_DAYS"), store_id)
    return REVIEW_DEFAULT_DAYS if days is None else int(days)


def _review_automatic(config: Mapping[str, Any], store_id: str) -> bool:
    return per_store(config.get("CUSTOMERS_REVIEW_REQUEST_DAYS"), store_id) is not None


REVIEW_DEFAULT_DAYS = 7
_CURRENCIES = sorted(currency.alpha_3 for currency in pycountry.currencies)
_REGIONS = sorted(phonenumbers.SUPPORTED_REGIONS)
_ZONES = sorted(zoneinfo.available_timezones())

SETTINGS: tuple[Setting, ...] = (
    Setting(
        "address_method",
        "CUSTOMERS_ADDRESS_METHOD",
        "How addresses are written: free_text, national_address (the Saudi National Address "
        "fields are required) or map_location (a latitude/longitude point is required).",
        {"type": "string", "enum": list(ADDRESS_METHODS)},
    ),
    Setting(
        "default_region",
        "CUSTOMERS_DEFAULT_REGION",
        "ISO 3166-1 region of phone numbers written without a country code.",
        {"type": "string", "enum": _REGIONS},
    ),
    Setting(
        "currency",
        "CUSTOMERS_CURRENCY",
        "ISO 4217 currency of total_spent (orders in others count but are not summed).",
        {"type": "string", "enum": _CURRENCIES},
    ),
    Setting(
        "timezone",
        "CUSTOMERS_TIMEZONE",
        "The store's IANA timezone (due times of tasks without an offset, 'due today').",
        {"type": "string", "enum": _ZONES},
    ),
    Setting(
        "sms_sender_name",
        "CUSTOMERS_SMS_SENDER_NAME",
        "Sender name of text messages: letters and digits, at most 11 characters. Required to "
        "send SMS (without it a send answers 409 sms_sender_missing).",
        {"type": "string", "pattern": SMS_SENDER_PATTERN, "maxLength": 11},
        _per_store_of("CUSTOMERS_SMS_SENDER_NAME"),
    ),
    Setting(
        "review_request_channel",
        "CUSTOMERS_REVIEW_REQUEST_CHANNEL",
        "Channel of review requests (email, sms…; a send_message provider delivers it).",
        {"type": "string", "pattern": CHANNEL_PATTERN, "maxLength": 32},
        _per_store_of("CUSTOMERS_REVIEW_REQUEST_CHANNEL", "email"),
    ),
    Setting(
        "automatic_review_requests",
        "CUSTOMERS_REVIEW_REQUEST_DAYS",
        "Whether a delivered order schedules a review request by itself.",
        {"type": "boolean"},
        _review_automatic,
    ),
    Setting(
        "review_request_days",
        "CUSTOMERS_REVIEW_REQUEST_DAYS",
        "Days after delivery before the automatic review request.",
        {"type": "integer", "minimum": 0, "maximum": REVIEW_DAYS_MAX},
        _review_days,
    ),
    Setting(
        "import_subscribe",
        "CUSTOMERS_IMPORT_SUBSCRIBE",
        "Default of an import's subscribe option (mark imported customers subscribed).",
        {"type": "boolean"},
    ),
    Setting(
        "wishlist_max_items",
        "CUSTOMERS_WISHLIST_MAX_ITEMS",
        "Most products one wishlist holds (null in the app's configuration: no bound).",
        {"type": "integer", "minimum": 1, "maximum": WISHLIST_MAX},
    ),
)
REGISTRY: dict[str, Setting] = {setting.key: setting for setting in SETTINGS}
