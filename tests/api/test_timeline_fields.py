"""A timeline page reads its items' fields as one JSON object per row (services/timeline.py):
each item's ``data`` is exactly what its source's serializer makes of a plain ``select`` of the
same row, over generated values: multilingual text with quotes, backslashes and line breaks,
times with and without microseconds, amounts with a third decimal or negative, empty values,
flags, ids and nested activity details, on both backends."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal
from types import SimpleNamespace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from customers_plugin.models import (
    Activity,
    BookingSummary,
    FormSubmission,
    Message,
    Note,
    OrderSummary,
    Task,
    Thread,
)
from customers_plugin.services import timeline
from customers_plugin.types import new_id

ALPHABET = "abcXYZ019 ,;\"'\\\n\r\t=+-@.éòìÀ محمدإيمانالأحمدُ٠١٢ שלוםלויָ\u200f😀"
TEXT = st.text(ALPHABET, max_size=12)
MAYBE = st.none() | TEXT
MOMENT = st.datetimes(
    min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2040, 1, 1), timezones=st.just(dt.UTC)
)
WHOLE = MOMENT.map(lambda moment: moment.replace(microsecond=0))
WHEN = MOMENT | WHOLE
MONEY = st.none() | st.integers(-(10**9), 10**9).map(lambda units: Decimal(units).scaleb(-3))
DETAILS = st.dictionaries(
    TEXT,
    st.none() | st.booleans() | st.integers(-(10**12), 10**12) | TEXT
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.lists(st.integers(0, 9) | TEXT, max_size=3),
    max_size=4,
)  # fmt: skip
ROWS = st.fixed_dictionaries(
    {
        "text": MAYBE,
        "body": TEXT,
        "money": MONEY,
        "when": WHEN,
        "later": st.none() | WHEN,
        "flag": st.booleans(),
        "details": DETAILS,
    }
)


def _rows(store: str, cid: uuid.UUID, thread_id: uuid.UUID, n: int, v: dict) -> list:
    base = {"store_id": store, "customer_id": cid}
    n = f"{n}-{uuid.uuid4().hex}"  # external ids are unique per store
    return [
        OrderSummary(**base, source="shop", external_id=f"o-{n}", status=v["body"],
                     total=v["money"], currency="SAR", items=[], placed_at=v["when"]),
        BookingSummary(**base, source="shop", external_id=f"b-{n}", service=v["text"],
                       staff=v["body"], status="confirmed", price=v["money"],
                       starts_at=v["later"], ends_at=v["later"], booked_at=v["when"]),
        FormSubmission(**base, source="site", external_id=f"f-{n}", form_name=v["body"],
                       submitted_at=v["when"]),
        Note(**base, text=v["body"] * 30, type="note", author=v["body"], pinned=v["flag"],
             edited_at=v["later"], created_at=v["when"]),
        Task(**base, title=v["body"], due_at=v["when"], assignee_id=v["text"],
             created_at=v["when"]),
        Message(**base, thread_id=thread_id, direction="in", channel="email", body=v["body"],
                subject=v["text"], state="received", created_at=v["when"]),
        Activity(**base, kind="tagged", actor=v["text"], data=v["details"],
                 occurred_at=v["when"]),
    ]  # fmt: skip


def _plain(session, store: str, cid: uuid.UUID) -> dict:
    """Each row's data as the serializers make it from a plain select of its source."""
    data = {}
    for kind, source in timeline.SOURCES.items():
        for row in session.execute(source.select(store, cid)).mappings():
            data[(kind, row["id"])] = source.serialize(row)
    return data


def _text(data: dict) -> str:
    return json.dumps(data, sort_keys=True, default=str)


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(values=st.lists(ROWS, min_size=1, max_size=3))
def test_each_items_data_is_what_its_serializer_makes_of_the_plain_row(staff, values):
    cid = uuid.UUID(staff.create(email=f"{uuid.uuid4().hex[:10]}@example.com")["id"])
    db = staff.app.extensions["customers"].db
    thread = Thread(id=new_id(), store_id="a", customer_id=cid, channel="email",
                    reply_token=uuid.uuid4().hex, origin="card", unread_count=0)  # fmt: skip
    with db.transaction() as session:
        session.add(thread)
        session.flush()
        for n, v in enumerate(values):
            session.add_all(_rows("a", cid, thread.id, n, v))
    with db.reading() as session:
        scope = SimpleNamespace(session=session, store_id="a")
        items, _ = timeline.page(scope, cid, limit=100)
        expected = _plain(session, "a", cid)
    got = {(i["kind"], i["id"]): _text(i["data"]) for i in items}
    assert got == {key: _text(data) for key, data in expected.items()}
    assert len(got) > 7 * len(values) - 1
