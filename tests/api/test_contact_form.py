"""The host's contact form opens a thread: ``FormSubmitted.message`` becomes an unread inbound
message of a new thread (origin ``form``) in the customer's card and timeline, announced with
``message_received``; a replayed event or a form without a message opens none."""

from __future__ import annotations

from typing import Any

import pytest

from customers_plugin import hookimpl
from customers_plugin.events import Contact, FormSubmitted, InvalidValue

from .conftest import BearerAuth, Staff


class Listener:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    @hookimpl
    def message_received(self, customer: Any, message_id: str, channel: str) -> None:
        self.calls.append((customer.email, channel))


@pytest.fixture
def listener() -> Listener:
    return Listener()


@pytest.fixture
def staff(make_app, recorder, listener) -> Staff:
    return Staff(make_app(CUSTOMERS_PLUGINS=[recorder, BearerAuth(), listener]))


def _submit(staff: Staff, store: str = "a", **kw: Any) -> str:
    event = FormSubmitted(
        store_id=store,
        contact=Contact(email="giulia@example.it", name="Giulia"),
        submission_id=kw.pop("submission_id", "s-1"),
        form_name="Contact us",
        **kw,
    )
    return staff.app.extensions["customers"].hook.on_form_submit(event=event)[0]


def test_a_contact_message_opens_an_unread_thread_in_the_card(staff, listener):
    cid = _submit(staff, message="  Do you ship to Bari?\n")
    (thread,) = staff.get(f"/customers/{cid}/threads").json["items"]
    assert (thread["origin"], thread["channel"], thread["subject"]) == (
        "form",
        "email",
        "Contact us",
    )
    assert thread["unread_count"] == 1
    opened = staff.get(f"/threads/{thread['id']}").json
    (message,) = opened["messages"]
    assert (message["direction"], message["channel"], message["state"]) == (
        "in",
        "form",
        "received",
    )
    assert message["body"] == "Do you ship to Bari?"
    assert listener.calls == [("giulia@example.it", "form")]
    kinds = [i["kind"] for i in staff.get(f"/customers/{cid}/timeline").json["items"]]
    assert kinds.count("message") == 1 and kinds.count("form") == 1


def test_a_replayed_form_or_one_without_a_message_opens_no_thread(staff, listener):
    cid = _submit(staff, message="Hello")
    _submit(staff, message="Hello")  # the host delivered the event twice
    _submit(staff, submission_id="s-2")  # a form without a message
    _submit(staff, submission_id="s-3", message="   ")
    assert len(staff.get(f"/customers/{cid}/threads").json["items"]) == 1
    assert len(listener.calls) == 1


def test_the_thread_is_the_forms_stores_only(staff):
    cid = _submit(staff, message="Hello")
    thread = staff.get(f"/customers/{cid}/threads").json["items"][0]
    assert staff.as_("b").get(f"/threads/{thread['id']}").status_code == 404
    assert staff.as_("b").get(f"/customers/{cid}/threads").status_code == 404


def test_the_message_is_bounded_when_the_event_is_built():
    with pytest.raises(InvalidValue, match="message"):
        FormSubmitted(
            store_id="a",
            contact=Contact(email="g@example.it"),
            submission_id="s",
            form_name="Contact",
            message="x" * 10_001,
        )
