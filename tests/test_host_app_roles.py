"""The example host's roles: its ``authorize`` answers by the token's role (owner, staff,
read-only), so the plugin's permission model is seen working; the demo token stays the owner."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from examples.host_app.stores import (
    DEMO_ADMIN_TOKEN,
    DEMO_READONLY_TOKEN,
    DEMO_SECOND_STORE_TOKEN,
    DEMO_STAFF_TOKEN,
)

API = "/api/v1"
CREDIT = {"type": "credit", "amount": "5", "reason": "goodwill", "idempotency_key": "c1"}


@pytest.fixture
def host(make_host: Any) -> Flask:
    return make_host()


class Caller:
    def __init__(self, app: Flask, token: str) -> None:
        self.client = app.test_client()
        self.headers = {"Authorization": f"Bearer {token}"}

    def __call__(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.client.open(API + path, method=method, headers=self.headers, **kwargs)


def _customer(host: Flask, email: str = "role@example.com") -> str:
    response = Caller(host, DEMO_ADMIN_TOKEN)("POST", "/customers", json={"email": email})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_a_read_only_token_reads_and_is_refused_every_write(host: Flask) -> None:
    cid = _customer(host)
    reader = Caller(host, DEMO_READONLY_TOKEN)
    assert reader("GET", "/customers").status_code == 200
    assert reader("GET", f"/customers/{cid}").status_code == 200
    for method, path, body in (
        ("POST", "/customers", {"email": "new@example.com"}),
        ("PATCH", f"/customers/{cid}", {"name": "Changed"}),
        ("DELETE", f"/customers/{cid}", None),
        ("POST", f"/customers/{cid}/block", {"reason": "spam"}),
        ("POST", f"/customers/{cid}/wallet/transactions", CREDIT),
        ("POST", "/fields", {"label": "Dog", "type": "text"}),
        ("POST", "/groups", {"name": "VIP"}),
        ("GET", f"/customers/{cid}/export", None),
    ):
        response = reader(method, path, json=body)
        assert response.status_code == 403, (method, path, response.get_json())
    card = Caller(host, DEMO_ADMIN_TOKEN)("GET", f"/customers/{cid}").get_json()
    assert (card["name"], card["status"], card["wallet_balance"]) == (None, "active", "0.00")


ACTIONS = [
    ("PATCH", "/customers/{cid}", {"name": "Sara"}),
    ("POST", "/customers/{cid}/wallet/transactions", CREDIT),
    ("POST", "/fields", {"label": "Dog", "type": "text"}),
    ("GET", "/customers/{cid}/export", None),
    ("POST", "/customers/{cid}/anonymize", None),
    ("DELETE", "/customers/{cid}", None),
]


@pytest.mark.parametrize(
    ("token", "statuses"),
    [
        # staff do the daily work but move no money, delete nothing, change no settings
        (DEMO_STAFF_TOKEN, [200, 403, 403, 200, 403, 403]),
        # the demo token is the owner: every permission
        (DEMO_ADMIN_TOKEN, [200, 201, 201, 200, 200, 204]),
    ],
    ids=["staff", "owner"],
)
def test_each_role_holds_only_its_permissions(host: Flask, token: str, statuses: list) -> None:
    cid = _customer(host)
    caller = Caller(host, token)
    answered = [
        caller(method, path.format(cid=cid), json=body).status_code
        for method, path, body in ACTIONS
    ]
    assert answered == statuses


def test_roles_stay_inside_their_store(host: Flask) -> None:
    cid = _customer(host)
    for token in (DEMO_STAFF_TOKEN, DEMO_READONLY_TOKEN):
        hook = host.extensions["customers"].hook
        headers = {"Authorization": f"Bearer {token}"}
        with host.test_request_context("/api/v1/customers", headers=headers) as ctx:
            assert hook.current_store(request=ctx.request) == "default"
            answer = hook.authorize(
                request=ctx.request, permission="customers.read", store_id="second"
            )
        assert answer is False
    second_owner = Caller(host, DEMO_SECOND_STORE_TOKEN)
    assert second_owner("GET", f"/customers/{cid}").status_code == 404


def test_a_note_names_the_staff_account_that_wrote_it(host: Flask) -> None:
    cid = _customer(host)
    staff = Caller(host, DEMO_STAFF_TOKEN)
    note = staff("POST", f"/customers/{cid}/notes", json={"text": "Asked for a call back"})
    assert note.status_code == 201, note.get_json()
    assert note.get_json()["author"] == "staff"
    reader = Caller(host, DEMO_READONLY_TOKEN)
    assert reader("GET", f"/customers/{cid}/notes").get_json()["items"][0]["author"] == "staff"
    refused = reader("POST", f"/customers/{cid}/notes", json={"text": "x"})
    assert refused.status_code == 403


def test_the_hosts_staff_accounts_author_and_take_tasks(host):
    customer_id = _customer(host)
    staff = Caller(host, DEMO_STAFF_TOKEN)
    body = {"title": "Call back", "due_at": "2030-01-05T10:00:00", "assignee_id": "owner"}
    created = staff("POST", f"/customers/{customer_id}/tasks", json=body)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["created_by"] == "staff"
    mine = Caller(host, DEMO_ADMIN_TOKEN)("GET", "/tasks?mine=true").get_json()["items"]
    assert [t["id"] for t in mine] == [created.get_json()["id"]]
    stranger = staff("POST", f"/customers/{customer_id}/tasks", json={**body, "assignee_id": "x"})
    assert stranger.status_code == 422
    other_store = Caller(host, DEMO_SECOND_STORE_TOKEN)
    assert other_store("GET", f"/tasks/{created.get_json()['id']}").status_code == 404
