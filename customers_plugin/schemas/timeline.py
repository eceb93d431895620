"""The timeline's query (kinds, page) and its page of items."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from .common import PageArgs, Text, UTCDateTime
from .fast_dump import FastDump


class TimelineKinds(Text):
    """One kind, or a comma list of kinds, of ``services.timeline``'s registered sources; the
    document states the app's kinds as a pattern (see ``api.openapi``)."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(max_length=400, strip=False, **kwargs)  # type: ignore[arg-type]


class TimelineArgs(PageArgs):
    kind = fields.List(
        TimelineKinds(),
        validate=ma.validate.Length(max=20),
        metadata={
            "description": "Only items of these kinds: the parameter repeated "
            "(`kind=order&kind=note`) or a comma list (`kind=order,note`); an unknown kind "
            "is refused (422 naming `kind`)."
        },
    )


class TimelineItem(ma.Schema):
    kind = fields.String(required=True)
    id = fields.UUID(required=True)
    at = UTCDateTime(required=True)
    data = fields.Dict(
        keys=fields.String(),
        required=True,
        metadata={"description": "The item's fields, by kind (see the timeline's docs page)."},
    )


class TimelinePage(FastDump):
    items = fields.List(fields.Nested(TimelineItem), required=True)
    next_cursor = fields.String(allow_none=True, required=True)
