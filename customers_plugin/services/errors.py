"""Domain errors raised by services. The API layer maps them to HTTP answers; services never
know about HTTP or Flask."""

from __future__ import annotations

from ..i18n import _


class ServiceError(Exception):
    """Base of every error a service reports to its caller."""

    code = "error"

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class NotFound(ServiceError):
    """The thing does not exist in this store (another store's id is "not found" too)."""

    code = "not_found"


class Conflict(ServiceError):
    """The change collides with existing data (a duplicate email, a taken tag name…)."""

    code = "conflict"

    def __init__(
        self,
        message: str,
        *,
        fields: dict[str, list[str]] | None = None,
        existing_id: str | None = None,
    ) -> None:
        super().__init__(message, fields=fields)
        self.existing_id = existing_id


class Gone(ServiceError):
    """The thing existed but is no more (an expired export's file)."""

    code = "gone"


class Invalid(ServiceError):
    """A value is well formed but not acceptable (a field value of the wrong type…)."""

    code = "validation_error"


def invalid(field: str, message: str) -> Invalid:
    return Invalid(message, fields={field: [message]})


class HostAnswer(ServiceError):
    """An answer the host gave for an action it owns (``place_order``, ``issue_coupon``):
    ``status`` is the HTTP status the API answers, ``code`` the host's reason code."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


def unsupported(hook: str) -> HostAnswer:
    """No implementation of ``hook``: 501 ``<hook>_unsupported``."""
    return HostAnswer(
        501, f"{hook}_unsupported", _("the host does not implement {hook}", hook=hook)
    )


def host_failed(hook: str) -> HostAnswer:
    """The host's ``hook`` raised or answered something unusable: 502 ``host_error``."""
    return HostAnswer(
        502, "host_error", _("the host's {hook} failed; nothing was recorded", hook=hook)
    )


class Unauthenticated(ServiceError):
    """A caller that proves nothing (a webhook without the shop's signature)."""

    code = "unauthorized"


class TooMany(ServiceError):
    """Over a rate limit; ``retry_after`` seconds until it allows again."""

    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
